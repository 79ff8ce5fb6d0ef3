"""Video jobs from the form to the archived MP4.

Each step is a compare-and-set UPDATE on the job's state, so a step runs once however many
messages wake the job: two workers never submit the same job, and a cancelled job is not
brought back by a poll that was already under way. Steps never sleep: they set `next_check_at`
and return, and the sweeper wakes the job when that time comes (see `video_job_sweep`).
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from playground.accounts.models import User
from playground.gateway.client import GatewayClient
from playground.gateway.errors import (
    GatewayConnectionError,
    GatewayError,
    GatewayMediaExpiredError,
    GatewayOutcomeUnknownError,
    GatewayRateLimitError,
    GatewayTimeoutError,
    TaskNotFoundError,
)
from playground.gateway.video import (
    KlingAction,
    KlingRequest,
    TaskState,
    VideoTask,
    callback_looks_final,
)
from playground.history.services import item_record
from playground.inspector.services import exchange_recording
from playground.notices.models import Notice
from playground.notices.services import notice_raise
from playground.teamkey.selectors import team_key_source
from playground.usage.models import Kind
from playground.usage.services import quota_check
from playground.videos import schedule
from playground.videos.build import Params, video_request
from playground.videos.models import VideoJob
from playground.videos.queue import DOWNLOAD, POLL, SUBMIT, job_wake, jobs_wake
from playground.videos.selectors import expected_duration

logger = logging.getLogger(__name__)
State = VideoJob.State
IN_FLIGHT = (State.SUBMITTING, State.RUNNING)  # what the gateway counts against the account
TEAM_CAP_LOCK = 0x5649444F  # the advisory lock id of the team cap ("VIDO")
NOTICE_OUTCOMES = {
    State.SUCCEEDED: Notice.Outcome.SUCCEEDED,
    State.FAILED: Notice.Outcome.FAILED,
    State.UNKNOWN: Notice.Outcome.UNKNOWN,
    # Not CANCELLED: the owner pressed Cancel, so there is nothing to tell them.
}


def _now() -> datetime:
    return timezone.now()


def _later(seconds: float) -> datetime:
    return _now() + timedelta(seconds=seconds)


def _deadline(action: str) -> datetime:
    seconds = (
        settings.VIDEO_DEADLINE_SEEDANCE_SECONDS
        if action == VideoJob.Action.SEEDANCE
        else settings.VIDEO_DEADLINE_KLING_SECONDS
    )
    return _later(seconds)


def _callback_url(job: VideoJob) -> str | None:
    if not (settings.VIDEO_CALLBACKS and job.is_kling):
        return None
    path = reverse("videos:callback", args=[job.callback_token])
    return f"{settings.PUBLIC_URL}{path}"


def _request(job: VideoJob) -> Any:
    return video_request(
        action=job.action,
        params=job.params,
        callback_url=_callback_url(job),
        job_id=str(job.id) if job.is_kling else None,
    )


def _move(job: VideoJob, *, only_from: tuple[str, ...], **changes: Any) -> bool:
    """Compare-and-set: applies the changes only if the job is still in one of `only_from`."""
    updated = VideoJob.objects.filter(id=job.id, state__in=only_from).update(**changes)
    for name, value in changes.items():
        if not hasattr(value, "resolve_expression"):
            setattr(job, name, value)
    if updated and "state" in changes:
        item_record(kind="video", source_id=job.id)
        if job.is_final:
            video_job_notice_raise(job=job)
    return updated == 1


def video_job_notice_raise(*, job: VideoJob) -> Notice | None:
    """Called when a job has just been moved to a final state."""
    outcome = NOTICE_OUTCOMES.get(State(job.state))
    if outcome is None:
        return None
    return notice_raise(
        user_id=job.user_id,
        kind=Notice.Kind.VIDEO,
        source_id=job.id,
        title=job.prompt,
        outcome=outcome,
    )


def _fail(
    job: VideoJob,
    reason: str,
    *,
    only_from: tuple[str, ...],
    state: str = State.FAILED,
    **changes: Any,
) -> bool:
    now = _now()
    return _move(
        job,
        only_from=only_from,
        state=state,
        fail_reason=reason,
        notice="",
        next_check_at=None,
        lease_until=None,
        ended_at=job.ended_at or now,
        finished_at=now,
        **changes,
    )


# Added to the update that records a poll's outcome, rather than an UPDATE of its own.
ONE_MORE_CALL: dict[str, Any] = {"gateway_calls": F("gateway_calls") + 1}


def _count_call(job: VideoJob) -> None:
    VideoJob.objects.filter(id=job.id).update(gateway_calls=F("gateway_calls") + 1)


# -- Create, cancel, callback ------------------------------------------------------------------


def video_job_create(
    *, user: User, action: str, params: Params, job_id: uuid.UUID | None = None
) -> VideoJob:
    """Saves the job queued and wakes a worker once the row is committed.

    `job_id` comes from the form, so a POST the browser sends again after a dropped connection
    finds the job it already made instead of making (and paying for) a second one.
    """
    job_id = job_id or uuid.uuid4()
    with transaction.atomic():
        existing = VideoJob.objects.filter(id=job_id).first()
        if existing is not None:
            return existing
        # After the lookup: a POST resent after a dropped connection finds its own.
        quota_check(user=user, kind=Kind.VIDEO_JOBS)
        job = VideoJob(
            id=job_id,
            user=user,
            action=action,
            model=params.get("model") or params.get("model_name") or "",
            prompt=params.get("prompt", ""),
            params=params,
            deadline_at=_deadline(action),
            next_check_at=_later(settings.VIDEO_LEASE_SECONDS),
        )
        job.request_body = _request(job).to_json(record=True)
        job.save(force_insert=True)
        item_record(kind="video", source_id=job.id)
        transaction.on_commit(lambda: job_wake(job.id, priority=SUBMIT))
    return job


def video_job_cancel(*, job: VideoJob) -> bool:
    """Stops watching a job: the gateway has no cancel, so a job sent may still finish upstream.
    A queued job was never accepted upstream (a turned-away send is requeued), and says so."""
    if _fail(
        job,
        gettext_noop("Cancelled in the playground before it was sent: nothing was billed."),
        only_from=(State.QUEUED,),
        state=State.CANCELLED,
    ):
        return True
    return _fail(
        job,
        gettext_noop(
            "Cancelled in the playground. The gateway has no cancel: if the job had started, it "
            "may still finish (and be billed) upstream."
        ),
        only_from=(State.SUBMITTING, State.RUNNING),
        state=State.CANCELLED,
    )


def video_job_callback(*, token: str, body: bytes) -> bool:
    """A Kling callback on this job's secret URL. Its body is never trusted: it only decides
    whether to poll now (the job looks finished) or leave the job to its schedule; the state
    always comes from our own poll of the gateway. False if no job has this URL."""
    job = VideoJob.objects.filter(callback_token=token).only("id", "state").first()
    if job is None:
        return False
    if job.state == State.RUNNING and callback_looks_final(body):
        VideoJob.objects.filter(id=job.id, state=State.RUNNING).update(next_check_at=_now())
        job_wake(job.id)
    return True


# -- The worker's steps ------------------------------------------------------------------------


def video_job_advance(*, job_id: uuid.UUID | str, due: float | None = None) -> None:
    """Takes the job's next step, whatever woke it."""
    job = VideoJob.objects.filter(id=job_id).first()
    if job is None or job.is_final:
        return
    if due is not None and job.state == State.RUNNING:
        lag_ms = (time.time() - due) * 1000
        logger.info("video job %s: poll ran %d ms after its due time", job.id, lag_ms)
    if job.state == State.QUEUED:
        with exchange_recording(kind="video", source_id=job.id):
            _submit(job)
    elif job.state == State.RUNNING:
        with exchange_recording(kind="video", source_id=job.id):
            _poll(job)
    elif job.state == State.ARCHIVING:
        _archive(job)


