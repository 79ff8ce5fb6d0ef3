"""Where a video task is in its life, computed from the time since it was submitted.

The first 10% of the task's clock it is queued, then running with rising progress, then done.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from playground.simulator.state import Task

QUEUED_SHARE = 0.1


@dataclass(frozen=True)
class Moment:
    phase: str  # queued | running | done
    fraction: float  # of the clock elapsed, capped at 1
    percent: int
    failed: bool
    start_time: float  # 0 until running
    finish_time: float  # 0 until done
    updated_at: float  # when the phase last changed


def moment(task: Task, *, at: float | None = None, fail_now: bool = False) -> Moment:
    """The task's state at `at` (now by default); `fail_now` ends it as failed right away."""
    at = time.time() if at is None else at
    fraction = min(1.0, max(0.0, (at - task.submitted_at) / task.clock))
    started = task.submitted_at + task.clock * QUEUED_SHARE
    finished = task.submitted_at + task.clock
    if fail_now or fraction >= 1:
        finish = min(at, finished) if fail_now else finished
        failed = fail_now or task.fault == "task-failure"
        return Moment("done", 1.0, 100, failed, min(started, finish), finish, finish)
    if fraction < QUEUED_SHARE:
        return Moment("queued", fraction, 0, False, 0, 0, task.submitted_at)
    percent = 10 + int(89 * (fraction - QUEUED_SHARE) / (1 - QUEUED_SHARE))
    return Moment("running", fraction, percent, False, started, 0, started)
