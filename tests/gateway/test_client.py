"""The gateway client against the running simulator: every shape variant and every fault."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from playground.gateway.client import (
    ChatMessage,
    GatewayAuthError,
    GatewayBadRequestError,
    GatewayBillingError,
    GatewayClient,
    GatewayConnectionError,
    GatewayContentPolicyError,
    GatewayError,
    GatewayForbiddenError,
    GatewayProtocolError,
    GatewayRateLimitError,
    GatewayTimeoutError,
    GatewayUnavailableError,
    KlingAction,
    NoTeamKeyError,
    TaskNotFoundError,
    TaskState,
    VideoTask,
)
from tests.conftest import SIM_TIMEOUT_SECONDS, Simulator


class PlainKey:
    def __init__(self, value: str) -> None:
        self.value = value

    def reveal(self) -> str:
        return self.value


@pytest.fixture
def client(sim: Simulator) -> GatewayClient:
    return GatewayClient(key=PlainKey(sim.key), base_url=sim.url)


def sent(sim: Simulator, route: str) -> list[dict[str, Any]]:
    log = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
    return [entry for entry in log if entry["route"] == route]


def sent_after_stalls(sim: Simulator, route: str) -> list[dict[str, Any]]:
    """The simulator logs a stalled request when its stall ends, after the client gave up."""
    time.sleep(SIM_TIMEOUT_SECONDS + 0.3)
    return sent(sim, route)


HELLO = [ChatMessage(role="user", content="Hello there")]
SEEDANCE = {
    "model": "doubao-seedance-1-0-pro-250528",
    "content": [{"type": "text", "text": "A cat playing piano"}],
    "ratio": "16:9",
    "resolution": "720p",
    "duration": 2,
}
KLING: dict[KlingAction, dict[str, Any]] = {
    KlingAction.TEXT2VIDEO: {
        "model_name": "kling-v1-6",
        "prompt": "A fox in snow",
        "duration": "5",
    },
    KlingAction.IMAGE2VIDEO: {
        "model_name": "kling-v1-6",
        "prompt": "The fox turns its head",
        "image": "https://example.com/fox.png",
        "duration": "5",
    },
    KlingAction.MULTI_IMAGE2VIDEO: {
        "model_name": "kling-v1-6",
        "prompt": "Two foxes meet",
        "image_list": [
            {"image": "https://example.com/a.png"},
            {"image": "https://example.com/b.png"},
        ],
        "duration": "5",
    },
}


def wait_until_final(poll: Callable[[], VideoTask]) -> VideoTask:
    deadline = time.monotonic() + 15
    seen: list[int] = []
    while time.monotonic() < deadline:
        task = poll()
        seen.append(task.progress)
        if task.state.is_final:
            assert seen == sorted(seen), f"progress went backwards: {seen}"
            return task
        time.sleep(0.1)
    raise AssertionError("the task never finished")


class TestAuth:
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

    def test_it_sends_the_key_as_a_bearer_token(self, client: GatewayClient, sim: Simulator):
        client.list_models()
        assert [entry["key_ok"] for entry in sent(sim, "models")] == [True]


class TestModels:
    def test_it_lists_models(self, client: GatewayClient) -> None:
        ids = [model.id for model in client.list_models()]
        assert "claude-3-5-sonnet-20241022" in ids
        assert "doubao-seedance-1-0-pro-250528" in ids


class TestChat:
    def test_it_returns_the_answer_and_usage(self, client: GatewayClient) -> None:
        answer = client.chat(model="gpt-4o-mini", messages=HELLO)
        assert "Hello there" in answer.content
        assert answer.model == "gpt-4o-mini"
        assert answer.finish_reason == "stop"
        assert answer.usage is not None
        assert (
            answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens
        )
        assert answer.usage.completion_tokens > 0

    def test_it_sends_the_sampling_settings(self, client: GatewayClient, sim: Simulator) -> None:
        client.chat(model="deepseek-chat", messages=HELLO, temperature=0.3, max_tokens=50)
        (request,) = sent(sim, "chat")
        assert request["body"]["temperature"] == 0.3
        assert request["body"]["max_tokens"] == 50
        assert "top_p" not in request["body"]

    def test_it_reports_a_length_cut(self, client: GatewayClient) -> None:
        answer = client.chat(model="gpt-4o-mini", messages=HELLO, max_tokens=2)
        assert answer.finish_reason == "length"

    def test_it_streams_the_same_answer_in_pieces(self, client: GatewayClient) -> None:
        whole = client.chat(model="gpt-4o-mini", messages=HELLO)
        chunks = list(client.chat_stream(model="gpt-4o-mini", messages=HELLO))
        assert len([c for c in chunks if c.content]) > 1
        assert "".join(c.content for c in chunks) == whole.content
        assert chunks[-1].usage == whole.usage
        assert "stop" in [c.finish_reason for c in chunks]

    def test_it_raises_an_error_sent_in_the_middle_of_a_stream(self, client: GatewayClient):
        stream = client.chat_stream(
            model="gpt-4o-mini",
            messages=[ChatMessage(role="user", content="Hi [fault:stream-error]")],
        )
        with pytest.raises(GatewayUnavailableError, match="in the middle of the answer"):
            list(stream)

    def test_it_explains_bad_parameters(self, client: GatewayClient) -> None:
        with pytest.raises(GatewayBadRequestError) as caught:
            client.chat(model="gpt-4o-mini", messages=HELLO, temperature=5)
        assert caught.value.message.startswith("The gateway rejected the request (400). Details: ")
        assert "temperature" in caught.value.message


class TestImages:
    body = {"model": "doubao-seedream-4-0-250828", "prompt": "A red kite", "size": "1K"}

    def test_it_returns_image_urls_that_serve_real_pngs(self, client: GatewayClient) -> None:
        result = client.generate_images(body=self.body)
        (image,) = result.images
        assert image.url
        assert image.error is None
        assert image.size
        assert result.generated_images == 1
        png = requests.get(image.url, timeout=10)
        assert png.headers["Content-Type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")

    def test_it_returns_base64_images(self, client: GatewayClient) -> None:
        result = client.generate_images(body={**self.body, "response_format": "b64_json"})
        assert result.images[0].url is None
        assert result.images[0].b64_json

    def test_it_keeps_the_images_that_worked_when_one_failed(self, client: GatewayClient) -> None:
        body = {
            **self.body,
            "prompt": "Kites [fault:image-item-error]",
            "sequential_image_generation": "auto",
            "sequential_image_generation_options": {"max_images": 3},
        }
        images = client.generate_images(body=body).images
        assert len(images) == 3
        failed = [image for image in images if image.error]
        assert len(failed) == 1
        assert failed[0].url is None
        assert len([image for image in images if image.url]) == 2

    def test_it_explains_an_invalid_size(self, client: GatewayClient) -> None:
        with pytest.raises(GatewayBadRequestError, match="size"):
            client.generate_images(body={**self.body, "size": "10x10"})


class TestSeedance:
    @pytest.mark.parametrize("shape", ["standard", "empty-status", "processing", "id-only"])
    @pytest.mark.parametrize("prefix", ["cgt-", "asyntask_", "gen-"])
    def test_it_reads_every_create_response(
        self, client: GatewayClient, sim: Simulator, shape: str, prefix: str
    ) -> None:
        sim.configure(seedance_create_shape=shape, seedance_id_prefix=prefix)
        task = client.seedance_create(body=SEEDANCE)
        assert task.task_id.startswith(prefix)
        expected = TaskState.RUNNING if shape == "processing" else TaskState.QUEUED
        assert task.state is expected
        assert client.seedance_get(task_id=task.task_id).task_id == task.task_id

    @pytest.mark.parametrize("shape", ["gateway", "ark"])
    @pytest.mark.parametrize("quirk", [False, True])
    def test_it_follows_a_task_to_its_video(
        self, client: GatewayClient, sim: Simulator, shape: str, quirk: bool
    ) -> None:
        sim.configure(seedance_query_shape=shape, seedance_success_quirk=quirk, video_seconds=1)
        task_id = client.seedance_create(body=SEEDANCE).task_id
        task = wait_until_final(lambda: client.seedance_get(task_id=task_id))
        assert task.state is TaskState.SUCCEEDED
        assert task.progress == 100
        assert task.fail_reason is None
        assert task.video_url
        assert ".mp4" in task.video_url

    def test_it_sees_progress_rise(self, client: GatewayClient, sim: Simulator) -> None:
        sim.configure(video_seconds=2)
        task_id = client.seedance_create(body=SEEDANCE).task_id
        time.sleep(1)
        middle = client.seedance_get(task_id=task_id)
        assert middle.state is TaskState.RUNNING
        assert 0 < middle.progress < 100

    @pytest.mark.parametrize("shape", ["gateway", "ark"])
    def test_it_reports_why_a_task_failed(
        self, client: GatewayClient, sim: Simulator, shape: str
    ) -> None:
        sim.configure(seedance_query_shape=shape, video_seconds=0.5)
        body = {**SEEDANCE, "content": [{"type": "text", "text": "Cat [fault:task-failure]"}]}
        task_id = client.seedance_create(body=body).task_id
        task = wait_until_final(lambda: client.seedance_get(task_id=task_id))
        assert task.state is TaskState.FAILED
        assert task.fail_reason
        assert len(task.fail_reason) > 10
        assert task.video_url is None

    @pytest.mark.parametrize("status", [400, 404])
    def test_it_recognises_an_unknown_task(
        self, client: GatewayClient, sim: Simulator, status: int
    ) -> None:
        sim.configure(task_not_exist_status=status)
        with pytest.raises(TaskNotFoundError, match="does not know this task"):
            client.seedance_get(task_id="cgt-20260101000000-nope0")

    def test_it_explains_a_bad_duration(self, client: GatewayClient) -> None:
        with pytest.raises(GatewayBadRequestError, match="duration"):
            client.seedance_create(body={**SEEDANCE, "duration": 30})


class TestKling:
    @pytest.mark.parametrize("action", list(KlingAction))
    @pytest.mark.parametrize("create_shape", ["gateway", "kling"])
    @pytest.mark.parametrize("query_shape", ["gateway", "kling"])
    def test_it_follows_every_action_in_every_shape(
        self,
        client: GatewayClient,
        sim: Simulator,
        action: KlingAction,
        create_shape: str,
        query_shape: str,
    ) -> None:
        sim.configure(
            kling_create_shape=create_shape, kling_query_shape=query_shape, video_seconds=0.5
        )
        created = client.kling_create(action=action, body=KLING[action])
        assert created.state is TaskState.QUEUED
        task = wait_until_final(lambda: client.kling_get(action=action, task_id=created.task_id))
        assert task.state is TaskState.SUCCEEDED
        assert task.video_url
        assert ".mp4" in task.video_url

    @pytest.mark.parametrize("served", ["short", "action", "both"])
    @pytest.mark.parametrize("preferred", ["short", "action"])
    def test_it_finds_the_query_path_the_gateway_serves(
        self, client: GatewayClient, sim: Simulator, settings: Any, served: str, preferred: str
    ) -> None:
        settings.STARRISE_KLING_QUERY_PATH = preferred
        sim.configure(kling_query_paths=served)
        created = client.kling_create(
            action=KlingAction.TEXT2VIDEO, body=KLING[KlingAction.TEXT2VIDEO]
        )
        task = client.kling_get(action=KlingAction.TEXT2VIDEO, task_id=created.task_id)
        assert task.task_id == created.task_id

    @pytest.mark.parametrize("shape", ["gateway", "kling"])
    def test_it_reports_why_a_kling_task_failed(
        self, client: GatewayClient, sim: Simulator, shape: str
    ) -> None:
        sim.configure(kling_query_shape=shape, video_seconds=0.5)
        body = {**KLING[KlingAction.TEXT2VIDEO], "prompt": "Fox [fault:task-failure]"}
        created = client.kling_create(action=KlingAction.TEXT2VIDEO, body=body)
        task = wait_until_final(
            lambda: client.kling_get(action=KlingAction.TEXT2VIDEO, task_id=created.task_id)
        )
        assert task.state is TaskState.FAILED
        assert task.fail_reason
        assert len(task.fail_reason) > 10

    def test_it_explains_bad_kling_parameters(self, client: GatewayClient) -> None:
        body = {**KLING[KlingAction.TEXT2VIDEO], "duration": 5}
        with pytest.raises(GatewayBadRequestError, match=r"Kling 1201"):
            client.kling_create(action=KlingAction.TEXT2VIDEO, body=body)


def kling_text2video(client: GatewayClient) -> Any:
    return client.kling_create(action=KlingAction.TEXT2VIDEO, body=KLING[KlingAction.TEXT2VIDEO])


class TestFaults:
    @pytest.mark.parametrize(
        ("fault", "error", "message"),
        [
            ("401", GatewayAuthError, "The gateway rejected the team key (401): ask an admin"),
            ("403", GatewayForbiddenError, "The gateway refused this request (403)"),
            ("500", GatewayUnavailableError, "The gateway had an internal error (500)"),
            ("malformed-json", GatewayProtocolError, "not valid JSON (HTTP 200)"),
        ],
    )
    def test_it_explains_a_failure_it_does_not_retry(
        self,
        client: GatewayClient,
        sim: Simulator,
        fault: str,
        error: type[GatewayError],
        message: str,
    ) -> None:
        sim.configure(fault=fault)
        with pytest.raises(error) as caught:
            client.list_models()
        assert message in caught.value.message
        assert sim.key not in str(caught.value)
        assert len(sent(sim, "models")) == 1

    @pytest.mark.parametrize("fault", ["429", "429-no-retry-after", "503", "drop"])
    def test_it_retries_a_passing_failure(
        self, client: GatewayClient, sim: Simulator, fault: str
    ) -> None:
        sim.configure(fault=fault, fault_times=2, retry_after=0)
        assert client.list_models()
        assert len(sent(sim, "models")) == 3

    @pytest.mark.parametrize(
        ("fault", "error", "message"),
        [
            ("429", GatewayRateLimitError, "rate-limiting the team (429)"),
            ("503", GatewayUnavailableError, "overloaded (503)"),
            ("drop", GatewayConnectionError, "connection failed or was dropped"),
        ],
    )
    def test_it_gives_up_after_the_retry_limit(
        self,
        client: GatewayClient,
        sim: Simulator,
        settings: Any,
        fault: str,
        error: type[GatewayError],
        message: str,
    ) -> None:
        settings.STARRISE_MAX_RETRIES = 2
        sim.configure(fault=fault, retry_after=0)
        with pytest.raises(error, match=re.escape(message)):
            client.list_models()
        assert len(sent(sim, "models")) == 3

    def test_it_waits_as_long_as_retry_after_says(
        self, client: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_BACKOFF_MAX = 5
        sim.configure(fault="429", fault_times=1, retry_after=1)
        started = time.monotonic()
        client.list_models()
        assert time.monotonic() - started >= 1

    def test_it_leaves_a_long_retry_after_to_the_caller(
        self, client: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_BACKOFF_MAX = 0.5
        sim.configure(fault="429", retry_after=30)
        with pytest.raises(GatewayRateLimitError) as caught:
            client.list_models()
        assert caught.value.retry_after == 30
        assert len(sent(sim, "models")) == 1

    def test_it_times_out_and_never_resends_a_post(
        self, client: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        sim.configure(fault="timeout")
        with pytest.raises(GatewayTimeoutError, match=r"did not answer within 0\.5 seconds"):
            client.chat(model="gpt-4o-mini", messages=HELLO)
        assert len(sent_after_stalls(sim, "chat")) == 1

    def test_it_retries_a_query_that_timed_out(
        self, client: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        sim.configure(fault="timeout", fault_times=1)
        assert client.list_models()
        assert len(sent_after_stalls(sim, "models")) == 2

    def test_it_accepts_a_fault_asked_for_in_the_prompt(self, client: GatewayClient) -> None:
        with pytest.raises(GatewayForbiddenError):
            client.chat(
                model="gpt-4o-mini", messages=[ChatMessage(role="user", content="[fault:403]")]
            )

    @pytest.mark.parametrize("shape", ["kling", "openai"])
    @pytest.mark.parametrize(
        ("fault", "error", "message", "tries"),
        [
            ("kling-1102", GatewayBillingError, "cannot pay for this", 1),
            ("kling-1301", GatewayContentPolicyError, "content safety check", 1),
            ("kling-1303", GatewayRateLimitError, "too many video jobs", 3),
        ],
    )
    def test_it_explains_kling_business_errors(
        self,
        client: GatewayClient,
        sim: Simulator,
        settings: Any,
        shape: str,
        fault: str,
        error: type[GatewayError],
        message: str,
        tries: int,
    ) -> None:
        settings.STARRISE_MAX_RETRIES = 2
        sim.configure(fault=fault, kling_error_shape=shape, retry_after=0)
        with pytest.raises(error) as caught:
            kling_text2video(client)
        if shape == "kling":
            assert message in caught.value.message.lower()
        assert isinstance(caught.value, GatewayError)
        assert len(sent(sim, "kling.create")) == tries

    @pytest.mark.parametrize(
        ("fault", "error"),
        [
            ("401", GatewayAuthError),
            ("403", GatewayForbiddenError),
            ("500", GatewayUnavailableError),
        ],
    )
    def test_it_maps_http_faults_on_kling_routes(
        self, client: GatewayClient, sim: Simulator, fault: str, error: type[GatewayError]
    ) -> None:
        sim.configure(fault=fault)
        with pytest.raises(error):
            kling_text2video(client)

    def test_it_maps_a_lost_task(self, client: GatewayClient, sim: Simulator) -> None:
        body = {**SEEDANCE, "content": [{"type": "text", "text": "Cat [fault:task-not-exist]"}]}
        task = client.seedance_create(body=body)
        with pytest.raises(TaskNotFoundError):
            client.seedance_get(task_id=task.task_id)
