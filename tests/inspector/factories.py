# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
"""Recorded gateway calls as the inspector's services leave them, without the gateway."""

from __future__ import annotations

from django.utils import timezone
from factory.declarations import LazyFunction
from factory.django import DjangoModelFactory

from playground.inspector.models import Exchange


class GatewayExchangeFactory(DjangoModelFactory[Exchange]):
    """A streamed chat call, answered on its first attempt."""

    class Meta:
        model = Exchange

    kind = Exchange.Kind.CHAT
    source_id = "1"
    method = "POST"
    url = "http://127.0.0.1:8001/v1/chat/completions"
    stream = True
    request_headers = LazyFunction(
        lambda: {"Content-Type": "application/json", "Authorization": "Bearer [redacted]"}
    )
    request_body = '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}'
    status = 200
    response_headers = LazyFunction(lambda: {"Content-Type": "text/event-stream"})
    events = LazyFunction(
        lambda: [
            {"offset_ms": 40, "data": 'data: {"choices": [{"delta": {"content": "Hello"}}]}'},
            {"offset_ms": 55, "data": "data: [DONE]"},
        ]
    )
    sent_at = LazyFunction(timezone.now)
    first_byte_ms = 30
    first_token_ms = 40
    last_byte_ms = 56
    attempts = LazyFunction(
        lambda: [
            {
                "number": 1,
                "sent_ms": 0,
                "duration_ms": 30,
                "status": 200,
                "outcome": "answered",
                "wait_s": None,
                "retry_after_s": None,
            }
        ]
    )
