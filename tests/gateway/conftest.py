"""Shared by the gateway tests: a client on the simulator, its request log, a local stub."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from PIL import Image

from playground.gateway.client import GatewayClient
from playground.gateway.video import VideoTask
from tests.conftest import SIM_TIMEOUT_SECONDS, Simulator


class PlainKey:
    def __init__(self, value: str) -> None:
        self.value = value

    def reveal(self) -> str:
        return self.value


@pytest.fixture
def gateway(sim: Simulator) -> GatewayClient:
    return GatewayClient(key=PlainKey(sim.key), base_url=sim.url)


def sent(sim: Simulator, route: str) -> list[dict[str, Any]]:
    """The simulator's log of the requests it received on `route`, oldest first. It logs a
    request just after answering it, so this waits a moment for the last one."""
    time.sleep(0.1)
    log = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
    return [entry for entry in log if entry["route"] == route]


def sent_after_stalls(sim: Simulator, route: str) -> list[dict[str, Any]]:
    """The simulator logs a stalled request when its stall ends, after the client gave up."""
    time.sleep(SIM_TIMEOUT_SECONDS + 0.3)
    return sent(sim, route)


def wait_until_final(poll: Callable[[], VideoTask]) -> VideoTask:
    deadline = time.monotonic() + 15
    seen: list[int] = []
    while time.monotonic() < deadline:
        task = poll()
        seen.append(task.progress)
        if task.state.is_final:
            assert seen == sorted(seen), f"progress went backwards: {seen}"
            return task
        time.sleep(0.1)
    raise AssertionError("the task never finished")


def png(width: int = 400, height: int = 400) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    # A Content-Length other than the body's, to cut the body short; -1 sends none (the body
    # then ends when the connection closes).
    length: int | None = None


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    at: float


class Stub:
    """A tiny local HTTP server for what the simulator cannot do (a 503 with Retry-After, or
    showing the headers it received). Answers from `answers` in order, the last one repeating."""

    def __init__(self) -> None:
        self.answers: list[Answer] = [Answer()]
        self.received: list[Received] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                stub.received.append(
                    Received(self.command, self.path, dict(self.headers.items()), time.time())
                )
                answer = stub.answers[min(len(stub.received), len(stub.answers)) - 1]
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                length = len(answer.body) if answer.length is None else answer.length
                if length >= 0:
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = handle_one  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, *answers: Answer) -> None:
        self.answers = list(answers)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def json_answer(status: int, body: Any, **headers: str) -> Answer:
    return Answer(
        status, json.dumps(body).encode(), {"Content-Type": "application/json", **headers}
    )


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub()
    yield server
    server.close()
