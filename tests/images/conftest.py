from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from playground.accounts.models import User
from playground.teamkey.services import team_key_set
from tests.conftest import Simulator
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Stored images go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def team_key(sim: Simulator, db: Any) -> str:
    """The team key set to one the simulator accepts."""
    team_key_set(actor=None, plaintext=sim.key)
    return sim.key


@pytest.fixture
def user(db: Any) -> User:
    return UserFactory.create()
