"""With a real worker and beat: each job that ends raises exactly one notice, for its owner."""

from __future__ import annotations

import time

from playground.accounts.models import User
from playground.notices.models import Notice
from playground.videos.models import VideoJob
from playground.videos.services import video_job_create
from tests.factories import UserFactory
from tests.videos.helpers import wait_final
from tests.workers import Celery

SEEDANCE = {"model": "doubao-seedance-1-0-pro-250528", "duration": 2}


def test_each_job_the_worker_finishes_raises_one_notice_for_its_owner(
    e2e: Celery, owner: User
) -> None:
    other = UserFactory.create()
    mine = video_job_create(
        user=owner, action="seedance", params={**SEEDANCE, "prompt": "a cat at a piano"}
    )
    theirs = video_job_create(
        user=other, action="seedance", params={**SEEDANCE, "prompt": "doomed [fault:task-failure]"}
    )

    wait_final([mine, theirs])
    time.sleep(2)  # sweeps and stray wake-ups keep coming: none may raise a second notice

    assert (mine.state, theirs.state) == (VideoJob.State.SUCCEEDED, VideoJob.State.FAILED)
    notices = {(n.user_id, n.source_id, n.outcome) for n in Notice.objects.all()}
    assert Notice.objects.count() == 2
    assert notices == {
        (owner.id, mine.id, Notice.Outcome.SUCCEEDED),
        (other.id, theirs.id, Notice.Outcome.FAILED),
    }
