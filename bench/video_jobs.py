"""Benchmark of video jobs end to end: gateway simulator, web server, one worker and beat.

Not a test: it prints figures and asserts nothing about timing. See bench/README.md.

    .venv/bin/python bench/video_jobs.py --jobs 50 --seconds 20 --provider mixed
    .venv/bin/python bench/video_jobs.py --archive-mb 500

Everything it starts (simulator, database, broker db, runserver, worker, beat) is its own and
is stopped or dropped at the end; logs go to a temporary directory that is kept when asked
(`--keep-logs`) and otherwise removed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(sys.executable).parent / "celery")
AGENT = Path(__file__).resolve().parent / "video_jobs_agent.py"
FINAL = ("succeeded", "failed", "unknown", "cancelled")
MIB = 1024 * 1024
PAD_LIMIT = 2 * 1024**3
CALLS_FLOOR = 2  # one submit and one poll that sees the end
POLL_LAG = re.compile(r"video job \S+: poll ran (-?\d+) ms after its due time")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


# -- options ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    jobs: int
    seconds: float
    callbacks: bool
    provider: str
    base_url: str | None
    key: str | None
    limit: float
    archive_mb: int | None
    keep_logs: bool


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python bench/video_jobs.py",
        description="Runs N video jobs through a fresh playground and prints figures.",
    )
    parser.add_argument("--jobs", type=int, default=20, help="jobs to submit (default 20)")
    parser.add_argument(
        "--seconds", type=float, default=20, help="simulator clock of each task (default 20)"
    )
    parser.add_argument(
        "--callbacks",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="let Kling tasks call the playground back (default on)",
    )
    parser.add_argument("--provider", choices=("kling", "seedance", "mixed"), default="mixed")
    parser.add_argument("--base-url", help="use this gateway instead of starting the simulator")
    parser.add_argument("--key", help="the gateway key, with --base-url")
    parser.add_argument(
        "--limit", type=float, help="give up waiting after this many seconds (default 4S + 120)"
    )
    parser.add_argument(
        "--archive-mb",
        type=int,
        help="instead: one Kling job whose video is padded to M MiB; prints the worker's RSS",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary logs")
    args = parser.parse_args(argv)
    if (args.base_url is None) != (args.key is None):
        parser.error("--base-url and --key go together")
    if args.jobs < 1 or args.seconds <= 0:
        parser.error("--jobs must be >= 1 and --seconds > 0")
    if args.archive_mb is not None:
        if args.base_url:
            parser.error("--archive-mb needs the simulator (it pads the video): drop --base-url")
        if not 1 <= args.archive_mb * MIB <= PAD_LIMIT:
            parser.error("--archive-mb must be 1..2048")
    limit = args.limit if args.limit is not None else 4 * args.seconds + 120
    return Options(
        jobs=args.jobs,
        seconds=args.seconds,
        callbacks=args.callbacks,
        provider=args.provider,
        base_url=args.base_url.rstrip("/") if args.base_url else None,
        key=args.key,
        limit=limit,
        archive_mb=args.archive_mb,
        keep_logs=args.keep_logs,
    )


# -- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def note(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass
class Service:
    name: str
    process: subprocess.Popen[Any]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def spawn(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Service:
    """Starts a process in its own process group, output to `<logs>/<name>.log`."""
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Service(name, process, log)


def stop(service: Service) -> None:
    """SIGTERM to the whole group, SIGKILL if it is still there after a bounded wait."""
    process = service.process
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
    if process.poll() is None:
        note(f"{service.name} (pid {process.pid}) did not stop")


@contextlib.contextmanager
def running(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Iterator[Service]:
    service = spawn(name, argv, env, logs)
    try:
        yield service
    finally:
        stop(service)


def wait_until(what: str, ready: Any, service: Service, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if service.process.poll() is not None:
            raise RuntimeError(f"{what} exited; its log:\n{service.text()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout:.0f} s; see {service.log}")
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
    except requests.RequestException:
        return False
    return True


# -- the gateway ------------------------------------------------------------------------------


@dataclass
class Gateway:
    url: str
    key: str
    simulated: bool

    def sim(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.url}{path}", json=body, timeout=60)
        response.raise_for_status()
        return response.json()


@contextlib.contextmanager
def gateway(options: Options, tmp: Path, logs: Path) -> Iterator[Gateway]:
    if options.base_url and options.key:
        note(f"using the gateway at {options.base_url}; /_sim/* figures are skipped")
        yield Gateway(options.base_url, options.key, simulated=False)
        return
    port, key = free_port(), f"sk-sim-bench-{secrets.token_hex(16)}"
    env = {
        **os.environ,
        "SIM_API_KEYS": key,
        "SIM_VIDEO_SECONDS": str(options.seconds),
        "SIM_MEDIA_DIR": str(tmp / "sim-media"),
        # One clip for every job: the simulator's ffmpeg must not eat the CPU being measured.
        "SIM_VIDEO_SHARED_RENDER": "true",
        "PYTHONUNBUFFERED": "1",
    }
    argv = [PYTHON, "-m", "playground.simulator", "--host", "127.0.0.1", "--port", str(port)]
    with running("simulator", argv, env, logs) as service:
        url = f"http://127.0.0.1:{port}"
        wait_until("the simulator", lambda: answers(f"{url}/_sim/health"), service)
        yield Gateway(url, key, simulated=True)


# -- a fresh database and broker --------------------------------------------------------------


@contextlib.contextmanager
def fresh_database() -> Iterator[dict[str, str]]:
    """A new Postgres database on DATABASE_URL's server, dropped at the end; else SQLite in the
    temporary var dir (nothing to set)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield {}
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"bench_{secrets.token_hex(6)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    note(f"database {name} on {parts.hostname}")
    try:
        yield {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(drop.format(sql.Identifier(name)))


@contextlib.contextmanager
def fresh_broker() -> Iterator[dict[str, str]]:
    """An empty Redis db (1..15) on REDIS_URL's server, flushed at the end; else the filesystem
    broker under the temporary var dir."""
    url = os.environ.get("REDIS_URL")
    if not url:
        yield {"REDIS_URL": ""}
        return
    import redis

    parts = urlsplit(url)
    token = secrets.token_hex(8)
    for db in random.sample(range(1, 16), 15):
        candidate = urlunsplit(parts._replace(path=f"/{db}"))
        client = redis.Redis.from_url(candidate)
        # Claim it first, so two benches never pick the same empty db.
        if client.set("bench:claim", token, nx=True, ex=24 * 3600) and client.dbsize() == 1:
            break
        if client.get("bench:claim") == token.encode():
            client.delete("bench:claim")
        client.close()
    else:
        raise RuntimeError("no empty Redis db among 1..15 on REDIS_URL's server")
    note(f"broker {candidate}")
    try:
        yield {"REDIS_URL": candidate}
    finally:
        client.flushdb()
        client.close()


# -- the playground ---------------------------------------------------------------------------


class Agent:
    """The Django helper process (bench/video_jobs_agent.py): one JSON line in, one out."""

    def __init__(self, service: Service, stdin: IO[str], stdout: IO[str]) -> None:
        self.service, self._stdin, self._stdout = service, stdin, stdout

    def ask(self, cmd: str, **fields: Any) -> dict[str, Any]:
        self._stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
        self._stdin.flush()
        line = self._stdout.readline()
        if not line:
            raise RuntimeError(f"the agent exited; its log:\n{self.service.text()[-3000:]}")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"agent: {reply['error']}; see {self.service.log}")
        return reply


