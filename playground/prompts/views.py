"""The team's prompt library: the list, a prompt's page (where it is used), create, edit,
delete, and the picker that the chat, image and video forms open.

Using a prompt: the picker (htmx, inside the form's page) lists prompts; one opens its variables'
form; the fill answers with the text, which static/js/prompts.js copies into the form's field.
Without JavaScript the "From library" link opens the library page instead, and the fill
redirects to the form's page with the text in the query string.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from playground.accounts.http import AuthenticatedHttpRequest
from playground.history import selectors as history
from playground.prompts import selectors, services
from playground.prompts.forms import FillForm, PromptForm
from playground.prompts.models import Prompt
from playground.prompts.targets import Destination

# Longer links than this may be refused on the way (gunicorn's request line is 4,094 bytes):
# the no-JS fill then shows the text to copy instead of redirecting with it.
MAX_REDIRECT = 3500


def _prompt_or_404(prompt_id: int) -> Prompt:
    found = selectors.prompt_get(prompt_id=prompt_id)
    if found is None:
        raise Http404(gettext("No such prompt in the library."))
    return found


def _changeable_or_403(request: AuthenticatedHttpRequest, prompt_id: int) -> Prompt:
    found = _prompt_or_404(prompt_id)
    if not found.can_change(request.user):
        raise PermissionDenied(gettext("Only its author or an admin can change this prompt."))
    return found


def _query(destination: Destination | None) -> str:
    return urlencode(destination.as_query()) if destination else ""


@require_GET
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list, searched and filtered by the query string; htmx swaps only the results.
    `?for=images` (the picker's fallback) makes each prompt's link lead to filling that form."""
    filters = selectors.Filters.from_query(request.GET)
    destination = Destination.from_query(request.GET)
    use = destination.as_query() if destination else {}
    context = {
        "nav": "prompts",
        "filters": filters,
        "page_obj": selectors.prompt_page(filters=filters, number=request.GET.get("page")),
        "filter_query": urlencode(filters.as_query() | use),  # for the pager's links
        "destination": destination,
        "use_query": urlencode(use),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "prompts/library.html#results", context)
    context |= {"tags": selectors.prompt_tags(), "kinds": Prompt.Kind.choices}
    return render(request, "prompts/library.html", context)


@require_GET
def picker(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The short list the "From library" button opens inside a form's page."""
    destination = Destination.from_query(request.GET)
    if destination is None:
        raise Http404(gettext("No such form to fill in."))
    q = (request.GET.get("q") or "").strip()[:200]
    context = {
        "prompts": selectors.prompt_picks(q=q, kinds=list(destination.target.kinds)),
        "q": q,
        "destination": destination,
        "use_query": _query(destination),
    }
    return render(request, "prompts/picker.html", context)


def _initial_from_history(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """ "Save as prompt" on a history item: `?from=<item id>`, and `part=system` for a chat's
    system prompt instead of its first message."""
    item_id = request.GET.get("from", "")
    if not item_id.isdigit():
        return {}
    item = history.item_get(item_id=int(item_id))
    texts = history.item_texts(item=item) if item is not None else None
    if texts is None:
        raise Http404(gettext("No such item in the history."))
    system = request.GET.get("part") == "system"
    text = texts.system_prompt if system else texts.prompt
    return {
        "title": Truncator(" ".join(text.split())).chars(80),
        "kind": Prompt.Kind.SYSTEM if system else Prompt.Kind.PROMPT,
        "text": text,
    }


@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = PromptForm(initial=_initial_from_history(request))
        return render(request, "prompts/form.html", {"nav": "prompts", "form": form})
    form = PromptForm(request.POST)
    if not form.is_valid():
        return render(request, "prompts/form.html", {"nav": "prompts", "form": form}, status=400)
    prompt = services.prompt_create(author=request.user, **form.cleaned_data)
    messages.success(request, gettext("The prompt is in the team's library."))
    return redirect("prompts:detail", prompt_id=prompt.id)


def _render_detail(
    request: AuthenticatedHttpRequest,
    prompt: Prompt,
    form: FillForm,
    *,
    filled: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "prompts",
        "prompt": prompt,
        "form": form,
        "can_change": prompt.can_change(request.user),
        "filled": filled,
        "use_query": _query(form.fixed),
    }
    template = "prompts/detail.html#use" if request.htmx else "prompts/detail.html"
    return render(request, template, context, status=status)


@require_GET
def detail(request: AuthenticatedHttpRequest, prompt_id: int) -> HttpResponse:
    """The prompt and its variables' form; `?for=images` (from the picker) fixes the form it
    fills, else the form asks which."""
    prompt = _prompt_or_404(prompt_id)
    form = FillForm(prompt=prompt, destination=Destination.from_query(request.GET))
    return _render_detail(request, prompt, form)


@require_POST
def fill(request: AuthenticatedHttpRequest, prompt_id: int) -> HttpResponse:
    prompt = _prompt_or_404(prompt_id)
    fixed = Destination.from_query(request.GET)  # the picker's, in the form's action
    form = FillForm(request.POST, prompt=prompt, destination=fixed)
    if not form.is_valid():
        return _render_detail(request, prompt, form, status=200 if request.htmx else 400)
    text = services.prompt_use(prompt=prompt, values=form.values())
    destination = form.destination()
    field = destination.target.field(prompt.kind)
    if request.htmx:
        context = {"prompt": prompt, "text": text, "field_id": f"id_{field}"}
        return render(request, "prompts/filled.html", context)
    url = destination.url(field=field, text=text)
    if len(url) > MAX_REDIRECT:
        return _render_detail(request, prompt, form, filled=text)
    return redirect(url)


@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, prompt_id: int) -> HttpResponse:
    prompt = _changeable_or_403(request, prompt_id)
    context: dict[str, Any] = {"nav": "prompts", "prompt": prompt}
    if request.method == "GET":
        initial = {
            "title": prompt.title,
            "kind": prompt.kind,
            "text": prompt.text,
            "tags": ", ".join(prompt.tag_list),
        }
        return render(request, "prompts/form.html", context | {"form": PromptForm(initial=initial)})
    form = PromptForm(request.POST)
    if not form.is_valid():
        return render(request, "prompts/form.html", context | {"form": form}, status=400)
    services.prompt_update(actor=request.user, prompt=prompt, **form.cleaned_data)
    messages.success(request, gettext("Saved."))
    return redirect("prompts:detail", prompt_id=prompt.id)


@require_POST
def delete(request: AuthenticatedHttpRequest, prompt_id: int) -> HttpResponse:
    prompt = _changeable_or_403(request, prompt_id)
    services.prompt_delete(actor=request.user, prompt=prompt)
    messages.success(request, gettext("The prompt was deleted from the library."))
    return redirect("prompts:library")
