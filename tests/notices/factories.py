# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
"""Notices as notice_raise leaves them, without a job ending."""

from __future__ import annotations

import uuid

from django.utils import timezone
from factory.declarations import LazyFunction, SubFactory
from factory.django import DjangoModelFactory

from playground.notices.models import Notice
from tests.factories import UserFactory


class NoticeFactory(DjangoModelFactory[Notice]):
    """An unseen notice that a video job succeeded."""

    class Meta:
        model = Notice

    user = SubFactory(UserFactory)
    kind = Notice.Kind.VIDEO
    source_id = LazyFunction(uuid.uuid4)
    title = "a cat at a piano"
    outcome = Notice.Outcome.SUCCEEDED
    created_at = LazyFunction(timezone.now)
