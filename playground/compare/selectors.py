from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet

from playground.compare.models import Column, Comparison
from playground.images.models import GeneratedImage


def _columns() -> QuerySet[Column]:
    return Column.objects.select_related("exchange", "generation", "video_job").order_by("position")


def comparison_get(*, comparison_id: uuid.UUID) -> Comparison | None:
    """Any comparison: the whole team may read them all."""
    return (
        Comparison.objects.select_related("user")
        .prefetch_related(Prefetch("columns", queryset=_columns()))
        .filter(id=comparison_id)
        .first()
    )


def column_get(*, column_id: int) -> Column | None:
    return _columns().select_related("comparison", "comparison__user").filter(id=column_id).first()


def column_images(*, column: Column) -> list[GeneratedImage]:
    if column.generation is None:
        return []
    return list(GeneratedImage.objects.filter(generation=column.generation).order_by("index"))


def comparison_list(*, limit: int = 20) -> QuerySet[Comparison]:
    """The team's latest comparisons."""
    return Comparison.objects.select_related("user").prefetch_related("columns")[:limit]
