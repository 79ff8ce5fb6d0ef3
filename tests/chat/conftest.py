from typing import Any

import pytest

from playground.teamkey.services import team_key_set
from tests.conftest import Simulator


@pytest.fixture
def team_key(sim: Simulator, db: Any) -> str:
    """The team key set to one the simulator accepts."""
    team_key_set(actor=None, plaintext=sim.key)
    return sim.key
