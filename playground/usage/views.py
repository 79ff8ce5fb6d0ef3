from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from playground.accounts.decorators import admin_required
from playground.accounts.http import AuthenticatedHttpRequest
from playground.accounts.models import User
from playground.usage import selectors, services
from playground.usage.chart import METRICS, chart_build
from playground.usage.forms import PERIODS, PeriodForm, QuotaForm
from playground.usage.models import Kind


@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The team's usage, for everyone logged in: the key and its bill are shared."""
    form = PeriodForm(request.GET)
    start, end = form.period_dates()
    report = selectors.usage_report(start=start, end=end)
    context = {
        "nav": "usage",
        "form": form,
        "periods": PERIODS,
        "metrics": METRICS,
        "report": report,
        "chart": chart_build(report=report, metric=form.chosen_metric()),
        "kinds": list(Kind),
    }
    template = "usage/dashboard.html#report" if request.htmx else "usage/dashboard.html"
    return render(request, template, context)


def _render_quotas(
    request: AuthenticatedHttpRequest, *, invalid: tuple[int, QuotaForm] | None = None
) -> HttpResponse:
    rows: list[dict[str, Any]] = []
    for row in selectors.quota_rows():
        prefix = f"user-{row.user.pk}"
        form = QuotaForm(
            prefix=prefix,
            initial={kind.value: row.quota.limit(kind) for kind in Kind},
        )
        if invalid is not None and invalid[0] == row.user.pk:
            form = invalid[1]
        cells = [
            {"field": form[kind.value], "limit": limit, "used": used}
            for kind, limit, used in row.cells
        ]
        rows.append({"row": row, "form": form, "cells": cells})
    context = {"nav": "usage", "rows": rows, "kinds": list(Kind)}
    return render(request, "usage/quotas.html", context, status=400 if invalid else 200)


@admin_required
@require_GET
def quotas(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every active user's daily limits, with what they used today, each row editable."""
    return _render_quotas(request)


@admin_required
@require_POST
def quota_edit(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404(_("No such active user."))
    form = QuotaForm(request.POST, prefix=f"user-{user.pk}")
    if not form.is_valid():
        return _render_quotas(request, invalid=(user.pk, form))
    quota = services.quota_set(actor=request.user, user=user, **form.cleaned_data)
    messages.success(
        request,
        _("Daily limits of %(name)s: %(limits)s.")
        % {"name": user.get_username(), "limits": quota.describe()},
    )
    return redirect("usage:quotas")
