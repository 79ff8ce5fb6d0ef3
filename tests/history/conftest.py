from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from playground.accounts.models import User
from playground.teamkey.services import team_key_set
from tests.conftest import Simulator
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VIDEO_CALLBACKS = False  # nothing here listens for Kling's callbacks
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def gateway(sim: Simulator, db: None) -> Simulator:
    """The simulator, with the team key set to the key it accepts."""
    team_key_set(actor=None, plaintext=sim.key)
    return sim


@pytest.fixture
def no_worker(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """Video jobs are advanced by the test itself: the queue message is noted, not sent."""
    woken: list[uuid.UUID] = []
    monkeypatch.setattr(
        "playground.videos.services.job_wake",
        lambda job_id, due=None, priority=0: woken.append(job_id),
    )
    return woken


@pytest.fixture
def user(db: None) -> User:
    return UserFactory.create(username="ada")
