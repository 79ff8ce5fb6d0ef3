"""Benchmark of chat streaming: time to first token through the playground against calling
the gateway directly, side by side in one run.

Not a test: it prints figures and asserts nothing. See bench/README.md.

    .venv/bin/python bench/chat_stream.py                      # 200 requests, 5 at a time
    .venv/bin/python bench/chat_stream.py --requests 400 --concurrency 10
    .venv/bin/python bench/chat_stream.py --base-url https://gateway --key sk-...

It starts its own simulator (unless --base-url and --key name a gateway), a fresh database
(a new Postgres database on DATABASE_URL's server, else SQLite in a temporary
PLAYGROUND_VAR_DIR) and the playground under gunicorn's gthread worker, as in production; it
logs in with a session, as a browser does. Each of the concurrent clients alternates: one
stream straight from the gateway, one through the playground (the message is saved first with
an htmx POST, then the answer is read from the playground's SSE endpoint). Time to first token
is from sending the streaming request to the first piece of text: for the gateway its first
`content` delta, for the playground its first `delta` event. The difference of the two
distributions is what the playground adds. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from video_jobs import (  # bench/ is on the path when this script runs
    PYTHON,
    answers,
    free_port,
    fresh_database,
    manage,
    note,
    percentile,
    running,
    wait_until,
)

MODEL = "gpt-4o-mini"
USERNAME = "bench"
STREAM_URL = re.compile(r'data-stream-url="([^"]+)"')


@dataclass(frozen=True)
class Options:
    requests: int
    concurrency: int
    base_url: str
    key: str
    workers: int
    threads: int
    keep_logs: bool


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="streams per side (200)")
    parser.add_argument("--concurrency", type=int, default=5, help="streams at once (5)")
    parser.add_argument("--base-url", default="", help="a gateway that speaks the API")
    parser.add_argument("--key", default="", help="its key")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3, as deployed)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn gthread threads (8)")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args(argv)
    if bool(args.base_url) != bool(args.key):
        parser.error("--base-url and --key go together")
    return Options(
        args.requests,
        args.concurrency,
        args.base_url,
        args.key,
        args.workers,
        args.threads,
        args.keep_logs,
    )


# -- the services -----------------------------------------------------------------------------


@contextlib.contextmanager
def gateway(options: Options, logs: Path) -> Iterator[tuple[str, str]]:
    if options.base_url:
        yield options.base_url.rstrip("/"), options.key
        return
    port, key = free_port(), f"sk-sim-bench-{secrets.token_hex(16)}"
    env = {**os.environ, "SIM_API_KEYS": key, "PYTHONUNBUFFERED": "1"}
    argv = [PYTHON, "-m", "playground.simulator", "--host", "127.0.0.1", "--port", str(port)]
    with running("simulator", argv, env, logs) as service:
        url = f"http://127.0.0.1:{port}"
        wait_until("the simulator", lambda: answers(f"{url}/_sim/health"), service)
        yield url, key


SETUP = """
from playground.accounts.models import User
from playground.teamkey.services import team_key_set
team_key_set(actor=None, plaintext={key!r})
User.objects.create_user(username={user!r}, password={password!r})
"""


@contextlib.contextmanager
def playground(
    options: Options, gateway_url: str, key: str, tmp: Path, logs: Path
) -> Iterator[tuple[str, str]]:
    """A fresh, migrated playground with the team key and a user, under gunicorn gthread.
    Yields its URL and the user's password."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(16)
    with contextlib.ExitStack() as stack:
        env = {
            **os.environ,
            "PLAYGROUND_MODE": "local",
            "DJANGO_DEBUG": "0",
            "PLAYGROUND_VAR_DIR": str(tmp / "var"),
            "DJANGO_SETTINGS_MODULE": "playground.settings",
            "STARRISE_BASE_URL": gateway_url,
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
        }
        env |= stack.enter_context(fresh_database())
        manage(env, logs, "migrate", "--no-input")
        code = SETUP.format(key=key, user=USERNAME, password=password)
        manage(env, logs, "shell", "-c", code)
        argv = [PYTHON, "-m", "gunicorn", "playground.wsgi", "--bind", f"127.0.0.1:{port}"]
        argv += ["--workers", str(options.workers), "--worker-class", "gthread"]
        argv += ["--threads", str(options.threads)]
        argv += ["--timeout", "120", "--log-level", "warning"]
        web = stack.enter_context(running("web", argv, env, logs))
        wait_until("gunicorn", lambda: answers(f"{url}/accounts/login/"), web)
        yield url, password


# -- one stream each way ----------------------------------------------------------------------


def first_line(response: http.client.HTTPResponse, wanted: str) -> float | None:
    """Reads the SSE body to its end; the time the first line starting with `wanted` came."""
    seen: float | None = None
    while line := response.readline():
        if seen is None and line.startswith(wanted.encode()):
            seen = time.perf_counter()
    return seen


