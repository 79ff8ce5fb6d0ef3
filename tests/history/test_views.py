"""The history pages over HTTP: the list and its htmx parts, the live status, the detail page,
the export, and who may read them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from playground.history.models import Item
from playground.history.services import item_record
from tests.chat.factories import ExchangeFactory
from tests.factories import UserFactory
from tests.history.factories import ItemFactory
from tests.videos.factories import VideoJobFactory

pytestmark = pytest.mark.django_db


def many_items(count: int) -> None:
    users = UserFactory.create_batch(3)
    now = timezone.now()
    Item.objects.bulk_create(
        Item(
            kind=("chat", "image", "video")[n % 3],
            source_id=f"bulk-{n}",
            user=users[n % 3],
            model=f"model-{n % 4}",
            state=("done", "failed", "running")[n % 3],
            in_flight=n % 3 == 2,
            title=f"prompt number {n} about foxes" if n % 2 else f"prompt number {n}",
            created_at=now - timedelta(seconds=n // 2),  # pairs share a created_at
        )
        for n in range(count)
    )


def body(response: Any) -> str:
    return str(response.content.decode())


def streamed(response: Any) -> str:
    return str(b"".join(response.streaming_content).decode())


class TestPage:
    def test_it_lists_the_whole_teams_items(self, member: Client) -> None:
        ItemFactory.create(title="someone else's fox", user=UserFactory.create(username="bo"))

        response = member.get("/history/")

        assert response.status_code == 200
        assert "someone else&#x27;s fox" in body(response)
        assert "bo" in body(response)

    def test_it_keeps_the_filters_in_the_older_link(self, member: Client) -> None:
        many_items(200)

        response = member.get("/history/?kind=chat")

        assert 'rel="next"' in body(response)
        assert "kind=chat" in response.context["older_url"]
        assert "before=" in response.context["older_url"]

    def test_htmx_gets_only_the_results(self, member: Client) -> None:
        ItemFactory.create(title="a fox")

        response = member.get(
            "/history/?q=fox", headers={"HX-Request": "true", "HX-Target": "results"}
        )

        assert body(response).lstrip().startswith('<div id="results">')
        assert "<html" not in body(response)

    @pytest.mark.parametrize("count", [10, 100])
    def test_a_page_costs_the_same_queries_whatever_the_size(
        self, member: Client, count: int, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        many_items(count)

        with django_assert_max_num_queries(6):
            response = member.get("/history/?q=foxes&state=running")

        assert response.status_code == 200

    def test_in_flight_rows_start_the_poller(self, member: Client) -> None:
        item = ItemFactory.create(state="running", in_flight=True)

        response = member.get("/history/")

        assert f'status/?ids={item.id}"' in body(response)
        assert 'hx-trigger="every 2s"' in body(response)

    def test_without_rows_in_flight_nothing_polls(self, member: Client) -> None:
        ItemFactory.create()

        response = member.get("/history/")

        assert "every 2s" not in body(response)

    def test_it_asks_anonymous_visitors_to_log_in(self, client: Client) -> None:
        response = client.get("/history/")

        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


class TestStatus:
    def test_it_swaps_the_states_and_keeps_polling_while_some_are_in_flight(
        self, member: Client
    ) -> None:
        running = ItemFactory.create(state="running", in_flight=True)
        done = ItemFactory.create(state="succeeded")

        response = member.get(f"/history/status/?ids={running.id},{done.id}")

        assert f'id="item-state-{running.id}"' in body(response)
        assert 'hx-swap-oob="true"' in body(response)
        assert f'?ids={running.id}"' in body(response)

    def test_it_stops_polling_once_none_is_in_flight(
        self, member: Client, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        done = ItemFactory.create(state="succeeded")

        with django_assert_max_num_queries(3):
            response = member.get(f"/history/status/?ids={done.id}")

        assert "every 2s" not in body(response)
        assert "succeeded" in body(response)


class TestDetail:
    def test_an_item_whose_source_was_deleted_still_shows_its_summary(self, member: Client) -> None:
        item = ItemFactory.create(title="a lost fox")

        response = member.get(f"/history/{item.id}/")

        assert response.status_code == 200
        assert "was deleted" in body(response)

    def test_a_chat_shows_its_request_timeline_rerun_and_code(
        self, member: Client, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        exchange = ExchangeFactory.create(message="Tell me about owls")
        item = item_record(kind="chat", source_id=exchange.conversation_id)
        assert item is not None

        with django_assert_max_num_queries(8):
            response = member.get(f"/history/{item.id}/")

        page = body(response)
        assert "Tell me about owls" in page
        assert f"/chat/{exchange.conversation_id}/fork/" in page
        assert "Copy curl" in page
        assert "Copy Python openai" in page
        assert "$STARRISE_API_KEY" in page
        assert response.context["events"][0].state == "done"

    def test_a_video_job_links_to_its_rerun(self, member: Client) -> None:
        job = VideoJobFactory.create(state="failed", fail_reason="The provider refused.")
        item = item_record(kind="video", source_id=job.id)
        assert item is not None

        page = body(member.get(f"/history/{item.id}/"))

        assert f"/videos/{job.id}/rerun/" in page
        assert "The provider refused." in page
        assert "/v1/video/generations" in page

    def test_an_unknown_item_is_404(self, member: Client) -> None:
        assert member.get("/history/999999/").status_code == 404


class TestExport:
    def test_the_csv_has_one_row_per_filtered_item(self, member: Client) -> None:
        many_items(90)
        expected = Item.objects.filter(kind="chat", title__icontains="foxes").count()

        response = member.get("/history/export.csv?kind=chat&q=foxes")

        rows = list(csv.DictReader(io.StringIO(streamed(response))))
        assert response["Content-Type"].startswith("text/csv")
        assert len(rows) == expected > 0
        assert {row["kind"] for row in rows} == {"chat"}

    def test_the_json_has_one_object_per_filtered_item(self, member: Client) -> None:
        many_items(90)
        expected = Item.objects.filter(state="failed").count()

        response = member.get("/history/export.json?state=failed")

        rows = json.loads(streamed(response))
        assert len(rows) == expected > 0
        assert {row["state"] for row in rows} == {"failed"}
        assert set(rows[0]) >= {"kind", "user", "model", "title", "created_at", "duration_ms"}

    def test_an_empty_export_is_valid(self, member: Client) -> None:
        assert json.loads(streamed(member.get("/history/export.json"))) == []
