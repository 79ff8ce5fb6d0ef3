"""POST /v1/images/generations (Seedream): validation, sizes, formats and real PNGs."""

from __future__ import annotations

import base64
import io

import pytest
import requests
from PIL import Image

V4 = "doubao-seedream-4-0-250828"
V45 = "doubao-seedream-4-5-251128"
V3 = "doubao-seedream-3-0-t2i-250415"


def png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


class TestGeneration:
    def test_it_returns_a_url_to_a_png_of_the_reported_size(self, sim, api):
        body = {"model": V4, "prompt": "A lighthouse at dusk", "size": "1280x720"}
        response = api.post("/v1/images/generations", body)
        assert response.status_code == 200
        answer = response.json()
        assert answer["model"] == V4
        assert isinstance(answer["created"], int)
        [item] = answer["data"]
        assert item["size"] == "1280x720"
        assert item["url"].startswith(f"{sim.url}/media/")
        download = requests.get(item["url"], timeout=10)
        assert download.headers["Content-Type"] == "image/png"
        assert png(download.content).size == (1280, 720)

    def test_it_reports_usage_in_tokens_per_256_pixels(self, sim, api):
        answer = api.post("/v1/images/generations", {"model": V4, "prompt": "p"}).json()
        assert answer["data"][0]["size"] == "2048x2048"
        assert answer["usage"] == {
            "generated_images": 1,
            "output_tokens": 16384,
            "total_tokens": 16384,
        }

    def test_it_returns_base64_when_asked(self, sim, api):
        body = {"model": V3, "prompt": "p", "size": "512x768", "response_format": "b64_json"}
        [item] = api.post("/v1/images/generations", body).json()["data"]
        assert "url" not in item
        assert png(base64.b64decode(item["b64_json"])).size == (512, 768)

    def test_seedream_3_defaults_to_1024_square(self, sim, api):
        answer = api.post("/v1/images/generations", {"model": V3, "prompt": "p"}).json()
        assert answer["data"][0]["size"] == "1024x1024"

    @pytest.mark.parametrize(("preset", "side"), [("1K", 1024), ("2K", 2048)])
    def test_seedream_4_takes_size_presets(self, sim, api, preset, side):
        body = {"model": V45, "prompt": "p", "size": preset}
        item = api.post("/v1/images/generations", body).json()["data"][0]
        assert item["size"] == f"{side}x{side}"
        assert png(requests.get(item["url"], timeout=10).content).size == (side, side)

    def test_a_4k_image_is_really_4k(self, sim, api):
        body = {"model": V4, "prompt": "big", "size": "4K", "seed": 4}
        item = api.post("/v1/images/generations", body).json()["data"][0]
        assert png(requests.get(item["url"], timeout=10).content).size == (4096, 4096)

    def test_sequential_generation_makes_max_images(self, sim, api):
        body = {
            "model": V4,
            "prompt": "a comic strip",
            "size": "1280x720",
            "sequential_image_generation": "auto",
            "sequential_image_generation_options": {"max_images": 4},
        }
        answer = api.post("/v1/images/generations", body).json()
        assert len(answer["data"]) == 4
        assert len({item["url"] for item in answer["data"]}) == 4
        assert answer["usage"]["generated_images"] == 4

    def test_disabled_sequential_generation_makes_one_image(self, sim, api):
        body = {
            "model": V4,
            "prompt": "p",
            "sequential_image_generation": "disabled",
            "sequential_image_generation_options": {"max_images": 4},
        }
        assert len(api.post("/v1/images/generations", body).json()["data"]) == 1

    def test_a_fixed_seed_gives_the_same_image(self, sim, api):
        body = {"model": V4, "prompt": "same", "size": "1280x720", "seed": 42}
        first = api.post("/v1/images/generations", body).json()["data"][0]["url"]
        second = api.post("/v1/images/generations", body).json()["data"][0]["url"]
        assert first.split("?")[0] == second.split("?")[0]

    def test_it_accepts_reference_images(self, sim, api):
        body = {
            "model": V4,
            "prompt": "p",
            "image": ["https://example.com/a.png", "data:image/png;base64,iVBORw0KGgo="],
        }
        assert api.post("/v1/images/generations", body).status_code == 200

    def test_image_item_error_makes_one_item_an_error(self, sim, api):
        body = {
            "model": V4,
            "prompt": "two please",
            "size": "1280x720",
            "sequential_image_generation": "auto",
            "sequential_image_generation_options": {"max_images": 2},
        }
        answer = api.post(
            "/v1/images/generations", body, headers={"X-Sim-Fault": "image-item-error"}
        ).json()
        first, second = answer["data"]
        assert "url" in first
        assert set(second) == {"error"}
        assert second["error"]["code"]
        assert second["error"]["message"]
        assert answer["usage"]["generated_images"] == 1


