"""GET /media/...: real PNGs and MP4s, expiring URLs, Range requests and safe caching."""

from __future__ import annotations

import io
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
import requests

from playground.simulator import media, server
from tests.conftest import Simulator
from tests.simulator.conftest import KLING_BODY, SEEDANCE_BODY, Api, simulator_status

IMAGES = {"model": "doubao-seedream-4-0-250828", "prompt": "media test", "size": "1280x720"}


def image_url(api: Api, **change: Any) -> str:
    response = api.post("/v1/images/generations", {**IMAGES, **change})
    assert response.status_code == 200, response.text
    return str(response.json()["data"][0]["url"])


def seedance_video_url(api: Api, sim: Simulator, prompt: str | None = None, **change: Any) -> str:
    sim.configure(video_seconds=0.2)
    content = [{"type": "text", "text": prompt or f"a video {uuid.uuid4()}"}]
    body = {**SEEDANCE_BODY, "content": content, **change}
    task_id = api.post("/v1/video/generations", body).json()["id"]
    seen = api.poll(f"/v1/video/generations/{task_id}", lambda b: b["data"]["status"] == "SUCCESS")
    return str(seen[-1]["data"]["result_url"])


def probe(tmp_path: Path, data: bytes) -> tuple[int, float, str]:
    """(frames, seconds, ffmpeg's description of the file) of an MP4 given as bytes."""
    path = tmp_path / f"{uuid.uuid4()}.mp4"
    path.write_bytes(data)
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    decoded = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0, decoded.stderr
    assert decoded.stderr == ""
    info = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        check=False,
    ).stderr
    return frames, seconds, info


