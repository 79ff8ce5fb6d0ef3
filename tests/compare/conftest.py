from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from playground.accounts.models import User
from playground.teamkey.services import team_key_set
from tests.chat.conftest import LiveSession, wait_for_answers
from tests.conftest import Simulator
from tests.factories import UserFactory


@pytest.fixture
def team_key(sim: Simulator, db: Any) -> str:
    """The team key set to one the simulator accepts."""
    team_key_set(actor=None, plaintext=sim.key)
    return sim.key


@pytest.fixture
def owner(db: Any) -> User:
    return UserFactory.create(username="olive")


@pytest.fixture
def as_owner(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


@pytest.fixture
def live_session(live_server: Any, owner: User) -> Iterator[LiveSession]:
    session = LiveSession(live_server.url, owner)
    yield session
    session.session.close()
    wait_for_answers()
