"""When to look at a running video job next.

Polls aim at the moment the job should end, so that a job is looked at just around then: the
gateway's progress percent extrapolated from the time so far, else how long this model's recent
jobs took, else a short first look and a growing gap. Every delay stays between the min and max
interval from settings, so a wrong estimate costs a few extra calls, never a long wait.
"""

from __future__ import annotations

import random

from django.conf import settings


def poll_delay(
    *,
    elapsed: float,
    progress: int,
    expected: float | None,
    polls: int,
    callbacks: bool,
) -> float:
    """Seconds until the next poll of a job `elapsed` seconds after it was submitted."""
    low, high = settings.VIDEO_POLL_MIN_SECONDS, settings.VIDEO_POLL_MAX_SECONDS
    remaining: float | None = None
    if 0 < progress < 100 and elapsed > 0:
        remaining = elapsed * (100 - progress) / progress
    elif expected is not None:
        remaining = expected - elapsed
    if remaining is None:
        # Not started, no history: a job still queued after `elapsed` is unlikely to end within
        # twice that (video jobs queue for a small share of their time), so the gap grows fast.
        # The first look is spread out: jobs sent together would all come due in one second.
        first = settings.VIDEO_POLL_FIRST_SECONDS * random.uniform(0.75, 1.25)  # noqa: S311
        delay = first if polls == 0 else elapsed * 2
    elif remaining > 0:
        delay = remaining
    else:
        # Past its estimate: look again soon, then less often as it runs late.
        delay = elapsed * 0.1
    delay = min(max(delay, low), high)
    if callbacks:
        # The callback says when the job ends; polling is the fallback for a lost callback.
        delay = max(delay * 2, settings.VIDEO_CALLBACK_FALLBACK_SECONDS)
    return delay


def retry_delay(attempt: int, *, retry_after: float | None = None) -> float:
    """Backoff for a failed gateway call, honouring the gateway's Retry-After when it sent one."""
    if retry_after is not None:
        return max(retry_after, settings.VIDEO_POLL_MIN_SECONDS)
    ceiling = min(settings.VIDEO_POLL_MAX_SECONDS, settings.VIDEO_POLL_MIN_SECONDS * 2**attempt)
    return float(ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 - jitter, not crypto
