"""Helpers for talking to the simulator the way the playground does: over HTTP with a key."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import Simulator


class Api:
    """A keep-alive session that sends the simulator's key, like the gateway client."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {sim.key}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.get(f"{self.sim.url}{path}", **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.post(f"{self.sim.url}{path}", json=json, **kwargs)

    def poll(
        self, path: str, done: Callable[[dict[str, Any]], bool], timeout: float = 10
    ) -> list[dict[str, Any]]:
        """GETs `path` until `done(body)`; returns every body seen, oldest first."""
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            response = self.get(path)
            assert response.status_code == 200, response.text
            seen.append(response.json())
            if done(seen[-1]):
                return seen
            assert time.monotonic() < deadline, f"still not done: {seen[-1]}"
            time.sleep(0.05)


@pytest.fixture
def api(sim: Simulator) -> Iterator[Api]:
    client = Api(sim)
    yield client
    client.session.close()


SEEDANCE_BODY = {
    "model": "doubao-seedance-1-0-pro-250528",
    "content": [{"type": "text", "text": "A cat playing piano"}],
    "ratio": "16:9",
    "resolution": "720p",
    "duration": 2,
}
KLING_BODY = {"model_name": "kling-v1-6", "prompt": "A dog surfing", "duration": "5"}


def simulator_status(sim: Simulator) -> dict[str, int]:
    """Numbers from /proc/<pid>/status of the simulator process (Threads, VmRSS/VmHWM in kB)."""
    port = sim.url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except OSError:
            continue
        if b"playground.simulator" in argv and port.encode() in argv:
            numbers = {}
            for line in status.splitlines():
                name, _, value = line.partition(":")
                if name in ("Threads", "VmRSS", "VmHWM"):
                    numbers[name] = int(value.split()[0])
            return numbers
    raise LookupError(f"no simulator process listening on port {port}")
