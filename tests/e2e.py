"""End-to-end fixtures, for every test module that needs them: a real worker and beat on
real Postgres and Redis, the simulator over HTTP, and the live server receiving Kling's
callbacks. One definition, loaded as a plugin by tests/conftest.py, so that the session's
worker and media folder are one and the same for every module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from playground.celery import app
from playground.teamkey.services import team_key_set
from tests.conftest import Simulator
from tests.workers import FAST, Celery, database_url


def needs_real_services() -> None:
    if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
        pytest.skip(
            "end-to-end video tests need DATABASE_URL (Postgres) and REDIS_URL: .ci/run sets both"
        )


def _env(sim: Simulator, live_url: str, media: Path) -> dict[str, str]:
    return {
        **os.environ,
        **FAST,
        "DATABASE_URL": database_url(),
        "STARRISE_BASE_URL": sim.url,
        "PLAYGROUND_PUBLIC_URL": live_url,
        "MEDIA_ROOT": str(media),
    }


@pytest.fixture(scope="session")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def celery_session(
    django_db_setup: None,
    django_db_blocker: Any,
    simulator_process: Simulator,
    live_server: Any,
    media_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Celery]:
    """One worker and one beat for the session's end-to-end tests."""
    with django_db_blocker.unblock():
        needs_real_services()
        app.control.purge()
        celery = Celery(
            _env(simulator_process, live_server.url, media_root),
            tmp_path_factory.mktemp("celery"),
        )
    celery.start_worker()
    celery.start_beat()
    yield celery
    celery.stop()


def _apply_fast_settings(settings: Any, sim: Simulator, live_url: str, media: Path) -> None:
    """The test process creates jobs with the same settings the worker reads."""
    for name, value in FAST.items():
        setattr(settings, name, float(value))
    settings.STARRISE_BASE_URL = sim.url
    settings.PUBLIC_URL = live_url
    settings.VIDEO_CALLBACKS = True
    settings.MEDIA_ROOT = str(media)


@pytest.fixture
def e2e(
    celery_session: Celery,
    transactional_db: None,
    sim: Simulator,
    live_server: Any,
    media_root: Path,
    settings: Any,
) -> Celery:
    """Committed data the worker can see, the team key set, fast clocks."""
    _apply_fast_settings(settings, sim, live_server.url, media_root)
    team_key_set(actor=None, plaintext=sim.key)
    return celery_session


@pytest.fixture
def own_celery(
    celery_session: Celery,
    transactional_db: None,
    sim: Simulator,
    live_server: Any,
    tmp_path: Path,
    settings: Any,
) -> Iterator[Celery]:
    """A worker and beat of this test's own, for tests that kill or stop them. The session's
    pair is stopped meanwhile: on the same broker it would take this test's work."""
    media = tmp_path / "media"
    _apply_fast_settings(settings, sim, live_server.url, media)
    team_key_set(actor=None, plaintext=sim.key)
    celery_session.stop()
    celery = Celery(_env(sim, live_server.url, media), tmp_path)
    yield celery
    celery.stop()
    app.control.purge()  # this test's leftovers are not the session's work
    celery_session.start_worker()
    celery_session.start_beat()
