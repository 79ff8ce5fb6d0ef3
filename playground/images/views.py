from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from playground.accounts.http import AuthenticatedHttpRequest
from playground.images import selectors, services
from playground.images.forms import MAX_REFERENCES, SEEDREAM_MODELS, VISIBLE_REFERENCES, ImageForm
from playground.images.models import GeneratedImage, Generation
from playground.notices.services import notices_mark_seen
from playground.ranges import ranged_file_response
from playground.uploads.rules import KLING_IMAGE, REFERENCE_IMAGE, SEEDANCE_IMAGE, ImageRules
from playground.uploads.selectors import upload_get
from playground.usage.services import QuotaExceeded

# "Use as reference": where the image goes, the rules it must meet there, and the form slot.
TARGETS: dict[str, tuple[ImageRules, str, dict[str, str]]] = {
    "image": (REFERENCE_IMAGE, "images:page", {"slot": "refer1"}),
    "image2video": (KLING_IMAGE, "videos:page", {"tab": "image2video", "slot": "image"}),
    "seedance": (SEEDANCE_IMAGE, "videos:page", {"tab": "seedance", "slot": "first_frame"}),
}


def _generation_or_404(generation_id: UUID) -> Generation:
    found = selectors.generation_get(generation_id=generation_id)
    if found is None:
        raise Http404(_("No such generation."))
    return found


def _image_or_404(image_id: UUID) -> GeneratedImage:
    found = selectors.generated_image_get(image_id=image_id)
    if found is None:
        raise Http404(_("No such image."))
    return found


def _result(generation: Generation | None) -> dict[str, Any]:
    if generation is None:
        return {"generation": None}
    return {
        "generation": generation,
        "images": selectors.generation_images(generation=generation),
    }


def _render_page(
    request: AuthenticatedHttpRequest,
    form: ImageForm,
    *,
    generation: Generation | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "images",
        "form": form,
        "models": SEEDREAM_MODELS,
        "visible_references": VISIBLE_REFERENCES,
        **_result(generation),
    }
    template = "images/page.html#studio" if request.htmx else "images/page.html"
    return render(request, template, context, status=status)


@require_GET
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The form; `?refer1_upload=<id>` starts it with a stored image as a reference, and
    `?prompt=` with a prompt filled in from the library."""
    initial: dict[str, Any] = {"prompt": request.GET["prompt"]} if "prompt" in request.GET else {}
    for n in range(1, MAX_REFERENCES + 1):
        name = f"refer{n}_upload"
        if (value := request.GET.get(name)) and upload_get(upload_id=value) is not None:
            initial[name] = value
    return _render_page(request, ImageForm(initial=initial, user=request.user))


@require_POST
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Saves the request, sends it and stores the images, all before answering; with htmx the
    page shows progress meanwhile, and without it the browser is redirected to the result."""
    form = ImageForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _render_page(request, form, status=200 if request.htmx else 400)
    try:
        generation, created = services.generation_create(
            user=request.user,
            params=form.params(),
            generation_id=form.cleaned_data["generation_id"],
        )
    except QuotaExceeded as error:  # a valid form, refused: the page says why, in words
        form.add_error(None, error)
        return _render_page(request, form)
    if created:
        generation = services.generation_run(generation=generation)
    if not request.htmx:
        return redirect("images:generation", generation_id=generation.id)
    # A fresh form with the same values (and a new id), ready for the next try.
    again = ImageForm(initial=ImageForm.initial_from(generation.params), user=request.user)
    return _render_page(request, again, generation=generation)


@require_GET
def generation(request: AuthenticatedHttpRequest, generation_id: UUID) -> HttpResponse:
    found = _generation_or_404(generation_id)
    if found.user_id == request.user.id:
        notices_mark_seen(user=request.user, source_id=found.id)  # they have seen how it ended
    context = {
        "nav": "images",
        "request_json": json.dumps(found.request_body, indent=2),
        **_result(found),
    }
    template = "images/generation.html#result" if request.htmx else "images/generation.html"
    return render(request, template, context)


@require_GET
def rerun(request: AuthenticatedHttpRequest, generation_id: UUID) -> HttpResponse:
    found = _generation_or_404(generation_id)
    form = ImageForm(initial=ImageForm.initial_from(found.params), user=request.user)
    return _render_page(request, form)


@require_GET
def gallery(request: AuthenticatedHttpRequest) -> HttpResponse:
    images = selectors.gallery_page(number=request.GET.get("page"))
    return render(request, "images/gallery.html", {"nav": "images", "page_obj": images})


@require_GET
def image(request: AuthenticatedHttpRequest, image_id: UUID) -> HttpResponse:
    found = _image_or_404(image_id)
    context = {
        "nav": "images",
        "image": found,
        "generation": found.generation,
        "request_json": json.dumps(found.generation.request_body, indent=2),
    }
    return render(request, "images/image.html", context)


@require_GET
def media(request: AuthenticatedHttpRequest, image_id: UUID, kind: str) -> HttpResponseBase:
    """The stored image or its thumbnail, only for signed-in members (the login middleware)."""
    found = _image_or_404(image_id)
    field = found.file if kind == "file" else found.thumbnail
    if not field:
        raise Http404(_("This image was not stored."))
    content_type = found.content_type if kind == "file" else "image/jpeg"
    try:
        response = ranged_file_response(request, field, content_type=content_type)
    except FileNotFoundError:
        raise Http404(_("The stored file is missing.")) from None
    if kind == "file" and request.GET.get("download"):
        name = f"seedream-{found.generation_id}-{found.index + 1}.{found.extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def use(request: AuthenticatedHttpRequest, image_id: UUID) -> HttpResponse:
    """Makes the image an upload and opens the chosen form with it as an input."""
    found = _image_or_404(image_id)
    target = TARGETS.get(request.POST.get("to", ""))
    if target is None:
        raise Http404(_("No such form to use the image in."))
    rules, url_name, query = target
    try:
        upload = services.reference_create(user=request.user, image=found, rules=rules)
    except ValidationError as error:
        messages.error(
            request,
            _("This image cannot be used there: %(why)s") % {"why": " ".join(error.messages)},
        )
        return redirect("images:image", image_id=found.id)
    params = {name: value for name, value in query.items() if name != "slot"}
    params[f"{query['slot']}_upload"] = str(upload.id)
    return redirect(f"{reverse(url_name)}?{urlencode(params)}")
