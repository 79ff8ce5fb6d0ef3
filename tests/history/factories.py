# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
"""History items as `item_record` leaves them, without a source row behind them."""

from __future__ import annotations

import uuid

from django.utils import timezone
from factory.declarations import LazyFunction, SubFactory
from factory.django import DjangoModelFactory

from playground.history.models import Item
from tests.factories import UserFactory


class ItemFactory(DjangoModelFactory[Item]):
    """A finished Seedance video job; pass `kind=`, `state=` and friends for the others."""

    class Meta:
        model = Item

    kind = Item.Kind.VIDEO
    source_id = LazyFunction(lambda: str(uuid.uuid4()))
    user = SubFactory(UserFactory)
    model = "doubao-seedance-1-0-pro-250528"
    state = "succeeded"
    in_flight = False
    title = "a cat at a piano"
    created_at = LazyFunction(timezone.now)
    duration_ms = 42_000
