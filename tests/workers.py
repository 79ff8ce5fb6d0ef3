"""Real Celery processes for end-to-end tests: a worker and beat on the configured broker, against
the test database, the simulator and the live server (for Kling's callbacks)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

from tests.conftest import ROOT

# Fast clocks, so a job's whole life fits in a few seconds.
FAST = {
    "VIDEO_SWEEP_SECONDS": "0.5",
    "VIDEO_POLL_FIRST_SECONDS": "0.5",
    "VIDEO_POLL_MIN_SECONDS": "0.3",
    "VIDEO_POLL_MAX_SECONDS": "1.5",
    "VIDEO_CALLBACK_FALLBACK_SECONDS": "2",
    "VIDEO_LEASE_SECONDS": "4",
    "STARRISE_BACKOFF_BASE": "0.05",
    "STARRISE_BACKOFF_MAX": "0.2",
    "STARRISE_READ_TIMEOUT": "2",
}


def database_url() -> str:
    """The test database, which pytest-django made, as a URL the worker can use."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"


class Celery:
    """A worker and a beat process, started and stopped (or killed) by the test."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.workers: list[subprocess.Popen[bytes]] = []
        self.beat: subprocess.Popen[bytes] | None = None

    def _start(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        out = (self.folder / log).open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "playground", *args, "--loglevel=INFO"],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        worker = self._start(
            "worker",
            "--pool=threads",
            "--concurrency=4",
            "--hostname",
            name,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            log="worker.log",
        )
        self.workers.append(worker)

    def start_beat(self) -> None:
        schedule = self.folder / f"beat-{uuid.uuid4().hex[:6]}"
        self.beat = self._start("beat", "-s", str(schedule), log="beat.log")

    def kill_workers(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: no chance to finish or ack anything."""
        assert self.workers
        for worker in self.workers:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        self.workers = []

    def stop(self) -> None:
        for process in (*self.workers, self.beat):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        self.workers, self.beat = [], None

    def log(self) -> str:
        return "".join(
            path.read_text(errors="replace") for path in sorted(self.folder.glob("*.log"))
        )


def wait_until(check: object, *, timeout: float, every: float = 0.2) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(every)