@contextlib.contextmanager
def agent(env: dict[str, str], logs: Path) -> Iterator[Agent]:
    log = logs / "agent.log"
    with log.open("wb") as errors:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [PYTHON, str(AGENT)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            start_new_session=True,
        )
    service = Service("agent", process, log)
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        yield Agent(service, process.stdin, process.stdout)
    finally:
        with contextlib.suppress(OSError):
            process.stdin.write('{"cmd": "quit"}\n')
            process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT)
        stop(service)


def manage(env: dict[str, str], logs: Path, *args: str) -> None:
    log = logs / f"manage-{args[0]}.log"
    with log.open("wb") as out:
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=300,
            check=False,
        )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{log.read_text()[-3000:]}")


@dataclass
class Playground:
    web_url: str
    worker: Service
    agent: Agent


@contextlib.contextmanager
def playground(options: Options, gateway: Gateway, tmp: Path, logs: Path) -> Iterator[Playground]:
    """A fresh database and broker, migrated, with the team key and a user; runserver, one
    worker and beat. Everything is stopped (and the database dropped) on the way out."""
    web_port = free_port()
    web_url = f"http://127.0.0.1:{web_port}"
    with contextlib.ExitStack() as stack:
        env = {
            **os.environ,
            "PLAYGROUND_MODE": "local",
            "PLAYGROUND_DEBUG": "0",
            "PLAYGROUND_VAR_DIR": str(tmp / "var"),
            "DJANGO_SETTINGS_MODULE": "playground.settings",
            "STARRISE_BASE_URL": gateway.url,
            "PLAYGROUND_PUBLIC_URL": web_url if options.callbacks else "",
            "VIDEO_CALLBACKS": "1" if options.callbacks else "0",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "LOG_LEVEL": "INFO",
        }
        env |= stack.enter_context(fresh_database())
        env |= stack.enter_context(fresh_broker())
        manage(env, logs, "migrate", "--no-input")
        helper = stack.enter_context(agent(env, logs))
        helper.ask("setup", key=gateway.key)
        web = stack.enter_context(
            running(
                "web",
                [PYTHON, "manage.py", "runserver", f"127.0.0.1:{web_port}", "--noreload"],
                env,
                logs,
            )
        )
        worker_argv = [CELERY, "-A", "playground", "worker", "--pool=threads"]
        worker_argv += ["--concurrency=8", "--without-gossip", "--without-mingle"]
        worker_argv += ["--loglevel=INFO", "-n", f"bench-{secrets.token_hex(3)}@%h"]
        worker = stack.enter_context(running("worker", worker_argv, env, logs))
        beat_argv = [CELERY, "-A", "playground", "beat", "--loglevel=INFO"]
        beat_argv += ["-s", str(tmp / "beat-schedule")]
        stack.enter_context(running("beat", beat_argv, env, logs))
        wait_until("runserver", lambda: answers(f"{web_url}/"), web)
        wait_until("the worker", lambda: " ready." in worker.text(), worker)
        yield Playground(web_url, worker, helper)


