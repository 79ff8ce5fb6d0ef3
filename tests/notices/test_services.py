"""A job ending raises exactly one notice, for its owner and nobody else: video jobs and image
requests run through the real services against the simulator."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from playground.accounts.models import User
from playground.images.models import Generation
from playground.images.services import generation_create, generation_run, generation_sweep
from playground.notices.models import Notice, Preference
from playground.notices.services import notice_raise
from playground.videos.models import VideoJob
from playground.videos.services import (
    video_job_advance,
    video_job_cancel,
    video_job_notice_raise,
    video_job_sweep,
)
from tests.conftest import Simulator, free_port
from tests.factories import UserFactory
from tests.images.factories import GenerationFactory, params
from tests.videos.factories import VideoJobFactory

pytestmark = pytest.mark.django_db
State = VideoJob.State


def ago(seconds: float) -> datetime:
    return timezone.now() - timedelta(seconds=seconds)


def run_to_the_end(job: VideoJob, *, timeout: float = 30) -> VideoJob:
    """Takes the job's steps as the worker would, until it is final."""
    deadline = time.monotonic() + timeout
    while not job.is_final:
        assert time.monotonic() < deadline, f"the job is still {job.state}"
        video_job_advance(job_id=job.id)
        job.refresh_from_db()
        if not job.is_final:
            time.sleep(0.2)
    return job


@pytest.mark.usefixtures("no_wake")
class TestVideoJobs:
    def test_a_finished_job_raises_exactly_one_notice_for_its_owner_and_none_for_others(
        self, gateway: Simulator, owner: User
    ) -> None:
        other = UserFactory.create()
        VideoJobFactory.create(user=other)  # someone else's job, never run
        job = VideoJobFactory.create(user=owner, prompt="a cat at a piano")

        video_job_advance(job_id=job.id)
        job.refresh_from_db()
        assert job.state == State.RUNNING
        assert not Notice.objects.exists()  # nothing while it runs

        job = run_to_the_end(job)

        assert job.state == State.SUCCEEDED, job.fail_reason
        notice = Notice.objects.get()
        assert notice.user == owner
        assert (notice.kind, notice.source_id) == (Notice.Kind.VIDEO, job.id)
        assert notice.outcome == Notice.Outcome.SUCCEEDED
        assert notice.title == "a cat at a piano"
        assert notice.seen_at is None
        assert notice.headline == "Your video is ready"
        assert notice.result_url == reverse("videos:job", args=[job.id])
        assert not Notice.objects.filter(user=other).exists()

    def test_a_second_advance_or_sweep_raises_no_second_notice(
        self, gateway: Simulator, owner: User
    ) -> None:
        job = run_to_the_end(VideoJobFactory.create(user=owner))

        video_job_advance(job_id=job.id)
        video_job_sweep()
        video_job_advance(job_id=job.id)

        assert Notice.objects.count() == 1

    def test_a_failed_job_raises_a_failure_notice(self, gateway: Simulator, owner: User) -> None:
        job = VideoJobFactory.create(user=owner, prompt="doomed [fault:task-failure]")

        job = run_to_the_end(job)

        assert job.state == State.FAILED
        notice = Notice.objects.get(user=owner)
        assert notice.outcome == Notice.Outcome.FAILED
        assert notice.headline == "Your video job failed"

    def test_a_job_past_its_deadline_raises_a_failure_notice_from_the_sweeper(
        self, owner: User
    ) -> None:
        job = VideoJobFactory.create(
            user=owner, state=State.RUNNING, upstream_task_id="cgt-x", deadline_at=ago(1)
        )

        video_job_sweep()
        video_job_sweep()

        job.refresh_from_db()
        assert job.state == State.FAILED
        assert Notice.objects.get().outcome == Notice.Outcome.FAILED

    def test_a_job_its_owner_cancelled_raises_no_notice(self, owner: User) -> None:
        job = VideoJobFactory.create(user=owner)

        assert video_job_cancel(job=job)

        assert not Notice.objects.exists()

    def test_the_same_end_seen_twice_raises_one_notice(self, owner: User) -> None:
        job = VideoJobFactory.create(user=owner, state=State.UNKNOWN)

        first = video_job_notice_raise(job=job)
        second = video_job_notice_raise(job=job)

        assert first is not None
        assert first.outcome == Notice.Outcome.UNKNOWN
        assert second is None
        assert Notice.objects.count() == 1


