"""Image generation: the request body, and the answers of the running simulator."""

from __future__ import annotations

import base64

import pytest
import requests

from playground.gateway.client import GatewayClient
from playground.gateway.errors import GatewayBadRequestError, GatewayOutcomeUnknownError
from playground.gateway.images import ImageRequest
from playground.gateway.media import ImageSource
from tests.conftest import Simulator
from tests.gateway.conftest import png, sent

MODEL = "doubao-seedream-4-0-250828"
KITE = ImageRequest(model=MODEL, prompt="A red kite", size="1K")


class TestToJson:
    def test_it_leaves_out_what_is_not_set(self) -> None:
        assert ImageRequest(model=MODEL, prompt="A kite").to_json() == {
            "model": MODEL,
            "prompt": "A kite",
        }

    def test_it_sends_every_setting_given(self) -> None:
        request = ImageRequest(
            model=MODEL,
            prompt="A kite",
            size="2K",
            seed=7,
            guidance_scale=2.5,
            watermark=False,
            response_format="b64_json",
            sequential=True,
            max_images=3,
        )
        assert request.to_json() == {
            "model": MODEL,
            "prompt": "A kite",
            "size": "2K",
            "seed": 7,
            "guidance_scale": 2.5,
            "watermark": False,
            "response_format": "b64_json",
            "sequential_image_generation": "auto",
            "sequential_image_generation_options": {"max_images": 3},
        }

    def test_it_sends_stored_images_as_data_uris_and_records_their_reference(self) -> None:
        data = png()
        stored = ImageSource(reference="upload:1234", read=lambda: data)
        linked = ImageSource(url="https://example.com/a.png")
        request = ImageRequest(model=MODEL, prompt="A kite", images=(stored, linked))
        wire = request.to_json()["image"]
        assert wire[0] == "data:image/png;base64," + base64.b64encode(data).decode()
        assert wire[1] == "https://example.com/a.png"
        assert request.to_json(record=True)["image"] == [
            "upload:1234",
            "https://example.com/a.png",
        ]

    def test_it_sends_one_image_as_a_string(self) -> None:
        request = ImageRequest(
            model=MODEL, prompt="A kite", images=(ImageSource(url="https://x/a.png"),)
        )
        assert request.to_json()["image"] == "https://x/a.png"


class TestGenerateImages:
    def test_it_returns_image_urls_that_serve_real_pngs(self, gateway: GatewayClient) -> None:
        result = gateway.generate_images(KITE)
        (image,) = result.images
        assert image.url
        assert image.error is None
        assert image.size
        assert result.generated_images == 1
        assert result.model == MODEL
        picture = requests.get(image.url, timeout=10)
        assert picture.headers["Content-Type"] == "image/png"
        assert picture.content.startswith(b"\x89PNG")

    def test_it_returns_base64_images(self, gateway: GatewayClient) -> None:
        result = gateway.generate_images(
            ImageRequest(model=MODEL, prompt="A red kite", size="1K", response_format="b64_json")
        )
        assert result.images[0].url is None
        assert result.images[0].b64_json

    def test_it_sends_a_stored_image_as_a_data_uri(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        data = png()
        request = ImageRequest(
            model=MODEL,
            prompt="The same kite, blue",
            size="1K",
            images=(ImageSource(reference="upload:1", read=lambda: data),),
        )
        assert gateway.generate_images(request).images[0].url
        (logged,) = sent(sim, "images")
        assert logged["body"]["image"].startswith("data:image/png;base64,")

    def test_it_keeps_the_images_that_worked_when_one_failed(self, gateway: GatewayClient) -> None:
        request = ImageRequest(
            model=MODEL,
            prompt="Kites [fault:image-item-error]",
            size="1K",
            sequential=True,
            max_images=3,
        )
        result = gateway.generate_images(request)
        assert len(result.images) == 3
        failed = [image for image in result.images if image.error]
        assert len(failed) == 1
        assert failed[0].url is None
        assert len([image for image in result.images if image.url]) == 2
        assert result.generated_images == 2

    def test_it_keeps_the_gateways_count_of_zero_images(self, gateway: GatewayClient) -> None:
        request = ImageRequest(model=MODEL, prompt="Kite [fault:image-item-error]", size="1K")
        result = gateway.generate_images(request)
        assert len(result.images) == 1
        assert result.images[0].error
        assert result.generated_images == 0

    def test_it_explains_an_invalid_size(self, gateway: GatewayClient) -> None:
        with pytest.raises(GatewayBadRequestError, match="size"):
            gateway.generate_images(ImageRequest(model=MODEL, prompt="A kite", size="10x10"))

    def test_it_never_resends_a_generation_whose_answer_was_lost(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(fault="drop")
        with pytest.raises(GatewayOutcomeUnknownError, match="may have been made"):
            gateway.generate_images(KITE)
        assert len(sent(sim, "images")) == 1
