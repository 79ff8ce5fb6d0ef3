"""Raising a notice when a job ends, once, and the e-mail that may follow it. Each kind of job
says which of its ends are worth a notice (videos and images, in their services)."""

from __future__ import annotations

import uuid
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from playground.accounts.models import User
from playground.notices.models import Notice, Preference


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
