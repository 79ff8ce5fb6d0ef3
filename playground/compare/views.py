from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from playground.accounts.http import AuthenticatedHttpRequest
from playground.chat import selectors as chat_selectors
from playground.chat import streaming
from playground.chat.models import ChatExchange
from playground.compare import selectors, services
from playground.compare.forms import ComparisonForm
from playground.compare.models import Column, Comparison
from playground.images.forms import SEEDREAM_MODELS
from playground.usage.services import QuotaExceeded

Kind = Comparison.Kind


def _comparison_or_404(comparison_id: UUID) -> Comparison:
    found = selectors.comparison_get(comparison_id=comparison_id)
    if found is None:
        raise Http404(gettext("No such comparison."))
    return found


def _column_or_404(column_id: int) -> Column:
    found = selectors.column_get(column_id=column_id)
    if found is None:
        raise Http404(gettext("No such column."))
    return found


def _render_new(
    request: AuthenticatedHttpRequest, form: ComparisonForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "nav": "compare",
        "kinds": Kind.choices,
        "form": form,
        "seedream_models": SEEDREAM_MODELS,
        "recent": selectors.comparison_list(),
    }
    return render(request, "compare/new.html", context, status=status)


def _column_context(request: AuthenticatedHttpRequest, column: Column) -> dict[str, Any]:
    return {
        "column": column,
        "comparison": column.comparison,
        "can_run": column.comparison.is_owned_by(request.user),
        "images": selectors.column_images(column=column),
    }


def _render_column(request: AuthenticatedHttpRequest, column: Column) -> HttpResponse:
    return render(request, "compare/column.html", _column_context(request, column))


@require_GET
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", Kind.CHAT)
    if kind not in Kind.values:
        kind = Kind.CHAT
    return _render_new(request, ComparisonForm(kind, user=request.user))


@require_POST
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", Kind.CHAT)
    if kind not in Kind.values:
        raise Http404(gettext("No such kind of comparison."))
    form = ComparisonForm(kind, user=request.user, data=request.POST)
    if not form.is_valid():
        return _render_new(request, form, status=400)
    try:
        comparison, _ = services.comparison_create(
            user=request.user,
            kind=kind,
            prompt=form.prompt,
            specs=form.specs(),
            comparison_id=form.comparison_id,
        )
    except QuotaExceeded as error:  # a valid form, refused: the page says why, in words
        form.non_field_errors = list(error.messages)
        return _render_new(request, form)
    return redirect("compare:detail", comparison_id=comparison.id)


@require_GET
def detail(request: AuthenticatedHttpRequest, comparison_id: UUID) -> HttpResponse:
    found = _comparison_or_404(comparison_id)
    if found.state == Comparison.State.RUNNING:
        services.comparison_refresh(comparison_id=found.id)
    columns = [_column_context(request, column) for column in found.columns.all()]
    context = {
        "nav": "compare",
        "comparison": found,
        "columns": columns,
        "can_run": found.is_owned_by(request.user),
        "share_url": request.build_absolute_uri(),
    }
    return render(request, "compare/detail.html", context)


@require_GET
def column(request: AuthenticatedHttpRequest, column_id: int) -> HttpResponse:
    """One column, for the page's polling while it runs (video jobs, others' answers)."""
    found = _column_or_404(column_id)
    if not found.running:
        services.comparison_refresh(comparison_id=found.comparison_id)
    return _render_column(request, found)


@require_POST
def run(request: AuthenticatedHttpRequest, column_id: int) -> HttpResponse:
    """Runs a pending chat or image column in this request: each image column of the grid asks
    for itself, so the columns run side by side and each shows as soon as it is done."""
    found = _column_or_404(column_id)
    ran = services.column_run(user=request.user, column=found)
    if request.htmx:
        return _render_column(request, ran)
    return redirect("compare:detail", comparison_id=found.comparison_id)


@require_GET
def stream(request: AuthenticatedHttpRequest, column_id: int) -> StreamingHttpResponse:
    """A chat column's answer as server-sent events (the chat page's `delta` and `done`), timed
    on the server; `done` carries the finished column with its figures."""
    found = _column_or_404(column_id)
    services.must_own(found.comparison, request.user)
    exchange = found.exchange
    if exchange is None:
        raise Http404(gettext("This column has no chat answer."))

    def finished() -> dict[str, str]:
        ended = selectors.column_get(column_id=column_id)
        if ended is None:
            return {"html": ""}
        context = _column_context(request, ended)
        return {"html": render_to_string("compare/column.html", context, request)}

    return streaming.answer_events(
        lambda: services.column_stream(column_id=column_id),
        pending=exchange.status == ChatExchange.Status.PENDING,
        still_running=lambda: chat_selectors.exchange_running(exchange_id=exchange.id),
        finished=finished,
    )


@require_POST
def rerun(request: AuthenticatedHttpRequest, comparison_id: UUID) -> HttpResponse:
    """The same prompt and columns again, as a new comparison of whoever asked."""
    found = _comparison_or_404(comparison_id)
    try:
        again = services.comparison_rerun(user=request.user, comparison=found)
    except QuotaExceeded as error:
        messages.error(request, " ".join(error.messages))
        return redirect("compare:detail", comparison_id=found.id)
    return redirect("compare:detail", comparison_id=again.id)
