"""The control API under /_sim/, routing of unknown URLs, and the request log."""

from __future__ import annotations

import http.client

import requests

from tests.conftest import SIM_TIMEOUT_SECONDS
from tests.simulator.conftest import SEEDANCE_BODY


class TestControl:
    def test_it_reports_health(self, sim):
        response = requests.get(f"{sim.url}/_sim/health", timeout=5)
        assert response.status_code == 200
        assert response.json() == {"ok": True}

    def test_it_shows_the_env_defaults(self, sim):
        config = requests.get(f"{sim.url}/_sim/config", timeout=5).json()
        assert config["seedance_create_shape"] == "standard"
        assert config["kling_query_paths"] == "both"
        assert config["video_seconds"] == 2.0  # SIM_VIDEO_SECONDS from the fixture
        assert config["timeout_seconds"] == SIM_TIMEOUT_SECONDS
        assert config["fault"] is None
        assert config["fault_routes"] == "all"

    def test_it_merges_config_keys_and_returns_the_whole_config(self, sim):
        config = sim.configure(seedance_query_shape="ark", retry_after=7)
        assert config["seedance_query_shape"] == "ark"
        assert config["retry_after"] == 7
        assert config["kling_query_shape"] == "gateway"
        assert requests.get(f"{sim.url}/_sim/config", timeout=5).json() == config

    def test_it_normalises_fault_routes(self, sim):
        assert sim.configure(fault_routes=" chat , images")["fault_routes"] == "chat,images"

    def test_it_rejects_an_unknown_key(self, sim):
        response = requests.post(f"{sim.url}/_sim/config", json={"colour": "red"}, timeout=5)
        assert response.status_code == 400
        assert "colour" in response.json()["error"]["message"]

    def test_it_rejects_a_bad_value_and_changes_nothing(self, sim):
        response = requests.post(
            f"{sim.url}/_sim/config",
            json={"seedance_query_shape": "ark", "kling_query_paths": "sideways"},
            timeout=5,
        )
        assert response.status_code == 400
        assert "kling_query_paths" in response.json()["error"]["message"]
        config = requests.get(f"{sim.url}/_sim/config", timeout=5).json()
        assert config["seedance_query_shape"] == "gateway"

    def test_it_rejects_an_unknown_fault_name(self, sim):
        response = requests.post(f"{sim.url}/_sim/config", json={"fault": "explode"}, timeout=5)
        assert response.status_code == 400
        assert "fault" in response.json()["error"]["message"]

    def test_it_rejects_a_body_that_is_not_an_object(self, sim):
        response = requests.post(f"{sim.url}/_sim/config", data="[1]", timeout=5)
        assert response.status_code == 400

    def test_it_rejects_a_string_for_a_boolean(self, sim):
        response = requests.post(
            f"{sim.url}/_sim/config", json={"seedance_success_quirk": "maybe"}, timeout=5
        )
        assert response.status_code == 400

    def test_reset_restores_defaults_and_forgets_tasks_and_requests(self, sim, api):
        sim.configure(seedance_query_shape="ark", fault="500", fault_routes="images")
        task_id = api.post("/v1/video/generations", SEEDANCE_BODY).json()["id"]
        sim.reset()
        config = requests.get(f"{sim.url}/_sim/config", timeout=5).json()
        assert config["seedance_query_shape"] == "gateway"
        assert config["fault"] is None
        assert requests.get(f"{sim.url}/_sim/requests", timeout=5).json() == []
        assert api.get(f"/v1/video/generations/{task_id}").json()["code"] == "task_not_exist"


class TestRequestLog:
    def test_it_records_method_path_route_body_and_key_check(self, sim, api):
        api.post("/v1/chat/completions", {"model": "m", "messages": []})
        requests.get(f"{sim.url}/v1/models", headers={"Authorization": "Bearer nope"}, timeout=5)
        log = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
        assert [(e["method"], e["path"], e["route"], e["key_ok"]) for e in log] == [
            ("POST", "/v1/chat/completions", "chat", True),
            ("GET", "/v1/models", "models", False),
        ]
        assert log[0]["body"] == {"model": "m", "messages": []}
        assert log[1]["body"] is None
        assert log[0]["status"] == 400
        assert isinstance(log[0]["at"], float)

    def test_it_never_holds_headers_or_keys(self, sim, api):
        api.get("/v1/models")
        requests.get(f"{sim.url}/v1/models", headers={"Authorization": "Bearer sk-leak"}, timeout=5)
        text = requests.get(f"{sim.url}/_sim/requests", timeout=5).text
        assert sim.key not in text
        assert "sk-leak" not in text
        assert "Authorization" not in text

    def test_it_keeps_the_last_200_requests(self, sim, api):
        for i in range(205):
            api.get(f"/v1/video/generations/n{i}")
        log = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
        assert len(log) == 200
        assert log[0]["path"] == "/v1/video/generations/n5"
        assert log[-1]["path"] == "/v1/video/generations/n204"

    def test_it_shortens_long_strings_such_as_base64_images(self, sim, api):
        api.post("/v1/images/generations", {"model": "x", "prompt": "p", "image": "A" * 5000})
        entry = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()[-1]
        assert len(entry["body"]["image"]) < 600
        assert entry["body"]["image"].endswith("(5000 chars)")


class TestRouting:
    def test_an_unknown_url_answers_404_invalid_url(self, sim, api):
        response = api.get("/x")
        assert response.status_code == 404
        assert response.json() == {
            "error": {
                "message": "Invalid URL (GET /x)",
                "type": "invalid_request_error",
                "code": "",
            }
        }

    def test_an_unknown_url_needs_no_key(self, sim):
        assert requests.get(f"{sim.url}/v2/nothing", timeout=5).status_code == 404

    def test_a_wrong_method_answers_404_invalid_url(self, sim, api):
        response = api.post("/v1/models", {})
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "Invalid URL (POST /v1/models)"
        assert api.session.delete(f"{sim.url}/v1/chat/completions", timeout=5).status_code == 404

    def test_it_keeps_the_connection_alive_between_requests(self, sim):
        host, port = sim.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        headers = {"Authorization": f"Bearer {sim.key}"}
        connection.request("GET", "/v1/models", headers=headers)
        first = connection.getresponse()
        first.read()
        sock = connection.sock
        connection.request("POST", "/v1/chat/completions", body=b"{}", headers=headers)
        second = connection.getresponse()
        second.read()
        assert (first.status, second.status) == (200, 400)
        assert not first.will_close
        assert connection.sock is sock
        connection.close()
