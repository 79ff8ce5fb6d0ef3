"""The worker that `make run` and docker compose start boots on the configured broker."""

import os
import subprocess
import sys
import time
import uuid
from typing import Any

from django.conf import settings

from playground.celery import app
from tests.conftest import ROOT


def test_a_worker_starts_on_the_configured_broker_and_answers_a_ping() -> None:
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "playground",
            "worker",
            "--pool=solo",
            "--hostname",
            name,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        replies: list[dict[str, Any]] | None = []
        while not replies and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker exited"
            replies = app.control.ping(destination=[name], timeout=1)
        assert replies == [{name: {"ok": "pong"}}]
        expected = "redis" if settings.REDIS_URL else "filesystem"
        assert app.connection_for_write().transport_cls == expected
    finally:
        worker.terminate()
        worker.wait(timeout=30)