# -- measuring --------------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (empty once it is gone)."""
    numbers: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                numbers[name] = int(value.split()[0])
    return numbers


@dataclass
class Sampler:
    """Samples a process's memory every `interval` seconds in a thread."""

    pid: int
    interval: float = 1.0
    samples: list[tuple[float, int, int]] = field(default_factory=list)  # (time, rss, hwm) kB
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Sampler:
        self.sample()
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        status = proc_status(self.pid)
        if status:
            self.samples.append((time.time(), status["VmRSS"], status["VmHWM"]))

    def peak_mb(self) -> float | None:
        return max((hwm for _, _, hwm in self.samples), default=0) / 1024 or None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def spread(values: list[float], digits: int = 2) -> dict[str, float | None]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, digits)

    mean = sum(values) / len(values) if values else None
    return {
        "mean": rounded(mean),
        "p50": rounded(percentile(values, 0.5)),
        "p95": rounded(percentile(values, 0.95)),
        "max": rounded(max(values, default=None) if values else None),
        "n": len(values),
    }


def job_specs(options: Options, run: str) -> list[dict[str, Any]]:
    """N jobs, each with a unique prompt (Seedance has no external id to spot a double)."""
    specs = []
    for n in range(options.jobs):
        kling = options.provider == "kling" or (options.provider == "mixed" and n % 2 == 0)
        prompt = f"bench {run} job {n}: a lighthouse at dusk"
        if kling:
            params = {"model_name": "kling-v1-6", "prompt": prompt, "duration": 5}
            specs.append({"action": "text2video", "params": params})
        else:
            params = {"model": "doubao-seedance-1-0-pro-250528", "prompt": prompt, "duration": 5}
            specs.append({"action": "seedance", "params": params})
    return specs


def wait_for_jobs(helper: Agent, total: int, limit: float) -> tuple[dict[str, int], float]:
    """Polls the states every second until all jobs are final or `limit` seconds pass."""
    started = time.monotonic()
    last_note = 0.0
    while True:
        counts: dict[str, int] = helper.ask("states")["counts"]
        final = sum(counts.get(state, 0) for state in FINAL)
        elapsed = time.monotonic() - started
        if final >= total or elapsed > limit:
            return counts, elapsed
        if elapsed - last_note >= 10:
            note(f"{elapsed:.0f} s: {dict(sorted(counts.items()))}")
            last_note = elapsed
        time.sleep(1)


def end_delays(jobs: list[dict[str, Any]], tasks: list[dict[str, Any]]) -> list[float]:
    """Seconds from a task's end upstream (finishes_at) to the job's ended_at."""
    by_id = {task["id"]: task for task in tasks}
    by_external = {task["external_task_id"]: task for task in tasks if task["external_task_id"]}
    delays = []
    for job in jobs:
        task = by_external.get(job["id"]) or by_id.get(job["upstream_task_id"])
        if task is not None and job["ended_at"] is not None:
            delays.append(job["ended_at"] - task["finishes_at"])
    return delays


def duplicate_creates(stats: dict[str, Any]) -> int:
    """Creates beyond the first per external id and per prompt (a job submitted twice)."""
    counters = (stats["creates_by_external_task_id"], stats["creates_by_prompt"])
    return sum(n - 1 for counter in counters for n in counter.values() if n > 1)


# -- the two runs -----------------------------------------------------------------------------


