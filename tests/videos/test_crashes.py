"""Nothing is lost: a killed worker, a restarted Redis. The database is the source of truth."""

from __future__ import annotations

import subprocess
import time
from typing import Any

from playground.accounts.models import User
from playground.videos.models import VideoJob
from playground.videos.services import video_job_create
from tests.conftest import Simulator
from tests.videos.helpers import assert_archived, sim_stats, wait_final
from tests.workers import Celery, wait_until

State = VideoJob.State


def batch(user: User, tag: str, count: int = 6) -> list[VideoJob]:
    jobs = []
    for n in range(count):
        if n % 2:
            action, params = "text2video", {"model_name": "kling-v1-6", "prompt": f"{tag} {n}"}
        else:
            params = {"model": "doubao-seedance-1-0-pro-250528", "prompt": f"{tag} {n}"}
            action = "seedance"
        jobs.append(video_job_create(user=user, action=action, params=params))
    return jobs


def all_running(jobs: list[VideoJob]) -> bool:
    return all(VideoJob.objects.get(id=job.id).state == State.RUNNING for job in jobs)


def assert_each_submitted_once(sim: Simulator, jobs: list[VideoJob]) -> None:
    stats = sim_stats(sim)
    for job in jobs:
        key = job.prompt
        assert stats["creates_by_prompt"].get(key) == 1, (key, stats["creates_by_prompt"])


def test_jobs_finish_after_the_worker_is_killed_mid_poll(
    own_celery: Celery, sim: Simulator, user: User
) -> None:
    sim.configure(video_seconds=5)
    own_celery.start_worker()
    own_celery.start_beat()
    jobs = batch(user, "killed worker")
    wait_until(lambda: all_running(jobs), timeout=20)
    own_celery.kill_workers()
    time.sleep(1)
    own_celery.start_worker()
    for job in wait_final(jobs, timeout=60):
        assert_archived(job)
    assert_each_submitted_once(sim, jobs)


def restart_redis() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)
    time.sleep(0.5)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    wait_until(
        lambda: (
            subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True).stdout
            == b"PONG\n"
        ),
        timeout=10,
    )


def test_jobs_finish_after_redis_restarts_mid_run(
    own_celery: Celery, sim: Simulator, user: User
) -> None:
    sim.configure(video_seconds=5)
    own_celery.start_worker()
    own_celery.start_beat()
    jobs = batch(user, "redis restart")
    wait_until(lambda: all_running(jobs), timeout=20)
    restart_redis()  # every queued message is gone with it
    for job in wait_final(jobs, timeout=90):
        assert_archived(job)
    assert_each_submitted_once(sim, jobs)


def test_jobs_wait_queued_while_no_worker_runs_and_finish_when_one_starts(
    own_celery: Celery, sim: Simulator, user: User
) -> None:
    jobs = batch(user, "no worker yet", count=2)
    time.sleep(1)
    assert all(VideoJob.objects.get(id=job.id).state == State.QUEUED for job in jobs)
    own_celery.start_worker()
    own_celery.start_beat()
    for job in wait_final(jobs, timeout=40):
        assert_archived(job)


def test_the_team_cap_holds_with_two_workers_racing_and_jobs_start_in_order(
    own_celery: Celery, sim: Simulator, user: User, settings: Any
) -> None:
    settings.VIDEO_TEAM_MAX_IN_FLIGHT = 2
    own_celery.env["VIDEO_TEAM_MAX_IN_FLIGHT"] = "2"
    sim.configure(video_seconds=1.5)
    own_celery.start_worker()
    own_celery.start_worker()  # a second worker, racing the first for every claim
    own_celery.start_beat()
    jobs = batch(user, "capped", count=6)
    most = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = list(
            VideoJob.objects.filter(id__in=[j.id for j in jobs]).values_list("state", flat=True)
        )
        most = max(most, sum(state in (State.SUBMITTING, State.RUNNING) for state in states))
        if all(state in (State.SUCCEEDED, State.FAILED, State.UNKNOWN) for state in states):
            break
        time.sleep(0.05)
    for job in wait_final(jobs, timeout=5):
        assert_archived(job)
    assert most == 2
    # In order, to the slot: a job starts only among the two oldest still waiting, so its
    # place among the starts is at most one away from its place among the jobs.
    started = sorted(jobs, key=lambda job: job.submitted_at or job.created_at)
    for place, job in enumerate(jobs):
        assert abs(started.index(job) - place) <= 1, [j.prompt for j in started]
