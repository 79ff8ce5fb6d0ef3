"""Beat's safety net for image requests: none stays "generating" when its process died."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from playground.history.models import Item
from playground.images.models import Generation
from playground.images.services import generation_sweep
from tests.images.factories import GenerationFactory

State = Generation.State
LONG_AGO = timedelta(minutes=20)


@pytest.mark.parametrize(
    ("state", "ends", "words"),
    [
        (State.PENDING, State.FAILED, "never sent"),
        (State.RUNNING, State.UNKNOWN, "may have been made (and charged) upstream"),
        (State.SAVING, State.DONE, "some may be missing"),
    ],
)
def test_a_request_its_process_left_behind_ends_in_words(
    db: Any, state: str, ends: str, words: str
) -> None:
    then = timezone.now() - LONG_AGO
    generation = GenerationFactory.create(
        state=state, created_at=then, started_at=then, finished_at=None
    )

    assert generation_sweep() == 1

    generation.refresh_from_db()
    assert generation.state == ends
    assert words in generation.error
    assert generation.finished_at is not None
    item = Item.objects.get(kind="image", source_id=str(generation.id))
    assert (item.state, item.in_flight) == (ends, False)  # the history shows it ended too


def test_a_request_still_in_its_time_is_left_alone(db: Any) -> None:
    GenerationFactory.create(state=State.RUNNING, started_at=timezone.now(), finished_at=None)

    assert generation_sweep() == 0
