# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
"""Usage seeded on chosen days, through the chat, image and video factories."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from playground.accounts.models import User
from playground.chat.models import ChatExchange
from playground.images.models import Generation
from playground.teamkey.services import team_key_set
from playground.usage.selectors import day_start, today
from playground.videos.models import VideoJob
from tests.chat.factories import ExchangeFactory
from tests.conftest import Simulator
from tests.images.factories import GenerationFactory
from tests.videos.factories import VideoJobFactory


def days_ago(days: int, *, hour: int = 10) -> datetime:
    """`hour` o'clock (UTC), `days` days before today."""
    return day_start(today() - timedelta(days=days)) + timedelta(hours=hour)


def chat_on(
    user: User, when: datetime, *, prompt: int, completion: int, **fields: Any
) -> ChatExchange:
    exchange = ExchangeFactory.create(
        conversation__user=user, prompt_tokens=prompt, completion_tokens=completion, **fields
    )
    ChatExchange.objects.filter(pk=exchange.pk).update(created_at=when)  # auto_now_add
    return exchange


def images_on(user: User, when: datetime, *, images: int, **fields: Any) -> Generation:
    return GenerationFactory.create(user=user, created_at=when, generated_images=images, **fields)


def video_on(
    user: User,
    when: datetime,
    *,
    state: str = VideoJob.State.SUCCEEDED,
    duration: int | str = 5,
    model: str = "doubao-seedance-1-0-pro-250528",
    **fields: Any,
) -> VideoJob:
    job = VideoJobFactory.create(user=user, created_at=when, state=state, model=model, **fields)
    job.params = {**job.params, "duration": duration}
    job.save(update_fields=["params"])
    return job


def gateway_requests(sim: Simulator) -> list[dict[str, Any]]:
    """Every request the simulator received since the test began (the `sim` fixture resets)."""
    return list(requests.get(f"{sim.url}/_sim/requests", timeout=5).json())


@pytest.fixture
def team_key(sim: Simulator, db: Any) -> str:
    team_key_set(actor=None, plaintext=sim.key)
    return sim.key