def _claim_for_submit(job: VideoJob) -> bool:
    return _move(
        job,
        only_from=(State.QUEUED,),
        state=State.SUBMITTING,
        lease_until=_later(settings.STARRISE_READ_TIMEOUT + settings.VIDEO_LEASE_SECONDS),
        next_check_at=None,
        submit_attempts=F("submit_attempts") + 1,
    )


def _claim_within_team_cap(job: VideoJob) -> bool:
    """Claims the job only if the team is under its cap of jobs in flight at the gateway and
    the job is among the oldest waiting: jobs start in order as slots free.

    The count and the claim happen under one lock, so the cap holds with many workers: an
    advisory lock on Postgres; SQLite's IMMEDIATE transactions already run one at a time.
    """
    cap = settings.VIDEO_TEAM_MAX_IN_FLIGHT
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TEAM_CAP_LOCK])
        in_flight = VideoJob.objects.filter(state__in=IN_FLIGHT).count()
        free = cap - in_flight
        first = VideoJob.objects.filter(state=State.QUEUED).order_by("created_at", "id")
        if free > 0 and job.id in set(first.values_list("id", flat=True)[:free]):
            return _claim_for_submit(job)
    VideoJob.objects.filter(id=job.id, state=State.QUEUED).update(
        next_check_at=_later(settings.VIDEO_POLL_MIN_SECONDS),
        notice=gettext_noop(
            "Waiting for a free slot: the team runs at most %(cap)s video jobs at once."
        )
        % {"cap": cap},
    )
    return False


