"""Real PNGs and MP4s for the URLs the simulator hands out, rendered once and cached on disk.

A generation only writes a small JSON spec (`<name>.json`); the PNG or MP4 is drawn when it is
first needed, so fifteen 4K images cost nothing until someone downloads them. Renders go to a
temporary file that is renamed into place, so two first requests never see half a file.
A video spec may ask for padding (`pad_bytes`): the MP4 then ends with a `free` box that makes
it at least that large, written in chunks, so large-download tests need no large memory.
"""

from __future__ import annotations

import colorsys
import contextlib
import functools
import hashlib
import json
import os
import subprocess
import tempfile
import textwrap
import threading
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from PIL import Image, ImageDraw, ImageFont

from playground.simulator.background import Workers

VIDEO_FPS = 12
VIDEO_LONG_SIDE = 640
VIDEO_MAX_SECONDS = 12
# Width:height of the video ratios; "adaptive" is drawn as 16:9.
RATIOS = {
    "16:9": (16, 9),
    "4:3": (4, 3),
    "1:1": (1, 1),
    "3:4": (3, 4),
    "9:16": (9, 16),
    "21:9": (21, 9),
    "adaptive": (16, 9),
}
CONTENT_TYPES = {"png": "image/png", "mp4": "video/mp4"}
PAD_CHUNK = 1024 * 1024
PRERENDER_WORKERS = 2  # background renders at once, however many tasks finish together


