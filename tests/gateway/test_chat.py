"""Chat and the model list against the running simulator."""

from __future__ import annotations

from typing import Any

import pytest

from playground.gateway.chat import ChatMessage, chat_payload
from playground.gateway.client import GatewayClient
from playground.gateway.errors import (
    GatewayBadRequestError,
    GatewayForbiddenError,
    GatewayOutcomeUnknownError,
    GatewayUnavailableError,
)
from tests.conftest import Simulator
from tests.gateway.conftest import sent, sent_after_stalls

HELLO = [ChatMessage(role="user", content="Hello there")]


class TestModels:
    def test_it_lists_models(self, gateway: GatewayClient) -> None:
        ids = [model.id for model in gateway.list_models()]
        assert "claude-3-5-sonnet-20241022" in ids
        assert "doubao-seedance-1-0-pro-250528" in ids


class TestPayload:
    def test_it_leaves_out_the_settings_not_given(self) -> None:
        assert chat_payload(model="m", messages=HELLO, temperature=0.5) == {
            "model": "m",
            "messages": [{"role": "user", "content": "Hello there"}],
            "temperature": 0.5,
        }

    def test_it_asks_for_usage_when_streaming(self) -> None:
        payload = chat_payload(model="m", messages=HELLO, stream=True)
        assert payload["stream"] is True
        assert payload["stream_options"] == {"include_usage": True}


class TestChat:
    def test_it_returns_the_answer_and_usage(self, gateway: GatewayClient) -> None:
        answer = gateway.chat(model="gpt-4o-mini", messages=HELLO)
        assert "Hello there" in answer.content
        assert answer.model == "gpt-4o-mini"
        assert answer.finish_reason == "stop"
        assert answer.usage is not None
        assert (
            answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens
        )
        assert answer.usage.completion_tokens > 0

    def test_it_sends_the_sampling_settings(self, gateway: GatewayClient, sim: Simulator) -> None:
        gateway.chat(model="deepseek-chat", messages=HELLO, temperature=0.3, max_tokens=50)
        (request,) = sent(sim, "chat")
        assert request["body"]["temperature"] == 0.3
        assert request["body"]["max_tokens"] == 50
        assert "top_p" not in request["body"]

    def test_it_reports_a_length_cut(self, gateway: GatewayClient) -> None:
        answer = gateway.chat(model="gpt-4o-mini", messages=HELLO, max_tokens=2)
        assert answer.finish_reason == "length"

    def test_it_explains_bad_parameters(self, gateway: GatewayClient) -> None:
        with pytest.raises(GatewayBadRequestError) as caught:
            gateway.chat(model="gpt-4o-mini", messages=HELLO, temperature=5)
        assert caught.value.message.startswith("The gateway rejected the request (400). Details: ")
        assert "temperature" in caught.value.message

    def test_it_accepts_a_fault_asked_for_in_the_prompt(self, gateway: GatewayClient) -> None:
        with pytest.raises(GatewayForbiddenError):
            gateway.chat(
                model="gpt-4o-mini", messages=[ChatMessage(role="user", content="[fault:403]")]
            )


class TestStreaming:
    def test_it_streams_the_same_answer_in_pieces(self, gateway: GatewayClient) -> None:
        whole = gateway.chat(model="gpt-4o-mini", messages=HELLO)
        chunks = list(gateway.chat_stream(model="gpt-4o-mini", messages=HELLO))
        assert len([c for c in chunks if c.content]) > 1
        assert "".join(c.content for c in chunks) == whole.content
        assert chunks[-1].usage == whole.usage
        assert "stop" in [c.finish_reason for c in chunks]

    def test_it_raises_an_error_sent_in_the_middle_of_a_stream(self, gateway: GatewayClient):
        stream = gateway.chat_stream(
            model="gpt-4o-mini",
            messages=[ChatMessage(role="user", content="Hi [fault:stream-error]")],
        )
        with pytest.raises(GatewayUnavailableError, match="in the middle of the answer"):
            list(stream)

    def test_it_never_resends_a_stream_whose_first_piece_is_malformed(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="malformed-json")
        with pytest.raises(GatewayOutcomeUnknownError, match="may have been produced"):
            list(gateway.chat_stream(model="gpt-4o-mini", messages=HELLO))
        assert len(sent(sim, "chat")) == 1

    def test_it_never_resends_a_stream_after_a_drop(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="drop")
        with pytest.raises(GatewayOutcomeUnknownError, match="may have been produced"):
            list(gateway.chat_stream(model="gpt-4o-mini", messages=HELLO))
        assert len(sent(sim, "chat")) == 1

    def test_it_never_resends_a_stream_that_timed_out(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        sim.configure(fault="timeout")
        with pytest.raises(GatewayOutcomeUnknownError, match="may have been produced"):
            list(gateway.chat_stream(model="gpt-4o-mini", messages=HELLO))
        assert len(sent_after_stalls(sim, "chat")) == 1

    def test_it_retries_a_stream_the_gateway_turned_away(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="503", fault_times=1)
        assert "".join(c.content for c in gateway.chat_stream(model="m", messages=HELLO))
        assert [entry["status"] for entry in sent(sim, "chat")] == [503, 200]
