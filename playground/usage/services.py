"""Daily limits: admins set them; the create services ask `quota_check` before sending."""

from __future__ import annotations

import math
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext

from playground.accounts.models import AuditEvent, User
from playground.accounts.services import audit_record
from playground.usage import selectors
from playground.usage.models import Kind, Quota


class QuotaExceeded(ValidationError):  # noqa: N818 (named in the issue; reads as a sentence)
    """The user reached a daily limit; the message says which, and when it resets."""


def reset_wording(*, now: datetime | None = None) -> str:
    """ "resets at 00:00 UTC, in 5 h 12 min": the next midnight in TIME_ZONE, and how far."""
    now = now or timezone.now()
    reset = selectors.next_reset(now)
    minutes = max(1, math.ceil((reset - now).total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = ([gettext("%(hours)s h") % {"hours": hours}] if hours else []) + (
        [gettext("%(minutes)s min") % {"minutes": minutes}] if minutes else []
    )
    at = timezone.localtime(reset).strftime("%H:%M")
    return gettext("resets at %(at)s %(zone)s, in %(wait)s") % {
        "at": at,
        "zone": timezone.get_current_timezone_name(),
        "wait": " ".join(parts),
    }


def quota_check(*, user: User, kind: Kind, now: datetime | None = None) -> None:
    """Raises QuotaExceeded when `user` has used all of today's `kind`: called before anything
    is saved or sent. A blank limit is unlimited. The check is not a lock: two requests at the
    same moment may both pass, and a chat answer's tokens count once it has them."""
    limit = selectors.quota_get(user=user).limit(kind)
    if limit is None:
        return
    used = selectors.used_today(user=user, kind=kind, now=now)
    if used < limit:
        return
    if limit == 0:
        said = gettext("Your daily limit of %(kind)s is 0") % {"kind": kind.label}
    else:
        said = gettext("You have used %(used)s of your daily limit of %(limit)s") % {
            "used": number_format(used, force_grouping=True),
            "limit": kind.amount(limit),
        }
    raise QuotaExceeded(
        gettext(
            "%(said)s, so nothing was sent. The limit %(reset)s; an admin can raise it on the "
            "Usage page."
        )
        % {"said": said, "reset": reset_wording(now=now)},
        code="quota",
    )


@transaction.atomic
def quota_set(
    *,
    actor: User,
    user: User,
    chat_tokens: int | None,
    images: int | None,
    video_jobs: int | None,
) -> Quota:
    """Sets a user's daily limits (None is unlimited) and logs the change in the audit log."""
    quota, _ = Quota.objects.select_for_update().get_or_create(user=user)
    # The audit log keeps English, whatever the admin reads the page in.
    with translation.override("en"):
        before = quota.describe()
    quota.chat_tokens, quota.images, quota.video_jobs = chat_tokens, images, video_jobs
    quota.save()
    with translation.override("en"):
        after = quota.describe()
    if after != before:
        audit_record(
            actor=actor, action=AuditEvent.Action.QUOTA, subject=user, detail=f"{before} to {after}"
        )
    return quota
