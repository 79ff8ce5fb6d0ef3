"""Raising a notice when a job ends, once, and the e-mail that may follow it."""

from __future__ import annotations

import uuid
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from playground.accounts.models import User
from playground.images.models import Generation
from playground.notices.models import Notice, Preference
from playground.videos.models import VideoJob

VIDEO_OUTCOMES = {
    VideoJob.State.SUCCEEDED: Notice.Outcome.SUCCEEDED,
    VideoJob.State.FAILED: Notice.Outcome.FAILED,
    VideoJob.State.UNKNOWN: Notice.Outcome.UNKNOWN,
    # Not CANCELLED: the owner pressed Cancel, so there is nothing to tell them.
}
IMAGE_OUTCOMES = {
    Generation.State.DONE: Notice.Outcome.SUCCEEDED,
    Generation.State.FAILED: Notice.Outcome.FAILED,
    Generation.State.UNKNOWN: Notice.Outcome.UNKNOWN,
}


def notice_raise(
    *, user_id: int, kind: str, source_id: uuid.UUID, title: str, outcome: str
) -> Notice | None:
    """The notice that this job has ended, or None if it already raised one (a second worker,
    a second sweep): the unique constraint makes the second insert find the first."""
    notice, created = Notice.objects.get_or_create(
        user_id=user_id,
        kind=kind,
        source_id=source_id,
        defaults={"title": title[:200], "outcome": outcome},
    )
    if not created:
        return None
    # After commit, and robust: a failing mail server must not undo or fail the job's step.
    transaction.on_commit(partial(notice_email, notice_id=notice.id), robust=True)
    return notice


def video_job_notice_raise(*, job: VideoJob) -> Notice | None:
    """Called when a job has just been moved to a final state."""
    outcome = VIDEO_OUTCOMES.get(VideoJob.State(job.state))
    if outcome is None:
        return None
    return notice_raise(
        user_id=job.user_id,
        kind=Notice.Kind.VIDEO,
        source_id=job.id,
        title=job.prompt,
        outcome=outcome,
    )


def generation_notice_raise(*, generation: Generation) -> Notice | None:
    """Called when a generation has just ended. Only a long one raises a notice: a request
    runs inside the browser's POST, so a short one is answered on the page that asked, while
    after NOTICE_IMAGE_AFTER_SECONDS its member has likely moved on to another tab or page."""
    outcome = IMAGE_OUTCOMES.get(Generation.State(generation.state))
    ended = generation.finished_at or timezone.now()
    took = (ended - generation.created_at).total_seconds()
    if outcome is None or took < settings.NOTICE_IMAGE_AFTER_SECONDS:
        return None
    return notice_raise(
        user_id=generation.user_id,
        kind=Notice.Kind.IMAGE,
        source_id=generation.id,
        title=generation.prompt,
        outcome=outcome,
    )


def notice_email(*, notice_id: int) -> bool:
    """Mails the notice to its member if they asked for e-mail and have an address. It says
    what ended and links to it: nothing from the gateway's answer, never the team key."""
    notice = Notice.objects.select_related("user").get(id=notice_id)
    user = notice.user
    wanted = Preference.objects.filter(user=user, email=True).exists()
    if not (wanted and user.email):
        return False
    # In the language the member chose in the playground (a worker has no request to go by).
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = "\n\n".join(
            [
                notice.headline + (f": {notice.title}" if notice.title else "."),
                gettext("Open it: %(url)s") % {"url": settings.PUBLIC_URL + notice.result_url},
                gettext("You get this e-mail because you asked for it in your notice settings."),
            ]
        )
        send_mail(notice.headline, body, None, [user.email])
    return True


def notices_mark_seen(
    *, user: User, notice_id: int | None = None, source_id: uuid.UUID | None = None
) -> int:
    """Marks one of my notices seen (by its id, or by the job or image request it is about),
    or all of them; returns how many were unseen."""
    unseen = Notice.objects.filter(user=user, seen_at__isnull=True)
    if notice_id is not None:
        unseen = unseen.filter(id=notice_id)
    if source_id is not None:
        unseen = unseen.filter(source_id=source_id)
    return unseen.update(seen_at=timezone.now())


def preference_update(*, user: User, browser_notifications: bool, email: bool) -> Preference:
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"browser_notifications": browser_notifications, "email": email}
    )
    return preference
