from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from playground.accounts.http import AuthenticatedHttpRequest
from playground.notices.services import notices_mark_seen
from playground.ranges import ranged_file_response
from playground.uploads.selectors import upload_get
from playground.usage.services import QuotaExceeded
from playground.videos import selectors, services
from playground.videos.forms import FORMS, SEEDANCE_MODELS, VideoForm
from playground.videos.models import VideoJob

TABS = [
    (VideoJob.Action.SEEDANCE, "Seedance"),
    (VideoJob.Action.TEXT2VIDEO, gettext_lazy("Kling text")),
    (VideoJob.Action.IMAGE2VIDEO, gettext_lazy("Kling image")),
    (VideoJob.Action.MULTI_IMAGE2VIDEO, gettext_lazy("Kling multi-image")),
]


def _job_or_404(job_id: UUID) -> VideoJob:
    job = selectors.video_job_get(job_id=job_id)
    if job is None:
        raise Http404(_("No such video job."))
    return job


def _render_page(
    request: AuthenticatedHttpRequest, form: VideoForm, *, status: int = 200
) -> HttpResponse:
    jobs = list(selectors.video_job_list())
    context = {
        "nav": "videos",
        "tabs": TABS,
        "tab": form.action,
        "form": form,
        "seedance_models": SEEDANCE_MODELS,
        "jobs": jobs,
        "jobs_active": selectors.video_jobs_active(jobs=jobs),
    }
    return render(request, "videos/page.html", context, status=status)


@require_GET
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The form of a tab; `?<slot>_upload=<id>` (e.g. `image_upload`) starts an image slot with
    an image stored in the playground, as "use as reference" in the image gallery links;
    `?prompt=` starts it with a prompt filled in from the library."""
    tab = request.GET.get("tab", VideoJob.Action.SEEDANCE)
    form_class = FORMS.get(tab, FORMS[VideoJob.Action.SEEDANCE])
    initial = {
        name: value
        for prefix in form_class.image_slots
        if (value := request.GET.get(name := f"{prefix}_upload"))
        and upload_get(upload_id=value) is not None
    }
    if "prompt" in request.GET:
        initial["prompt"] = request.GET["prompt"]
    return _render_page(request, form_class(initial=initial, user=request.user))


@require_GET
def jobs(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The recent jobs table; it asks for itself again every 2 s while a job is in flight."""
    found = list(selectors.video_job_list())
    context = {"jobs": found, "jobs_active": selectors.video_jobs_active(jobs=found)}
    return render(request, "videos/page.html#jobs", context)


@require_POST
def create(request: AuthenticatedHttpRequest, action: str) -> HttpResponse:
    form_class = FORMS.get(action)
    if form_class is None:
        raise Http404(_("No such kind of video job."))
    form = form_class(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _render_page(request, form, status=400)
    try:
        job = services.video_job_create(
            user=request.user,
            action=form.action,
            params=form.params(),
            job_id=form.cleaned_data["job_id"],
        )
    except QuotaExceeded as error:  # a valid form, refused: the page says why, in words
        form.add_error(None, error)
        return _render_page(request, form)
    return redirect("videos:job", job_id=job.id)


@require_GET
def job(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    found = _job_or_404(job_id)
    if found.is_final and found.user_id == request.user.id:
        notices_mark_seen(user=request.user, source_id=found.id)  # they have seen how it ended
    context = {
        "nav": "videos",
        "job": found,
        "can_change": found.user_id == request.user.id or request.user.is_admin,
        "request_json": json.dumps(found.request_body, indent=2),
        "queue_place": selectors.video_job_queue_place(job=found),
    }
    template = "videos/job.html#live" if request.htmx else "videos/job.html"
    return render(request, template, context)


@require_POST
def cancel(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    found = _job_or_404(job_id)
    if found.user_id != request.user.id and not request.user.is_admin:
        raise PermissionDenied(_("Only the job's owner or an admin can cancel it."))
    if services.video_job_cancel(job=found):
        messages.success(request, _("Cancelled: the playground stopped watching this job."))
    else:
        messages.info(request, _("This job had already ended, so there was nothing to cancel."))
    return redirect("videos:job", job_id=found.id)


@require_GET
def rerun(request: AuthenticatedHttpRequest, job_id: UUID) -> HttpResponse:
    found = _job_or_404(job_id)
    form_class = FORMS[found.action]
    form = form_class(initial=form_class.initial_from(found.params), user=request.user)
    return _render_page(request, form)


@require_GET
def media(request: AuthenticatedHttpRequest, job_id: UUID, kind: str) -> HttpResponseBase:
    found = _job_or_404(job_id)
    field = found.video if kind == "video" else found.poster
    if not field:
        raise Http404(_("This job has no archived file of that kind yet."))
    content_type = "video/mp4" if kind == "video" else "image/jpeg"
    response = ranged_file_response(request, field, content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="video-{found.id}.mp4"'
    return response


@csrf_exempt
@login_not_required
@require_POST
def callback(request: HttpRequest, token: str) -> HttpResponse:
    """Kling's callback, on a per-job URL that only the gateway knows."""
    if not services.video_job_callback(token=token, body=request.body[:65536]):
        raise Http404(_("No such job."))
    return HttpResponse(status=204)