def _submit(job: VideoJob) -> None:
    if settings.VIDEO_TEAM_MAX_IN_FLIGHT:
        claimed = _claim_within_team_cap(job)
    else:
        claimed = _claim_for_submit(job)
    if not claimed:
        return
    now = _now()
    job.refresh_from_db(fields=["submit_attempts"])
    try:
        request = _request(job)
    except ValidationError as error:
        _fail(job, " ".join(error.messages), only_from=(State.SUBMITTING,))
        return
    client = GatewayClient(key=team_key_source())
    _count_call(job)
    try:
        # One attempt: a 429, a 503 or a refused connection puts the job back in the queue with
        # its due time (`_requeue`), rather than holding a worker thread asleep in the
        # transport's backoff, and each POST sent is one counted call.
        if isinstance(request, KlingRequest):
            task = client.kling_create(request, retries=0)
        else:
            task = client.seedance_create(request, retries=0)
    except (GatewayOutcomeUnknownError, GatewayTimeoutError) as error:
        _fail(job, error.message, only_from=(State.SUBMITTING,), state=State.UNKNOWN)
    except GatewayRateLimitError as error:
        # 429 and Kling's 1303 (too many jobs at once): nothing was started; wait and resend,
        # until the deadline.
        _requeue(job, error, counted=False)
    except GatewayConnectionError as error:
        _requeue(job, error, counted=True)
    except GatewayError as error:
        if error.status == 503:
            _requeue(job, error, counted=True)
        else:
            _fail(job, error.message, only_from=(State.SUBMITTING,))
    except OSError:
        # The body is built, images read from storage, before anything is sent.
        _fail(
            job,
            gettext_noop(
                "An image of this job could not be read from the playground's storage, so "
                "nothing was sent. Choose the image again and rerun the job."
            ),
            only_from=(State.SUBMITTING,),
        )
    else:
        _submitted(job, task, now)


def _requeue(job: VideoJob, error: GatewayError, *, counted: bool) -> None:
    if counted and job.submit_attempts >= settings.VIDEO_MAX_SUBMIT_ATTEMPTS:
        _fail(
            job,
            gettext_noop("The job could not be sent after %(tries)s tries. %(error)s")
            % {"tries": job.submit_attempts, "error": error.message},
            only_from=(State.SUBMITTING,),
        )
        return
    delay = schedule.retry_delay(job.submit_attempts, retry_after=error.retry_after)
    _move(
        job,
        only_from=(State.SUBMITTING,),
        state=State.QUEUED,
        lease_until=None,
        next_check_at=_later(delay),
        notice=gettext_noop("Waiting to send the job again in %(delay)s s: %(error)s")
        % {"delay": f"{delay:.0f}", "error": error.message},
    )


def _submitted(job: VideoJob, task: VideoTask, started: datetime) -> None:
    delay = schedule.poll_delay(
        elapsed=0,
        progress=task.progress,
        expected=expected_duration(model=job.model),
        polls=0,
        callbacks=_callback_url(job) is not None,
    )
    moved = _move(
        job,
        only_from=(State.SUBMITTING,),
        state=State.RUNNING,
        upstream_task_id=task.task_id,
        upstream_status=task.upstream_status,
        progress=task.progress,
        notice="",
        submitted_at=started,
        lease_until=None,
        next_check_at=_later(delay),
    )
    if not moved:
        # Cancelled while it was being sent: keep the upstream id on the record all the same.
        VideoJob.objects.filter(id=job.id).update(upstream_task_id=task.task_id)