def connect(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    return kind(parts.netloc, timeout=60)


def direct_ttft(gateway_url: str, key: str, prompt: str) -> float:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": 64,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    conn = connect(gateway_url)
    try:
        started = time.perf_counter()
        conn.request("POST", "/v1/chat/completions", json.dumps(body), headers)
        response = conn.getresponse()
        assert response.status == 200, response.read()[:300]
        # The first delta carries only the role; the first token is the first with content.
        seen: float | None = None
        while line := response.readline():
            if seen is None and b'"content": "' in line and b'"content": ""' not in line:
                seen = time.perf_counter()
        assert seen is not None, "no content arrived"
        return (seen - started) * 1000
    finally:
        conn.close()


class Session:
    """A logged-in browser session: cookies, the CSRF token."""

    def __init__(self, base: str, password: str) -> None:
        self.base = base
        web = requests.Session()
        web.get(f"{base}/accounts/login/", timeout=30)
        token = web.cookies["csrftoken"]
        answer = web.post(
            f"{base}/accounts/login/",
            data={"username": USERNAME, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=30,
            allow_redirects=False,
        )
        assert answer.status_code == 302, f"log-in failed: {answer.status_code}"
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in web.cookies)
        self.csrf = web.cookies["csrftoken"]

    def send(self, prompt: str) -> tuple[str, float]:
        """The htmx POST that saves the message; its stream URL and how long it took."""
        form = {
            "model": MODEL,
            "system_prompt": "",
            "temperature": "0.7",
            "top_p": "1",
            "max_tokens": "64",
            "message": prompt,
        }
        headers = {
            "Cookie": self.cookie,
            "X-CSRFToken": self.csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        conn = connect(self.base)
        try:
            started = time.perf_counter()
            conn.request("POST", "/chat/send/", urlencode(form), headers)
            response = conn.getresponse()
            page = response.read().decode()
            took = (time.perf_counter() - started) * 1000
        finally:
            conn.close()
        found = STREAM_URL.search(page)
        assert response.status == 200, f"send failed: {response.status}"
        assert found, "the answer to send had no stream URL"
        return found.group(1), took

    def ttft(self, stream_url: str) -> float:
        conn = connect(self.base)
        try:
            started = time.perf_counter()
            conn.request("GET", stream_url, headers={"Cookie": self.cookie})
            response = conn.getresponse()
            assert response.status == 200, response.read()[:300]
            seen = first_line(response, "event: delta")
            assert seen is not None, "no delta arrived"
            return (seen - started) * 1000
        finally:
            conn.close()


# -- the run ----------------------------------------------------------------------------------


def figures(values: list[float]) -> dict[str, float | None]:
    def at(share: float) -> float | None:
        value = percentile(values, share)
        return None if value is None else round(value, 2)

    return {"p50": at(0.5), "p95": at(0.95), "max": at(1.0), "n": len(values)}


def run(options: Options, gateway_url: str, key: str, base: str, password: str) -> dict[str, Any]:
    session = Session(base, password)
    lock = threading.Lock()
    direct: list[float] = []
    through: list[float] = []
    sends: list[float] = []

    def one(i: int) -> None:
        prompt = f"bench {i} {secrets.token_hex(4)}"
        # Alternate which goes first, so neither side always meets a warmer gateway.
        if i % 2:
            stream_url, send_ms = session.send(prompt)
            ttft = session.ttft(stream_url)
            plain = direct_ttft(gateway_url, key, prompt)
        else:
            plain = direct_ttft(gateway_url, key, prompt)
            stream_url, send_ms = session.send(prompt)
            ttft = session.ttft(stream_url)
        with lock:
            direct.append(plain)
            through.append(ttft)
            sends.append(send_ms)

    for i in range(options.concurrency):  # warm-up: connections, caches, first imports
        one(-1 - i)
    direct.clear()
    through.clear()
    sends.clear()
    started = time.monotonic()
    with ThreadPoolExecutor(options.concurrency) as pool:
        list(pool.map(one, range(options.requests)))
    elapsed = time.monotonic() - started
    d, p = figures(direct), figures(through)
    overhead = {
        "p50": round((p["p50"] or 0) - (d["p50"] or 0), 2),
        "p95": round((p["p95"] or 0) - (d["p95"] or 0), 2),
    }
    return {
        "requests": options.requests,
        "concurrency": options.concurrency,
        "seconds": round(elapsed, 1),
        "gateway": "simulator" if not options.base_url else options.base_url,
        "server": f"gunicorn gthread, {options.workers} workers x {options.threads} threads",
        "direct_ttft_ms": d,
        "playground_ttft_ms": p,
        "overhead_ms": overhead,
        "target_ms": {"p50": 10, "p95": 25},
        "met": overhead["p50"] <= 10 and overhead["p95"] <= 25,
        "send_ms": figures(sends),
    }


def main(argv: list[str] | None = None) -> None:
    options = parse_options(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    logs = tmp / "logs"
    logs.mkdir()
    try:
        with (
            gateway(options, logs) as (gateway_url, key),
            playground(options, gateway_url, key, tmp, logs) as (base, password),
        ):
            note(f"{options.requests} streams each way, {options.concurrency} at once")
            result = run(options, gateway_url, key, base, password)
    finally:
        if options.keep_logs:
            note(f"logs kept in {logs}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    d, p, o = result["direct_ttft_ms"], result["playground_ttft_ms"], result["overhead_ms"]
    print(f"{'time to first token (ms)':<28}{'p50':>8}{'p95':>8}{'max':>8}")
    print(f"{'gateway directly':<28}{d['p50']:>8}{d['p95']:>8}{d['max']:>8}")
    print(f"{'through the playground':<28}{p['p50']:>8}{p['p95']:>8}{p['max']:>8}")
    print(f"{'overhead':<28}{o['p50']:>8}{o['p95']:>8}")
    print(f"(saving the message first, the htmx POST: p50 {result['send_ms']['p50']} ms)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
