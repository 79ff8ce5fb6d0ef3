"""The data migration that fills the history from what the apps held before it existed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from playground.history.models import Event, Item
from tests.chat.factories import ExchangeFactory
from tests.images.factories import GenerationFactory
from tests.videos.factories import VideoJobFactory

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("playground.history.migrations.0003_backfill").backfill


def test_it_makes_one_item_per_chat_image_and_video_with_what_is_known() -> None:
    job = VideoJobFactory.create(prompt="an old fox", state="running")
    generation = GenerationFactory.create(prompt="a lighthouse", state="done")
    exchange = ExchangeFactory.create(message="Hi owls")
    generation.finished_at = generation.created_at
    generation.save()

    backfill(apps, connection.schema_editor())

    items = {item.kind: item for item in Item.objects.all()}
    assert items["video"].source_id == str(job.id)
    assert (items["video"].state, items["video"].in_flight) == ("running", True)
    assert items["image"].title == "a lighthouse"
    assert items["chat"].source_id == str(exchange.conversation_id)
    assert list(Event.objects.filter(item=items["image"]).values_list("state", flat=True)) == [
        "created",
        "done",
    ]


def test_running_it_twice_changes_nothing() -> None:
    VideoJobFactory.create()

    backfill(apps, connection.schema_editor())
    backfill(apps, connection.schema_editor())

    assert Item.objects.count() == 1
    assert Event.objects.count() == 1