def run_jobs(options: Options, gateway: Gateway, place: Playground) -> dict[str, Any]:
    run = secrets.token_hex(4)
    specs = job_specs(options, run)
    with Sampler(place.worker.process.pid) as sampler:
        submitted = place.agent.ask("submit", jobs=specs)
        note(f"submitted {len(specs)} jobs in {submitted['seconds']:.2f} s")
        counts, elapsed = wait_for_jobs(place.agent, len(specs), options.limit)
    jobs = place.agent.ask("jobs")["jobs"]
    finished = [job for job in jobs if job["state"] in ("succeeded", "failed")]
    calls = [float(job["gateway_calls"]) for job in finished]
    lags = [float(ms) for ms in POLL_LAG.findall(place.worker.text())]
    figures: dict[str, Any] = {
        "jobs": len(jobs),
        "provider": options.provider,
        "seconds": options.seconds,
        "callbacks": options.callbacks,
        "wall_s": round(elapsed, 1),
        "all_final": sum(counts.get(state, 0) for state in FINAL) == len(specs),
        "states": dict(sorted(Counter(job["state"] for job in jobs).items())),
        "calls_per_finished_job": spread(calls),
        "calls_floor": CALLS_FLOOR,
        "fixed_5s_poll_calls": 1 + math.ceil(options.seconds / 5),
        "poll_lag_ms": spread(lags, 0),
        "worker_peak_rss_mb": _mb(sampler.peak_mb()),
        "end_delay_s": None,
        "duplicate_creates": None,
        "gateway_requests": None,
    }
    if gateway.simulated:
        tasks = gateway.sim("GET", "/_sim/tasks")
        stats = gateway.sim("GET", "/_sim/stats")
        figures["end_delay_s"] = spread(end_delays(jobs, tasks))
        figures["duplicate_creates"] = duplicate_creates(stats)
        figures["gateway_requests"] = stats["requests"]
    failures = Counter(job["fail_reason"] for job in jobs if job["fail_reason"])
    figures["fail_reasons"] = dict(failures.most_common(3))
    return figures


def run_archive(options: Options, gateway: Gateway, place: Playground) -> dict[str, Any]:
    """One Kling job whose video is padded to M MiB: the worker's memory around its archive."""
    assert options.archive_mb is not None
    gateway.sim("POST", "/_sim/config", {"video_pad_bytes": options.archive_mb * MIB})
    spec = job_specs(dataclasses.replace(options, jobs=1, provider="kling"), "archive")
    with Sampler(place.worker.process.pid, interval=0.1) as sampler:
        place.agent.ask("submit", jobs=spec)
        _, elapsed = wait_for_jobs(place.agent, 1, options.limit)
    (job,) = place.agent.ask("jobs")["jobs"]
    ended, finished = job["ended_at"], job["finished_at"]
    before = [s for s in sampler.samples if ended is None or s[0] <= ended]
    during = [s for s in sampler.samples if ended and s[0] >= ended and s[0] <= (finished or 1e18)]
    rss_before = before[-1][1] / 1024 if before else None
    hwm_before = before[-1][2] / 1024 if before else None
    peak = sampler.peak_mb()
    return {
        "archive_mb": options.archive_mb,
        "state": job["state"],
        "video_size": job["video_size"],
        "fail_reason": job["fail_reason"] or None,
        "archive_s": round(finished - ended, 2) if ended and finished else None,
        "wall_s": round(elapsed, 1),
        "rss_before_archive_mb": _mb(rss_before),
        "hwm_before_archive_mb": _mb(hwm_before),
        "peak_rss_during_archive_mb": _mb(max((s[1] for s in during), default=0) / 1024 or None),
        "peak_hwm_after_mb": _mb(peak),
        "added_mb": _mb(peak - rss_before if peak and rss_before else None),
        "target_added_mb": 30,
    }


def _mb(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# -- output -----------------------------------------------------------------------------------


def print_table(figures: dict[str, Any]) -> None:
    """Readable lines first; the JSON line (printed after) is for machines."""
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        if isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            text = str(value)
        print(f"{name.ljust(width)}  {text}")


def main(argv: list[str] | None = None) -> None:
    options = parse_options(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-video-"))
    logs = tmp / "logs"
    logs.mkdir()
    note(f"logs in {logs}")
    try:
        with (
            gateway(options, tmp, logs) as upstream,
            playground(options, upstream, tmp, logs) as place,
        ):
            if options.archive_mb is not None:
                figures = run_archive(options, upstream, place)
            else:
                figures = run_jobs(options, upstream, place)
    except BaseException:
        note(f"failed; the logs stay in {logs}")
        raise
    if options.keep_logs:
        note(f"logs kept in {logs}")
    else:
        for _ in range(3):  # a child that outlived its group may still be writing there
            shutil.rmtree(tmp, ignore_errors=True)
            if not tmp.exists():
                break
            time.sleep(1)
    print_table(figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
