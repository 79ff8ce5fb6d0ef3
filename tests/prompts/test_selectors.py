import pytest

from playground.prompts.selectors import Filters, prompt_filter, prompt_picks, prompt_tags
from tests.prompts.factories import PromptFactory

pytestmark = pytest.mark.django_db


def titles(filters: Filters) -> list[str]:
    return [prompt.title for prompt in prompt_filter(filters)]


def test_a_tag_matches_whole_tags_wherever_they_stand() -> None:
    for title, tags in [
        ("alone", "ink"),
        ("first", "ink,a"),
        ("last", "a,ink"),
        ("mid", "a,ink,b"),
    ]:
        PromptFactory.create(title=title, tags=tags)
    PromptFactory.create(title="longer tag", tags="inkwell,pink")

    assert sorted(titles(Filters(tag="ink"))) == ["alone", "first", "last", "mid"]


def test_search_looks_in_titles_and_texts_for_every_word() -> None:
    PromptFactory.create(title="Harbour", text="lanterns at night")
    PromptFactory.create(title="Lanterns", text="over a harbour")
    PromptFactory.create(title="Harbour only", text="boats")

    assert sorted(titles(Filters(q="harbour LANTERNS"))) == ["Harbour", "Lanterns"]


def test_it_orders_by_newest_or_most_used() -> None:
    PromptFactory.create(title="old, popular", use_count=9)
    PromptFactory.create(title="new, unused", use_count=0)

    assert titles(Filters()) == ["new, unused", "old, popular"]
    assert titles(Filters(sort="used")) == ["old, popular", "new, unused"]


def test_unknown_filter_values_fall_back_to_none() -> None:
    filters = Filters.from_query({"kind": "poem", "sort": "random", "tag": " Ink "})

    assert filters == Filters(tag="ink")
    assert filters.as_query() == {"tag": "ink"}


def test_the_picker_offers_only_the_kinds_the_form_takes() -> None:
    PromptFactory.create(title="system", kind="system")
    PromptFactory.create(title="prompt")

    assert [p.title for p in prompt_picks(q="", kinds=["prompt"])] == ["prompt"]


def test_it_lists_every_tag_in_use_once() -> None:
    PromptFactory.create(tags="b,a")
    PromptFactory.create(tags="a,c")
    PromptFactory.create(tags="")

    assert prompt_tags() == ["a", "b", "c"]
