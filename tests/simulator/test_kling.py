"""Kling video tasks: create and query shapes, query paths, validation and callbacks."""

from __future__ import annotations

import base64
import io
import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from PIL import Image

from tests.simulator.conftest import KLING_BODY, Api, simulator_status

VALID: dict[str, dict[str, Any]] = {
    "text2video": KLING_BODY,
    "image2video": {"image": "https://e.com/a.png", "duration": "5"},
    "multi-image2video": {"prompt": "p", "image_list": [{"image": "https://e.com/a"}]},
}


def create(
    api: Api, action: str = "text2video", body: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    response = api.post(f"/kling/v1/videos/{action}", body or KLING_BODY, **kwargs)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def finished(body: dict[str, Any]) -> bool:
    data = body["data"]
    return data.get("status") in ("SUCCESS", "FAILURE") or data.get("task_status") in (
        "succeed",
        "failed",
    )


def picture(width: int, height: int, kind: str = "PNG") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, format=kind)
    return base64.b64encode(buffer.getvalue()).decode()


@dataclass
class Receiver:
    url: str
    received: queue.Queue[dict[str, Any]]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A tiny local server that collects the JSON bodies POSTed to it."""
    received: queue.Queue[dict[str, Any]] = queue.Queue()

    class Receive(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.put(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Receive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook?token=x", received)
    server.shutdown()
    server.server_close()


class TestCreate:
    def test_it_answers_the_gateway_shape(self, sim, api):
        answer = create(api)
        assert answer["id"] == answer["task_id"]
        assert answer["task_id"].isdigit()
        assert len(answer["task_id"]) == 18
        assert answer["object"] == "video"
        assert answer["model"] == "kling-v1-6"
        assert answer["status"] == "submitted"
        assert answer["progress"] == 0
        assert isinstance(answer["created_at"], int)

    def test_it_answers_klings_own_envelope(self, sim, api):
        sim.configure(kling_create_shape="kling")
        body = {**KLING_BODY, "external_task_id": "mine-1"}
        answer = create(api, body=body)
        assert answer["code"] == 0
        assert answer["message"] == "SUCCEED"
        assert answer["request_id"]
        data = answer["data"]
        assert data["task_status"] == "submitted"
        assert data["task_info"] == {"external_task_id": "mine-1"}
        assert data["created_at"] > 10**12  # milliseconds
        assert api.get(f"/kling/v1/videos/{data['task_id']}").status_code == 200

    def test_image2video_takes_a_url(self, sim, api):
        body = {"model_name": "kling-v2-1", "image": "https://e.com/a.jpg", "duration": "10"}
        assert create(api, "image2video", body)["model"] == "kling-v2-1"

    def test_image2video_takes_raw_base64(self, sim, api):
        body = {"model_name": "kling-v1-5", "image": picture(400, 300, "JPEG")}
        assert create(api, "image2video", body)["status"] == "submitted"

    def test_multi_image2video_takes_an_image_list(self, sim, api):
        body = {
            "model_name": "kling-v1-6",
            "prompt": "they meet",
            "image_list": [{"image": "https://e.com/1.png"}, {"image": picture(300, 300)}],
            "aspect_ratio": "1:1",
        }
        assert create(api, "multi-image2video", body)["status"] == "submitted"

    def test_it_accepts_a_simple_camera_move(self, sim, api):
        body = {**KLING_BODY, "camera_control": {"type": "simple", "config": {"zoom": 5}}}
        assert create(api, body=body)["status"] == "submitted"

    def test_it_accepts_a_preset_camera_move(self, sim, api):
        body = {**KLING_BODY, "camera_control": {"type": "forward_up"}}
        assert create(api, body=body)["status"] == "submitted"


class TestValidation:
    @pytest.mark.parametrize("action", list(VALID))
    def test_the_bodies_the_cases_start_from_are_valid(self, sim, api, action):
        assert create(api, action, VALID[action])["status"] == "submitted"

    @pytest.mark.parametrize(
        ("action", "change", "word"),
        [
            ("text2video", {"model_name": "kling-v1-5"}, "model_name"),
            ("text2video", {"model_name": "sora"}, "model_name"),
            ("text2video", {"prompt": ""}, "prompt"),
            ("text2video", {"prompt": "x" * 2501}, "2500"),
            ("text2video", {"negative_prompt": "x" * 2501}, "negative_prompt"),
            ("text2video", {"duration": 5}, "duration"),
            ("text2video", {"duration": "7"}, "duration"),
            ("text2video", {"cfg_scale": 1.5}, "cfg_scale"),
            ("text2video", {"cfg_scale": 0.5, "model_name": "kling-v2-master"}, "cfg_scale"),
            ("text2video", {"mode": "turbo"}, "mode"),
            ("text2video", {"aspect_ratio": "4:3"}, "aspect_ratio"),
            ("text2video", {"camera_control": {"type": "spin"}}, "camera_control"),
            ("text2video", {"camera_control": {"type": "simple"}}, "camera_control"),
            (
                "text2video",
                {"camera_control": {"type": "simple", "config": {"zoom": 2, "pan": 1}}},
                "one non-zero",
            ),
            (
                "text2video",
                {"camera_control": {"type": "simple", "config": {"zoom": 0}}},
                "one non-zero",
            ),
            (
                "text2video",
                {"camera_control": {"type": "simple", "config": {"zoom": 11}}},
                "[-10, 10]",
            ),
            (
                "text2video",
                {"camera_control": {"type": "down_back", "config": {"zoom": 1}}},
                "only allowed",
            ),
            ("text2video", {"callback_url": "ftp://x"}, "callback_url"),
            ("image2video", {"image": None}, "image"),
            ("image2video", {"image": "data:image/png;base64,AAAA"}, "data:"),
            ("image2video", {"image": "not base64 at all!"}, "image"),
            ("image2video", {"image": "small"}, "image"),
            (
                "image2video",
                {
                    "image": "https://e.com/a.png",
                    "image_tail": "https://e.com/b.png",
                    "camera_control": {"type": "forward_up"},
                },
                "exclude",
            ),
            (
                "image2video",
                {
                    "image": "https://e.com/a.png",
                    "image_tail": "https://e.com/b.png",
                    "static_mask": "https://e.com/m.png",
                },
                "exclude",
            ),
            ("multi-image2video", {"model_name": "kling-v1"}, "model_name"),
            ("multi-image2video", {"image_list": []}, "image_list"),
            ("multi-image2video", {"image_list": [{"image": "https://e.com/a"}] * 5}, "1 to 4"),
            ("multi-image2video", {"image_list": [{"url": "x"}]}, "image_list[0]"),
            (
                "multi-image2video",
                {"image_list": [{"image": "https://e.com/a"}], "prompt": ""},
                "prompt",
            ),
        ],
    )
    def test_it_rejects_bad_parameters_with_code_1201(self, sim, api, action, change, word):
        body = {**VALID[action], **change}
        response = api.post(f"/kling/v1/videos/{action}", body)
        assert response.status_code == 400
        answer = response.json()
        assert answer["code"] == 1201
        assert answer["request_id"]
        assert word in answer["message"]

    @pytest.mark.parametrize(
        ("size", "kind"), [((299, 400), "PNG"), ((1000, 300), "PNG"), ((400, 400), "GIF")]
    )
    def test_it_checks_base64_images(self, sim, api, size, kind):
        body = {"image": picture(size[0], size[1], kind)}
        response = api.post("/kling/v1/videos/image2video", body)
        assert response.status_code == 400
        assert response.json()["code"] == 1201

    def test_it_rejects_a_reused_external_task_id(self, sim, api):
        body = {**KLING_BODY, "external_task_id": "job-7"}
        create(api, body=body)
        response = api.post("/kling/v1/videos/text2video", body)
        assert response.status_code == 400
        assert "external_task_id" in response.json()["message"]

    def test_an_unknown_action_is_an_unknown_url(self, sim, api):
        response = api.post("/kling/v1/videos/audio2video", KLING_BODY)
        assert response.status_code == 404
        assert response.json()["error"]["message"].startswith("Invalid URL (POST")


class TestQuery:
    def test_a_task_moves_through_the_gateway_statuses(self, sim, api):
        sim.configure(video_seconds=1.0)
        task_id = create(api)["task_id"]
        seen = api.poll(f"/kling/v1/videos/{task_id}", finished)
        statuses = [body["data"]["status"] for body in seen]
        assert statuses[0] == "SUBMITTED"
        assert "PROCESSING" in statuses
        assert "IN_PROGRESS" in statuses
        assert statuses[-1] == "SUCCESS"
        inner = [body["data"]["data"]["data"]["task_status"] for body in seen]
        assert inner[0] == "submitted"
        assert "processing" in inner
        assert inner[-1] == "succeed"
        progress = [int(body["data"]["progress"].rstrip("%")) for body in seen]
        assert progress == sorted(progress)
        assert progress[-1] == 100

    def test_a_finished_task_carries_the_video(self, sim, api):
        sim.configure(video_seconds=0.3)
        task_id = create(api)["task_id"]
        body = api.poll(f"/kling/v1/videos/{task_id}", finished)[-1]
        assert body["code"] == "success"
        data = body["data"]
        assert data["task_id"] == task_id
        assert data["action"] == "text2video"
        assert data["fail_reason"] == ""
        assert data["submit_time"] <= data["start_time"] <= data["finish_time"]
        kling = data["data"]
        assert (kling["code"], kling["message"]) == (0, "SUCCEED")
        assert kling["data"]["task_id"] == task_id
        [video] = kling["data"]["task_result"]["videos"]
        assert video["url"].startswith(f"{sim.url}/media/")
        assert ".mp4?expires=" in video["url"]
        assert video["duration"] == "5.041"
        assert kling["data"]["updated_at"] > kling["data"]["created_at"] > 10**12

    def test_the_kling_shape_is_klings_own_envelope(self, sim, api):
        sim.configure(kling_query_shape="kling", video_seconds=0.3)
        task_id = create(api)["task_id"]
        seen = api.poll(f"/kling/v1/videos/{task_id}", finished)
        assert seen[0]["code"] == 0
        assert seen[0]["data"]["task_status"] in ("submitted", "processing")
        assert "task_result" not in seen[0]["data"]
        last = seen[-1]
        assert last["message"] == "SUCCEED"
        assert last["data"]["task_status"] == "succeed"
        assert last["data"]["task_status_msg"] == ""
        assert last["data"]["task_result"]["videos"][0]["url"]

    def test_both_query_paths_work_by_default(self, sim, api):
        task_id = create(api)["task_id"]
        assert api.get(f"/kling/v1/videos/{task_id}").status_code == 200
        assert api.get(f"/kling/v1/videos/text2video/{task_id}").status_code == 200

    def test_the_short_setting_disables_the_action_path(self, sim, api):
        sim.configure(kling_query_paths="short")
        task_id = create(api)["task_id"]
        assert api.get(f"/kling/v1/videos/{task_id}").status_code == 200
        response = api.get(f"/kling/v1/videos/text2video/{task_id}")
        assert response.status_code == 404
        assert response.json()["error"]["message"] == (
            f"Invalid URL (GET /kling/v1/videos/text2video/{task_id})"
        )

    def test_the_action_setting_disables_the_short_path(self, sim, api):
        sim.configure(kling_query_paths="action")
        task_id = create(api)["task_id"]
        assert api.get(f"/kling/v1/videos/text2video/{task_id}").status_code == 200
        response = api.get(f"/kling/v1/videos/{task_id}")
        assert response.status_code == 404
        assert response.json()["error"]["message"].startswith("Invalid URL (GET")

    @pytest.mark.parametrize("status", [400, 404])
    def test_an_unknown_task_answers_task_not_exist(self, sim, api, status):
        sim.configure(task_not_exist_status=status)
        response = api.get("/kling/v1/videos/123456")
        assert response.status_code == status
        assert response.json()["code"] == "task_not_exist"


class TestCallback:
    def test_it_posts_the_task_object_on_each_state_change(self, sim, api, receiver):
        sim.configure(video_seconds=0.6)
        body = {**KLING_BODY, "callback_url": receiver.url, "external_task_id": "cb-1"}
        task_id = create(api, body=body)["task_id"]
        posts = [receiver.received.get(timeout=5) for _ in range(3)]
        assert [post["task_status"] for post in posts] == ["submitted", "processing", "succeed"]
        assert {post["task_id"] for post in posts} == {task_id}
        assert posts[0]["task_info"] == {"external_task_id": "cb-1"}
        assert posts[-1]["task_result"]["videos"][0]["url"].startswith(f"{sim.url}/media/")
        assert posts[0]["updated_at"] < posts[1]["updated_at"] < posts[2]["updated_at"]

    def test_it_reports_a_failure_to_the_callback(self, sim, api, receiver):
        sim.configure(video_seconds=0.4)
        body = {**KLING_BODY, "prompt": "[fault:task-failure] doomed", "callback_url": receiver.url}
        create(api, body=body)
        posts = [receiver.received.get(timeout=5) for _ in range(3)]
        assert posts[-1]["task_status"] == "failed"
        assert posts[-1]["task_status_msg"]
        assert "task_result" not in posts[-1]

    def test_it_survives_an_unreachable_callback(self, sim, api):
        sim.configure(video_seconds=0.3)
        body = {**KLING_BODY, "callback_url": "http://127.0.0.1:9/nowhere"}
        task_id = create(api, body=body)["task_id"]
        api.poll(f"/kling/v1/videos/{task_id}", finished)
        assert api.get("/v1/models").status_code == 200

    def test_a_reset_cancels_pending_callbacks(self, sim, api, receiver):
        sim.configure(video_seconds=0.8)
        create(api, body={**KLING_BODY, "callback_url": receiver.url})
        assert receiver.received.get(timeout=5)["task_status"] == "submitted"
        sim.reset()
        with pytest.raises(queue.Empty):
            receiver.received.get(timeout=1.2)

    def test_a_tasks_callbacks_arrive_in_order_even_when_they_are_due_together(
        self, sim, api, receiver
    ):
        sim.configure(video_seconds=0.05)
        for n in range(10):
            create(api, body={**KLING_BODY, "callback_url": receiver.url, "prompt": f"p{n}"})
        posts = [receiver.received.get(timeout=10) for _ in range(30)]
        by_task: dict[str, list[str]] = {}
        for post in posts:
            by_task.setdefault(post["task_id"], []).append(post["task_status"])
        assert len(by_task) == 10
        assert set(map(tuple, by_task.values())) == {("submitted", "processing", "succeed")}

    def test_pending_callbacks_do_not_hold_a_thread_each(self, sim, api, receiver):
        sim.configure(video_seconds=120)
        threads_before = simulator_status(sim)["Threads"]
        for n in range(300):
            create(api, body={**KLING_BODY, "callback_url": receiver.url, "prompt": f"t{n}"})
        for _ in range(300):
            assert receiver.received.get(timeout=10)["task_status"] == "submitted"
        # One scheduler and a few posting threads, not one sleeping thread per task.
        assert simulator_status(sim)["Threads"] - threads_before < 20
