"""The team's history: the filtered list, its live status, an item's detail, the export.

Every member reads the whole team's history; nothing here changes anything.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from playground.accounts.http import AuthenticatedHttpRequest
from playground.history import selectors
from playground.history.code import api_request, snippets
from playground.history.models import Item

EXPORT_FIELDS = [
    "id",
    "kind",
    "source_id",
    "user",
    "model",
    "state",
    "title",
    "created_at",
    "finished_at",
    "duration_ms",
]


def _link(filters: selectors.Filters, **extra: str) -> str:
    query = filters.as_query() | {name: value for name, value in extra.items() if value}
    return f"{reverse('history:page')}?{urlencode(query)}" if query else reverse("history:page")


@require_GET
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The history, filtered by the query string; htmx swaps only the results."""
    filters = selectors.Filters.from_query(request.GET)
    cursor = request.GET.get("before", "")
    found = selectors.item_page(filters=filters, cursor=cursor)
    query = urlencode(filters.as_query())
    context = {
        "nav": "history",
        "filters": filters,
        "page": found,
        "in_flight": [item.id for item in found.items if item.in_flight],
        "older_url": _link(filters, before=found.next_cursor) if found.next_cursor else "",
        "newest_url": _link(filters) if cursor else "",
        "export_query": f"?{query}" if query else "",
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "history/page.html#results", context)
    context |= {
        "kinds": Item.Kind.choices,
        "states": selectors.STATES,
        "members": selectors.team_members(),
    }
    return render(request, "history/page.html", context)


@require_GET
def status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The in-flight rows' state cells (swapped out of band) and the poller, which stops
    asking once none of them is in flight."""
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()]
    items = selectors.item_statuses(ids=ids)
    context = {"items": items, "in_flight": [item.id for item in items if item.in_flight]}
    return render(request, "history/status.html", context)


@require_GET
def detail(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(item_id=item_id)
    if item is None:
        raise Http404(_("No such item in the history."))
    found = selectors.item_detail(item=item)
    code = []
    if found is not None and found.request_body and item.kind != Item.Kind.COMPARE:
        code = snippets(api_request(kind=item.kind, body=found.request_body, action=found.action))
    context = {
        "nav": "history",
        "item": item,
        "detail": found,
        "request_json": json.dumps(found.request_body, indent=2) if found else "",
        "response_json": json.dumps(found.response, indent=2) if found else "",
        "events": selectors.item_events(item=item),
        "snippets": code,
    }
    return render(request, "history/detail.html", context)


class _Echo:
    """A file-like object whose write hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["user"] = row.pop("user__username")
    for name in ("created_at", "finished_at"):
        value = row[name]
        row[name] = value.isoformat() if isinstance(value, datetime) else value
    return row


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=EXPORT_FIELDS)
    yield writer.writeheader()
    for row in rows:
        yield writer.writerow(_plain(row))


def _json(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for row in rows:
        yield separator + json.dumps(_plain(row), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


@require_GET
def export(request: AuthenticatedHttpRequest, fmt: str) -> StreamingHttpResponse:
    """The filtered history, streamed: rows come from the database in chunks of 2,000."""
    rows = selectors.item_export(filters=selectors.Filters.from_query(request.GET))
    if fmt == "csv":
        response = StreamingHttpResponse(_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json(rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="history.{fmt}"'
    return response
