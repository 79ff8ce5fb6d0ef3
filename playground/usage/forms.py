from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from playground.usage.chart import METRICS
from playground.usage.selectors import today

PERIODS = {"7": _("Last 7 days"), "30": _("Last 30 days"), "90": _("Last 90 days")}
LONGEST_PERIOD_DAYS = 366


class PeriodForm(forms.Form):
    """The dashboard's period and chart, from the query string: `?period=30`, or
    `?start=2026-11-01&end=2026-11-15` (dates win over the period)."""

    period = forms.ChoiceField(
        label=_("Period"), choices=PERIODS.items(), required=False, initial="7"
    )
    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(required=False, label=_("To"), widget=forms.DateInput({"type": "date"}))
    metric = forms.ChoiceField(
        choices=METRICS.items(), required=False, initial="chat_tokens", label=_("Chart")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start or end:
            end = end or today()
            start = start or end - timedelta(days=6)
            if start > end:
                raise forms.ValidationError(_("The start date is after the end date."))
            if (end - start).days >= LONGEST_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("Choose at most %(most)s days: that one is %(days)s.")
                    % {"most": LONGEST_PERIOD_DAYS, "days": (end - start).days + 1}
                )
            data["start"], data["end"] = start, end
        return data

    def period_dates(self) -> tuple[date, date]:
        """The days shown, both included; the last 7 days when the form is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return data["start"], data["end"]
        days = int(data.get("period") or "7")
        return today() - timedelta(days=days - 1), today()

    def chosen_metric(self) -> str:
        return (self.cleaned_data.get("metric") if self.is_valid() else None) or "chat_tokens"


class QuotaForm(forms.Form):
    """A user's daily limits; blank is unlimited, 0 allows nothing."""

    chat_tokens = forms.IntegerField(min_value=0, required=False, label=_("Chat tokens a day"))
    images = forms.IntegerField(min_value=0, required=False, label=_("Images a day"))
    video_jobs = forms.IntegerField(min_value=0, required=False, label=_("Video jobs a day"))
