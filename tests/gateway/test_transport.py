"""The HTTP layer against the running simulator: the key, error mapping and the retry policy."""

from __future__ import annotations

import email.utils
import itertools
import logging
import re
import time
from typing import Any

import pytest
import requests.adapters

from playground.gateway.chat import ChatMessage
from playground.gateway.client import GatewayClient
from playground.gateway.errors import (
    GatewayAuthError,
    GatewayConnectionError,
    GatewayError,
    GatewayForbiddenError,
    GatewayOutcomeUnknownError,
    GatewayProtocolError,
    GatewayRateLimitError,
    GatewayTimeoutError,
    GatewayUnavailableError,
    NoTeamKeyError,
)
from tests.conftest import Simulator, free_port
from tests.gateway.conftest import PlainKey, Stub, json_answer, sent, sent_after_stalls

HELLO = [ChatMessage(role="user", content="Hello there")]
MODELS = {"object": "list", "data": [{"id": "gpt-4o-mini", "owned_by": "custom"}]}
COMPLETION = {
    "id": "chatcmpl-1",
    "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"content": "Hi"}, "finish_reason": "stop"}],
}


def chat(gateway: GatewayClient) -> Any:
    return gateway.chat(model="gpt-4o-mini", messages=HELLO)


def gaps(entries: list[Any]) -> list[float]:
    times = [entry["at"] if isinstance(entry, dict) else entry.at for entry in entries]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


class TestTheKey:
    def test_it_refuses_to_call_without_a_team_key(self, sim: Simulator) -> None:
        with pytest.raises(NoTeamKeyError, match="No team key is set"):
            GatewayClient(key=None, base_url=sim.url).list_models()

    def test_it_explains_a_rejected_key_without_repeating_it(self, sim: Simulator) -> None:
        wrong = "sk-wrong-key-that-must-not-leak-9f8e"
        with pytest.raises(GatewayAuthError) as caught:
            GatewayClient(key=PlainKey(wrong), base_url=sim.url).list_models()
        assert caught.value.message == (
            "The gateway rejected the team key (401): ask an admin to replace it."
        )
        assert wrong not in str(caught.value)

    def test_it_sends_the_key_as_a_bearer_token(self, gateway: GatewayClient, sim: Simulator):
        gateway.list_models()
        assert [entry["key_ok"] for entry in sent(sim, "models")] == [True]

    @pytest.mark.parametrize(
        "key", ["sk-caf\u00e9-key-1234", "sk-\u2018quoted\u2019-1234", "sk-tab\there-1234", ""]
    )
    def test_it_refuses_a_key_that_cannot_be_sent_without_quoting_it(
        self, sim: Simulator, key: str
    ) -> None:
        with pytest.raises(GatewayAuthError) as caught:
            GatewayClient(key=PlainKey(key), base_url=sim.url).chat(
                model="gpt-4o-mini", messages=HELLO
            )
        assert caught.value.message == (
            "The team key has characters that cannot be sent: ask an admin to replace it."
        )
        assert "sk-" not in str(caught.value)
        assert not isinstance(caught.value.__context__, UnicodeError)
        assert sent(sim, "chat") == []


