"""Video jobs: request bodies, every create and query shape of the simulator, and its faults."""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from typing import Any

import pytest

from playground.gateway.client import GatewayClient
from playground.gateway.errors import (
    GatewayAuthError,
    GatewayBadRequestError,
    GatewayBillingError,
    GatewayContentPolicyError,
    GatewayError,
    GatewayForbiddenError,
    GatewayOutcomeUnknownError,
    GatewayRateLimitError,
    GatewayUnavailableError,
    TaskNotFoundError,
)
from playground.gateway.media import ImageSource
from playground.gateway.video import (
    CameraControl,
    DynamicMask,
    KlingAction,
    KlingRequest,
    SeedanceRequest,
    TaskState,
    VideoTask,
    callback_looks_final,
)
from tests.conftest import Simulator
from tests.gateway.conftest import png, sent, sent_after_stalls, wait_until_final

PICTURE = png()
STORED = ImageSource(reference="upload:fox", read=lambda: PICTURE)
LINKED = ImageSource(url="https://example.com/fox.png")
SEEDANCE = SeedanceRequest(
    model="doubao-seedance-1-0-pro-250528",
    prompt="A cat playing piano",
    ratio="16:9",
    resolution="720p",
    duration=2,
)
KLING: dict[KlingAction, KlingRequest] = {
    KlingAction.TEXT2VIDEO: KlingRequest(
        action=KlingAction.TEXT2VIDEO, model_name="kling-v1-6", prompt="A fox in snow", duration=5
    ),
    KlingAction.IMAGE2VIDEO: KlingRequest(
        action=KlingAction.IMAGE2VIDEO,
        model_name="kling-v1-6",
        prompt="The fox turns its head",
        image=LINKED,
        duration=5,
    ),
    KlingAction.MULTI_IMAGE2VIDEO: KlingRequest(
        action=KlingAction.MULTI_IMAGE2VIDEO,
        model_name="kling-v1-6",
        prompt="Two foxes meet",
        image_list=(
            ImageSource(url="https://example.com/a.png"),
            ImageSource(url="https://example.com/b.png"),
        ),
        duration=5,
    ),
}
TEXT2VIDEO = KLING[KlingAction.TEXT2VIDEO]


def seedance(prompt: str) -> SeedanceRequest:
    return SeedanceRequest(model=SEEDANCE.model, prompt=prompt, duration=2)


def kling(prompt: str, **changes: Any) -> KlingRequest:
    base = KlingRequest(
        action=KlingAction.TEXT2VIDEO, model_name="kling-v1-6", prompt=prompt, duration=5
    )
    return dataclasses.replace(base, **changes)


class TestSeedanceToJson:
    def test_it_leaves_out_what_is_not_set(self) -> None:
        assert SeedanceRequest(model="m", prompt="A cat").to_json() == {
            "model": "m",
            "content": [{"type": "text", "text": "A cat"}],
        }

    def test_it_sends_stored_frames_as_data_uris_and_records_their_reference(self) -> None:
        request = SeedanceRequest(
            model="m",
            prompt="A cat",
            first_frame=STORED,
            last_frame=LINKED,
            ratio="adaptive",
            seed=0,
            camera_fixed=False,
            watermark=False,
        )
        encoded = base64.b64encode(PICTURE).decode()
        wire = request.to_json()
        assert wire["content"][1:] == [
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{encoded}"},
                "role": "first_frame",
            },
            {"type": "image_url", "image_url": {"url": LINKED.url}, "role": "last_frame"},
        ]
        assert (wire["ratio"], wire["seed"], wire["camera_fixed"], wire["watermark"]) == (
            "adaptive",
            0,
            False,
            False,
        )
        assert "duration" not in wire
        assert "resolution" not in wire
        recorded = request.to_json(record=True)
        assert recorded["content"][1]["image_url"] == {"url": "upload:fox"}
        assert encoded not in json.dumps(recorded)

    def test_it_gives_reference_images_their_role(self) -> None:
        request = SeedanceRequest(model="m", prompt="A cat", reference_images=(LINKED, LINKED))
        roles = [part.get("role") for part in request.to_json()["content"]]
        assert roles == [None, "reference_image", "reference_image"]