class TestImages:
    def test_it_serves_a_png_without_a_key(self, sim, api):
        response = requests.get(image_url(api), timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Accept-Ranges"] == "bytes"
        assert int(response.headers["Content-Length"]) == len(response.content)
        assert response.content.startswith(b"\x89PNG\r\n\x1a\n")

    def test_it_answers_head_with_headers_only(self, sim, api):
        url = image_url(api)
        whole = requests.get(url, timeout=10)
        head = requests.head(url, timeout=10)
        assert head.status_code == 200
        assert head.headers["Content-Length"] == str(len(whole.content))
        assert head.content == b""


class TestExpiry:
    def test_an_expired_url_answers_403(self, sim, api):
        sim.configure(media_ttl_seconds=0)
        response = requests.get(image_url(api), timeout=10)
        assert response.status_code == 403
        assert response.headers["Content-Type"] == "application/xml"
        assert "AccessDenied" in response.text
        assert "expired" in response.text

    def test_a_url_carries_its_expiry_from_the_ttl(self, sim, api):
        sim.configure(media_ttl_seconds=600)
        url = image_url(api)
        assert 590 <= int(url.split("expires=")[1]) - time.time() <= 600
        assert requests.get(url, timeout=10).status_code == 200

    def test_a_url_without_expires_answers_403(self, sim, api):
        response = requests.get(image_url(api).split("?")[0], timeout=10)
        assert response.status_code == 403

    def test_an_expired_video_url_answers_403(self, sim, api):
        sim.configure(media_ttl_seconds=0)
        response = requests.get(seedance_video_url(api, sim), timeout=10)
        assert response.status_code == 403

    def test_an_unknown_name_answers_404(self, sim, api):
        name = "0" * 32
        response = requests.get(f"{sim.url}/media/{name}.png?expires=9999999999", timeout=5)
        assert response.status_code == 404
        assert "NoSuchKey" in response.text

    def test_an_image_name_with_a_video_extension_answers_404(self, sim, api):
        url = image_url(api).replace(".png?", ".mp4?")
        assert requests.get(url, timeout=5).status_code == 404


@pytest.fixture(scope="module")
def video(simulator_process: Simulator) -> Iterator[tuple[str, bytes]]:
    """One video for all the Range tests: its URL and its bytes."""
    api = Api(simulator_process)
    url = seedance_video_url(api, simulator_process)
    yield url, requests.get(url, timeout=10).content
    api.session.close()
    simulator_process.reset()


class TestRanges:
    def test_it_answers_a_byte_range_with_206(self, video):
        url, whole = video
        response = requests.get(url, headers={"Range": "bytes=0-99"}, timeout=10)
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes 0-99/{len(whole)}"
        assert response.headers["Content-Type"] == "video/mp4"
        assert response.content == whole[:100]

    def test_ranges_put_together_give_the_whole_file(self, video):
        url, whole = video
        head = requests.get(url, headers={"Range": "bytes=0-999"}, timeout=10).content
        tail = requests.get(url, headers={"Range": "bytes=1000-"}, timeout=10).content
        assert head + tail == whole

    def test_it_answers_a_suffix_range(self, video):
        url, whole = video
        response = requests.get(url, headers={"Range": "bytes=-10"}, timeout=10)
        assert response.status_code == 206
        assert response.content == whole[-10:]

    def test_it_clamps_a_range_past_the_end(self, video):
        url, whole = video
        response = requests.get(url, headers={"Range": "bytes=10-99999999"}, timeout=10)
        assert response.status_code == 206
        assert response.content == whole[10:]

    def test_it_answers_416_for_a_range_after_the_end(self, video):
        url, whole = video
        response = requests.get(url, headers={"Range": f"bytes={len(whole)}-"}, timeout=10)
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{len(whole)}"

    def test_it_sends_everything_for_a_range_it_does_not_understand(self, video):
        url, whole = video
        response = requests.get(url, headers={"Range": "bytes=0-1,5-9"}, timeout=10)
        assert response.status_code == 200
        assert response.content == whole


class TestVideos:
    def test_a_seedance_video_is_a_real_h264_mp4_of_the_requested_length(self, sim, api, tmp_path):
        url = seedance_video_url(api, sim, duration=3)
        response = requests.get(url, timeout=10)
        assert response.headers["Content-Type"] == "video/mp4"
        frames, seconds, info = probe(tmp_path, response.content)
        assert (frames, round(seconds)) == (36, 3)
        assert "h264" in info
        assert "yuv420p" in info
        assert "640x360" in info
        # faststart: the index comes before the media data, so browsers can start playing.
        assert response.content.index(b"moov") < response.content.index(b"mdat")

    def test_a_kling_video_follows_aspect_ratio_and_duration(self, sim, api, tmp_path):
        sim.configure(video_seconds=0.2)
        body = {**KLING_BODY, "prompt": f"tall {uuid.uuid4()}", "aspect_ratio": "9:16"}
        body["duration"] = "10"
        task_id = api.post("/kling/v1/videos/text2video", body).json()["task_id"]
        seen = api.poll(f"/kling/v1/videos/{task_id}", lambda b: b["data"]["status"] == "SUCCESS")
        url = seen[-1]["data"]["data"]["data"]["task_result"]["videos"][0]["url"]
        frames, seconds, info = probe(tmp_path, requests.get(url, timeout=10).content)
        assert (frames, round(seconds)) == (120, 10)
        assert "360x640" in info

    def test_the_same_prompt_ratio_and_duration_share_one_video(self, sim, api):
        prompt = f"shared {uuid.uuid4()}"
        first = seedance_video_url(api, sim, prompt=prompt)
        second = seedance_video_url(api, sim, prompt=prompt)
        other = seedance_video_url(api, sim, prompt=prompt, ratio="1:1")
        assert first.split("?")[0] == second.split("?")[0]
        assert other.split("?")[0] != first.split("?")[0]

    def test_concurrent_first_downloads_all_get_the_whole_file(self, sim, api, tmp_path):
        url = seedance_video_url(api, sim, duration=4)
        with ThreadPoolExecutor(max_workers=4) as pool:
            downloads = list(pool.map(lambda _: requests.get(url, timeout=20), range(4)))
        assert {download.status_code for download in downloads} == {200}
        assert len({download.content for download in downloads}) == 1
        assert probe(tmp_path, downloads[0].content)[0] == 48

    def test_the_last_frame_url_is_a_png(self, sim, api):
        sim.configure(video_seconds=0.2)
        task_id = api.post("/v1/video/generations", SEEDANCE_BODY).json()["id"]
        seen = api.poll(
            f"/v1/video/generations/{task_id}", lambda b: b["data"]["status"] == "SUCCESS"
        )
        url = seen[-1]["data"]["data"]["content"]["last_frame_url"]
        response = requests.get(url, timeout=10)
        assert response.headers["Content-Type"] == "image/png"


class TestMediaStore:
    """The cache itself, without the server: one render per name, never half a file."""

    SPEC = {"kind": "image", "prompt": "p", "width": 640, "height": 480, "seed": 1}

    def test_concurrent_first_requests_render_once(self, tmp_path, monkeypatch):
        renders = []
        real = media.render_png

        def slow_render(spec, path):
            renders.append(spec)
            time.sleep(0.2)
            real(spec, path)

        monkeypatch.setattr(media, "render_png", slow_render)
        store = media.MediaStore(tmp_path, "http://sim")
        name = store.register(self.SPEC)
        start = threading.Barrier(4)

        def fetch(_):
            start.wait()
            return store.ensure(name)

        with ThreadPoolExecutor(max_workers=4) as pool:
            paths = list(pool.map(fetch, range(4)))
        assert len(renders) == 1
        assert len(set(paths)) == 1
        assert paths[0].read_bytes().startswith(b"\x89PNG")
        assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.json", f"{name}.png"]

    def test_a_failed_render_leaves_no_file_behind(self, tmp_path, monkeypatch):
        def broken_render(spec, path):
            path.write_bytes(b"half a png")
            raise RuntimeError("disk full")

        monkeypatch.setattr(media, "render_png", broken_render)
        store = media.MediaStore(tmp_path, "http://sim")
        name = store.register(self.SPEC)
        with pytest.raises(RuntimeError):
            store.ensure(name)
        assert [p.name for p in tmp_path.iterdir()] == [f"{name}.json"]

    def test_urls_use_the_public_url_and_the_right_extension(self, tmp_path):
        store = media.MediaStore(tmp_path, "https://sim.example/")
        image = store.register(self.SPEC)
        video = store.register({"kind": "video", "prompt": "p", "ratio": "1:1", "duration": 2})
        assert store.url(image, expires=5) == f"https://sim.example/media/{image}.png?expires=5"
        assert store.url(video, expires=5) == f"https://sim.example/media/{video}.mp4?expires=5"

    @pytest.mark.parametrize(
        ("ratio", "size"),
        [("16:9", (640, 360)), ("9:16", (360, 640)), ("1:1", (640, 640)), ("21:9", (640, 274)),
         ("4:3", (640, 480)), ("3:4", (480, 640)), ("adaptive", (640, 360))],
    )  # fmt: skip
    def test_video_sizes_have_a_640_long_side_and_even_sides(self, ratio, size):
        assert media.video_size(ratio) == size


MIB = 1024 * 1024


class TestPadding:
    def test_a_padded_video_is_at_least_the_size_and_still_a_valid_mp4(self, sim, api, tmp_path):
        sim.configure(video_pad_bytes=3 * MIB)
        prompt = f"padded {uuid.uuid4()}"
        url = seedance_video_url(api, sim, prompt=prompt)
        data = requests.get(url, timeout=20).content
        assert len(data) >= 3 * MIB
        frames, _, info = probe(tmp_path, data)
        assert frames == 24  # 2 s at 12 fps, as unpadded
        assert "h264" in info
        # The padding is one trailing top-level `free` box that runs to the end of the file.
        start = data.rindex(b"free") - 4
        assert int.from_bytes(data[start : start + 4], "big") == len(data) - start
        assert data[start + 8 :] == bytes(len(data) - start - 8)

    def test_padded_and_unpadded_videos_are_separate_cache_entries(self, sim, api):
        prompt = f"both {uuid.uuid4()}"
        plain = seedance_video_url(api, sim, prompt=prompt)
        sim.configure(video_pad_bytes=2 * MIB)
        padded = seedance_video_url(api, sim, prompt=prompt)
        assert plain.split("?")[0] != padded.split("?")[0]
        plain_size = len(requests.get(plain, timeout=20).content)
        assert plain_size < MIB
        assert len(requests.get(padded, timeout=20).content) >= 2 * MIB

    def test_a_kling_video_is_padded_too(self, sim, api):
        sim.configure(video_seconds=0.2, video_pad_bytes=MIB)
        body = {**KLING_BODY, "prompt": f"kling pad {uuid.uuid4()}"}
        task_id = api.post("/kling/v1/videos/text2video", body).json()["task_id"]
        seen = api.poll(f"/kling/v1/videos/{task_id}", lambda b: b["data"]["status"] == "SUCCESS")
        url = seen[-1]["data"]["data"]["data"]["task_result"]["videos"][0]["url"]
        assert int(requests.head(url, timeout=20).headers["Content-Length"]) >= MIB

    def test_ranges_work_on_a_padded_video(self, sim, api):
        sim.configure(video_pad_bytes=MIB)
        url = seedance_video_url(api, sim)
        whole = requests.get(url, timeout=20).content
        tail = requests.get(url, headers={"Range": "bytes=-1000"}, timeout=10)
        assert tail.status_code == 206
        assert tail.content == bytes(1000)
        middle = requests.get(url, headers={"Range": "bytes=1000-600000"}, timeout=10)
        assert middle.content == whole[1000:600001]

    @pytest.mark.parametrize("value", [-1, 2 * 1024**3 + 1, "lots", True])
    def test_it_rejects_a_bad_pad_size(self, sim, value):
        response = requests.post(
            f"{sim.url}/_sim/config", json={"video_pad_bytes": value}, timeout=5
        )
        assert response.status_code == 400
        assert "video_pad_bytes" in response.json()["error"]["message"]

    def test_a_large_video_is_sent_without_holding_it_in_memory(self, sim, api):
        sim.configure(video_pad_bytes=160 * MIB)
        url = seedance_video_url(api, sim)
        requests.head(url, timeout=60)  # renders it
        before = simulator_status(sim)["VmRSS"]
        with requests.get(url, stream=True, timeout=60) as response:
            first = next(response.iter_content(MIB))
            time.sleep(0.3)  # the server is now blocked on a full socket buffer
            during = simulator_status(sim)["VmRSS"]
            rest = sum(len(chunk) for chunk in response.iter_content(MIB))
        assert len(first) + rest >= 160 * MIB
        assert (during - before) / 1024 < 32  # MiB; reading it whole would add 160


class TestPadMp4:
    def test_it_pads_to_the_exact_size(self, tmp_path):
        path = tmp_path / "a.mp4"
        path.write_bytes(b"x" * 100)
        media.pad_mp4(path, 3 * MIB + 5)
        data = path.read_bytes()
        assert len(data) == 3 * MIB + 5
        assert data[100:108] == (3 * MIB + 5 - 100).to_bytes(4, "big") + b"free"

    def test_a_box_is_never_shorter_than_its_header(self, tmp_path):
        path = tmp_path / "a.mp4"
        path.write_bytes(b"x" * 100)
        media.pad_mp4(path, 103)
        assert path.read_bytes()[100:] == (8).to_bytes(4, "big") + b"free"

    def test_a_file_already_large_enough_is_left_alone(self, tmp_path):
        path = tmp_path / "a.mp4"
        path.write_bytes(b"x" * 100)
        media.pad_mp4(path, 100)
        media.pad_mp4(path, 0)
        assert path.read_bytes() == b"x" * 100

    def test_the_server_copies_files_in_fixed_pieces(self, tmp_path):
        path = tmp_path / "big"
        path.write_bytes(bytes(range(256)) * 8192)  # 2 MiB
        writes: list[int] = []
        sink = io.BytesIO()
        original = sink.write

        def write(data: Any) -> int:
            writes.append(len(data))
            return original(data)

        sink.write = write  # type: ignore[method-assign]
        with path.open("rb") as file:
            server._copy(file, sink, 10, 2 * MIB - 20)
        assert sink.getvalue() == path.read_bytes()[10:-10]
        assert max(writes) <= server.FILE_CHUNK
