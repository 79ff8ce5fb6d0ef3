"""The Django side of bench/video_jobs.py: one long-lived process that answers JSON commands.

Run by the bench with the bench's environment (its database, broker and gateway); reads one
JSON command per line on stdin and writes one JSON answer per line on stdout:

- `{"cmd": "setup", "key": K}`: sets the team key, creates the bench user.
- `{"cmd": "submit", "jobs": [{"action", "params"}]}`: `video_job_create` for each.
- `{"cmd": "states"}`: `{"counts": {state: n}}`.
- `{"cmd": "jobs"}`: every job's figures, times as Unix seconds.
- `{"cmd": "quit"}`.

One process, so the bench's polling every second costs a query, not a Django start.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from datetime import datetime
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
django.setup()

from django.db import close_old_connections  # noqa: E402
from django.db.models import Count  # noqa: E402

from playground.accounts.models import User  # noqa: E402
from playground.teamkey.services import team_key_set  # noqa: E402
from playground.videos import services  # noqa: E402
from playground.videos.models import VideoJob  # noqa: E402

USERNAME = "bench"


def setup(key: str) -> dict[str, Any]:
    team_key_set(actor=None, plaintext=key)
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"email": "bench@example.com"})
    return {"user_id": user.pk}


def submit(jobs: list[dict[str, Any]]) -> dict[str, Any]:
    """Creates the jobs through the service the form uses."""
    user = User.objects.get(username=USERNAME)
    started = time.time()
    ids = [
        str(services.video_job_create(user=user, action=job["action"], params=job["params"]).id)
        for job in jobs
    ]
    return {"ids": ids, "seconds": time.time() - started}


def states() -> dict[str, Any]:
    rows = VideoJob.objects.values("state").annotate(n=Count("id"))
    return {"counts": {row["state"]: row["n"] for row in rows}}


def _unix(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def jobs() -> dict[str, Any]:
    return {
        "jobs": [
            {
                "id": str(job.id),
                "action": job.action,
                "state": job.state,
                "upstream_task_id": job.upstream_task_id,
                "gateway_calls": job.gateway_calls,
                "created_at": _unix(job.created_at),
                "submitted_at": _unix(job.submitted_at),
                "ended_at": _unix(job.ended_at),
                "finished_at": _unix(job.finished_at),
                "video_size": job.video_size,
                "fail_reason": job.fail_reason[:300],
            }
            for job in VideoJob.objects.order_by("created_at")
        ]
    }


def answer(command: dict[str, Any]) -> dict[str, Any]:
    name = command.get("cmd")
    if name == "setup":
        return setup(command["key"])
    if name == "submit":
        return submit(command["jobs"])
    if name == "states":
        return states()
    if name == "jobs":
        return jobs()
    raise ValueError(f"unknown command {name!r}")


def main() -> None:
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("cmd") == "quit":
            break
        close_old_connections()
        try:
            reply = answer(command)
        except Exception as error:
            traceback.print_exc()
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
