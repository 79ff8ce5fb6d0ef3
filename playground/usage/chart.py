"""The dashboard's bar chart as geometry for an inline SVG: bars per day, stacked by user.

The template draws it; colours are classes (`series-0` … `series-7`) from static/css/usage.css,
never style attributes, so the strict CSP holds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from playground.usage.selectors import DayUsage, UsageReport

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 48
PALETTE_SIZE = 8

METRICS = {
    "chat_tokens": _("chat tokens"),
    "images": _("images"),
    "video_jobs": _("video jobs"),
    "video_seconds": _("video seconds"),
}


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LegendItem:
    username: str
    series: int


@dataclass(frozen=True)
class Chart:
    metric: str
    title: str
    segments: list[Segment]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    legend: list[LegendItem]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT

    @property
    def label(self) -> str:
        return str(METRICS[self.metric])


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (1 for nothing)."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def value_of(row: DayUsage, metric: str) -> int:
    return int(getattr(row, metric))


def chart_build(*, report: UsageReport, metric: str) -> Chart:
    days = report.days
    usernames = report.usernames
    series = {username: n % PALETTE_SIZE for n, username in enumerate(usernames)}
    by_day: dict[object, list[DayUsage]] = {}
    for row in report.rows:
        by_day.setdefault(row.day, []).append(row)
    day_totals = [sum(value_of(row, metric) for row in rows) for rows in by_day.values()]
    top = nice_ceiling(max(day_totals, default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / len(days)
    bar = max(slot * 0.7, 1.0)
    label = METRICS[metric]

    segments = []
    x_ticks = []
    step = math.ceil(len(days) / 8)
    for n, day in enumerate(days):
        x = LEFT + n * slot + (slot - bar) / 2
        base = float(HEIGHT - BOTTOM)
        for row in sorted(by_day.get(day, []), key=lambda r: r.username):
            value = value_of(row, metric)
            if not value:
                continue
            height = value / top * plot_height
            base -= height
            segments.append(
                Segment(
                    x=round(x, 2),
                    y=round(base, 2),
                    width=round(bar, 2),
                    height=round(height, 2),
                    series=series[row.username],
                    title=gettext("%(user)s, %(day)s: %(value)s %(label)s")
                    % {
                        "user": row.username,
                        "day": _day(day),
                        "value": number_format(value, force_grouping=True),
                        "label": label,
                    },
                )
            )
        if (len(days) - 1 - n) % step == 0:  # always label the last day, today
            x_ticks.append(Tick(position=round(x + bar / 2, 2), label=_day(day)))
    y_ticks = [
        Tick(
            position=round(HEIGHT - BOTTOM - n / 2 * plot_height, 2),
            label=number_format(top * n // 2, force_grouping=True),
        )
        for n in (0, 1, 2)
    ]
    first, last = days[0], days[-1]
    title = gettext("The team's %(label)s per day, stacked by user, %(first)s to %(last)s") % {
        "label": label,
        "first": _day(first),
        "last": _day(last),
    }
    return Chart(
        metric=metric,
        title=title,
        segments=segments,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        legend=[LegendItem(username=u, series=series[u]) for u in usernames],
    )


def _day(day: date) -> str:
    """ "Nov 26", or the reader's language's short day (the same format as the day column)."""
    return date_format(day, gettext("M j"))
