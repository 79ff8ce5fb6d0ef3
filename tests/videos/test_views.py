"""The video pages, wired to the forms and services: who may do what, and what each answer holds.
No worker runs here: a created job stays queued."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from playground.videos.build import image_ref
from playground.videos.models import VideoJob
from tests.conftest import Simulator
from tests.uploads.factories import UploadFactory
from tests.videos.factories import (
    SEEDANCE_MODEL,
    ArchivedVideoJobFactory,
    VideoJobFactory,
    fake_mp4,
)
from tests.videos.helpers import sim_log

pytestmark = pytest.mark.django_db
State = VideoJob.State
FINAL = [State.SUCCEEDED, State.FAILED, State.UNKNOWN, State.CANCELLED]
NOT_FINAL = [State.QUEUED, State.SUBMITTING, State.RUNNING, State.ARCHIVING]
TABS = {
    "seedance": 'name="duration"',
    "text2video": 'name="camera_type"',
    "image2video": 'name="trajectories"',
    "multi-image2video": 'name="image4_file"',
}
CaptureCallbacks = Callable[..., Any]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def woken(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """The jobs a worker was asked to wake; the broker message itself is not sent."""
    calls: list[uuid.UUID] = []
    monkeypatch.setattr(
        "playground.videos.services.job_wake",
        lambda job_id, due=None, priority=0: calls.append(job_id),
    )
    return calls


def text(response: Any) -> str:
    return str(response.content.decode())


def hidden_value(response: Any, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', text(response))
    assert match, f"no {name} field"
    return match.group(1)


def seedance_post(job_id: uuid.UUID | None = None, **data: Any) -> dict[str, Any]:
    values = {"job_id": str(job_id or uuid.uuid4()), "model": SEEDANCE_MODEL, "duration": "5"}
    return {**values, "prompt": "a cat at a piano", **data}


def png_file() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), "teal").save(buffer, "PNG")
    return SimpleUploadedFile("teal.png", buffer.getvalue(), content_type="image/png")


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


class TestPage:
    @pytest.mark.parametrize(("tab", "field"), TABS.items())
    def test_it_renders_each_tab_without_calling_the_gateway(
        self, member: Client, sim: Simulator, tab: str, field: str
    ) -> None:
        response = member.get(reverse("videos:page"), {"tab": tab})

        assert response.status_code == 200
        assert field in text(response)
        assert f'action="{reverse("videos:create", args=[tab])}"' in text(response)
        assert sim_log(sim) == []

    def test_an_unknown_tab_shows_seedance(self, member: Client) -> None:
        response = member.get(reverse("videos:page"), {"tab": "nope"})

        assert response.status_code == 200
        assert f'action="{reverse("videos:create", args=["seedance"])}"' in text(response)

    def test_it_lists_the_teams_jobs(self, member: Client) -> None:
        VideoJobFactory.create(prompt="someone else's fox")

        response = member.get(reverse("videos:page"))

        assert "someone else&#x27;s fox" in text(response)

    def test_the_jobs_list_refreshes_itself_while_a_job_is_in_flight(self, member: Client) -> None:
        VideoJobFactory.create(state=State.RUNNING)

        response = member.get(reverse("videos:jobs"))

        assert text(response).lstrip().startswith('<div id="jobs"')
        assert 'hx-trigger="every 2s"' in text(response)

    def test_the_jobs_list_stops_refreshing_when_every_job_is_final(self, member: Client) -> None:
        VideoJobFactory.create(state=State.FAILED)

        response = member.get(reverse("videos:jobs"))

        assert "hx-trigger" not in text(response)

    def test_anonymous_people_are_sent_to_log_in(self, client: Client, db: None) -> None:
        response = client.get(reverse("videos:page"))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


class TestCreate:
    def test_an_invalid_form_is_shown_again_with_its_errors(self, member: Client) -> None:
        response = member.post(
            reverse("videos:create", args=["seedance"]), seedance_post(prompt="")
        )

        assert response.status_code == 400
        assert "Please correct the fields marked below." in text(response)
        assert "Write a prompt, or give a first frame to animate." in text(response)
        assert not VideoJob.objects.exists()

    def test_a_file_chosen_before_an_error_is_kept_and_the_fixed_form_sends_it(
        self, member: Client, woken: list[uuid.UUID]
    ) -> None:
        data = seedance_post(prompt="", first_frame_file=png_file(), duration="13")

        response = member.post(reverse("videos:create", args=["seedance"]), data)

        assert response.status_code == 400
        upload_id = hidden_value(response, "first_frame_upload")
        assert "First frame: the image given before is used." in text(response)
        fixed = seedance_post(job_id=data["job_id"], prompt="", first_frame_upload=upload_id)
        member.post(reverse("videos:create", args=["seedance"]), fixed)
        job = VideoJob.objects.get()
        assert job.params["first_frame"] == {"upload": upload_id}

    def test_a_form_wide_error_is_shown_at_the_top(self, member: Client) -> None:
        data = {
            "job_id": str(uuid.uuid4()),
            "model_name": "kling-v1-6",
            "mode": "std",
            "duration": "5",
            "camera_type": "down_back",
            "image_file": png_file(),
            "image_tail_file": png_file(),
        }
        response = member.post(reverse("videos:create", args=["image2video"]), data)

        assert response.status_code == 400
        assert "this job has an end image and a camera movement." in text(response)

    def test_a_valid_form_queues_a_job_and_shows_it(
        self, member: Client, django_capture_on_commit_callbacks: CaptureCallbacks
    ) -> None:
        job_id = uuid.uuid4()

        with django_capture_on_commit_callbacks() as callbacks:
            response = member.post(
                reverse("videos:create", args=["seedance"]), seedance_post(job_id)
            )

        job = VideoJob.objects.get()
        assert job.id == job_id
        assert job.state == State.QUEUED
        assert job.prompt == "a cat at a piano"
        assert job.model == SEEDANCE_MODEL
        assert job.params["duration"] == 5
        assert response.status_code == 302
        assert response["Location"] == reverse("videos:job", args=[job.id])
        assert len(callbacks) == 1  # the worker is woken once the row is committed

    def test_an_image_file_is_stored_and_recorded_by_reference(
        self, member: Client, django_capture_on_commit_callbacks: CaptureCallbacks
    ) -> None:
        data = {
            "job_id": str(uuid.uuid4()),
            "model_name": "kling-v1-6",
            "prompt": "the boat sails",
            "mode": "std",
            "duration": "5",
            "image_file": png_file(),
        }
        with django_capture_on_commit_callbacks():
            response = member.post(reverse("videos:create", args=["image2video"]), data)

        assert response.status_code == 302
        job = VideoJob.objects.get()
        assert job.action == VideoJob.Action.IMAGE2VIDEO
        upload_id = job.params["image"]["upload"]
        assert job.request_body["image"] == f"upload:{upload_id}"

    def test_the_same_post_sent_twice_makes_one_job(
        self, member: Client, django_capture_on_commit_callbacks: CaptureCallbacks
    ) -> None:
        data = seedance_post()
        url = reverse("videos:create", args=["seedance"])

        with django_capture_on_commit_callbacks() as callbacks:
            first = member.post(url, data)
            second = member.post(url, data)

        assert VideoJob.objects.count() == 1
        assert first["Location"] == second["Location"]
        assert len(callbacks) == 1

    def test_an_unknown_action_is_not_found(self, member: Client) -> None:
        response = member.post(reverse("videos:create", args=["nope"]), seedance_post())

        assert response.status_code == 404

    def test_it_needs_a_post(self, member: Client) -> None:
        response = member.get(reverse("videos:create", args=["seedance"]))

        assert response.status_code == 405


class TestJob:
    def test_it_shows_the_whole_page(self, member: Client) -> None:
        job = VideoJobFactory.create(prompt="a kite over the sea")

        response = member.get(reverse("videos:job", args=[job.id]))

        assert response.status_code == 200
        assert "<html" in text(response)
        assert "a kite over the sea" in text(response)
        assert "Request as sent" in text(response)

    def test_a_job_held_back_by_the_team_cap_shows_its_place_in_line(
        self, member: Client, settings: Any
    ) -> None:
        settings.VIDEO_TEAM_MAX_IN_FLIGHT = 1
        now = timezone.now()
        VideoJobFactory.create(state=VideoJob.State.RUNNING)
        VideoJobFactory.create(created_at=now - timedelta(seconds=2))
        job = VideoJobFactory.create(created_at=now)

        response = member.get(reverse("videos:job", args=[job.id]))

        assert "Waiting for a free slot: 2 in line." in text(response)

    def test_htmx_gets_only_the_live_fragment(self, member: Client) -> None:
        job = VideoJobFactory.create()

        response = member.get(reverse("videos:job", args=[job.id]), headers={"HX-Request": "true"})

        assert response.status_code == 200
        assert text(response).lstrip().startswith('<div id="job-live"')
        assert "<html" not in text(response)
        assert "Request as sent" not in text(response)

    @pytest.mark.parametrize("state", NOT_FINAL)
    def test_a_job_in_flight_asks_for_itself_every_2_seconds(
        self, member: Client, state: str
    ) -> None:
        job = VideoJobFactory.create(state=state)

        response = member.get(reverse("videos:job", args=[job.id]), headers={"HX-Request": "true"})

        assert 'hx-trigger="every 2s"' in text(response)

    @pytest.mark.parametrize("state", FINAL)
    def test_a_final_job_stops_asking(self, member: Client, state: str) -> None:
        job = VideoJobFactory.create(state=state, finished_at=timezone.now())

        response = member.get(reverse("videos:job", args=[job.id]), headers={"HX-Request": "true"})

        assert "hx-trigger" not in text(response)

    def test_a_job_waiting_to_be_sent_again_says_why_and_only_that(self, member: Client) -> None:
        job = VideoJobFactory.create(
            notice="Waiting to send the job again in 2 s: The gateway is rate-limiting the team."
        )

        response = member.get(reverse("videos:job", args=[job.id]))

        assert "rate-limiting the team" in text(response)
        assert "Waiting for a worker" not in text(response)

    def test_a_queued_job_with_nothing_in_the_way_waits_for_a_worker(self, member: Client) -> None:
        job = VideoJobFactory.create()

        response = member.get(reverse("videos:job", args=[job.id]))

        assert "Waiting for a worker to send the job" in text(response)

    def test_a_failed_job_shows_why_and_offers_a_rerun(self, member: Client) -> None:
        job = VideoJobFactory.create(
            state=State.FAILED, fail_reason="The provider refused the prompt."
        )

        response = member.get(reverse("videos:job", args=[job.id]))

        assert "The provider refused the prompt." in text(response)
        assert f'href="{reverse("videos:rerun", args=[job.id])}"' in text(response)

    def test_a_succeeded_job_shows_its_video_and_a_download(self, member: Client) -> None:
        job = ArchivedVideoJobFactory.create()

        response = member.get(reverse("videos:job", args=[job.id]))

        video = reverse("videos:video", args=[job.id])
        assert f'src="{video}"' in text(response)
        assert f'href="{video}?download=1"' in text(response)

    def test_an_unknown_job_is_not_found(self, member: Client) -> None:
        response = member.get(reverse("videos:job", args=[uuid.uuid4()]))

        assert response.status_code == 404


class TestRerun:
    def test_it_fills_in_the_form_with_a_new_job_id(self, member: Client) -> None:
        job = VideoJobFactory.create(state=State.FAILED, prompt="a cat at a piano")
        upload = UploadFactory.create(created_by=job.user)
        job.params["first_frame"] = image_ref(upload_id=str(upload.id))
        job.model = "doubao-seedance-1-0-pro-fast-251015"
        job.params["model"] = job.model
        job.save()

        response = member.get(reverse("videos:rerun", args=[job.id]))

        assert response.status_code == 200
        assert "a cat at a piano</textarea>" in text(response)
        assert 'value="doubao-seedance-1-0-pro-fast-251015"' in text(response)
        assert hidden_value(response, "first_frame_upload") == str(upload.id)
        assert "the image given before is used" in text(response)
        new_id = hidden_value(response, "job_id")
        assert new_id
        assert uuid.UUID(new_id) != job.id

    def test_it_opens_the_tab_of_the_jobs_action(self, member: Client) -> None:
        job = VideoJobFactory.create(
            action=VideoJob.Action.TEXT2VIDEO,
            model="kling-v1",
            params={
                "model_name": "kling-v1",
                "prompt": "a fox",
                "duration": 10,
                "camera_control": {"type": "down_back"},
            },
        )

        response = member.get(reverse("videos:rerun", args=[job.id]))

        assert f'action="{reverse("videos:create", args=["text2video"])}"' in text(response)
        assert '<option value="kling-v1" selected>' in text(response)
        assert '<option value="down_back" selected>' in text(response)
        assert '<option value="10" selected>' in text(response)


class TestCancel:
    def test_the_owner_can_cancel(self, client: Client) -> None:
        job = VideoJobFactory.create(state=State.RUNNING)
        client.force_login(job.user)

        response = client.post(reverse("videos:cancel", args=[job.id]))

        assert response.status_code == 302
        assert response["Location"] == reverse("videos:job", args=[job.id])
        job.refresh_from_db()
        assert job.state == State.CANCELLED
        assert "it may still finish (and be billed) upstream" in job.fail_reason
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "Cancelled: the playground stopped watching this job."
        ]

    def test_a_job_cancelled_before_it_was_sent_says_nothing_was_billed(
        self, client: Client
    ) -> None:
        job = VideoJobFactory.create(state=State.QUEUED)
        client.force_login(job.user)

        client.post(reverse("videos:cancel", args=[job.id]))

        job.refresh_from_db()
        assert job.state == State.CANCELLED
        assert job.fail_reason == (
            "Cancelled in the playground before it was sent: nothing was billed."
        )

    def test_another_member_cannot_cancel(self, member: Client) -> None:
        job = VideoJobFactory.create(state=State.RUNNING)

        response = member.post(reverse("videos:cancel", args=[job.id]))

        assert response.status_code == 403
        job.refresh_from_db()
        assert job.state == State.RUNNING

    def test_another_member_sees_no_cancel_button(self, member: Client) -> None:
        job = VideoJobFactory.create(state=State.RUNNING)

        response = member.get(reverse("videos:job", args=[job.id]))

        assert reverse("videos:cancel", args=[job.id]) not in text(response)

    def test_an_admin_can_cancel(self, admin: Client) -> None:
        job = VideoJobFactory.create(state=State.QUEUED)

        admin.post(reverse("videos:cancel", args=[job.id]))

        job.refresh_from_db()
        assert job.state == State.CANCELLED

    def test_a_final_job_had_nothing_to_cancel(self, client: Client) -> None:
        job = ArchivedVideoJobFactory.create()
        client.force_login(job.user)

        response = client.post(reverse("videos:cancel", args=[job.id]))

        job.refresh_from_db()
        assert job.state == State.SUCCEEDED
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "This job had already ended, so there was nothing to cancel."
        ]

    def test_it_needs_a_post(self, admin: Client) -> None:
        job = VideoJobFactory.create()

        response = admin.get(reverse("videos:cancel", args=[job.id]))

        assert response.status_code == 405


class TestMedia:
    @pytest.mark.parametrize("kind", ["video", "poster"])
    def test_there_is_nothing_to_serve_before_archiving(self, member: Client, kind: str) -> None:
        job = VideoJobFactory.create(state=State.ARCHIVING)

        response = member.get(reverse(f"videos:{kind}", args=[job.id]))

        assert response.status_code == 404

    def test_it_serves_the_whole_video(self, member: Client) -> None:
        job = ArchivedVideoJobFactory.create()

        response = member.get(reverse("videos:video", args=[job.id]))

        assert response.status_code == 200
        assert response["Content-Type"] == "video/mp4"
        assert response["Content-Length"] == "4096"
        assert response["Accept-Ranges"] == "bytes"
        assert "Content-Disposition" not in response
        assert body(response) == fake_mp4()

    def test_it_serves_the_poster(self, member: Client) -> None:
        job = ArchivedVideoJobFactory.create()

        response = member.get(reverse("videos:poster", args=[job.id]))

        assert response["Content-Type"] == "image/jpeg"
        assert body(response).startswith(b"\xff\xd8")

    @pytest.mark.parametrize(
        ("header", "start", "end"),
        [("bytes=100-199", 100, 199), ("bytes=4000-", 4000, 4095), ("bytes=-10", 4086, 4095)],
    )
    def test_it_serves_a_range(self, member: Client, header: str, start: int, end: int) -> None:
        job = ArchivedVideoJobFactory.create()

        response = member.get(reverse("videos:video", args=[job.id]), headers={"Range": header})

        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes {start}-{end}/4096"
        assert response["Content-Length"] == str(end - start + 1)
        assert body(response) == fake_mp4()[start : end + 1]

    @pytest.mark.parametrize("header", ["bytes=4096-", "bytes=5000-6000", "bytes=300-200"])
    def test_a_range_past_the_end_is_refused(self, member: Client, header: str) -> None:
        job = ArchivedVideoJobFactory.create()

        response = member.get(reverse("videos:video", args=[job.id]), headers={"Range": header})

        assert response.status_code == 416
        assert response["Content-Range"] == "bytes */4096"

    def test_download_asks_the_browser_to_save_it(self, member: Client) -> None:
        job = ArchivedVideoJobFactory.create()

        response = member.get(reverse("videos:video", args=[job.id]), {"download": "1"})

        assert response["Content-Disposition"] == f'attachment; filename="video-{job.id}.mp4"'
        assert body(response) == fake_mp4()

    def test_anonymous_people_are_sent_to_log_in(self, client: Client) -> None:
        job = ArchivedVideoJobFactory.create()

        response = client.get(reverse("videos:video", args=[job.id]))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


class TestCallback:
    @pytest.fixture
    def gateway(self) -> Client:
        """The gateway calling in: no login, no CSRF token."""
        return Client(enforce_csrf_checks=True)

    def post(self, gateway: Client, token: str, status: str) -> HttpResponse:
        payload = {"task_id": "kling-task-1", "task_status": status, "task_result": {}}
        return gateway.post(  # type: ignore[return-value]
            reverse("videos:callback", args=[token]),
            json.dumps(payload),
            content_type="application/json",
        )

    def running_job(self) -> VideoJob:
        return VideoJobFactory.create(
            action=VideoJob.Action.TEXT2VIDEO,
            model="kling-v1-6",
            state=State.RUNNING,
            next_check_at=timezone.now() + timedelta(minutes=5),
        )

    def test_an_unknown_token_is_not_found(self, gateway: Client, woken: list[uuid.UUID]) -> None:
        self.running_job()

        response = self.post(gateway, "not-a-token", "succeed")

        assert response.status_code == 404
        assert woken == []

    def test_a_finished_callback_wakes_the_job_now(
        self, gateway: Client, woken: list[uuid.UUID]
    ) -> None:
        job = self.running_job()

        response = self.post(gateway, job.callback_token, "succeed")

        assert response.status_code == 204
        job.refresh_from_db()
        assert job.next_check_at is not None
        assert abs((job.next_check_at - timezone.now()).total_seconds()) < 5
        assert job.state == State.RUNNING  # the state still comes from our own poll
        assert woken == [job.id]

    def test_a_processing_callback_leaves_the_job_to_its_schedule(
        self, gateway: Client, woken: list[uuid.UUID]
    ) -> None:
        job = self.running_job()
        due = job.next_check_at

        response = self.post(gateway, job.callback_token, "processing")

        assert response.status_code == 204
        job.refresh_from_db()
        assert job.next_check_at == due
        assert woken == []

    def test_a_callback_for_a_cancelled_job_wakes_nothing(
        self, gateway: Client, woken: list[uuid.UUID]
    ) -> None:
        job = VideoJobFactory.create(state=State.CANCELLED)

        response = self.post(gateway, job.callback_token, "succeed")

        assert response.status_code == 204
        assert woken == []

    def test_it_needs_a_post(self, gateway: Client, db: None) -> None:
        response = gateway.get(reverse("videos:callback", args=["anything"]))

        assert response.status_code == 405
