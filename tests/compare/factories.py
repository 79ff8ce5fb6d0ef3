# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
"""Comparisons and columns as the services leave them, without running anything."""

from __future__ import annotations

from typing import Any

from factory.declarations import SubFactory
from factory.django import DjangoModelFactory

from playground.accounts.models import User
from playground.compare.models import Column, Comparison
from tests.chat.factories import ExchangeFactory
from tests.factories import UserFactory

CHAT_PARAMS = {"system_prompt": "", "temperature": 0.7, "top_p": 1.0, "max_tokens": 256}


class ComparisonFactory(DjangoModelFactory[Comparison]):
    """A finished chat comparison, without columns: see `chat_comparison`."""

    class Meta:
        model = Comparison

    user = SubFactory(UserFactory)
    kind = Comparison.Kind.CHAT
    prompt = "Tell me about owls"
    state = Comparison.State.DONE


def chat_comparison(*, user: User, columns: int = 2, **fields: Any) -> Comparison:
    """A finished chat comparison of `columns` answered columns, with their figures."""
    comparison = ComparisonFactory.create(user=user, **fields)
    for position in range(1, columns + 1):
        exchange = ExchangeFactory.create(
            conversation__user=user, message=comparison.prompt, completion_tokens=24
        )
        Column.objects.create(
            comparison=comparison,
            position=position,
            model=exchange.model,
            params=CHAT_PARAMS,
            exchange=exchange,
            ttft_ms=120,
            total_ms=900,
            tokens=24,
        )
    return comparison