class TestValidation:
    @pytest.mark.parametrize(
        ("change", "word"),
        [
            ({"model": ""}, "model"),
            ({"prompt": ""}, "prompt"),
            ({"prompt": None}, "prompt"),
            ({"size": "1K", "model": V3}, "size"),
            ({"size": "256x256", "model": V3}, "size"),
            ({"size": "2049x1024", "model": V3}, "size"),
            ({"size": "1000x900"}, "size"),  # under 1280x720 pixels for 4.x
            ({"size": "4097x4096"}, "size"),
            ({"size": "8000x400"}, "size"),  # aspect over 16
            ({"size": "big"}, "size"),
            ({"size": 1024}, "size"),
            ({"seed": -2}, "seed"),
            ({"seed": 2147483648}, "seed"),
            ({"seed": "7"}, "seed"),
            ({"guidance_scale": 11, "model": V3}, "guidance_scale"),
            ({"guidance_scale": 0.5, "model": V3}, "guidance_scale"),
            ({"watermark": "no"}, "watermark"),
            ({"response_format": "png"}, "response_format"),
            ({"image": ["ftp://x"]}, "image"),
            ({"image": [f"https://e.com/{i}.png" for i in range(15)]}, "image"),
            ({"sequential_image_generation": "always"}, "sequential_image_generation"),
            (
                {
                    "sequential_image_generation": "auto",
                    "sequential_image_generation_options": {"max_images": 16},
                },
                "max_images",
            ),
            (
                {
                    "sequential_image_generation": "auto",
                    "sequential_image_generation_options": {"max_images": 0},
                },
                "max_images",
            ),
            (
                {
                    "image": [f"https://e.com/{i}.png" for i in range(12)],
                    "sequential_image_generation": "auto",
                    "sequential_image_generation_options": {"max_images": 4},
                },
                "15",
            ),
        ],
    )
    def test_it_rejects_bad_parameters_with_an_ark_error(self, sim, api, change, word):
        body = {"model": V4, "prompt": "p", **change}
        response = api.post("/v1/images/generations", body)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["type"] == "upstream_error"
        assert error["code"] in ("InvalidParameter", "MissingParameter")
        assert word in error["message"]

    @pytest.mark.parametrize(
        ("model", "size"),
        [
            (V3, "512x512"),
            (V3, "2048x2048"),
            (V4, "1280x720"),
            (V4, "4096x4096"),
            (V4, "4096x256"),  # aspect exactly 16 and over 921600 pixels
        ],
    )
    def test_it_accepts_the_edges_of_the_size_rules(self, sim, api, model, size):
        body = {"model": model, "prompt": "p", "size": size, "response_format": "url"}
        assert api.post("/v1/images/generations", body).status_code == 200

    def test_seedream_4_ignores_guidance_scale(self, sim, api):
        body = {"model": V4, "prompt": "p", "guidance_scale": 50}
        assert api.post("/v1/images/generations", body).status_code == 200
