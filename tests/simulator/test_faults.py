"""Every fault, chosen by header, prompt marker or config, on every route family."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from tests.conftest import Simulator
from tests.simulator.conftest import KLING_BODY, SEEDANCE_BODY, Api

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
IMAGES = {"model": "doubao-seedream-4-0-250828", "prompt": "p", "size": "1280x720"}
V1_ROUTES = [
    ("GET", "/v1/models", None),
    ("POST", "/v1/chat/completions", CHAT),
    ("POST", "/v1/images/generations", IMAGES),
    ("POST", "/v1/video/generations", SEEDANCE_BODY),
    ("GET", "/v1/video/generations/cgt-any", None),
]
OPENAI_ERRORS = {
    "401": (401, "authentication_error", "invalid_api_key"),
    "403": (403, "permission_error", "access_denied"),
    "429": (429, "rate_limit_error", "rate_limit_exceeded"),
    "429-no-retry-after": (429, "rate_limit_error", "rate_limit_exceeded"),
    "500": (500, "server_error", "server_error"),
    "503": (503, "server_error", "overloaded"),
}
KLING_ERRORS = {
    "401": (401, 1002),
    "403": (403, 1103),
    "429": (429, 1302),
    "429-no-retry-after": (429, 1302),
    "500": (500, 5000),
    "503": (503, 5001),
    "kling-1102": (429, 1102),
    "kling-1301": (400, 1301),
    "kling-1303": (429, 1303),
}


def call(api: Api, method: str, path: str, body: Any, **kwargs: Any) -> requests.Response:
    if method == "GET":
        return api.get(path, **kwargs)
    return api.post(path, body, **kwargs)


def log(sim: Simulator) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
    return entries


class TestHttpFaults:
    @pytest.mark.parametrize("fault", list(OPENAI_ERRORS))
    @pytest.mark.parametrize(("method", "path", "body"), V1_ROUTES)
    def test_v1_routes_answer_the_openai_envelope(self, sim, api, fault, method, path, body):
        response = call(api, method, path, body, headers={"X-Sim-Fault": fault})
        status, kind, code = OPENAI_ERRORS[fault]
        assert response.status_code == status
        error = response.json()["error"]
        assert (error["type"], error["code"]) == (kind, code)
        assert error["message"]

    def test_429_sends_retry_after_from_the_config(self, sim, api):
        sim.configure(retry_after=4)
        response = api.get("/v1/models", headers={"X-Sim-Fault": "429"})
        assert response.headers["Retry-After"] == "4"

    def test_429_no_retry_after_sends_no_retry_after(self, sim, api):
        response = api.get("/v1/models", headers={"X-Sim-Fault": "429-no-retry-after"})
        assert response.status_code == 429
        assert "Retry-After" not in response.headers

    @pytest.mark.parametrize("fault", list(KLING_ERRORS))
    def test_kling_routes_answer_klings_envelope(self, sim, api, fault):
        response = api.post(
            "/kling/v1/videos/text2video", KLING_BODY, headers={"X-Sim-Fault": fault}
        )
        status, code = KLING_ERRORS[fault]
        assert response.status_code == status
        body = response.json()
        assert body["code"] == code
        assert body["message"]
        assert body["request_id"]
        assert ("Retry-After" in response.headers) is (fault == "429")

    @pytest.mark.parametrize("fault", list(KLING_ERRORS))
    def test_kling_routes_can_answer_the_openai_envelope(self, sim, api, fault):
        sim.configure(kling_error_shape="openai")
        response = api.post(
            "/kling/v1/videos/text2video", KLING_BODY, headers={"X-Sim-Fault": fault}
        )
        assert response.status_code == KLING_ERRORS[fault][0]
        error = response.json()["error"]
        assert error["message"]
        assert error["type"]
        if fault.startswith("kling-"):
            assert error["code"] == fault.removeprefix("kling-")

    def test_http_faults_also_hit_kling_queries(self, sim, api):
        task_id = api.post("/kling/v1/videos/text2video", KLING_BODY).json()["task_id"]
        response = api.get(f"/kling/v1/videos/{task_id}", headers={"X-Sim-Fault": "503"})
        assert response.status_code == 503
        assert response.json()["code"] == 5001

    def test_kling_faults_do_nothing_on_other_routes(self, sim, api):
        response = api.post("/v1/chat/completions", CHAT, headers={"X-Sim-Fault": "kling-1303"})
        assert response.status_code == 200

    def test_a_prompt_marker_works_like_the_header(self, sim, api):
        body = {**KLING_BODY, "prompt": "a dog [fault:kling-1301]"}
        response = api.post("/kling/v1/videos/text2video", body)
        assert response.status_code == 400
        assert response.json()["code"] == 1301

    def test_a_marker_in_a_chat_message_works(self, sim, api):
        body = {"model": "m", "messages": [{"role": "user", "content": "hi [fault:500]"}]}
        assert api.post("/v1/chat/completions", body).status_code == 500

    def test_an_unknown_fault_name_is_a_clear_400(self, sim, api):
        response = api.get("/v1/models", headers={"X-Sim-Fault": "gremlins"})
        assert response.status_code == 400
        assert "gremlins" in response.json()["error"]["message"]
        body = {"model": "m", "messages": [{"role": "user", "content": "[fault:oops]"}]}
        assert api.post("/v1/chat/completions", body).status_code == 400

    def test_the_key_is_checked_before_any_fault(self, sim):
        response = requests.get(f"{sim.url}/v1/models", headers={"X-Sim-Fault": "503"}, timeout=5)
        assert response.status_code == 401

    def test_the_request_log_names_the_fault(self, sim, api):
        api.get("/v1/models", headers={"X-Sim-Fault": "500"})
        assert log(sim)[-1]["fault"] == "500"
        assert log(sim)[-1]["status"] == 500


class TestConnectionFaults:
    def test_timeout_stalls_then_answers_normally(self, sim, api):
        sim.configure(timeout_seconds=0.5)
        started = time.monotonic()
        response = api.get("/v1/models", headers={"X-Sim-Fault": "timeout"})
        assert time.monotonic() - started >= 0.5
        assert response.status_code == 200
        assert response.json()["object"] == "list"

    def test_timeout_outlasts_a_short_client_timeout(self, sim, api):
        sim.configure(timeout_seconds=1)
        with pytest.raises(requests.ReadTimeout):
            api.post("/v1/chat/completions", CHAT, headers={"X-Sim-Fault": "timeout"}, timeout=0.3)
        assert api.get("/v1/models").status_code == 200

    def test_drop_closes_the_socket_without_an_answer(self, sim, api):
        with pytest.raises(requests.ConnectionError):
            api.post("/v1/chat/completions", CHAT, headers={"X-Sim-Fault": "drop"})
        assert api.get("/v1/models").status_code == 200
        assert log(sim)[-2]["status"] is None

    @pytest.mark.parametrize(("method", "path", "body"), V1_ROUTES[:4])
    def test_malformed_json_is_a_200_with_truncated_json(self, sim, api, method, path, body):
        response = call(api, method, path, body, headers={"X-Sim-Fault": "malformed-json"})
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.text.startswith("{")
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.text)

    def test_malformed_json_also_hits_a_stream_request(self, sim, api):
        body = {**CHAT, "stream": True}
        response = api.post("/v1/chat/completions", body, headers={"X-Sim-Fault": "malformed-json"})
        assert response.headers["Content-Type"] == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.text)


class TestStreamError:
    def test_it_sends_some_chunks_then_an_error_event(self, sim, api):
        body = {**CHAT, "stream": True}
        response = api.post(
            "/v1/chat/completions", body, headers={"X-Sim-Fault": "stream-error"}, stream=True
        )
        assert response.status_code == 200
        lines = [line[6:] for line in response.iter_lines(decode_unicode=True) if line]
        assert "[DONE]" not in lines
        payloads = [json.loads(line) for line in lines]
        assert payloads[1]["choices"][0]["delta"]["content"]
        assert set(payloads[-1]) == {"error"}
        assert payloads[-1]["error"]["message"]

    def test_it_does_nothing_to_a_whole_answer(self, sim, api):
        response = api.post("/v1/chat/completions", CHAT, headers={"X-Sim-Fault": "stream-error"})
        assert response.status_code == 200


class TestTaskFaults:
    def test_task_failure_at_create_fails_a_seedance_task(self, sim, api):
        sim.configure(video_seconds=0.4)
        content = [{"type": "text", "text": "doomed [fault:task-failure]"}]
        task_id = api.post("/v1/video/generations", {**SEEDANCE_BODY, "content": content}).json()[
            "id"
        ]
        seen = api.poll(
            f"/v1/video/generations/{task_id}",
            lambda b: b["data"]["status"] in ("SUCCESS", "FAILURE"),
        )
        data = seen[-1]["data"]
        assert data["status"] == "FAILURE"
        assert data["result_url"] == ""
        assert "sensitive" in data["fail_reason"]
        assert data["data"]["status"] == "failed"
        assert data["data"]["error"]["code"]
        assert data["data"]["error"]["message"] == data["fail_reason"]
        assert "content" not in data["data"]

    def test_task_failure_at_create_fails_a_raw_ark_task(self, sim, api):
        sim.configure(video_seconds=0.3, seedance_query_shape="ark")
        task_id = api.post(
            "/v1/video/generations", SEEDANCE_BODY, headers={"X-Sim-Fault": "task-failure"}
        ).json()["id"]
        seen = api.poll(f"/v1/video/generations/{task_id}", lambda b: b["status"] == "failed")
        assert seen[-1]["error"]["message"]

    def test_task_failure_at_create_fails_a_kling_task(self, sim, api):
        sim.configure(video_seconds=0.3)
        body = {**KLING_BODY, "prompt": "doomed [fault:task-failure]"}
        task_id = api.post("/kling/v1/videos/text2video", body).json()["task_id"]
        seen = api.poll(
            f"/kling/v1/videos/{task_id}", lambda b: b["data"]["status"] in ("SUCCESS", "FAILURE")
        )
        data = seen[-1]["data"]
        assert data["status"] == "FAILURE"
        assert data["fail_reason"]
        assert data["data"]["data"]["task_status"] == "failed"
        assert data["data"]["data"]["task_status_msg"] == data["fail_reason"]

    def test_task_failure_on_a_query_fails_that_answer(self, sim, api):
        task_id = api.post("/v1/video/generations", SEEDANCE_BODY).json()["id"]
        failed = api.get(
            f"/v1/video/generations/{task_id}", headers={"X-Sim-Fault": "task-failure"}
        )
        assert failed.json()["data"]["status"] == "FAILURE"
        assert api.get(f"/v1/video/generations/{task_id}").json()["data"]["status"] != "FAILURE"

    def test_a_configured_task_failure_fails_the_next_tasks_only(self, sim, api):
        sim.configure(video_seconds=0.3, fault="task-failure", fault_times=1)
        doomed = api.post("/v1/video/generations", SEEDANCE_BODY).json()["id"]
        fine = api.post("/v1/video/generations", SEEDANCE_BODY).json()["id"]
        time.sleep(0.4)
        assert api.get(f"/v1/video/generations/{doomed}").json()["data"]["status"] == "FAILURE"
        assert api.get(f"/v1/video/generations/{fine}").json()["data"]["status"] == "SUCCESS"

    @pytest.mark.parametrize("status", [400, 404])
    def test_task_not_exist_at_create_is_remembered_for_queries(self, sim, api, status):
        sim.configure(task_not_exist_status=status)
        body = {**KLING_BODY, "prompt": "ghost [fault:task-not-exist]"}
        created = api.post("/kling/v1/videos/text2video", body)
        assert created.status_code == 200
        task_id = created.json()["task_id"]
        for path in (f"/kling/v1/videos/{task_id}", f"/kling/v1/videos/text2video/{task_id}"):
            response = api.get(path)
            assert response.status_code == status
            assert response.json() == {
                "code": "task_not_exist",
                "message": "task_not_exist",
                "data": None,
            }

    def test_task_not_exist_on_a_query_hides_a_real_task(self, sim, api):
        task_id = api.post("/v1/video/generations", SEEDANCE_BODY).json()["id"]
        response = api.get(
            f"/v1/video/generations/{task_id}", headers={"X-Sim-Fault": "task-not-exist"}
        )
        assert response.json()["code"] == "task_not_exist"
        assert api.get(f"/v1/video/generations/{task_id}").json()["code"] == "success"

    def test_a_configured_task_not_exist_hits_queries_not_creates(self, sim, api):
        sim.configure(fault="task-not-exist", fault_times=1)
        task_id = api.post("/v1/video/generations", SEEDANCE_BODY).json()["id"]
        assert api.get(f"/v1/video/generations/{task_id}").json()["code"] == "task_not_exist"
        assert api.get(f"/v1/video/generations/{task_id}").json()["code"] == "success"


class TestConfiguredFaults:
    def test_fault_times_fails_the_next_n_requests_then_clears(self, sim, api):
        sim.configure(fault="503", fault_times=2)
        statuses = [api.get("/v1/models").status_code for _ in range(3)]
        assert statuses == [503, 503, 200]
        config = requests.get(f"{sim.url}/_sim/config", timeout=5).json()
        assert (config["fault"], config["fault_times"]) == (None, None)

    def test_a_fault_without_times_lasts(self, sim, api):
        sim.configure(fault="500")
        assert [api.get("/v1/models").status_code for _ in range(3)] == [500, 500, 500]

    def test_fault_routes_limits_the_fault_to_some_groups(self, sim, api):
        sim.configure(fault="500", fault_routes="images,query")
        assert api.get("/v1/models").status_code == 200
        assert api.post("/v1/chat/completions", CHAT).status_code == 200
        created = api.post("/v1/video/generations", SEEDANCE_BODY)
        assert created.status_code == 200
        assert api.post("/v1/images/generations", IMAGES).status_code == 500
        assert api.get(f"/v1/video/generations/{created.json()['id']}").status_code == 500

    @pytest.mark.parametrize(
        ("group", "method", "path", "body"),
        [
            ("models", "GET", "/v1/models", None),
            ("chat", "POST", "/v1/chat/completions", CHAT),
            ("images", "POST", "/v1/images/generations", IMAGES),
            ("create", "POST", "/v1/video/generations", SEEDANCE_BODY),
            ("create", "POST", "/kling/v1/videos/text2video", KLING_BODY),
            ("query", "GET", "/v1/video/generations/x", None),
            ("query", "GET", "/kling/v1/videos/x", None),
        ],
    )
    def test_each_route_belongs_to_its_group(self, sim, api, group, method, path, body):
        sim.configure(fault="403", fault_routes=group)
        assert call(api, method, path, body).status_code == 403

    def test_a_fault_that_does_not_fit_the_route_is_not_used_up(self, sim, api):
        sim.configure(fault="stream-error", fault_times=1)
        assert api.post("/v1/chat/completions", CHAT).status_code == 200
        config = requests.get(f"{sim.url}/_sim/config", timeout=5).json()
        assert (config["fault"], config["fault_times"]) == ("stream-error", 1)

    def test_a_configured_image_item_error(self, sim, api):
        sim.configure(fault="image-item-error")
        item = api.post("/v1/images/generations", IMAGES).json()["data"][0]
        assert "error" in item

    def test_a_configured_kling_fault_hits_kling_creates(self, sim, api):
        sim.configure(fault="kling-1102")
        assert api.post("/v1/chat/completions", CHAT).status_code == 200
        response = api.post("/kling/v1/videos/text2video", KLING_BODY)
        assert response.status_code == 429
        assert response.json()["code"] == 1102

    def test_the_header_wins_and_leaves_the_count_alone(self, sim, api):
        sim.configure(fault="500", fault_times=1)
        assert api.get("/v1/models", headers={"X-Sim-Fault": "403"}).status_code == 403
        assert requests.get(f"{sim.url}/_sim/config", timeout=5).json()["fault_times"] == 1
        assert api.get("/v1/models").status_code == 500

    def test_faults_leave_the_control_api_and_media_alone(self, sim, api):
        url = api.post("/v1/images/generations", IMAGES).json()["data"][0]["url"]
        sim.configure(fault="503")
        assert requests.get(f"{sim.url}/_sim/health", timeout=5).status_code == 200
        assert requests.get(url, timeout=5).status_code == 200
