"""Every way the gateway can fail ends as a retry or a clear, recorded failure, in words."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from playground.accounts.models import User
from playground.videos.models import VideoJob
from playground.videos.services import video_job_cancel, video_job_create
from tests.conftest import Simulator
from tests.videos.helpers import assert_archived, sim_stats, wait_final
from tests.workers import Celery, wait_until

State = VideoJob.State


def kling(user: User, prompt: str, **params: Any) -> VideoJob:
    return video_job_create(
        user=user,
        action="text2video",
        params={"model_name": "kling-v1-6", "prompt": prompt, "duration": 5, **params},
    )


def seedance(user: User, prompt: str) -> VideoJob:
    return video_job_create(
        user=user,
        action="seedance",
        params={"model": "doubao-seedance-1-0-pro-250528", "prompt": prompt, "duration": 2},
    )


def creates(sim: Simulator) -> int:
    routes = sim_stats(sim)["requests"]
    return sum(sum(routes.get(r, {}).values()) for r in ("seedance.create", "kling.create"))


@pytest.mark.parametrize("fault", ["drop", "timeout", "malformed-json"])
def test_a_submit_with_an_unknown_outcome_is_never_resent(
    e2e: Celery, sim: Simulator, user: User, fault: str
) -> None:
    sim.configure(timeout_seconds=3)  # longer than the worker's read timeout
    jobs = wait_final([kling(user, f"fox [fault:{fault}]"), seedance(user, f"cat [fault:{fault}]")])
    for job in jobs:
        assert job.state == State.UNKNOWN
        assert "may have started upstream" in job.fail_reason
    if fault == "timeout":
        # The stalled answers still come, and the tasks do exist upstream: hence "unknown".
        wait_until(lambda: sum(sim_stats(sim)["creates"].values()) == 2, timeout=5)
    assert creates(sim) == 2


def test_it_waits_out_kling_1303_and_then_submits_once(
    e2e: Celery, sim: Simulator, user: User
) -> None:
    sim.configure(fault="kling-1303", fault_times=2, fault_routes="create")
    job = kling(user, "a crowded road")
    wait_until(lambda: VideoJob.objects.get(id=job.id).notice != "", timeout=10)
    waiting = VideoJob.objects.get(id=job.id)
    assert waiting.state in (State.QUEUED, State.SUBMITTING, State.RUNNING)
    assert "too many video jobs" in waiting.notice.lower()
    [job] = wait_final([job])
    assert_archived(job)
    assert creates(sim) == 3
    assert sim_stats(sim)["creates"]["kling"] == 1


def test_it_retries_429_on_submit_and_5xx_and_bad_json_on_polls(
    e2e: Celery, sim: Simulator, user: User
) -> None:
    sim.configure(fault="429", fault_times=5, fault_routes="create", retry_after=0)
    job = seedance(user, "busy gateway")
    wait_until(lambda: VideoJob.objects.get(id=job.id).state == State.RUNNING, timeout=15)
    sim.configure(fault="503", fault_times=2, fault_routes="query")
    wait_until(lambda: sim_stats(sim)["requests"].get("seedance.query"), timeout=10)
    sim.configure(fault="malformed-json", fault_times=2, fault_routes="query")
    [job] = wait_final([job])
    assert_archived(job)
    assert sim_stats(sim)["creates"]["seedance"] == 1


@pytest.mark.parametrize(
    ("marker", "words"),
    [
        ("500", "down or overloaded (Kling 5000)"),
        ("kling-1301", "content safety"),
        ("kling-1102", "cannot pay"),
        ("task-failure", "risk control system"),
        ("task-not-exist", "does not know this task"),
    ],
)
def test_a_hopeless_job_fails_at_once_in_words(
    e2e: Celery, sim: Simulator, user: User, marker: str, words: str
) -> None:
    [job] = wait_final([kling(user, f"doomed [fault:{marker}]")])
    assert job.state == State.FAILED
    assert words in job.fail_reason, job.fail_reason
    assert creates(sim) == 1


def test_polls_that_keep_failing_end_in_a_failure_in_words(
    e2e: Celery, sim: Simulator, user: User, settings: Any
) -> None:
    job = seedance(user, "never readable")
    wait_until(lambda: VideoJob.objects.get(id=job.id).state == State.RUNNING, timeout=10)
    sim.configure(fault="500", fault_routes="query")
    [job] = wait_final([job], timeout=60)
    assert job.state == State.FAILED
    assert "could not get this job's status 5 times in a row" in job.fail_reason
    assert "internal error (500)" in job.fail_reason


def test_an_expired_media_link_fails_the_job_in_words(
    e2e: Celery, sim: Simulator, user: User
) -> None:
    sim.configure(media_ttl_seconds=0)
    [job] = wait_final([seedance(user, "gone too soon")])
    assert job.state == State.FAILED
    assert "link no longer worked" in job.fail_reason
    assert job.video_url


def test_the_sweeper_fails_a_job_past_its_deadline(
    e2e: Celery, sim: Simulator, user: User, settings: Any
) -> None:
    settings.VIDEO_DEADLINE_KLING_SECONDS = 2
    sim.configure(video_seconds=30)
    [job] = wait_final([kling(user, "slow as a glacier")])
    assert job.state == State.FAILED
    assert "No result after 2 seconds" in job.fail_reason
    assert "may still finish upstream" in job.fail_reason


def test_the_sweeper_recovers_a_job_whose_message_was_lost(
    e2e: Celery, sim: Simulator, user: User
) -> None:
    # Saved as the view saves it, but the wake-up message never reaches the broker.
    job = VideoJob.objects.create(
        user=user,
        action="seedance",
        model="doubao-seedance-1-0-pro-250528",
        prompt="lost in the post",
        params={"model": "doubao-seedance-1-0-pro-250528", "prompt": "lost in the post"},
        deadline_at=timezone.now() + timedelta(minutes=5),
        next_check_at=timezone.now(),
    )
    [job] = wait_final([job])
    assert_archived(job)


def test_a_cancelled_job_stays_cancelled(e2e: Celery, sim: Simulator, user: User) -> None:
    sim.configure(video_seconds=3)
    job = kling(user, "changed my mind")
    wait_until(lambda: VideoJob.objects.get(id=job.id).state == State.RUNNING, timeout=10)
    job.refresh_from_db()
    assert video_job_cancel(job=job)
    time.sleep(4)  # past the end of the job upstream, and a few sweeps
    job.refresh_from_db()
    assert job.state == State.CANCELLED
    assert "may still finish" in job.fail_reason
    assert not job.video
