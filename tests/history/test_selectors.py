"""The history's filters, search and keyset pages, read straight from the selectors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from playground.history.models import Item
from playground.history.selectors import Filters, item_filter, item_page
from tests.factories import UserFactory
from tests.history.factories import ItemFactory

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)


def titles(filters: Filters) -> set[str]:
    return set(item_filter(filters).values_list("title", flat=True))


class TestFilters:
    def test_it_filters_by_kind_model_state_and_user(self) -> None:
        ada = UserFactory.create(username="ada")
        ItemFactory.create(title="video by ada", user=ada)
        ItemFactory.create(title="chat by ada", user=ada, kind="chat", model="gpt-4o", state="done")
        ItemFactory.create(title="failed video", state="failed")

        assert titles(Filters(kind="chat")) == {"chat by ada"}
        assert titles(Filters(model="gpt-4o")) == {"chat by ada"}
        assert titles(Filters(state="failed")) == {"failed video"}
        assert titles(Filters(user="ada")) == {"video by ada", "chat by ada"}
        assert titles(Filters(user="ada", kind="video")) == {"video by ada"}

    def test_it_filters_by_a_date_range_including_both_days(self) -> None:
        for day in (10, 11, 12, 13):
            ItemFactory.create(title=f"day {day}", created_at=NOON.replace(day=day))

        found = titles(Filters(since=date(2026, 3, 11), until=date(2026, 3, 12)))

        assert found == {"day 11", "day 12"}

    def test_it_searches_words_in_prompts(self) -> None:
        ItemFactory.create(title="A red fox jumps over the snow")
        ItemFactory.create(title="A cat playing the piano")

        assert titles(Filters(q="fox")) == {"A red fox jumps over the snow"}
        assert titles(Filters(q="piano cat")) == {"A cat playing the piano"}
        assert titles(Filters(q="giraffe")) == set()

    def test_it_reads_filters_from_a_query_string_and_ignores_nonsense(self) -> None:
        filters = Filters.from_query({"kind": "robot", "since": "2026-13-45", "q": " owls "})

        assert filters == Filters(q="owls")
        assert Filters.from_query(Filters(kind="chat", user="ada").as_query()) == Filters(
            kind="chat", user="ada"
        )


class TestKeysetPages:
    def test_pages_walk_every_item_once_newest_first(self) -> None:
        items = [ItemFactory.create(created_at=NOON - timedelta(minutes=n)) for n in range(7)]

        seen: list[Item] = []
        cursor = ""
        while True:
            page = item_page(filters=Filters(), cursor=cursor, size=3)
            seen += page.items
            if not page.next_cursor:
                break
            cursor = page.next_cursor

        assert [item.id for item in seen] == [item.id for item in items]

    def test_items_sharing_a_created_at_are_neither_skipped_nor_repeated(self) -> None:
        items = [ItemFactory.create(created_at=NOON) for _ in range(5)]

        first = item_page(filters=Filters(), size=2)
        second = item_page(filters=Filters(), cursor=first.next_cursor, size=2)
        third = item_page(filters=Filters(), cursor=second.next_cursor, size=2)

        ids = [item.id for page in (first, second, third) for item in page.items]
        assert ids == sorted((item.id for item in items), reverse=True)
        assert third.next_cursor == ""

    def test_the_last_full_page_has_no_older_link(self) -> None:
        for n in range(4):
            ItemFactory.create(created_at=NOON - timedelta(minutes=n))

        first = item_page(filters=Filters(), size=2)
        last = item_page(filters=Filters(), cursor=first.next_cursor, size=2)

        assert len(last.items) == 2
        assert last.next_cursor == ""

    def test_an_empty_history_is_one_empty_page(self) -> None:
        page = item_page(filters=Filters())

        assert page.items == []
        assert page.next_cursor == ""

    def test_a_broken_cursor_shows_the_first_page(self) -> None:
        item = ItemFactory.create()

        assert item_page(filters=Filters(), cursor="nonsense_x").items == [item]

    def test_pages_keep_the_filters(self) -> None:
        for n in range(4):
            ItemFactory.create(kind="chat", created_at=NOON - timedelta(minutes=n))
            ItemFactory.create(kind="video", created_at=NOON - timedelta(minutes=n, seconds=30))

        first = item_page(filters=Filters(kind="chat"), size=3)
        second = item_page(filters=Filters(kind="chat"), cursor=first.next_cursor, size=3)

        assert {item.kind for item in first.items + second.items} == {"chat"}
        assert len(first.items + second.items) == 4


class TestSearchPages:
    """On PostgreSQL a search looks through the newest items first, then asks the GIN index."""

    @pytest.fixture(autouse=True)
    def small_scan(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("playground.history.selectors.SCAN_FIRST", 4)

    def test_common_words_page_through_every_match_in_order(self) -> None:
        foxes = [
            ItemFactory.create(title=f"a fox, take {n}", created_at=NOON - timedelta(minutes=n))
            for n in range(9)
        ]

        seen: list[Item] = []
        cursor = ""
        while True:
            page = item_page(filters=Filters(q="fox"), cursor=cursor, size=2)
            seen += page.items
            if not page.next_cursor:
                break
            cursor = page.next_cursor

        assert [item.id for item in seen] == [fox.id for fox in foxes]

    def test_rare_words_far_back_are_found_in_order(self) -> None:
        for n in range(10):
            ItemFactory.create(title=f"a cat, take {n}", created_at=NOON - timedelta(minutes=n))
        old = ItemFactory.create(title="an old heron", created_at=NOON - timedelta(days=30))
        older = ItemFactory.create(title="a heron again", created_at=NOON - timedelta(days=31))

        page = item_page(filters=Filters(q="heron"), size=1)
        last = item_page(filters=Filters(q="heron"), cursor=page.next_cursor, size=1)

        assert page.items == [old]
        assert last.items == [older]
        assert last.next_cursor == ""

    def test_filters_far_back_are_answered_with_the_words(self) -> None:
        for n in range(10):
            ItemFactory.create(title=f"a heron, take {n}", created_at=NOON - timedelta(minutes=n))
        odd_model = "it's a \\ model"
        wanted = ItemFactory.create(
            kind="video",
            state="failed",
            model=odd_model,
            title="a heron far back",
            created_at=NOON - timedelta(days=30),
        )
        ItemFactory.create(kind="video", state="succeeded", model=odd_model, title="a heron")
        ItemFactory.create(kind="image", state="failed", model=odd_model, title="a heron")
        ItemFactory.create(kind="video", state="failed", model="other", title="a heron")

        filters = Filters(kind="video", state="failed", model=odd_model, q="heron")

        assert item_page(filters=filters).items == [wanted]

    def test_an_item_whose_state_changes_is_found_under_its_new_state(self) -> None:
        item = ItemFactory.create(kind="video", state="running", title="a late heron")
        Item.objects.filter(id=item.id).update(state="succeeded")

        assert item_page(filters=Filters(state="succeeded", q="heron")).items == [item]
        assert item_page(filters=Filters(state="running", q="heron")).items == []