def _poll(job: VideoJob) -> None:
    client = GatewayClient(key=team_key_source())
    try:
        # One attempt, as for the submit: a failed poll is tried again at a due time of its
        # own (`_poll_failed`), so no worker thread sleeps through a backoff.
        if job.is_kling:
            task = client.kling_get(
                action=KlingAction(job.action), task_id=job.upstream_task_id, retries=0
            )
        else:
            task = client.seedance_get(task_id=job.upstream_task_id, retries=0)
    except TaskNotFoundError as error:
        _fail(job, error.message, only_from=(State.RUNNING,), **ONE_MORE_CALL)
        return
    except GatewayError as error:
        _poll_failed(job, error)
        return
    common: dict[str, Any] = {
        "upstream_status": task.upstream_status[:40],
        "progress": task.progress,
        "poll_count": F("poll_count") + 1,
        "poll_errors": 0,
        "notice": "",
        **ONE_MORE_CALL,
    }
    if task.state is TaskState.SUCCEEDED:
        moved = _move(
            job,
            only_from=(State.RUNNING,),
            state=State.ARCHIVING,
            video_url=task.video_url or "",
            ended_at=_now(),
            next_check_at=_now(),
            **common,
        )
        if moved:
            # Its own task, behind every poll waiting: a download must not hold up the
            # moment other jobs are seen to end.
            job_wake(job.id, priority=DOWNLOAD)
    elif task.state is TaskState.FAILED:
        _move(job, only_from=(State.RUNNING,), **common)
        _fail(
            job,
            task.fail_reason or gettext_noop("The provider gave no reason."),
            only_from=(State.RUNNING,),
        )
    else:
        elapsed = (_now() - (job.submitted_at or job.created_at)).total_seconds()
        has_progress = 0 < task.progress < 100  # then the history is not needed
        delay = schedule.poll_delay(
            elapsed=elapsed,
            progress=task.progress,
            expected=None if has_progress else expected_duration(model=job.model),
            polls=job.poll_count + 1,
            callbacks=_callback_url(job) is not None,
        )
        _move(job, only_from=(State.RUNNING,), next_check_at=_later(delay), **common)


def _poll_failed(job: VideoJob, error: GatewayError) -> None:
    # A 429 is being told to wait, not a failure: it waits as long as asked, up to the job's
    # deadline, without counting toward giving up.
    waiting = isinstance(error, GatewayRateLimitError)
    errors = job.poll_errors + (0 if waiting else 1)
    if errors >= settings.VIDEO_MAX_POLL_ERRORS:
        _fail(
            job,
            gettext_noop(
                "The playground could not get this job's status %(errors)s times in a row, so "
                "it stopped watching it. The last answer: %(error)s"
            )
            % {"errors": errors, "error": error.message},
            only_from=(State.RUNNING,),
            **ONE_MORE_CALL,
        )
        return
    delay = schedule.retry_delay(max(errors, 1), retry_after=error.retry_after)
    _move(
        job,
        only_from=(State.RUNNING,),
        poll_errors=errors,
        next_check_at=_later(delay),
        notice=gettext_noop("Checking again in %(delay)s s: %(error)s")
        % {"delay": f"{delay:.0f}", "error": error.message},
        **ONE_MORE_CALL,
    )


# -- Archiving ---------------------------------------------------------------------------------


def _archiving_now() -> int:
    return VideoJob.objects.filter(state=State.ARCHIVING, lease_until__gt=_now()).count()


def _archive(job: VideoJob) -> None:
    """Downloads the video into our storage (streamed, never whole in memory) with a poster.

    At most VIDEO_ARCHIVE_CONCURRENCY run at once (a soft cap, counted from the leases): when
    many jobs end together, their downloads wait their turn in the database rather than
    filling every worker thread while polls of other jobs come due. Each archive that ends
    hands its slot to the next job waiting, so the queue drains at full speed.
    """
    now = _now()
    if _archiving_now() >= settings.VIDEO_ARCHIVE_CONCURRENCY:
        # Due again at once: the sweeper hands it out when a slot frees.
        VideoJob.objects.filter(id=job.id, state=State.ARCHIVING).update(next_check_at=now)
        return
    claimed = (
        VideoJob.objects.filter(id=job.id, state=State.ARCHIVING)
        .exclude(lease_until__gt=now)
        .update(
            lease_until=_later(settings.VIDEO_LEASE_SECONDS * 5),
            archive_attempts=F("archive_attempts") + 1,
            next_check_at=_later(settings.VIDEO_LEASE_SECONDS * 5),
        )
    )
    if not claimed:
        return
    job.refresh_from_db()
    try:
        _download(job)
    finally:
        _wake_next_archive()


