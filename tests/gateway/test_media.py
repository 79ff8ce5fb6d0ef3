"""Images sent to the gateway, and media downloaded from it: streamed, hashed, without the key."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

import pytest
import requests

from playground.gateway.client import GatewayClient
from playground.gateway.errors import (
    GatewayConnectionError,
    GatewayError,
    GatewayMediaExpiredError,
    GatewayUnavailableError,
)
from playground.gateway.images import ImageRequest
from playground.gateway.media import CHUNK_SIZE, ImageSource
from playground.gateway.video import SeedanceRequest, TaskState
from tests.conftest import Simulator
from tests.gateway.conftest import Answer, PlainKey, Stub, json_answer, wait_until_final

SEEDANCE = SeedanceRequest(
    model="doubao-seedance-1-0-pro-250528", prompt="A cat playing piano", duration=2
)


def finished_video_url(gateway: GatewayClient, sim: Simulator) -> str:
    sim.configure(video_seconds=0.3)
    task_id = gateway.seedance_create(SEEDANCE).task_id
    task = wait_until_final(lambda: gateway.seedance_get(task_id=task_id))
    assert task.state is TaskState.SUCCEEDED
    assert task.video_url
    return task.video_url


class TestImageSource:
    def test_it_sends_a_url_as_is(self) -> None:
        source = ImageSource(url="https://example.com/a.png", reference="upload:1")
        assert source.wire(data_uri=True) == "https://example.com/a.png"
        assert source.record() == "https://example.com/a.png"

    def test_it_reads_stored_bytes_only_when_the_wire_body_is_built(self) -> None:
        reads: list[int] = []

        def read() -> bytes:
            reads.append(1)
            return b"\x89PNG-bytes"

        source = ImageSource(reference="upload:1", content_type="image/jpeg", read=read)
        assert source.record() == "upload:1"
        assert reads == []
        encoded = base64.b64encode(b"\x89PNG-bytes").decode()
        assert source.wire(data_uri=False) == encoded
        assert source.wire(data_uri=True) == f"data:image/jpeg;base64,{encoded}"
        assert len(reads) == 2

    def test_its_bytes_stay_out_of_its_repr_and_equality(self) -> None:
        one = ImageSource(reference="upload:1", read=lambda: b"secret-bytes")
        other = ImageSource(reference="upload:1", read=lambda: b"other")
        assert one == other
        assert "secret" not in repr(one)


class TestDownload:
    def test_it_streams_a_video_with_its_size_and_hash(
        self, gateway: GatewayClient, sim: Simulator, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 30  # the first download may wait for the render
        url = finished_video_url(gateway, sim)
        into = io.BytesIO()
        download = gateway.download(url, into)
        data = into.getvalue()
        assert data[4:8] == b"ftyp"
        assert download.size == len(data) > 1000
        assert download.sha256 == hashlib.sha256(data).hexdigest()
        assert download.content_type == "video/mp4"
        assert data == requests.get(url, timeout=30).content

    def test_it_downloads_a_generated_image(self, gateway: GatewayClient) -> None:
        result = gateway.generate_images(
            ImageRequest(model="doubao-seedream-4-0-250828", prompt="A kite", size="1K")
        )
        url = result.images[0].url
        assert url
        into = io.BytesIO()
        download = gateway.download(url, into)
        assert into.getvalue().startswith(b"\x89PNG")
        assert download.content_type == "image/png"
        assert download.size == len(into.getvalue())

    def test_it_explains_an_expired_link(self, gateway: GatewayClient, sim: Simulator) -> None:
        sim.configure(media_ttl_seconds=0)
        url = (
            gateway.generate_images(
                ImageRequest(model="doubao-seedream-4-0-250828", prompt="A kite", size="1K")
            )
            .images[0]
            .url
        )
        assert url
        into = io.BytesIO()
        with pytest.raises(GatewayMediaExpiredError, match=r"link expired") as caught:
            gateway.download(url, into)
        assert caught.value.status == 403
        assert not caught.value.retryable
        assert into.getvalue() == b""

    def test_it_explains_an_expired_video_link(
        self, gateway: GatewayClient, sim: Simulator
    ) -> None:
        sim.configure(media_ttl_seconds=0)
        url = finished_video_url(gateway, sim)
        with pytest.raises(GatewayMediaExpiredError):
            gateway.download(url, io.BytesIO())

    def test_it_explains_a_missing_file(self, gateway: GatewayClient, sim: Simulator) -> None:
        with pytest.raises(GatewayMediaExpiredError) as caught:
            gateway.download(f"{sim.url}/media/{'0' * 64}.mp4?expires=9999999999", io.BytesIO())
        assert caught.value.status == 404

    def test_it_refuses_a_file_over_the_limit(self, gateway: GatewayClient, sim: Simulator) -> None:
        url = (
            gateway.generate_images(
                ImageRequest(model="doubao-seedream-4-0-250828", prompt="A kite", size="1K")
            )
            .images[0]
            .url
        )
        assert url
        with pytest.raises(GatewayError, match="larger than the"):
            gateway.download(url, io.BytesIO(), max_bytes=100)

    def test_it_counts_the_bytes_when_no_length_is_announced(self, stub: Stub) -> None:
        body = b"x" * (CHUNK_SIZE + 10)
        stub.answer(Answer(200, body, {"Content-Type": "video/mp4"}, length=-1))
        client = GatewayClient(key=None, base_url=stub.url)
        into = io.BytesIO()
        with pytest.raises(GatewayError, match="larger than the"):
            client.download(f"{stub.url}/v.mp4", into, max_bytes=CHUNK_SIZE)
        assert len(into.getvalue()) <= CHUNK_SIZE

    def test_it_never_sends_the_key_to_a_media_host(self, stub: Stub, sim: Simulator) -> None:
        stub.answer(
            json_answer(200, {"object": "list", "data": []}),
            Answer(200, b"\x00\x00\x00\x18ftypmp42", {"Content-Type": "video/mp4"}),
        )
        client = GatewayClient(key=PlainKey(sim.key), base_url=stub.url)
        client.list_models()
        download = client.download(f"{stub.url}/media/video.mp4?expires=1", io.BytesIO())
        api, media = stub.received
        assert api.headers["Authorization"] == f"Bearer {sim.key}"
        assert "Authorization" not in media.headers
        assert sim.key not in str(media.headers)
        assert download.size == 12

    def test_it_retries_a_media_host_that_failed_and_then_answers(self, stub: Stub) -> None:
        stub.answer(Answer(503, b"busy"), Answer(200, b"data", {"Content-Type": "image/png"}))
        download = GatewayClient(key=None, base_url=stub.url).download(
            f"{stub.url}/a.png", io.BytesIO()
        )
        assert download.size == 4
        assert len(stub.received) == 2

    def test_it_gives_up_on_a_media_host_that_keeps_failing(
        self, stub: Stub, settings: Any
    ) -> None:
        settings.STARRISE_MAX_RETRIES = 1
        stub.answer(Answer(500, b"oops"))
        with pytest.raises(GatewayUnavailableError) as caught:
            GatewayClient(key=None, base_url=stub.url).download(f"{stub.url}/a", io.BytesIO())
        assert caught.value.retryable
        assert len(stub.received) == 2

    def test_it_says_a_cut_download_can_be_tried_again(self, stub: Stub) -> None:
        stub.answer(Answer(200, b"only a part", {"Content-Type": "video/mp4"}, length=1000))
        with pytest.raises(GatewayConnectionError, match="middle of the file") as caught:
            GatewayClient(key=None, base_url=stub.url).download(f"{stub.url}/v", io.BytesIO())
        assert caught.value.retryable