class TestImageRequests:
    def run(self, user: User, **changes: Any) -> Generation:
        generation, created = generation_create(user=user, params=params(**changes))
        assert created
        return generation_run(generation=generation)

    def test_a_long_request_raises_a_notice_for_its_owner(
        self, gateway: Simulator, owner: User, settings: Any
    ) -> None:
        settings.NOTICE_IMAGE_AFTER_SECONDS = 0
        other = UserFactory.create()

        generation = self.run(owner, prompt="a lighthouse at dusk")

        assert generation.state == Generation.State.DONE
        notice = Notice.objects.get()
        assert notice.user == owner
        assert (notice.kind, notice.source_id) == (Notice.Kind.IMAGE, generation.id)
        assert notice.outcome == Notice.Outcome.SUCCEEDED
        assert notice.headline == "Your images are ready"
        assert notice.result_url == reverse("images:generation", args=[generation.id])
        assert not Notice.objects.filter(user=other).exists()

    def test_a_quick_request_answered_on_its_page_raises_none(
        self, gateway: Simulator, owner: User, settings: Any
    ) -> None:
        settings.NOTICE_IMAGE_AFTER_SECONDS = 600

        generation = self.run(owner)

        assert generation.state == Generation.State.DONE
        assert not Notice.objects.exists()

    def test_a_long_failed_request_raises_a_failure_notice(
        self, gateway: Simulator, owner: User, settings: Any
    ) -> None:
        settings.NOTICE_IMAGE_AFTER_SECONDS = 0

        generation = self.run(owner, prompt="a fox [fault:500]")

        assert generation.state == Generation.State.FAILED
        assert Notice.objects.get().outcome == Notice.Outcome.FAILED

    def test_a_request_the_server_lost_raises_a_notice_from_the_sweep(self, owner: User) -> None:
        GenerationFactory.create(
            user=owner, state=Generation.State.RUNNING, created_at=ago(1200), started_at=ago(1200)
        )

        generation_sweep()
        generation_sweep()

        notice = Notice.objects.get()
        assert notice.outcome == Notice.Outcome.UNKNOWN
        assert notice.user == owner


@pytest.mark.usefixtures("no_wake")
class TestEmail:
    def test_an_owner_who_asked_gets_one_email_with_the_link_and_never_the_key(
        self,
        gateway: Simulator,
        owner: User,
        settings: Any,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        settings.PUBLIC_URL = "https://playground.example.com"
        Preference.objects.create(user=owner, email=True)
        other = UserFactory.create(email="other@example.com")
        Preference.objects.create(user=other, email=True)
        job = VideoJobFactory.create(user=owner, prompt="a cat at a piano")

        with django_capture_on_commit_callbacks(execute=True):
            job = run_to_the_end(job)
            video_job_sweep()

        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == ["owner@example.com"]
        assert email.subject == "Your video is ready"
        assert "a cat at a piano" in email.body
        assert f"https://playground.example.com/videos/{job.id}/" in email.body
        whole = email.message().as_string()
        assert gateway.key not in whole
        assert gateway.key[-8:] not in whole

    def test_nobody_is_mailed_without_asking(
        self, gateway: Simulator, owner: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        Preference.objects.create(user=owner, browser_notifications=True, email=False)

        with django_capture_on_commit_callbacks(execute=True):
            run_to_the_end(VideoJobFactory.create(user=owner))

        assert Notice.objects.count() == 1
        assert mail.outbox == []

    def test_a_member_without_an_address_is_not_mailed(
        self, django_capture_on_commit_callbacks: Any
    ) -> None:
        user = UserFactory.create(email="")
        Preference.objects.create(user=user, email=True)

        with django_capture_on_commit_callbacks(execute=True):
            notice_raise(
                user_id=user.id,
                kind=Notice.Kind.VIDEO,
                source_id=uuid.uuid4(),
                title="",
                outcome=Notice.Outcome.FAILED,
            )

        assert mail.outbox == []

    def test_a_mail_server_that_is_down_does_not_fail_the_job(
        self,
        owner: User,
        settings: Any,
        django_capture_on_commit_callbacks: Any,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                # Nobody listens on that port: the connection is refused.
                "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
            }
        }
        Preference.objects.create(user=owner, email=True)
        job = VideoJobFactory.create(user=owner)

        with django_capture_on_commit_callbacks(execute=True):
            assert video_job_cancel(job=job)  # not a notice: to check the job's step survives
            video_job_notice_raise(job=VideoJobFactory.create(user=owner, state=State.FAILED))

        job.refresh_from_db()
        assert job.state == State.CANCELLED
        assert Notice.objects.count() == 1
        assert "on_commit" in caplog.text  # the refused connection, logged and survived
