"""Shared fixtures: the gateway simulator runs as a real process and is reached over HTTP."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

# The end-to-end fixtures (a real worker and beat) live in one module for every test module.
pytest_plugins = ["tests.e2e"]

ROOT = Path(__file__).resolve().parent.parent
SIM_KEY = "sk-sim-test-key-0000a1b2"
SIM_TIMEOUT_SECONDS = 1.5  # how long the `timeout` fault stalls


def outlast_the_stall() -> None:
    """The simulator logs a stalled request (the `timeout` fault) when its stall ends, after
    the client gave up: a test that let one time out waits for that here, so that it does not
    land in the next test's log (which a test counting the gateway's requests reads)."""
    time.sleep(SIM_TIMEOUT_SECONDS + 0.3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Simulator:
    """A handle on the running simulator: its URL, the key it accepts, and its control API."""

    def __init__(self, url: str, key: str, log_path: Path) -> None:
        self.url = url
        self.key = key
        self.log_path = log_path

    def configure(self, **config: Any) -> dict[str, Any]:
        response = requests.post(f"{self.url}/_sim/config", json=config, timeout=5)
        response.raise_for_status()
        return dict(response.json())

    def reset(self) -> None:
        requests.post(f"{self.url}/_sim/reset", timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def simulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SIM_API_KEYS": SIM_KEY,
        "SIM_MEDIA_DIR": str(tmp_path_factory.mktemp("sim-media")),
        "SIM_VIDEO_SECONDS": "2",
        "SIM_TIMEOUT_SECONDS": str(SIM_TIMEOUT_SECONDS),
    }
    log = (tmp_path_factory.mktemp("sim-log") / "simulator.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "playground.simulator", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/_sim/health", timeout=1).raise_for_status()
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the simulator did not start; see {log.name}") from None
            time.sleep(0.1)
    yield Simulator(url, SIM_KEY, Path(log.name))
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def sim(simulator_process: Simulator, settings: Any) -> Iterator[Simulator]:
    """The simulator, reset to its defaults, with the playground pointed at it."""
    simulator_process.reset()
    settings.STARRISE_BASE_URL = simulator_process.url
    yield simulator_process
    simulator_process.reset()


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """The model list is cached; each test starts without it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The real hasher spends ~0.5 s on each password on purpose; tests log in many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_retries(settings: Any) -> None:
    """Keeps backoff short so retry tests run in milliseconds, still through real sleeps."""
    settings.STARRISE_BACKOFF_BASE = 0.01
    settings.STARRISE_BACKOFF_MAX = 0.05
    settings.STARRISE_READ_TIMEOUT = 2


@pytest.fixture
def admin(client: Client, db: None) -> Client:
    """The test client, logged in as an admin."""
    from tests.factories import AdminFactory  # factories import this module's SIM_KEY

    client.force_login(AdminFactory.create())
    return client


@pytest.fixture
def member(client: Client, db: None) -> Client:
    """The test client, logged in as a member."""
    from tests.factories import UserFactory

    client.force_login(UserFactory.create())
    return client


@pytest.fixture(scope="session")
def compiled_messages() -> None:
    """The zh-Hans catalog compiled into locale/ (git-ignored), as bin/bootstrap leaves it."""
    if shutil.which("msgfmt") is None:
        pytest.fail("gettext is missing: apt-get install gettext (.ci/run does).")
    call_command("compilemessages", locale=["zh_Hans"], verbosity=0)
