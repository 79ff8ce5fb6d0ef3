"""The video services called directly, without a worker: submitting once, the sweeper, and the
history that estimates how long a model takes. The gateway is the simulator, over HTTP."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from playground.teamkey.services import team_key_set
from playground.videos.build import image_ref
from playground.videos.models import VideoJob
from playground.videos.queue import DOWNLOAD, POLL, SUBMIT
from playground.videos.selectors import expected_duration
from playground.videos.services import video_job_advance, video_job_sweep, video_jobs_advance
from tests.conftest import Simulator
from tests.uploads.factories import UploadFactory
from tests.videos.factories import SEEDANCE_MODEL, VideoJobFactory
from tests.videos.helpers import sim_stats

State = VideoJob.State
KLING_PARAMS = {"model_name": "kling-v1-6", "prompt": "a fox in snow", "duration": 5}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VIDEO_CALLBACKS = False  # nothing here listens for Kling's callbacks
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def gateway(sim: Simulator, db: None) -> Simulator:
    """The simulator, with the team key set to the key it accepts."""
    team_key_set(actor=None, plaintext=sim.key)
    return sim


@pytest.fixture
def woken(monkeypatch: pytest.MonkeyPatch) -> list[tuple[uuid.UUID, float | None]]:
    """The jobs the sweeper asked a worker to wake, and their due times; nothing is sent."""
    calls: list[tuple[uuid.UUID, float | None]] = []
    monkeypatch.setattr(
        "playground.videos.services.job_wake",
        lambda job_id, due=None, priority=POLL: calls.append((job_id, due)),
    )
    return calls


@pytest.fixture
def priorities(monkeypatch: pytest.MonkeyPatch) -> dict[uuid.UUID, int]:
    """The priority each woken job's message was sent with; nothing is sent."""
    sent: dict[uuid.UUID, int] = {}
    monkeypatch.setattr(
        "playground.videos.services.job_wake",
        lambda job_id, due=None, priority=POLL: sent.__setitem__(job_id, priority),
    )
    return sent


def ago(seconds: float) -> datetime:
    return timezone.now() - timedelta(seconds=seconds)


def creates(sim: Simulator) -> dict[str, int]:
    return dict(sim_stats(sim)["creates"])


def running_job() -> VideoJob:
    """A Seedance job submitted to the simulator and due for its first poll."""
    job = VideoJobFactory.create()
    video_job_advance(job_id=job.id)
    job.refresh_from_db()
    assert job.state == State.RUNNING
    return job


