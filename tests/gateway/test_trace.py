"""The trace the transport and the chat stream reader keep for the request inspector, against
the running simulator: what it recorded is what the simulator received."""

from __future__ import annotations

import json
import threading

import pytest

from playground.gateway.chat import ChatMessage
from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayAuthError, GatewayRateLimitError
from playground.gateway.images import ImageRequest
from playground.gateway.media import ImageSource
from playground.gateway.trace import Trace, active_trace, blob_marker, tracing
from tests.conftest import Simulator
from tests.gateway.conftest import PlainKey, png, sent

HELLO = [ChatMessage(role="user", content="Hello there")]


def chat(gateway: GatewayClient, content: str = "Hello there") -> None:
    gateway.chat(model="gpt-4o-mini", messages=[ChatMessage(role="user", content=content)])


class TestRecording:
    def test_it_records_nothing_without_a_trace(self, gateway: GatewayClient) -> None:
        chat(gateway)

        assert active_trace() is None

    def test_the_recorded_request_is_what_the_simulator_received(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        with tracing() as trace:
            chat(gateway)

        [call] = trace.calls
        [received] = sent(sim, "chat")
        assert call.method == received["method"] == "POST"
        assert call.url == f"{sim.url}{received['path']}"
        assert json.loads(call.request_body) == received["body"]
        assert call.status == received["status"] == 200
        assert json.loads(call.response_body)["choices"][0]["message"]["content"]

    def test_the_key_is_redacted_from_the_headers_as_sent(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        with tracing() as trace:
            chat(gateway)

        headers = trace.calls[0].request_headers
        assert headers["Authorization"] == "Bearer [redacted]"
        assert headers["Content-Type"] == "application/json"
        assert sim.key not in repr(trace)

    def test_a_key_unlike_any_known_shape_is_scrubbed_too(self, sim: Simulator) -> None:
        key = "plainly-secret-value-42"  # no sk- prefix: only the exact key can find it
        gateway = GatewayClient(key=PlainKey(key), base_url=sim.url)

        with tracing() as trace, pytest.raises(GatewayAuthError):
            gateway.list_models(retries=0)

        assert trace.calls[0].status == 401
        assert trace.calls[0].request_headers["Authorization"] == "Bearer [redacted]"
        assert key not in repr(trace)

    def test_the_timings_come_in_order(self, gateway: GatewayClient) -> None:
        with tracing() as trace:
            chat(gateway)

        call = trace.calls[0]
        assert call.first_byte_ms is not None
        assert call.last_byte_ms is not None
        assert 0 <= call.first_byte_ms <= call.last_byte_ms
        assert call.first_token_ms is None  # not a stream

    def test_a_retry_is_an_attempt_with_its_reason_and_wait(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="429", fault_times=1, fault_routes="chat", retry_after=0)

        with tracing() as trace:
            chat(gateway)

        first, second = trace.calls[0].attempts
        assert (first.number, first.status, second.number, second.status) == (1, 429, 2, 200)
        assert first.outcome.startswith("GatewayRateLimitError: The gateway is rate-limiting")
        assert first.retry_after_s == 0
        assert first.wait_s == 0
        assert second.outcome == "answered"
        assert second.wait_s is None
        assert second.sent_ms >= first.sent_ms + first.duration_ms
        assert trace.calls[0].error == ""

    def test_a_backoff_wait_is_recorded(self, gateway: GatewayClient, sim: Simulator) -> None:
        sim.configure(fault="429-no-retry-after", fault_times=1, fault_routes="chat")

        with tracing() as trace:
            chat(gateway)

        first = trace.calls[0].attempts[0]
        assert first.retry_after_s is None
        assert first.wait_s is not None
        assert 0 < first.wait_s <= 0.05  # the tests' STARRISE_BACKOFF_MAX

    def test_the_last_error_is_kept_when_retries_run_out(
        self, gateway: GatewayClient, sim: Simulator, settings: object
    ) -> None:
        sim.configure(fault="429", fault_routes="chat", retry_after=0)

        with tracing() as trace, pytest.raises(GatewayRateLimitError):
            chat(gateway)

        call = trace.calls[0]
        assert [a.status for a in call.attempts] == [429, 429, 429, 429]
        assert call.attempts[-1].wait_s is None
        assert call.error.startswith("The gateway is rate-limiting the team (429)")
        assert call.status == 429
        assert "rate" in call.response_body

    def test_a_call_that_never_connected_has_its_headers_but_no_answer(self) -> None:
        gateway = GatewayClient(
            key=PlainKey("sk-unreachable-123456"), base_url="http://127.0.0.1:9"
        )

        with tracing() as trace, pytest.raises(Exception, match="Could not connect"):
            gateway.list_models(retries=0)

        call = trace.calls[0]
        assert call.status is None
        assert call.request_headers["Authorization"] == "Bearer [redacted]"
        assert call.attempts[0].outcome.startswith("GatewayConnectionError")


class TestStreams:
    def test_each_event_is_kept_with_its_offset(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        with tracing() as trace:
            chunks = gateway.chat_stream(model="gpt-4o-mini", messages=HELLO)
        pieces = [chunk.content for chunk in chunks]

        [call] = trace.calls
        [received] = sent(sim, "chat")
        assert json.loads(call.request_body) == received["body"]
        assert call.stream
        assert call.events[-1].data == "data: [DONE]"
        assert len(call.events) >= len([p for p in pieces if p]) + 1
        offsets = [event.offset_ms for event in call.events]
        assert offsets == sorted(offsets)
        assert call.first_byte_ms is not None
        assert call.first_token_ms is not None
        assert call.last_byte_ms is not None
        assert call.first_byte_ms <= call.first_token_ms <= call.last_byte_ms
        assert call.last_byte_ms >= offsets[-1]

    def test_a_stream_takes_the_trace_active_when_it_was_made(self, gateway: GatewayClient) -> None:
        with tracing() as trace:
            chunks = gateway.chat_stream(model="gpt-4o-mini", messages=HELLO)
        with tracing() as other:
            list(chunks)

        assert len(trace.calls) == 1
        assert other.calls == []

    def test_a_stream_read_to_its_end_in_another_thread_is_recorded(
        self, gateway: GatewayClient
    ) -> None:
        with tracing() as trace:
            chunks = gateway.chat_stream(model="gpt-4o-mini", messages=HELLO)
        next(iter(chunks))  # opened here
        reader = threading.Thread(target=lambda: list(chunks))
        reader.start()
        reader.join(10)

        call = trace.calls[0]
        assert call.events[-1].data == "data: [DONE]"
        assert call.last_byte_ms is not None


class TestImages:
    def test_base64_images_are_kept_as_their_size(self, gateway: GatewayClient) -> None:
        image = png(64, 64)
        request = ImageRequest(
            model="doubao-seedream-4-0-250828",
            prompt="a fox",
            size="2K",
            response_format="b64_json",
            images=(ImageSource(reference="upload:1", read=lambda: image),),
        )

        with tracing() as trace:
            gateway.generate_images(request)

        call = trace.calls[0]
        body = json.loads(call.request_body)
        assert body["image"] == f"[{len(image)} bytes base64]"
        answer = json.loads(call.response_body)
        assert answer["data"][0]["b64_json"].endswith(" bytes base64]")
        assert len(call.response_body) < 2000


def test_a_blob_marker_counts_the_bytes() -> None:
    assert blob_marker("data:image/png;base64,AAAA") == "[3 bytes base64]"
    assert blob_marker("A" * 256) == "[192 bytes base64]"
    assert blob_marker("a fox in the snow") is None
    assert blob_marker("https://example.com/" + "a" * 300) is None


def test_a_new_trace_replaces_the_active_one_only_inside_its_block() -> None:
    outer = Trace()
    with tracing(outer):
        with tracing() as inner:
            assert active_trace() is inner
        assert active_trace() is outer
    assert active_trace() is None