class TestGets:
    @pytest.mark.parametrize(
        ("fault", "error", "message"),
        [
            ("401", GatewayAuthError, "The gateway rejected the team key (401): ask an admin"),
            ("403", GatewayForbiddenError, "The gateway refused this request (403)"),
        ],
    )
    def test_it_explains_a_failure_it_does_not_retry(
        self,
        gateway: GatewayClient,
        sim: Simulator,
        fault: str,
        error: type[GatewayError],
        message: str,
    ) -> None:
        sim.configure(fault=fault)
        with pytest.raises(error) as caught:
            gateway.list_models()
        assert message in caught.value.message
        assert sim.key not in str(caught.value)
        assert len(sent(sim, "models")) == 1

    @pytest.mark.parametrize(
        "fault", ["500", "malformed-json", "429", "429-no-retry-after", "503", "drop"]
    )
    def test_it_retries_a_get_after_a_passing_failure(
        self, gateway: GatewayClient, sim: Simulator, fault: str
    ) -> None:
        sim.configure(fault=fault, fault_times=2, retry_after=0)
        assert gateway.list_models()
        assert [entry["status"] for entry in sent(sim, "models")][-1] == 200
        assert len(sent(sim, "models")) == 3

    def test_it_retries_a_get_after_a_500(self, gateway: GatewayClient, sim: Simulator) -> None:
        sim.configure(fault="500", fault_times=1)
        assert gateway.list_models()
        assert [entry["status"] for entry in sent(sim, "models")] == [500, 200]

    def test_it_retries_a_get_after_malformed_json(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="malformed-json", fault_times=1)
        assert gateway.list_models()
        assert [entry["fault"] for entry in sent(sim, "models")] == ["malformed-json", None]

    @pytest.mark.parametrize(
        ("fault", "error", "message"),
        [
            ("429", GatewayRateLimitError, "rate-limiting the team (429)"),
            ("503", GatewayUnavailableError, "overloaded (503)"),
            ("500", GatewayUnavailableError, "internal error (500)"),
            ("malformed-json", GatewayProtocolError, "not valid JSON (HTTP 200)"),
            ("drop", GatewayConnectionError, "connection failed or was dropped"),
        ],
    )
    def test_it_gives_up_on_a_get_after_the_retry_limit(
        self,
        gateway: GatewayClient,
        sim: Simulator,
        settings: Any,
        fault: str,
        error: type[GatewayError],
        message: str,
    ) -> None:
        settings.STARRISE_MAX_RETRIES = 2
        sim.configure(fault=fault, retry_after=0)
        with pytest.raises(error, match=re.escape(message)):
            gateway.list_models()
        assert len(sent(sim, "models")) == 3

    def test_it_waits_as_long_as_retry_after_says(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_BACKOFF_MAX = 5
        sim.configure(fault="429", fault_times=1, retry_after=1)
        gateway.list_models()
        assert gaps(sent(sim, "models"))[0] >= 1

    def test_it_honours_a_503_retry_after_on_a_get(self, stub: Stub, settings: Any) -> None:
        # The simulator sends Retry-After only with its 429; this stub sends it with a 503.
        settings.STARRISE_BACKOFF_MAX = 5
        stub.answer(
            json_answer(503, {"error": {"message": "busy"}}, **{"Retry-After": "1"}),
            json_answer(200, MODELS),
        )
        assert GatewayClient(key=PlainKey("sk-stub-1234"), base_url=stub.url).list_models()
        assert len(stub.received) == 2
        assert gaps(stub.received)[0] >= 1

    def test_it_reads_retry_after_as_an_http_date(self, stub: Stub, settings: Any) -> None:
        settings.STARRISE_BACKOFF_MAX = 5
        when = email.utils.formatdate(time.time() + 2, usegmt=True)
        stub.answer(
            json_answer(500, {"error": {"message": "oops"}}, **{"Retry-After": when}),
            json_answer(200, MODELS),
        )
        assert GatewayClient(key=PlainKey("sk-stub-1234"), base_url=stub.url).list_models()
        assert gaps(stub.received)[0] >= 0.9

    def test_it_leaves_a_long_retry_after_to_the_caller(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_BACKOFF_MAX = 0.5
        sim.configure(fault="429", retry_after=30)
        with pytest.raises(GatewayRateLimitError) as caught:
            gateway.list_models()
        assert caught.value.retry_after == 30
        assert len(sent(sim, "models")) == 1

    def test_it_retries_a_get_that_timed_out(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        sim.configure(fault="timeout", fault_times=1)
        assert gateway.list_models()
        assert len(sent_after_stalls(sim, "models")) == 2

    def test_it_gives_up_on_a_get_that_keeps_timing_out(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.3
        settings.STARRISE_MAX_RETRIES = 1
        sim.configure(fault="timeout")
        with pytest.raises(GatewayTimeoutError, match=r"did not answer within 0\.3 seconds"):
            gateway.list_models()


class TestPosts:
    def test_it_never_resends_a_post_that_timed_out(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        sim.configure(fault="timeout")
        with pytest.raises(GatewayOutcomeUnknownError) as caught:
            chat(gateway)
        assert "may have been produced" in caught.value.message
        assert "No answer within 0.5 seconds" in caught.value.message
        assert not caught.value.retryable
        assert len(sent_after_stalls(sim, "chat")) == 1

    def test_it_never_resends_a_post_after_a_drop(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="drop")
        with pytest.raises(GatewayOutcomeUnknownError, match="may have been produced"):
            chat(gateway)
        assert [entry["status"] for entry in sent(sim, "chat")] == [None]

    def test_it_never_resends_a_post_answered_with_malformed_json(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="malformed-json")
        with pytest.raises(GatewayOutcomeUnknownError, match="could not be read"):
            chat(gateway)
        assert len(sent(sim, "chat")) == 1

    def test_it_retries_a_post_after_a_429_as_long_as_retry_after_says(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_BACKOFF_MAX = 5
        sim.configure(fault="429", fault_times=1, retry_after=1)
        assert chat(gateway).content
        log = sent(sim, "chat")
        assert [entry["status"] for entry in log] == [429, 200]
        assert gaps(log)[0] >= 1

    def test_it_retries_a_post_after_a_503(self, gateway: GatewayClient, sim: Simulator) -> None:
        sim.configure(fault="503", fault_times=2)
        assert chat(gateway).content
        assert [entry["status"] for entry in sent(sim, "chat")] == [503, 503, 200]

    def test_it_honours_a_503_retry_after_on_a_post(self, stub: Stub, settings: Any) -> None:
        settings.STARRISE_BACKOFF_MAX = 5
        stub.answer(
            json_answer(503, {"error": {"message": "busy"}}, **{"Retry-After": "1"}),
            json_answer(200, COMPLETION),
        )
        assert chat(GatewayClient(key=PlainKey("sk-stub-1234"), base_url=stub.url)).content
        assert [r.method for r in stub.received] == ["POST", "POST"]
        assert gaps(stub.received)[0] >= 1

    @pytest.mark.parametrize("status", [500, 502, 504, 400, 404])
    def test_it_never_retries_a_post_answered_with_another_error(
        self, stub: Stub, status: int
    ) -> None:
        stub.answer(json_answer(status, {"error": {"message": "no"}}))
        with pytest.raises(GatewayError) as caught:
            chat(GatewayClient(key=PlainKey("sk-stub-1234"), base_url=stub.url))
        assert caught.value.status == status
        assert len(stub.received) == 1

    def test_it_never_retries_a_post_answered_with_a_500_by_the_simulator(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="500")
        with pytest.raises(GatewayUnavailableError, match=r"internal error \(500\)"):
            chat(gateway)
        assert len(sent(sim, "chat")) == 1

    def test_it_leaves_a_long_retry_after_on_a_post_to_the_caller(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_BACKOFF_MAX = 0.5
        sim.configure(fault="429", retry_after=60)
        with pytest.raises(GatewayRateLimitError) as caught:
            chat(gateway)
        assert caught.value.retry_after == 60
        assert len(sent(sim, "chat")) == 1

    def test_it_retries_a_post_when_the_connection_is_refused(
        self, settings: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        settings.STARRISE_MAX_RETRIES = 2
        caplog.set_level(logging.INFO, logger="playground.gateway")
        closed = f"http://127.0.0.1:{free_port()}"
        with pytest.raises(GatewayConnectionError, match="Could not connect to the gateway"):
            chat(GatewayClient(key=PlainKey("sk-stub-1234"), base_url=closed))
        attempts = [r.getMessage() for r in caplog.records if r.name == "playground.gateway"]
        assert len(attempts) == 3
        assert "(attempt 3/3)" in attempts[-1]


class TestLogging:
    def test_it_logs_method_path_status_time_and_attempt_but_no_key_or_body(
        self, gateway: GatewayClient, sim: Simulator, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        sim.configure(fault="503", fault_times=1)
        gateway.chat(model="gpt-4o-mini", messages=[ChatMessage(role="user", content="Secret")])
        lines = [r.getMessage() for r in caplog.records if r.name == "playground.gateway"]
        assert re.fullmatch(
            r"gateway POST /v1/chat/completions -> 503 in \d+ ms \(attempt 1/4\): "
            r"GatewayUnavailableError",
            lines[0],
        )
        assert re.fullmatch(
            r"gateway POST /v1/chat/completions -> 200 in \d+ ms \(attempt 2/4\)", lines[1]
        )
        everything = " ".join(r.getMessage() for r in caplog.records)
        assert sim.key not in everything
        assert "Secret" not in everything


class TestTheSession:
    def test_urllib3_never_retries_on_its_own(self, gateway: GatewayClient) -> None:
        for scheme in ("http://gateway.example", "https://gateway.example"):
            adapter = gateway.transport.session.get_adapter(scheme)
            assert isinstance(adapter, requests.adapters.HTTPAdapter)
            retries = adapter.max_retries
            assert (retries.total, retries.read) == (0, False)

    def test_it_explains_a_request_that_could_not_be_built(self, settings: Any) -> None:
        client = GatewayClient(key=PlainKey("sk-stub-1234"), base_url="gateway.example:1")
        with pytest.raises(GatewayError, match="nothing was sent") as caught:
            chat(client)
        assert not isinstance(caught.value, GatewayOutcomeUnknownError)