class TestAdvance:
    def test_a_queued_seedance_job_is_submitted_and_running(self, gateway: Simulator) -> None:
        job = VideoJobFactory.create()

        video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert job.state == State.RUNNING
        assert job.upstream_task_id
        assert job.submitted_at is not None
        assert job.submit_attempts == 1
        assert job.next_check_at is not None
        assert job.next_check_at > timezone.now()
        assert creates(gateway)["seedance"] == 1

    def test_a_queued_kling_job_is_submitted_with_its_id(self, gateway: Simulator) -> None:
        job = VideoJobFactory.create(
            action=VideoJob.Action.TEXT2VIDEO, model="kling-v1-6", params=KLING_PARAMS
        )

        video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert job.state == State.RUNNING
        assert creates(gateway)["kling"] == 1
        assert sim_stats(gateway)["creates_by_external_task_id"] == {str(job.id): 1}

    def test_a_second_advance_does_not_submit_again(self, gateway: Simulator) -> None:
        job = VideoJobFactory.create()
        video_job_advance(job_id=job.id)
        job.refresh_from_db()
        task_id = job.upstream_task_id

        video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert creates(gateway)["seedance"] == 1
        assert job.upstream_task_id == task_id
        assert job.submit_attempts == 1

    def test_a_job_whose_image_is_gone_from_storage_fails_in_words_and_sends_nothing(
        self, gateway: Simulator
    ) -> None:
        upload = UploadFactory.create()
        upload.file.delete(save=False)  # the row stays, the file is gone
        params = KLING_PARAMS | {"image": image_ref(upload_id=str(upload.id))}
        job = VideoJobFactory.create(
            action=VideoJob.Action.IMAGE2VIDEO, model="kling-v1-6", params=params
        )

        video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert job.state == State.FAILED
        assert "could not be read from the playground's storage" in job.fail_reason
        assert creates(gateway)["kling"] == 0

    @pytest.mark.parametrize(
        ("fault", "words", "wait"),
        # The simulator's 429 says Retry-After: 5; its 503 says nothing, so backoff decides.
        [("429", "rate-limiting the team (429)", 5), ("503", "overloaded (503)", 1)],
    )
    def test_a_turned_away_submit_goes_back_to_the_queue_after_one_post(
        self, gateway: Simulator, fault: str, words: str, wait: float, settings: Any
    ) -> None:
        """The job's own due time does the waiting, not a worker thread asleep in a retry."""
        settings.STARRISE_BACKOFF_MAX = 30  # as deployed: the transport would sleep 5 s
        gateway.configure(fault=fault, fault_routes="create", retry_after=5)
        job = VideoJobFactory.create()
        started = timezone.now()

        video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert sim_stats(gateway)["requests"]["seedance.create"] == {"POST": 1}
        assert job.gateway_calls == 1
        assert job.state == State.QUEUED
        assert words in job.notice
        assert job.next_check_at is not None
        assert job.next_check_at >= started + timedelta(seconds=wait)
        assert timezone.now() - started < timedelta(seconds=4)

    @pytest.mark.parametrize(
        ("fault", "words"), [("500", "internal error (500)"), ("503", "(503)")]
    )
    def test_a_failed_poll_is_tried_again_later_after_one_get(
        self, gateway: Simulator, fault: str, words: str, settings: Any
    ) -> None:
        """As for the submit: the job's due time does the waiting, not a worker thread."""
        settings.STARRISE_BACKOFF_MAX = 30
        job = running_job()
        gateway.configure(fault=fault, fault_routes="query", retry_after=5)
        started = timezone.now()

        video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert sim_stats(gateway)["requests"]["seedance.query"] == {"GET": 1}
        assert job.state == State.RUNNING
        assert job.poll_errors == 1
        assert words in job.notice
        assert job.next_check_at is not None
        assert job.next_check_at > started
        assert timezone.now() - started < timedelta(seconds=4)

    def test_a_rate_limited_poll_waits_as_asked_without_counting_as_an_error(
        self, gateway: Simulator, settings: Any
    ) -> None:
        settings.VIDEO_MAX_POLL_ERRORS = 2
        job = running_job()
        gateway.configure(fault="429", fault_routes="query", retry_after=7)
        started = timezone.now()

        for _ in range(3):  # more 429s than the errors a job may have in a row
            VideoJob.objects.filter(id=job.id).update(next_check_at=timezone.now())
            video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert job.state == State.RUNNING
        assert job.poll_errors == 0
        assert "rate-limiting the team (429)" in job.notice
        assert job.next_check_at is not None
        assert job.next_check_at >= started + timedelta(seconds=7)

    def test_a_cancelled_job_is_never_submitted(self, gateway: Simulator) -> None:
        job = VideoJobFactory.create(state=State.CANCELLED)

        video_job_advance(job_id=job.id)

        assert creates(gateway)["seedance"] == 0

    def test_a_job_being_submitted_by_another_worker_is_left_alone(
        self, gateway: Simulator
    ) -> None:
        job = VideoJobFactory.create(state=State.SUBMITTING, lease_until=ago(-60))

        video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert job.state == State.SUBMITTING
        assert creates(gateway)["seedance"] == 0

    def test_a_job_of_a_deleted_image_fails_in_words(self, gateway: Simulator) -> None:
        params = {
            "model": SEEDANCE_MODEL,
            "prompt": "",
            "first_frame": {"upload": str(uuid.uuid4())},
        }
        job = VideoJobFactory.create(params=params)

        video_job_advance(job_id=job.id)

        job.refresh_from_db()
        assert job.state == State.FAILED
        assert job.fail_reason == "An image of this job is no longer stored; choose it again."
        assert creates(gateway)["seedance"] == 0


