import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.test import Client

from playground.accounts.models import User
from playground.teamkey.services import team_key_set
from tests.conftest import Simulator
from tests.factories import UserFactory


@pytest.fixture
def team_key(sim: Simulator, db: Any) -> str:
    """The team key set to one the simulator accepts."""
    team_key_set(actor=None, plaintext=sim.key)
    return sim.key


def sim_requests(sim: Simulator) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
    return log


def last_chat_body(sim: Simulator) -> dict[str, Any]:
    body: dict[str, Any] = [e for e in sim_requests(sim) if e["route"] == "chat"][-1]["body"]
    return body


@pytest.fixture
def owner(db: Any) -> User:
    return UserFactory.create(username="olive")


@pytest.fixture
def as_owner(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


class LiveSession:
    """A `requests` session logged in to the live server, as a browser would be."""

    def __init__(self, base_url: str, user: User) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        client = Client()
        client.force_login(user)
        self.session.cookies.set("sessionid", client.cookies["sessionid"].value)
        self.session.get(f"{base_url}/", timeout=10)  # for the CSRF cookie
        self.csrf = self.session.cookies.get("csrftoken", "")

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.get(f"{self.base_url}{path}", **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        headers = {"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return self.session.post(
            f"{self.base_url}{path}", data=data, headers=headers, allow_redirects=False, **kwargs
        )


def wait_for_answers(timeout: float = 30) -> None:
    """Waits until the live server's request threads and the answers they finish in the
    background are done, so that no stream of this test reaches the simulator during the
    next one (whose checks of the simulator's log would then see it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = [thread.name for thread in threading.enumerate()]
        if not any(name == "chat-answer" or "process_request_thread" in name for name in names):
            return
        time.sleep(0.05)


@pytest.fixture
def live_session(live_server: Any, owner: User) -> Iterator[LiveSession]:
    session = LiveSession(live_server.url, owner)
    yield session
    session.session.close()
    wait_for_answers()
