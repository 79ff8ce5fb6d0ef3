"""Reads of the prompt library: the filtered, paginated list, the picker's short list, tags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from playground.prompts.models import Prompt

PAGE_SIZE = 20
PICKER_SIZE = 8
SORTS = {"newest": ("-created_at", "-id"), "used": ("-use_count", "-id")}


@dataclass(frozen=True)
class Filters:
    q: str = ""
    tag: str = ""
    kind: str = ""
    sort: str = "newest"

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        def text(name: str, limit: int = 200) -> str:
            return (query.get(name) or "").strip()[:limit]

        kind, sort = text("kind"), text("sort")
        return cls(
            q=text("q"),
            tag=text("tag").lower(),
            kind=kind if kind in Prompt.Kind.values else "",
            sort=sort if sort in SORTS else "newest",
        )

    def as_query(self) -> dict[str, str]:
        """The filters as query-string parameters, empty and default ones left out."""
        values = {"q": self.q, "tag": self.tag, "kind": self.kind}
        if self.sort != "newest":
            values["sort"] = self.sort
        return {name: value for name, value in values.items() if value}


def _has_tag(tag: str) -> Q:
    """The tags column is "a,b,c": the tag alone, first, last, or in between."""
    return (
        Q(tags=tag)
        | Q(tags__startswith=f"{tag},")
        | Q(tags__endswith=f",{tag}")
        | Q(tags__contains=f",{tag},")
    )


def prompt_filter(filters: Filters) -> QuerySet[Prompt]:
    prompts = Prompt.objects.select_related("author")
    if filters.kind:
        prompts = prompts.filter(kind=filters.kind)
    if filters.tag:
        prompts = prompts.filter(_has_tag(filters.tag))
    for word in filters.q.split():
        prompts = prompts.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return prompts.order_by(*SORTS[filters.sort])


def prompt_page(*, filters: Filters, number: str | int | None) -> Page[Prompt]:
    return Paginator(prompt_filter(filters), PAGE_SIZE).get_page(number)


def prompt_picks(*, q: str, kinds: list[str]) -> list[Prompt]:
    """The picker's short list: the most used prompts of the kinds the form takes."""
    prompts = prompt_filter(Filters(q=q, sort="used")).filter(kind__in=kinds)
    return list(prompts[:PICKER_SIZE])


def prompt_get(*, prompt_id: int) -> Prompt | None:
    return Prompt.objects.select_related("author").filter(id=prompt_id).first()


def prompt_tags() -> list[str]:
    """Every tag in use, sorted, for the tag filter."""
    found: set[str] = set()
    for tags in Prompt.objects.exclude(tags="").values_list("tags", flat=True):
        found.update(tags.split(","))
    return sorted(found)
