"""GET /v1/models, and the Bearer key every API route needs."""

from __future__ import annotations

import pytest
import requests


class TestAuth:
    def test_it_rejects_a_missing_key(self, sim):
        response = requests.get(f"{sim.url}/v1/models", timeout=5)
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["type"] == "authentication_error"
        assert error["code"] == "invalid_api_key"

    @pytest.mark.parametrize(
        "authorization", ["Bearer sk-wrong", "Basic abc", "Bearer", "sk-sim-test-key-0000a1b2"]
    )
    def test_it_rejects_a_wrong_key_or_scheme(self, sim, authorization):
        response = requests.get(
            f"{sim.url}/v1/models", headers={"Authorization": authorization}, timeout=5
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_api_key"

    def test_it_never_echoes_the_key_it_rejects(self, sim):
        response = requests.get(
            f"{sim.url}/v1/models", headers={"Authorization": "Bearer sk-secret-123456"}, timeout=5
        )
        assert "sk-secret-123456" not in response.text

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/v1/chat/completions"),
            ("POST", "/v1/images/generations"),
            ("POST", "/v1/video/generations"),
            ("GET", "/v1/video/generations/cgt-1"),
            ("POST", "/kling/v1/videos/text2video"),
            ("GET", "/kling/v1/videos/123"),
            ("GET", "/kling/v1/videos/text2video/123"),
        ],
    )
    def test_every_api_route_needs_the_key(self, sim, method, path):
        response = requests.request(method, f"{sim.url}{path}", json={}, timeout=5)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_api_key"

    def test_it_accepts_the_scheme_in_any_case(self, sim):
        response = requests.get(
            f"{sim.url}/v1/models", headers={"Authorization": f"bearer {sim.key}"}, timeout=5
        )
        assert response.status_code == 200


class TestModels:
    def test_it_lists_chat_image_and_video_models(self, sim, api):
        response = api.get("/v1/models")
        assert response.status_code == 200
        body = response.json()
        assert body["object"] == "list"
        ids = {model["id"] for model in body["data"]}
        assert {
            "claude-3-5-sonnet-20241022",
            "gpt-4o-mini",
            "deepseek-chat",
            "doubao-seedream-4-5-251128",
            "doubao-seedream-3-0-t2i-250415",
            "doubao-seedance-1-0-pro-250528",
            "doubao-seedance-2-0-260128",
            "kling-v1-6",
            "kling-v2-1",
        } <= ids

    def test_each_model_has_the_documented_fields(self, sim, api):
        for model in api.get("/v1/models").json()["data"]:
            assert set(model) == {"id", "object", "created", "owned_by"}
            assert model["object"] == "model"
            assert isinstance(model["created"], int)