def _wake_next_archive() -> None:
    now = _now()
    with transaction.atomic():
        waiting = (
            VideoJob.objects.select_for_update(skip_locked=True)
            .filter(state=State.ARCHIVING, next_check_at__lte=now)
            .order_by("next_check_at")
            .values_list("id", flat=True)
            .first()
        )
        if waiting is None:
            return
        VideoJob.objects.filter(id=waiting).update(
            next_check_at=_later(settings.VIDEO_LEASE_SECONDS)
        )
    job_wake(waiting, priority=DOWNLOAD)


def _download(job: VideoJob) -> None:
    client = GatewayClient(key=team_key_source())
    with tempfile.TemporaryDirectory(prefix="video-") as folder:
        path = Path(folder) / "video.mp4"
        try:
            with path.open("w+b") as file:
                download = client.download(job.video_url, file, max_bytes=settings.VIDEO_MAX_BYTES)
                file.seek(4)
                if file.read(4) != b"ftyp":
                    _fail(
                        job,
                        gettext_noop("The gateway's video file is not an MP4, so it was not kept."),
                        only_from=(State.ARCHIVING,),
                    )
                    return
        except GatewayMediaExpiredError as error:
            _fail(
                job,
                gettext_noop(
                    "The video was made, but its link no longer worked when the playground went "
                    "to keep a copy. %(error)s"
                )
                % {"error": error.message},
                only_from=(State.ARCHIVING,),
            )
            return
        except GatewayError as error:
            _archive_failed(job, error)
            return
        poster = _poster(path)
        _store(job, path, poster, size=download.size, sha256=download.sha256)


def _store(job: VideoJob, path: Path, poster: Path | None, *, size: int, sha256: str) -> None:
    with path.open("rb") as file:
        job.video.save(f"{job.id}.mp4", File(file), save=False)
    if poster is not None:
        with poster.open("rb") as file:
            job.poster.save(f"{job.id}.jpg", File(file), save=False)
    moved = _move(
        job,
        only_from=(State.ARCHIVING,),
        state=State.SUCCEEDED,
        video=job.video.name,
        poster=job.poster.name or "",
        video_size=size,
        video_sha256=sha256,
        notice="",
        lease_until=None,
        next_check_at=None,
        finished_at=_now(),
    )
    if not moved:
        job.video.delete(save=False)
        if job.poster:
            job.poster.delete(save=False)


def _poster(video: Path) -> Path | None:
    """The first frame as a JPEG, for the player's poster; a video without one still plays."""
    poster = video.with_suffix(".jpg")
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(video)]
    command += ["-frames:v", "1", "-q:v", "4", str(poster)]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603
    except (subprocess.SubprocessError, OSError) as error:
        logger.warning("no poster for %s: %s", video.name, error)
        return None
    return poster if poster.exists() else None


def _archive_failed(job: VideoJob, error: GatewayError) -> None:
    if job.archive_attempts >= settings.VIDEO_MAX_ARCHIVE_ATTEMPTS:
        _fail(
            job,
            gettext_noop(
                "The video was made, but the playground could not download it after %(tries)s "
                "tries. The last error: %(error)s"
            )
            % {"tries": job.archive_attempts, "error": error.message},
            only_from=(State.ARCHIVING,),
        )
        return
    delay = schedule.retry_delay(job.archive_attempts, retry_after=error.retry_after)
    _move(
        job,
        only_from=(State.ARCHIVING,),
        lease_until=None,
        next_check_at=_later(delay),
        notice=gettext_noop("Downloading the video again in %(delay)s s: %(error)s")
        % {"delay": f"{delay:.0f}", "error": error.message},
    )


# -- The sweeper -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sweep:
    woken: int
    expired: int
    stuck: int


SWEEP_BATCH = 500
SWEEP_SPREAD = 16  # batches per sweep when many jobs are due, to keep the worker's threads busy
SWEEP_BATCH_MAX = 25