@pytest.mark.django_db(transaction=True)
def test_workers_woken_together_submit_a_job_once(sim: Simulator) -> None:
    """Compare-and-set on committed rows: four workers race for one queued job."""
    team_key_set(actor=None, plaintext=sim.key)
    job = VideoJobFactory.create()
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            video_job_advance(job_id=job.id)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    job.refresh_from_db()
    assert job.state in (State.RUNNING, State.ARCHIVING, State.SUCCEEDED)
    assert job.submit_attempts == 1
    assert creates(sim)["seedance"] == 1


@pytest.mark.django_db
class TestSweep:
    def test_it_wakes_the_jobs_that_are_due_oldest_first(
        self, woken: list[tuple[uuid.UUID, float | None]], settings: Any
    ) -> None:
        settings.VIDEO_LEASE_SECONDS = 60
        running = VideoJobFactory.create(state=State.RUNNING, next_check_at=ago(5))
        queued = VideoJobFactory.create(state=State.QUEUED, next_check_at=ago(1))
        archiving = VideoJobFactory.create(state=State.ARCHIVING, next_check_at=ago(0.5))
        VideoJobFactory.create(state=State.RUNNING, next_check_at=ago(-30))  # not yet
        VideoJobFactory.create(state=State.SUBMITTING, next_check_at=ago(5))  # being sent
        VideoJobFactory.create(state=State.FAILED, next_check_at=ago(5))  # final

        sweep = video_job_sweep()

        assert sweep.woken == 3
        assert [job_id for job_id, _ in woken] == [running.id, queued.id, archiving.id]
        assert woken[0][1] == pytest.approx(ago(5).timestamp(), abs=2)
        assert woken[1][1] is None  # only a poll is timed: a submit has no moment to run at

    def test_polls_are_woken_before_submits_and_downloads(
        self, priorities: dict[uuid.UUID, int], settings: Any
    ) -> None:
        """A poll is due at the moment its job should end; a submit or a download is not."""
        queued = VideoJobFactory.create(state=State.QUEUED, next_check_at=ago(9))
        running = VideoJobFactory.create(state=State.RUNNING, next_check_at=ago(1))
        archiving = VideoJobFactory.create(state=State.ARCHIVING, next_check_at=ago(5))

        video_job_sweep()

        assert priorities == {running.id: POLL, queued.id: SUBMIT, archiving.id: DOWNLOAD}
        assert POLL < SUBMIT < DOWNLOAD  # lower runs first

    def test_many_jobs_due_together_are_woken_in_batches_and_each_advances(
        self, gateway: Simulator, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        jobs = VideoJobFactory.create_batch(31, next_check_at=ago(1))
        broken = VideoJobFactory.create(next_check_at=ago(1), params={})  # its step raises
        batches: list[list[tuple[str, float | None]]] = []
        monkeypatch.setattr(
            "playground.videos.services.jobs_wake",
            lambda due, priority=POLL: batches.append(
                [(str(job_id), when) for job_id, when in due]
            ),
        )

        video_job_sweep()
        for batch in batches:
            video_jobs_advance(due=batch)  # what the worker runs for each message

        assert [len(batch) for batch in batches] == [2] * 16  # 32 due: 16 messages of 2
        assert all(VideoJob.objects.get(id=job.id).state == State.RUNNING for job in jobs)
        assert creates(gateway)["seedance"] == 31
        assert VideoJob.objects.get(id=broken.id).state != State.RUNNING

    def test_a_woken_job_is_not_woken_again_while_its_message_waits(
        self, woken: list[tuple[uuid.UUID, float | None]], settings: Any
    ) -> None:
        settings.VIDEO_LEASE_SECONDS = 60
        job = VideoJobFactory.create(state=State.RUNNING, next_check_at=ago(5))

        video_job_sweep()
        second = video_job_sweep()

        job.refresh_from_db()
        assert second.woken == 0
        assert len(woken) == 1
        assert job.next_check_at is not None
        assert job.next_check_at > ago(-55)

    def test_a_sent_job_past_its_deadline_fails_in_words(
        self, woken: list[tuple[uuid.UUID, float | None]]
    ) -> None:
        created = ago(31 * 60)
        job = VideoJobFactory.create(
            state=State.RUNNING,
            created_at=created,
            deadline_at=created + timedelta(minutes=30),
            next_check_at=ago(1),
        )

        sweep = video_job_sweep()

        job.refresh_from_db()
        assert sweep.expired == 1
        assert job.state == State.FAILED
        assert job.fail_reason == (
            "No result after 30 minutes, so the playground stopped waiting. "
            "The job may still finish upstream."
        )
        assert job.finished_at is not None
        assert job.next_check_at is None
        assert woken == []

    def test_a_job_never_sent_says_so_when_it_expires(
        self, woken: list[tuple[uuid.UUID, float | None]]
    ) -> None:
        created = ago(100)
        job = VideoJobFactory.create(
            created_at=created, deadline_at=created + timedelta(seconds=90)
        )

        video_job_sweep()

        job.refresh_from_db()
        assert job.state == State.FAILED
        assert job.fail_reason == (
            "No result after 90 seconds, so the playground stopped waiting. It was never sent."
        )

    def test_a_job_being_archived_is_not_expired(
        self, woken: list[tuple[uuid.UUID, float | None]]
    ) -> None:
        created = ago(31 * 60)
        job = VideoJobFactory.create(
            state=State.ARCHIVING, created_at=created, deadline_at=created + timedelta(minutes=30)
        )

        sweep = video_job_sweep()

        job.refresh_from_db()
        assert sweep.expired == 0
        assert job.state == State.ARCHIVING

    def test_a_job_stuck_in_submitting_past_its_lease_is_unknown(
        self, woken: list[tuple[uuid.UUID, float | None]]
    ) -> None:
        job = VideoJobFactory.create(state=State.SUBMITTING, lease_until=ago(1))

        sweep = video_job_sweep()

        job.refresh_from_db()
        assert sweep.stuck == 1
        assert job.state == State.UNKNOWN
        assert job.fail_reason.startswith(
            "The worker stopped while sending this job, so the playground does not know whether "
            "the gateway received it."
        )
        assert "check before running it again" in job.fail_reason

    def test_a_job_within_its_submit_lease_is_left_alone(
        self, woken: list[tuple[uuid.UUID, float | None]]
    ) -> None:
        job = VideoJobFactory.create(state=State.SUBMITTING, lease_until=ago(-30))

        sweep = video_job_sweep()

        job.refresh_from_db()
        assert sweep.stuck == 0
        assert job.state == State.SUBMITTING


@pytest.mark.django_db
class TestExpectedDuration:
    def finished(self, model: str, seconds: float, *, ended: float = 0, **fields: Any) -> None:
        end = ago(ended)
        VideoJobFactory.create(
            model=model,
            state=fields.pop("state", State.SUCCEEDED),
            submitted_at=end - timedelta(seconds=seconds),
            ended_at=end,
            **fields,
        )

    def test_it_knows_nothing_without_history(self) -> None:
        assert expected_duration(model=SEEDANCE_MODEL) is None

    def test_it_is_the_median_of_the_models_finished_jobs(self) -> None:
        for seconds in (100, 200, 400):
            self.finished(SEEDANCE_MODEL, seconds)
        self.finished(SEEDANCE_MODEL, 250, state=State.ARCHIVING)  # ended upstream: counts
        self.finished(SEEDANCE_MODEL, 5, state=State.FAILED)  # a failure says nothing
        self.finished("kling-v1-6", 900)  # another model

        assert expected_duration(model=SEEDANCE_MODEL) == 225

    def test_it_uses_only_the_20_most_recent_jobs(self) -> None:
        for n in range(21):
            self.finished(SEEDANCE_MODEL, 600, ended=3600 + n)
        for n in range(20):
            self.finished(SEEDANCE_MODEL, 60, ended=n)

        assert expected_duration(model=SEEDANCE_MODEL) == 60