class TestKlingToJson:
    def test_it_sends_the_duration_as_a_string_and_leaves_out_empty_fields(self) -> None:
        assert TEXT2VIDEO.to_json() == {
            "model_name": "kling-v1-6",
            "prompt": "A fox in snow",
            "duration": "5",
        }

    def test_it_sends_stored_images_as_raw_base64_and_records_their_reference(self) -> None:
        request = kling(
            "The fox",
            action=KlingAction.IMAGE2VIDEO,
            image=STORED,
            image_tail=LINKED,
            aspect_ratio="16:9",
            negative_prompt="blur",
            cfg_scale=0.5,
            mode="pro",
            duration=10,
            callback_url="https://playground.example/cb/1",
            external_task_id="job-1",
        )
        encoded = base64.b64encode(PICTURE).decode()
        assert request.to_json() == {
            "model_name": "kling-v1-6",
            "prompt": "The fox",
            "negative_prompt": "blur",
            "cfg_scale": 0.5,
            "mode": "pro",
            "duration": "10",
            "image": encoded,
            "image_tail": LINKED.url,
            "callback_url": "https://playground.example/cb/1",
            "external_task_id": "job-1",
        }
        recorded = request.to_json(record=True)
        assert recorded["image"] == "upload:fox"
        assert encoded not in json.dumps(recorded)

    def test_it_sends_camera_control_masks_and_image_lists(self) -> None:
        camera = kling("Pan", camera_control=CameraControl("simple", {"pan": 5.0}))
        assert camera.to_json()["camera_control"] == {"type": "simple", "config": {"pan": 5.0}}
        preset = kling("Down", camera_control=CameraControl("down_back"))
        assert preset.to_json()["camera_control"] == {"type": "down_back"}
        masked = kling(
            "Move",
            action=KlingAction.IMAGE2VIDEO,
            image=LINKED,
            static_mask=STORED,
            dynamic_masks=(DynamicMask(mask=STORED, trajectories=((1, 2), (3, 4))),),
        )
        body = masked.to_json(record=True)
        assert body["static_mask"] == "upload:fox"
        assert body["dynamic_masks"] == [
            {"mask": "upload:fox", "trajectories": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}
        ]
        listed = KLING[KlingAction.MULTI_IMAGE2VIDEO].to_json()
        assert listed["image_list"] == [
            {"image": "https://example.com/a.png"},
            {"image": "https://example.com/b.png"},
        ]