def video_job_sweep() -> Sweep:
    """Runs every second from beat: the only scheduler of polls, and the safety net.

    Due times live in the database rather than in delayed broker messages (countdown/ETA), so a
    lost message, a killed worker or a restarted Redis loses nothing: the job is still due and
    is woken on the next sweep. Claiming the due rows (pushing `next_check_at` a lease ahead)
    keeps a job from being woken twice while its message waits in the queue.
    """
    now = _now()
    expired = 0
    for job in VideoJob.objects.filter(state__in=VideoJob.ACTIVE, deadline_at__lt=now).exclude(
        state=State.ARCHIVING
    ):
        seconds = round((job.deadline_at - job.created_at).total_seconds())
        was_sent = job.state != State.QUEUED
        if seconds >= 120:
            reason = (
                gettext_noop(
                    "No result after %(count)s minutes, so the playground stopped waiting. The "
                    "job may still finish upstream."
                )
                if was_sent
                else gettext_noop(
                    "No result after %(count)s minutes, so the playground stopped waiting. It "
                    "was never sent."
                )
            ) % {"count": seconds // 60}
        else:
            reason = (
                gettext_noop(
                    "No result after %(count)s seconds, so the playground stopped waiting. The "
                    "job may still finish upstream."
                )
                if was_sent
                else gettext_noop(
                    "No result after %(count)s seconds, so the playground stopped waiting. It "
                    "was never sent."
                )
            ) % {"count": seconds}
        expired += _fail(job, reason, only_from=(job.state,))
    stuck = 0
    for job in VideoJob.objects.filter(state=State.SUBMITTING, lease_until__lt=now):
        stuck += _fail(
            job,
            gettext_noop(
                "The worker stopped while sending this job, so the playground does not know "
                "whether the gateway received it. It may have started upstream: check before "
                "running it again."
            ),
            only_from=(State.SUBMITTING,),
            state=State.UNKNOWN,
        )
    with transaction.atomic():
        due_jobs = VideoJob.objects.select_for_update(skip_locked=True).filter(
            next_check_at__lte=now
        )
        fields = ("id", "next_check_at", "state")
        due = list(
            due_jobs.filter(state__in=(State.QUEUED, State.RUNNING))
            .order_by("next_check_at")
            .values_list(*fields)[:SWEEP_BATCH]
        )
        free = settings.VIDEO_ARCHIVE_CONCURRENCY - _archiving_now()
        archives: list[uuid.UUID] = []
        if free > 0:
            waiting = due_jobs.filter(state=State.ARCHIVING).order_by("next_check_at")
            archives = list(waiting.values_list("id", flat=True)[:free])
        VideoJob.objects.filter(id__in=[job_id for job_id, _, _ in due] + archives).update(
            next_check_at=_later(settings.VIDEO_LEASE_SECONDS)
        )
    polls = [
        (job_id, at.timestamp() if at else None) for job_id, at, s in due if s == State.RUNNING
    ]
    # A submit has no moment it should run at (its due time is a retry's wait, or the safety
    # net of a job whose first wake was lost), so only a poll's wake carries a due time.
    submits: list[tuple[uuid.UUID, float | None]] = [
        (job_id, None) for job_id, _, s in due if s == State.QUEUED
    ]
    _wake_due(polls, priority=POLL)
    _wake_due(submits, priority=SUBMIT)
    for job_id in archives:
        job_wake(job_id, priority=DOWNLOAD)
    return Sweep(woken=len(due) + len(archives), expired=expired, stuck=stuck)


def _wake_due(woken: list[tuple[uuid.UUID, float | None]], *, priority: int) -> None:
    # One job a message while few are due, so they run side by side on the worker's threads;
    # batches when many are, so the worker spends itself on polls rather than on messages.
    size = max(1, min(SWEEP_BATCH_MAX, len(woken) // SWEEP_SPREAD))
    for start in range(0, len(woken), size):
        batch = woken[start : start + size]
        if len(batch) == 1:
            job_wake(batch[0][0], due=batch[0][1], priority=priority)
        else:
            jobs_wake(batch, priority=priority)


def video_jobs_advance(*, due: list[tuple[str, float | None]]) -> None:
    """Takes the next step of each job of a batch; one job's failure does not stop the rest."""
    for job_id, when in due:
        try:
            video_job_advance(job_id=job_id, due=when)
        except Exception:
            logger.exception("video job %s: its step failed; the sweeper will retry it", job_id)
