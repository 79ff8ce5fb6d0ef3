from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from playground.accounts.models import User
from playground.notices.models import Notice, Preference

BADGE_MOST = 99  # the badge says "99+" beyond this
LIST_MOST = 100


@dataclass(frozen=True)
class Badge:
    unseen: int
    more: bool  # more unseen than `unseen`
    cursor: int  # the newest notice this tab has been told of
    new: list[Notice] = field(default_factory=list)  # to show as toasts
    browser_notifications: bool = False


def notice_badge(*, user: User, after: int | None) -> Badge:
    """My unseen notices for the header: one index-only query, three when some are new.

    `after` is the newest notice the asking tab already knows of; the ones after it are new to
    that tab and become toasts. Without it (the tab's first ask) none is new: the badge still
    counts them, but a page opened later does not toast what already happened.
    """
    unseen = Notice.objects.filter(user=user, seen_at__isnull=True).order_by("-id")
    # Ids only: an index-only scan of the partial index, however many notices pile up.
    ids = list(unseen.values_list("id", flat=True)[: BADGE_MOST + 1])
    count, more = min(len(ids), BADGE_MOST), len(ids) > BADGE_MOST
    newest = ids[0] if ids else 0
    if after is None or newest <= after:
        return Badge(unseen=count, more=more, cursor=max(newest, after or 0))
    new = list(unseen.filter(id__gt=after).reverse()[:BADGE_MOST])
    browser = Preference.objects.filter(user=user, browser_notifications=True).exists()
    return Badge(unseen=count, more=more, cursor=newest, new=new, browser_notifications=browser)


def notice_list(*, user: User) -> QuerySet[Notice]:
    """My most recent notices, newest first."""
    return Notice.objects.filter(user=user).order_by("-id")[:LIST_MOST]


def notice_get(*, user: User, notice_id: int) -> Notice | None:
    return Notice.objects.filter(user=user, id=notice_id).first()


def preference_get(*, user: User) -> Preference:
    """My preference, or the default (everything off) unsaved."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)
