"""The compare pages through the test client: the form and its errors, running columns without
JavaScript, the shared page, rerun and who may do what."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import User
from playground.chat.models import ChatExchange
from playground.compare.models import Comparison
from playground.history.models import Item
from playground.images.models import Generation
from playground.videos.models import VideoJob
from tests.compare.factories import chat_comparison
from tests.conftest import Simulator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def chat_row(n: int, model: str = "gpt-4o-mini", **changes: str) -> dict[str, str]:
    row = {"model": model, "system_prompt": "", "temperature": "0.7", "top_p": "1"}
    row |= {"max_tokens": "256"} | changes
    return {f"c{n}-{name}": value for name, value in row.items()}


def form(kind: str, prompt: str, *rows: dict[str, str]) -> dict[str, str]:
    data = {"kind": kind, "comparison_id": "6f1c3b0e-4c1f-4d0e-9a55-0b7f2a8e9c11"}
    data["prompt"] = prompt
    for row in rows:
        data |= row
    return data


class TestTheForm:
    @pytest.mark.parametrize("kind", ["chat", "image", "video"])
    def test_it_shows_each_kind_with_four_rows(self, as_owner: Client, kind: str) -> None:
        response = as_owner.get(reverse("compare:new"), {"kind": kind})
        assert response.status_code == 200
        page = response.content.decode()
        for n in range(1, 5):
            assert f'name="c{n}-model"' in page
        assert f'<input type="hidden" name="kind" value="{kind}">' in page

    def test_one_model_is_not_a_comparison(self, as_owner: Client) -> None:
        response = as_owner.post(reverse("compare:create"), form("chat", "Hi", chat_row(1)))
        assert response.status_code == 400
        assert "Choose a model in at least 2 rows" in response.content.decode()
        assert Comparison.objects.count() == 0

    def test_a_rows_error_is_shown_next_to_its_field(self, as_owner: Client) -> None:
        rows = [chat_row(1), chat_row(2, "doubao-seedream-4-0-250828", temperature="3")]
        response = as_owner.post(reverse("compare:create"), form("chat", "Hi", *rows))
        assert response.status_code == 400
        page = response.content.decode()
        assert "makes images, not chat answers" in page
        assert "less than or equal to 2" in page
        assert Comparison.objects.count() == 0

    def test_an_image_row_is_checked_by_the_image_rules(self, as_owner: Client) -> None:
        rows = [
            {"c1-model": "doubao-seedream-4-0-250828", "c1-size": "2K"},
            {"c2-model": "doubao-seedream-3-0-t2i-250415", "c2-size": "2K"},
        ]
        response = as_owner.post(reverse("compare:create"), form("image", "A lamp", *rows))
        assert response.status_code == 400
        assert "Seedream 3.0 takes a width" in response.content.decode()

    def test_a_video_row_is_checked_by_its_providers_rules(self, as_owner: Client) -> None:
        rows = [
            {"c1-model": "kling-v1-6", "c1-duration": "7", "c1-ratio": "16:9"},
            {"c2-model": "doubao-seedance-1-0-pro-250528", "c2-duration": "5", "c2-ratio": "1:1"},
        ]
        response = as_owner.post(reverse("compare:create"), form("video", "A fox", *rows))
        assert response.status_code == 400
        assert "7 is not one of the available choices" in response.content.decode()
        assert VideoJob.objects.count() == 0

    def test_a_chat_comparison_is_saved_and_its_page_opens(self, as_owner: Client) -> None:
        rows = [chat_row(1), chat_row(2, temperature="1.5"), chat_row(3, "gpt-4o")]
        response = as_owner.post(reverse("compare:create"), form("chat", "Hi", *rows))
        comparison = Comparison.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("compare:detail", args=[comparison.id])
        assert [c.model for c in comparison.columns.all()] == ["gpt-4o-mini"] * 2 + ["gpt-4o"]
        assert comparison.columns.all()[1].params["temperature"] == 1.5
        page = as_owner.get(response["Location"]).content.decode()
        for column in comparison.columns.all():
            assert reverse("compare:stream", args=[column.id]) in page

    def test_a_resent_form_makes_no_second_comparison(self, as_owner: Client) -> None:
        data = form("chat", "Hi", chat_row(1), chat_row(2))
        first = as_owner.post(reverse("compare:create"), data)
        second = as_owner.post(reverse("compare:create"), data)
        assert first["Location"] == second["Location"]
        assert Comparison.objects.count() == 1
        assert ChatExchange.objects.count() == 2


class TestRunningWithoutJavaScript:
    def test_run_answers_a_chat_column_and_records_its_figures(
        self, as_owner: Client, team_key: str
    ) -> None:
        as_owner.post(reverse("compare:create"), form("chat", "Hi", chat_row(1), chat_row(2)))
        column = Comparison.objects.get().columns.first()
        assert column is not None
        response = as_owner.post(reverse("compare:run", args=[column.id]))
        assert response.status_code == 302
        column.refresh_from_db()
        assert column.tokens
        assert column.total_ms is not None
        page = as_owner.get(response["Location"]).content.decode()
        assert "Simulated reply from gpt-4o-mini" in page
        assert "Tokens/s" in page

    def test_image_columns_make_a_grid_of_generations(
        self, as_owner: Client, team_key: str, settings: Any, tmp_path: Any
    ) -> None:
        settings.MEDIA_ROOT = tmp_path / "media"
        rows = [
            {"c1-model": "doubao-seedream-4-5-251128", "c1-size": "2K"},
            {"c2-model": "doubao-seedream-4-0-250828", "c2-size": "1K"},
            {"c3-model": "doubao-seedream-4-0-250828", "c3-size": "2K", "c3-seed": "7"},
        ]
        as_owner.post(reverse("compare:create"), form("image", "A lamp", *rows))
        comparison = Comparison.objects.get()
        for column in comparison.columns.all():
            response = as_owner.post(
                reverse("compare:run", args=[column.id]), headers={"HX-Request": "true"}
            )
            assert response.status_code == 200
            assert f'id="column-{column.id}"' in response.content.decode()
            assert "hx-post" not in response.content.decode(), "a finished column runs no more"
        generations = Generation.objects.order_by("created_at")
        assert [g.state for g in generations] == [Generation.State.DONE] * 3
        assert [g.params["size"] for g in generations] == ["2K", "1K", "2K"]
        page = as_owner.get(reverse("compare:detail", args=[comparison.id])).content.decode()
        assert page.count('class="tile"') == 3

    def test_video_columns_are_ordinary_jobs_watched_until_they_end(self, as_owner: Client) -> None:
        rows = [
            {"c1-model": "doubao-seedance-1-0-pro-250528", "c1-duration": "5", "c1-ratio": "16:9"},
            {"c2-model": "kling-v2-master", "c2-duration": "10", "c2-ratio": "9:16"},
        ]
        as_owner.post(reverse("compare:create"), form("video", "A fox", *rows))
        jobs = VideoJob.objects.order_by("created_at")
        assert [(j.action, j.model) for j in jobs] == [
            ("seedance", "doubao-seedance-1-0-pro-250528"),
            ("text2video", "kling-v2-master"),
        ]
        assert jobs[1].params["aspect_ratio"] == "9:16"
        assert jobs[1].params["duration"] == 10
        column = Comparison.objects.get().columns.first()
        assert column is not None
        assert column.video_job_id == jobs[0].id
        url = reverse("compare:column", args=[column.id])
        assert 'hx-trigger="every 2s"' in as_owner.get(url).content.decode()
        VideoJob.objects.filter(id=jobs[0].id).update(
            state=VideoJob.State.FAILED, fail_reason="The provider refused it."
        )
        ended = as_owner.get(url).content.decode()
        assert "every 2s" not in ended, "the final state stops the polling"
        assert "The provider refused it." in ended


class TestSharing:
    def test_a_member_sees_anothers_comparison_read_only(self, member: Client, owner: User) -> None:
        comparison = chat_comparison(user=owner)
        page = member.get(reverse("compare:detail", args=[comparison.id])).content.decode()
        assert "read-only" in page
        assert "Tokens/s" in page
        assert "/stream/" not in page
        assert "Copy link" in page
        column = comparison.columns.first()
        assert column is not None
        assert member.post(reverse("compare:run", args=[column.id])).status_code == 403
        assert member.get(reverse("compare:stream", args=[column.id])).status_code == 403

    def test_anyone_can_rerun_it_as_their_own(
        self, member: Client, owner: User, team_key: str
    ) -> None:
        comparison = chat_comparison(user=owner, columns=3)
        response = member.post(reverse("compare:rerun", args=[comparison.id]))
        rerun = Comparison.objects.exclude(id=comparison.id).get()
        assert response["Location"] == reverse("compare:detail", args=[rerun.id])
        assert rerun.rerun_of == comparison
        assert rerun.user != owner
        assert rerun.columns.count() == 3

    def test_the_history_lists_it_and_links_to_it(
        self, member: Client, owner: User, team_key: str
    ) -> None:
        as_owner = Client()
        as_owner.force_login(owner)
        as_owner.post(reverse("compare:create"), form("chat", "Owls?", chat_row(1), chat_row(2)))
        comparison = Comparison.objects.get()
        item = Item.objects.get(kind="compare")
        listing = member.get(reverse("history:page"), {"kind": "compare"}).content.decode()
        assert reverse("history:detail", args=[item.id]) in listing
        assert "Owls?" in listing
        detail = member.get(reverse("history:detail", args=[item.id])).content.decode()
        assert reverse("compare:detail", args=[comparison.id]) in detail
        assert reverse("compare:rerun", args=[comparison.id]) in detail


def test_it_needs_a_login(client: Client, sim: Simulator) -> None:
    other = UserFactory.create()
    comparison = chat_comparison(user=other)
    response = client.get(reverse("compare:detail", args=[comparison.id]))
    assert response.status_code == 302
