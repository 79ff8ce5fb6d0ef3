from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from playground.accounts.models import User
from playground.teamkey.services import team_key_set
from tests.conftest import Simulator
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def local_media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VIDEO_CALLBACKS = False  # nothing here listens for Kling's callbacks
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def gateway(sim: Simulator, db: None) -> Simulator:
    """The simulator, with the team key set to the key it accepts."""
    team_key_set(actor=None, plaintext=sim.key)
    return sim


@pytest.fixture
def no_wake(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests take each step themselves: nothing is sent to the broker."""
    monkeypatch.setattr(
        "playground.videos.services.job_wake", lambda job_id, due=None, priority=0: None
    )


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory.create(email="owner@example.com")
