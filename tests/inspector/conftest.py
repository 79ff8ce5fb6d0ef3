from __future__ import annotations

from typing import Any

import pytest
import requests

from playground.accounts.models import User
from playground.teamkey.services import team_key_set
from tests.conftest import Simulator
from tests.factories import UserFactory


@pytest.fixture
def team_key(sim: Simulator, db: None) -> str:
    """The team key set to the (recognisable) key the simulator accepts."""
    team_key_set(actor=None, plaintext=sim.key)
    return sim.key


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create()


def received(sim: Simulator, route: str) -> list[dict[str, Any]]:
    """The simulator's request log for one route, oldest first."""
    log = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
    return [entry for entry in log if entry["route"] == route]
