"""Daily limits: admins set them; the create services ask `quota_check` before sending."""

from __future__ import annotations

import math
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

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
    parts = ([f"{hours} h"] if hours else []) + ([f"{minutes} min"] if minutes else [])
    at = timezone.localtime(reset).strftime("%H:%M")
    return f"resets at {at} {timezone.get_current_timezone_name()}, in {' '.join(parts)}"


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
        said = f"Your daily limit of {kind.label} is 0"
    else:
        said = f"You have used {used:,} of your daily limit of {kind.amount(limit)}"
    raise QuotaExceeded(
        f"{said}, so nothing was sent. The limit {reset_wording(now=now)}; "
        "an admin can raise it on the Usage page.",
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
    before = quota.describe()
    quota.chat_tokens, quota.images, quota.video_jobs = chat_tokens, images, video_jobs
    quota.save()
    after = quota.describe()
    if after != before:
        audit_record(
            actor=actor, action=AuditEvent.Action.QUOTA, subject=user, detail=f"{before} to {after}"
        )
    return quota
