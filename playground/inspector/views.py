"""The request inspector's pages: one recorded gateway call, and the way to it from a chat
message, an image request or a video job. Read-only."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from playground.accounts.http import AuthenticatedHttpRequest
from playground.gateway.trace import pretty
from playground.inspector import selectors
from playground.inspector.models import Exchange


def must_inspect(request: AuthenticatedHttpRequest) -> None:
    if not selectors.can_inspect(user=request.user):
        raise PermissionDenied(gettext("You cannot see the team's recorded requests."))


@require_GET
def detail(request: AuthenticatedHttpRequest, exchange_id: int) -> HttpResponse:
    must_inspect(request)
    exchange = selectors.exchange_get(exchange_id=exchange_id)
    if exchange is None:
        raise Http404(gettext("No such recorded request: it may have been dropped as too old."))
    context = {
        "exchange": exchange,
        "request_body": pretty(exchange.request_body),
        "response_body": pretty(exchange.response_body),
        "siblings": selectors.exchange_list(kind=exchange.kind, source_id=exchange.source_id),
        "source_url": selectors.source_url(kind=exchange.kind, source_id=exchange.source_id),
        "retention_days": settings.INSPECTOR_RETENTION_DAYS,
    }
    return render(request, "inspector/detail.html", context)


@require_GET
def source(request: AuthenticatedHttpRequest, kind: str, source_id: str) -> HttpResponse:
    """The "Inspect" link of a chat message, an image request or a video job."""
    must_inspect(request)
    found = None
    if kind in Exchange.Kind.values:
        found = selectors.exchange_for_source(kind=kind, source_id=source_id)
    if found is None:
        raise Http404(
            gettext(
                "Nothing is recorded for this: it has not reached the gateway yet, or its "
                "record was dropped after %(days)s days."
            )
            % {"days": settings.INSPECTOR_RETENTION_DAYS}
        )
    return redirect("inspector:detail", found.id)
