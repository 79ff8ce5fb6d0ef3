"""Seedance video tasks: create shapes, query shapes, the clock, and validation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.simulator.conftest import SEEDANCE_BODY, Api

GATEWAY_STATUSES = ["NOT_START", "SUBMITTED", "QUEUED", "IN_PROGRESS", "SUCCESS", "FAILURE"]


def create(api: Api, body: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    response = api.post("/v1/video/generations", body or SEEDANCE_BODY, **kwargs)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def finished(body: dict[str, Any]) -> bool:
    data = body.get("data") or {}
    return data.get("status") in ("SUCCESS", "FAILURE") or body.get("status") in (
        "succeeded",
        "failed",
    )


class TestCreate:
    def test_it_answers_the_standard_shape(self, sim, api):
        answer = create(api)
        assert answer["task_id"] == answer["id"]
        assert re.fullmatch(r"cgt-\d{14}-[a-z0-9]{5}", answer["id"])
        assert answer["object"] == "video"
        assert answer["model"] == SEEDANCE_BODY["model"]
        assert answer["status"] == "queued"
        assert answer["progress"] == 0
        assert isinstance(answer["created_at"], int)

    @pytest.mark.parametrize(
        ("shape", "status"), [("empty-status", ""), ("processing", "processing")]
    )
    def test_it_answers_the_status_variants(self, sim, api, shape, status):
        sim.configure(seedance_create_shape=shape)
        answer = create(api)
        assert answer["status"] == status
        assert answer["task_id"] == answer["id"]

    def test_it_answers_with_only_an_id(self, sim, api):
        sim.configure(seedance_create_shape="id-only")
        answer = create(api)
        assert "task_id" not in answer
        assert answer["status"] == "queued"
        assert api.get(f"/v1/video/generations/{answer['id']}").status_code == 200

    @pytest.mark.parametrize(
        ("prefix", "pattern"),
        [("asyntask_", r"asyntask_[a-z0-9]{24}"), ("gen-", r"gen-[a-z0-9]{24}")],
    )
    def test_it_makes_ids_with_each_prefix(self, sim, api, prefix, pattern):
        sim.configure(seedance_id_prefix=prefix)
        task_id = create(api)["task_id"]
        assert re.fullmatch(pattern, task_id)
        assert api.get(f"/v1/video/generations/{task_id}").json()["data"]["task_id"] == task_id

    def test_it_accepts_flags_in_the_text(self, sim, api):
        text = "A cat --resolution 480p --ratio 9:16 --duration 3 --camerafixed true --seed 11"
        body = {"model": "m", "content": [{"type": "text", "text": f"{text} --watermark false"}]}
        task_id = create(api, body)["id"]
        ark = api.get(f"/v1/video/generations/{task_id}").json()["data"]["data"]
        assert (ark["resolution"], ark["ratio"], ark["duration"], ark["seed"]) == (
            "480p",
            "9:16",
            3,
            11,
        )

    def test_top_level_parameters_win_over_flags(self, sim, api):
        body = {**SEEDANCE_BODY, "content": [{"type": "text", "text": "x --duration 9"}]}
        task_id = create(api, body)["id"]
        assert api.get(f"/v1/video/generations/{task_id}").json()["data"]["data"]["duration"] == 2

    def test_it_accepts_a_first_frame_image_alone(self, sim, api):
        image = {"type": "image_url", "image_url": {"url": "https://e.com/a.png"}}
        body = {"model": "m", "content": [{**image, "role": "first_frame"}], "duration": 5}
        assert create(api, body)["status"] == "queued"

    @pytest.mark.parametrize(
        ("change", "word"),
        [
            ({"model": ""}, "model"),
            ({"content": []}, "content"),
            ({"content": [{"type": "video", "video": "x"}]}, "content"),
            ({"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}, "text"),
            ({"ratio": "2:1"}, "ratio"),
            ({"resolution": "4k"}, "resolution"),
            ({"duration": 1}, "duration"),
            ({"duration": 13}, "duration"),
            ({"duration": "5"}, "duration"),
            ({"seed": -2}, "seed"),
            ({"camera_fixed": "no"}, "camera_fixed"),
            ({"watermark": 1}, "watermark"),
            ({"content": [{"type": "text", "text": "x --duration 20"}], "duration": None}, "dur"),
        ],
    )
    def test_it_rejects_bad_parameters_with_task_failed(self, sim, api, change, word):
        body = {
            key: value for key, value in {**SEEDANCE_BODY, **change}.items() if value is not None
        }
        response = api.post("/v1/video/generations", body)
        assert response.status_code == 400
        answer = response.json()
        assert answer["code"] == "task_failed"
        assert answer["data"] is None
        assert word in answer["message"]

    @pytest.mark.parametrize(
        "roles",
        [
            ["last_frame"],
            ["first_frame", "first_frame"],
            ["first_frame", "reference_image"],
            ["reference_image"] * 5,
            ["middle_frame"],
        ],
    )
    def test_it_rejects_bad_image_roles(self, sim, api, roles):
        images = [
            {"type": "image_url", "image_url": {"url": f"https://e.com/{i}.png"}, "role": role}
            for i, role in enumerate(roles)
        ]
        body = {**SEEDANCE_BODY, "content": [{"type": "text", "text": "x"}, *images]}
        response = api.post("/v1/video/generations", body)
        assert response.status_code == 400
        assert response.json()["code"] == "task_failed"


class TestQuery:
    def test_a_task_goes_from_queued_through_in_progress_to_success(self, sim, api):
        sim.configure(video_seconds=1.0)
        task_id = create(api)["task_id"]
        seen = api.poll(f"/v1/video/generations/{task_id}", finished)
        statuses = [body["data"]["status"] for body in seen]
        assert statuses[0] in ("NOT_START", "SUBMITTED", "QUEUED")
        assert "IN_PROGRESS" in statuses
        assert statuses[-1] == "SUCCESS"
        order = [GATEWAY_STATUSES.index(status) for status in statuses]
        assert order == sorted(order)
        inner = [body["data"]["data"]["status"] for body in seen]
        assert inner[0] == "queued"
        assert "running" in inner
        assert inner[-1] == "succeeded"

    def test_progress_rises_to_100_percent(self, sim, api):
        sim.configure(video_seconds=1.0)
        task_id = create(api)["task_id"]
        seen = api.poll(f"/v1/video/generations/{task_id}", finished)
        progress = [int(body["data"]["progress"].rstrip("%")) for body in seen]
        assert progress == sorted(progress)
        assert len(set(progress)) >= 4
        assert progress[-1] == 100
        assert all(body["data"]["progress"].endswith("%") for body in seen)

    def test_a_finished_task_has_the_gateway_envelope_and_the_ark_object(self, sim, api):
        sim.configure(video_seconds=0.3)
        task_id = create(api)["task_id"]
        body = api.poll(f"/v1/video/generations/{task_id}", finished)[-1]
        assert body["code"] == "success"
        assert body["message"] == ""
        data = body["data"]
        assert data["task_id"] == task_id
        assert data["action"] == "generate"
        assert data["fail_reason"] == ""
        assert data["result_url"].startswith(f"{sim.url}/media/")
        assert ".mp4?expires=" in data["result_url"]
        assert data["submit_time"] <= data["start_time"] <= data["finish_time"]
        ark = data["data"]
        assert ark["id"] == task_id
        assert ark["model"] == SEEDANCE_BODY["model"]
        assert ark["error"] is None
        assert ark["content"]["video_url"] == data["result_url"]
        assert ".png?expires=" in ark["content"]["last_frame_url"]
        assert ark["usage"]["completion_tokens"] == 1280 * 720 * (24 * 2 + 1) // 1024
        assert ark["framespersecond"] == 24
        assert (ark["resolution"], ark["ratio"], ark["duration"]) == ("720p", "16:9", 2)
        assert ark["created_at"] <= ark["updated_at"]

    def test_the_ark_shape_is_the_raw_ark_task(self, sim, api):
        sim.configure(seedance_query_shape="ark", video_seconds=0.3)
        task_id = create(api)["task_id"]
        seen = api.poll(f"/v1/video/generations/{task_id}", finished)
        assert "code" not in seen[-1]
        assert seen[-1]["id"] == task_id
        assert seen[-1]["status"] == "succeeded"
        assert seen[-1]["content"]["video_url"].startswith(f"{sim.url}/media/")
        assert "content" not in seen[0] or seen[0]["status"] == "succeeded"

    def test_the_success_quirk_copies_the_url_into_fail_reason(self, sim, api):
        sim.configure(seedance_success_quirk=True, video_seconds=0.3)
        task_id = create(api)["task_id"]
        data = api.poll(f"/v1/video/generations/{task_id}", finished)[-1]["data"]
        assert data["status"] == "SUCCESS"
        assert data["fail_reason"] == data["result_url"]

    @pytest.mark.parametrize("status", [400, 404])
    def test_an_unknown_task_answers_task_not_exist(self, sim, api, status):
        sim.configure(task_not_exist_status=status)
        response = api.get("/v1/video/generations/cgt-nope")
        assert response.status_code == status
        assert response.json() == {
            "code": "task_not_exist",
            "message": "task_not_exist",
            "data": None,
        }

    def test_a_kling_task_is_not_a_seedance_task(self, sim, api):
        kling_id = api.post(
            "/kling/v1/videos/text2video", {"prompt": "p", "model_name": "kling-v1"}
        ).json()["task_id"]
        assert api.get(f"/v1/video/generations/{kling_id}").json()["code"] == "task_not_exist"