class TestSubmittingRequests:
    def test_a_seedance_request_with_a_stored_frame_is_accepted(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        request = SeedanceRequest(
            model=SEEDANCE.model, prompt="A fox", first_frame=STORED, duration=2, seed=3
        )
        task = gateway.seedance_create(request)
        assert task.state is TaskState.QUEUED
        (logged,) = sent(sim, "seedance.create")
        assert logged["status"] == 200

    @pytest.mark.parametrize(
        "request_",
        [
            kling("A fox", camera_control=CameraControl("simple", {"zoom": 3.0}), mode="std"),
            kling("A fox", action=KlingAction.IMAGE2VIDEO, image=STORED, image_tail=STORED),
            kling(
                "A fox",
                action=KlingAction.IMAGE2VIDEO,
                image=STORED,
                static_mask=STORED,
                dynamic_masks=(DynamicMask(mask=STORED, trajectories=((0, 0), (10, 10))),),
            ),
            kling(
                "Two foxes",
                action=KlingAction.MULTI_IMAGE2VIDEO,
                image_list=(STORED, LINKED),
                aspect_ratio="1:1",
                duration=10,
            ),
        ],
        ids=["camera", "image-and-tail", "masks", "image-list"],
    )
    def test_a_kling_request_is_accepted(
        self, gateway: GatewayClient, sim: Simulator, request_: KlingRequest
    ) -> None:
        task = gateway.kling_create(request_)
        assert task.state is TaskState.QUEUED
        assert [entry["status"] for entry in sent(sim, "kling.create")] == [200]


class TestSeedance:
    @pytest.mark.parametrize("shape", ["standard", "empty-status", "processing", "id-only"])
    @pytest.mark.parametrize("prefix", ["cgt-", "asyntask_", "gen-"])
    def test_it_reads_every_create_response(
        self, gateway: GatewayClient, sim: Simulator, shape: str, prefix: str
    ) -> None:
        sim.configure(seedance_create_shape=shape, seedance_id_prefix=prefix)
        task = gateway.seedance_create(SEEDANCE)
        assert task.task_id.startswith(prefix)
        expected = TaskState.RUNNING if shape == "processing" else TaskState.QUEUED
        assert task.state is expected
        assert gateway.seedance_get(task_id=task.task_id).task_id == task.task_id

    @pytest.mark.parametrize("shape", ["gateway", "ark"])
    @pytest.mark.parametrize("quirk", [False, True])
    def test_it_follows_a_task_to_its_video(
        self, gateway: GatewayClient, sim: Simulator, shape: str, quirk: bool
    ) -> None:
        sim.configure(seedance_query_shape=shape, seedance_success_quirk=quirk, video_seconds=1)
        task_id = gateway.seedance_create(SEEDANCE).task_id
        task = wait_until_final(lambda: gateway.seedance_get(task_id=task_id))
        assert task.state is TaskState.SUCCEEDED
        assert task.progress == 100
        assert task.fail_reason is None
        assert task.video_url
        assert ".mp4" in task.video_url

    def test_it_reads_when_the_task_finished_from_the_envelope(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(video_seconds=0.5)
        task_id = gateway.seedance_create(SEEDANCE).task_id
        assert gateway.seedance_get(task_id=task_id).finished_at is None
        task = wait_until_final(lambda: gateway.seedance_get(task_id=task_id))
        assert task.finished_at is not None
        assert abs(task.finished_at - time.time()) < 30

    def test_it_has_no_finish_time_from_a_raw_ark_task(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(seedance_query_shape="ark", video_seconds=0.3)
        task_id = gateway.seedance_create(SEEDANCE).task_id
        task = wait_until_final(lambda: gateway.seedance_get(task_id=task_id))
        assert task.finished_at is None

    def test_it_sees_progress_rise(self, gateway: GatewayClient, sim: Simulator) -> None:
        sim.configure(video_seconds=2)
        task_id = gateway.seedance_create(SEEDANCE).task_id
        time.sleep(1)
        middle = gateway.seedance_get(task_id=task_id)
        assert middle.state is TaskState.RUNNING
        assert 0 < middle.progress < 100

    @pytest.mark.parametrize("shape", ["gateway", "ark"])
    def test_it_reports_why_a_task_failed(
        self, gateway: GatewayClient, sim: Simulator, shape: str
    ) -> None:
        sim.configure(seedance_query_shape=shape, video_seconds=0.5)
        task_id = gateway.seedance_create(seedance("Cat [fault:task-failure]")).task_id
        task = wait_until_final(lambda: gateway.seedance_get(task_id=task_id))
        assert task.state is TaskState.FAILED
        assert task.fail_reason
        assert len(task.fail_reason) > 10
        assert task.video_url is None

    @pytest.mark.parametrize("status", [400, 404])
    def test_it_recognises_an_unknown_task(
        self, gateway: GatewayClient, sim: Simulator, status: int
    ) -> None:
        sim.configure(task_not_exist_status=status)
        with pytest.raises(TaskNotFoundError, match="does not know this task"):
            gateway.seedance_get(task_id="cgt-20260101000000-nope0")

    def test_it_maps_a_lost_task(self, gateway: GatewayClient) -> None:
        task = gateway.seedance_create(seedance("Cat [fault:task-not-exist]"))
        with pytest.raises(TaskNotFoundError):
            gateway.seedance_get(task_id=task.task_id)

    def test_it_explains_a_bad_duration(self, gateway: GatewayClient) -> None:
        with pytest.raises(GatewayBadRequestError, match="duration"):
            gateway.seedance_create(SeedanceRequest(model=SEEDANCE.model, prompt="A", duration=30))


class TestKling:
    @pytest.mark.parametrize("action", list(KlingAction))
    @pytest.mark.parametrize("create_shape", ["gateway", "kling"])
    @pytest.mark.parametrize("query_shape", ["gateway", "kling"])
    def test_it_follows_every_action_in_every_shape(
        self,
        gateway: GatewayClient,
        sim: Simulator,
        action: KlingAction,
        create_shape: str,
        query_shape: str,
    ) -> None:
        sim.configure(
            kling_create_shape=create_shape, kling_query_shape=query_shape, video_seconds=0.5
        )
        created = gateway.kling_create(KLING[action])
        assert created.state is TaskState.QUEUED
        task = wait_until_final(lambda: gateway.kling_get(action=action, task_id=created.task_id))
        assert task.state is TaskState.SUCCEEDED
        assert task.video_url
        assert ".mp4" in task.video_url
        assert (task.finished_at is not None) is (query_shape == "gateway")

    @pytest.mark.parametrize("served", ["short", "action", "both"])
    @pytest.mark.parametrize("preferred", ["short", "action"])
    def test_it_finds_the_query_path_the_gateway_serves(
        self, gateway: GatewayClient, sim: Simulator, settings: Any, served: str, preferred: str
    ) -> None:
        settings.STARRISE_KLING_QUERY_PATH = preferred
        sim.configure(kling_query_paths=served)
        created = gateway.kling_create(TEXT2VIDEO)
        task = gateway.kling_get(action=KlingAction.TEXT2VIDEO, task_id=created.task_id)
        assert task.task_id == created.task_id

    @pytest.mark.parametrize("shape", ["gateway", "kling"])
    def test_it_reports_why_a_kling_task_failed(
        self, gateway: GatewayClient, sim: Simulator, shape: str
    ) -> None:
        sim.configure(kling_query_shape=shape, video_seconds=0.5)
        created = gateway.kling_create(kling("Fox [fault:task-failure]"))
        task = wait_until_final(
            lambda: gateway.kling_get(action=KlingAction.TEXT2VIDEO, task_id=created.task_id)
        )
        assert task.state is TaskState.FAILED
        assert task.fail_reason
        assert len(task.fail_reason) > 10

    def test_it_explains_bad_kling_parameters(self, gateway: GatewayClient) -> None:
        with pytest.raises(GatewayBadRequestError, match=r"Kling 1201"):
            gateway.kling_create(kling("A fox", cfg_scale=3.0))


class TestCallbacks:
    @pytest.mark.parametrize(
        ("body", "final"),
        [
            (b'{"task_id": "1", "task_status": "succeed"}', True),
            (b'{"task_id": "1", "task_status": "failed"}', True),
            (b'{"task_id": "1", "task_status": "processing"}', False),
            (b'{"code": 0, "data": {"task_status": "succeed"}}', True),
            (b'{"code": "success", "data": {"status": "SUCCESS"}}', True),
            (b'{"task_status": "strange"}', False),
            (b"not json", False),
            (b"[1, 2]", False),
        ],
    )
    def test_it_tells_whether_a_callback_looks_final(self, body: bytes, final: bool) -> None:
        assert callback_looks_final(body) is final


def create(gateway: GatewayClient, kind: str) -> VideoTask:
    if kind == "seedance":
        return gateway.seedance_create(SEEDANCE)
    return gateway.kling_create(TEXT2VIDEO)


class TestFaults:
    @pytest.mark.parametrize("kind", ["seedance", "kling"])
    def test_it_never_resends_a_create_after_a_drop(
        self, gateway: GatewayClient, sim: Simulator, kind: str
    ) -> None:
        sim.configure(fault="drop", fault_routes="create")
        with pytest.raises(GatewayOutcomeUnknownError) as caught:
            create(gateway, kind)
        assert caught.value.message.startswith(
            "The gateway did not confirm the video job: it may have started upstream. "
            "Check before running it again."
        )
        assert not caught.value.retryable
        assert len(sent(sim, f"{kind}.create")) == 1

    @pytest.mark.parametrize("kind", ["seedance", "kling"])
    def test_it_never_resends_a_create_that_timed_out(
        self, gateway: GatewayClient, sim: Simulator, settings: Any, kind: str
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        sim.configure(fault="timeout", fault_routes="create")
        with pytest.raises(GatewayOutcomeUnknownError, match="it may have started upstream"):
            create(gateway, kind)
        assert len(sent_after_stalls(sim, f"{kind}.create")) == 1

    @pytest.mark.parametrize("kind", ["seedance", "kling"])
    def test_it_never_resends_a_create_answered_with_malformed_json(
        self, gateway: GatewayClient, sim: Simulator, kind: str
    ) -> None:
        sim.configure(fault="malformed-json", fault_routes="create")
        with pytest.raises(GatewayOutcomeUnknownError, match="it may have started upstream"):
            create(gateway, kind)
        assert len(sent(sim, f"{kind}.create")) == 1

    @pytest.mark.parametrize("kind", ["seedance", "kling"])
    @pytest.mark.parametrize("fault", ["429", "503"])
    def test_it_retries_a_create_the_gateway_turned_away(
        self, gateway: GatewayClient, sim: Simulator, kind: str, fault: str
    ) -> None:
        sim.configure(fault=fault, fault_times=1, retry_after=0, fault_routes="create")
        assert create(gateway, kind).task_id
        assert [entry["status"] for entry in sent(sim, f"{kind}.create")][-1] == 200
        assert len(sent(sim, f"{kind}.create")) == 2

    @pytest.mark.parametrize("kind", ["seedance", "kling"])
    def test_it_never_retries_a_create_answered_with_a_500(
        self, gateway: GatewayClient, sim: Simulator, kind: str
    ) -> None:
        sim.configure(fault="500", fault_routes="create")
        with pytest.raises(GatewayUnavailableError):
            create(gateway, kind)
        assert len(sent(sim, f"{kind}.create")) == 1

    def test_it_retries_a_poll_after_a_500(self, gateway: GatewayClient, sim: Simulator) -> None:
        task_id = gateway.seedance_create(SEEDANCE).task_id
        sim.configure(fault="500", fault_times=2, fault_routes="query")
        assert gateway.seedance_get(task_id=task_id).task_id == task_id
        assert [entry["status"] for entry in sent(sim, "seedance.query")] == [500, 500, 200]

    @pytest.mark.parametrize("shape", ["kling", "openai"])
    @pytest.mark.parametrize(
        ("fault", "error", "message"),
        [
            ("kling-1102", GatewayBillingError, "cannot pay for this"),
            ("kling-1301", GatewayContentPolicyError, "content safety check"),
            ("kling-1303", GatewayRateLimitError, "too many video jobs"),
        ],
    )
    def test_it_sends_a_kling_business_error_exactly_once(
        self,
        gateway: GatewayClient,
        sim: Simulator,
        shape: str,
        fault: str,
        error: type[GatewayError],
        message: str,
    ) -> None:
        sim.configure(fault=fault, kling_error_shape=shape, retry_after=0)
        with pytest.raises(error) as caught:
            gateway.kling_create(TEXT2VIDEO)
        assert message in caught.value.message.lower()
        assert caught.value.code == fault.removeprefix("kling-")
        assert len(sent(sim, "kling.create")) == 1

    def test_it_retries_a_kling_rate_limit(self, gateway: GatewayClient, sim: Simulator) -> None:
        sim.configure(fault="429", fault_times=2, retry_after=0)
        assert gateway.kling_create(TEXT2VIDEO).task_id
        assert len(sent(sim, "kling.create")) == 3

    @pytest.mark.parametrize(
        ("fault", "error"),
        [
            ("401", GatewayAuthError),
            ("403", GatewayForbiddenError),
            ("500", GatewayUnavailableError),
        ],
    )
    def test_it_maps_http_faults_on_kling_routes(
        self, gateway: GatewayClient, sim: Simulator, fault: str, error: type[GatewayError]
    ) -> None:
        sim.configure(fault=fault)
        with pytest.raises(error):
            gateway.kling_create(TEXT2VIDEO)