class MediaStore:
    def __init__(self, directory: Path, public_url: str) -> None:
        self.directory = directory
        self.public_url = public_url.rstrip("/")
        self.directory.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._prerendered: set[str] = set()
        self._renderers = Workers(PRERENDER_WORKERS, "prerender")

    # -- names and URLs ----------------------------------------------------------------------

    def register(self, spec: dict[str, Any]) -> str:
        """Stores a render spec and returns its name (a hash of the spec)."""
        text = json.dumps(spec, sort_keys=True)
        name = hashlib.sha256(text.encode()).hexdigest()[:32]
        path = self.directory / f"{name}.json"
        if not path.exists():
            _write_atomically(path, text.encode())
        return name

    def url(self, name: str, *, expires: int) -> str:
        spec = self.spec(name)
        extension = "mp4" if spec and spec["kind"] == "video" else "png"
        return f"{self.public_url}/media/{name}.{extension}?expires={expires}"

    def spec(self, name: str) -> dict[str, Any] | None:
        try:
            spec: dict[str, Any] = json.loads((self.directory / f"{name}.json").read_text())
        except (OSError, ValueError):
            return None
        return spec

    # -- rendering ---------------------------------------------------------------------------

    def ensure(self, name: str) -> Path | None:
        """The rendered file, drawing it first if needed; None for an unknown name."""
        spec = self.spec(name)
        if spec is None:
            return None
        path = self.directory / f"{name}.{'mp4' if spec['kind'] == 'video' else 'png'}"
        with self._lock_for(name):
            if not path.exists():
                temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
                try:
                    if spec["kind"] == "video":
                        render_mp4(spec, temporary)
                    else:
                        render_png(spec, temporary)
                    os.replace(temporary, path)
                finally:
                    temporary.unlink(missing_ok=True)
        return path

    def prerender(self, name: str) -> None:
        """Renders in the background, once, so the first download does not wait."""
        with self._locks_lock:
            if name in self._prerendered:
                return
            self._prerendered.add(name)
        self._renderers.submit(lambda: self._prerender(name))

    def _prerender(self, name: str) -> None:
        with contextlib.suppress(Exception):  # best effort; a download renders again
            self.ensure(name)

    def _lock_for(self, name: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(name, threading.Lock())


def video_spec(
    prompt: str, ratio: str, duration: int, pad_bytes: int = 0, *, shared: bool = False
) -> dict[str, Any]:
    """The render spec of a video; padding is only part of it when asked for, so unpadded
    videos keep the names (and cache entries) they always had. `shared` gives every video the
    same clip, rendered once, so that a benchmark of thousands of jobs measures the playground
    rather than the simulator's ffmpeg."""
    if shared:
        prompt, ratio, duration = "A simulated video", "16:9", 5
    spec: dict[str, Any] = {"kind": "video", "prompt": prompt, "ratio": ratio, "duration": duration}
    if pad_bytes > 0:
        spec["pad_bytes"] = pad_bytes
    return spec


def video_size(ratio: str) -> tuple[int, int]:
    """Frame size for a ratio: the long side is 640 px, both sides even (yuv420p needs it)."""
    w, h = RATIOS.get(ratio, (16, 9))
    scale = VIDEO_LONG_SIDE / max(w, h)
    return int(w * scale) // 2 * 2, int(h * scale) // 2 * 2


def render_png(spec: dict[str, Any], path: Path) -> None:
    width, height = int(spec["width"]), int(spec["height"])
    image = _background(spec["prompt"], width, height, seed=int(spec.get("seed", 0)))
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    hue = _hue(spec["prompt"], int(spec.get("seed", 0)))
    for i in range(3):
        x, y, r = (width * (i + 1)) // 4, height // 3 + (i % 2) * height // 6, unit // (7 + i)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_color(hue + 0.15 * (i + 1), 0.8))
    label = f"Starrise simulator · {width}x{height}"
    if spec.get("count", 1) > 1:
        label += f" · image {spec['index'] + 1} of {spec['count']}"
    _caption(draw, spec["prompt"], label, width, height)
    image.save(path, format="PNG", compress_level=1)


def render_mp4(spec: dict[str, Any], path: Path) -> None:
    width, height = video_size(spec["ratio"])
    frames = VIDEO_FPS * min(int(spec["duration"]), VIDEO_MAX_SECONDS)
    background = _background(spec["prompt"], width, height, seed=0)
    _caption(ImageDraw.Draw(background), spec["prompt"], "Starrise simulator", width, height)
    hue = _hue(spec["prompt"], 0)
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(VIDEO_FPS),
        "-i", "-",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", "-an", "-f", "mp4", str(path),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)  # noqa: S603
        assert process.stdin is not None
        radius = min(width, height) // 8
        font = _font(max(12, height // 14))
        for n in range(frames):
            frame = background.copy()
            draw = ImageDraw.Draw(frame)
            x = radius + (width - 2 * radius) * n // max(1, frames - 1)
            y = height // 2
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=_color(hue, 0.9))
            draw.text((10, 8), f"frame {n + 1}/{frames}", fill="white", font=font)
            process.stdin.write(frame.tobytes())
        process.stdin.close()
        if process.wait() != 0:
            errors.seek(0)
            raise RuntimeError(f"ffmpeg failed: {errors.read().decode(errors='replace')[:500]}")
    pad_mp4(path, int(spec.get("pad_bytes", 0)))


def pad_mp4(path: Path, size: int) -> None:
    """Appends a top-level `free` box (4-byte big-endian size + b"free" + zeros) so the file is
    at least `size` bytes; players skip it. Written in 1 MiB chunks."""
    missing = size - path.stat().st_size
    if missing <= 0:
        return
    box = max(8, missing)
    if box >= 2**32:
        raise ValueError("a free box this large needs a 64-bit size; pad less than 4 GiB")
    zeros = bytes(PAD_CHUNK)
    with path.open("ab") as file:
        file.write(box.to_bytes(4, "big") + b"free")
        left = box - 8
        while left > 0:
            file.write(zeros if left >= PAD_CHUNK else zeros[:left])
            left -= PAD_CHUNK


def _background(prompt: str, width: int, height: int, *, seed: int) -> Image.Image:
    # A small gradient scaled up is much faster than drawing one at 4K.
    hue = _hue(prompt, seed)
    gradient = Image.linear_gradient("L").resize((64, 64))
    start, end = Image.new("RGB", (64, 64), _color(hue, 0.35)), _color(hue + 0.5, 0.6)
    tinted = Image.composite(Image.new("RGB", (64, 64), end), start, gradient)
    return tinted.resize((width, height), Image.Resampling.BILINEAR)


def _caption(draw: ImageDraw.ImageDraw, prompt: str, label: str, width: int, height: int) -> None:
    """The prompt, wrapped, and a grey label under it, on a black band at the bottom."""
    size = max(12, min(width, height) // 18)
    font = _font(size)
    columns = max(10, int(width * 0.9 / (size * 0.5)))
    lines = textwrap.wrap(prompt, columns) or [""]
    labels = textwrap.wrap(label, columns)
    room = max(1, int(height * 0.6 / (size * 1.25)) - len(labels))
    if len(lines) > room:
        lines = [*lines[: room - 1], lines[room - 1][: columns - 1] + "…"]
    top = height - int((len(lines) + len(labels)) * size * 1.25) - size
    margin = width // 20
    draw.rectangle((0, top - size // 2, width, height), fill=(0, 0, 0))
    for i, line in enumerate([*lines, *labels]):
        colour = (255, 255, 255) if i < len(lines) else (180, 180, 180)
        draw.text((margin, top + int(i * size * 1.25)), line, fill=colour, font=font)


@functools.lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _hue(prompt: str, seed: int) -> float:
    digest = hashlib.sha256(f"{prompt}|{seed}".encode()).digest()
    return digest[0] / 255


def _color(hue: float, value: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, 0.65, value)
    return int(r * 255), int(g * 255), int(b * 255)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)
