"""The HTTP server: hand routing, auth, faults, and writing answers on the raw socket.

The standard library server is used on purpose: faults such as `drop` and `timeout` need full
control of the connection, which a framework would hide.
"""

from __future__ import annotations

import json
import re
import time
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase, BufferedReader
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from playground.simulator import chat, images, kling, seedance
from playground.simulator.config import FAULTS, ConfigError
from playground.simulator.faults import applies, error_reply, group, strip_markers
from playground.simulator.keys import key_accepted
from playground.simulator.media import CONTENT_TYPES, MediaStore
from playground.simulator.replies import ApiError, Reply, Stream, json_reply, openai_error
from playground.simulator.state import State, Task

MAX_BODY = 64 * 1024 * 1024
FILE_CHUNK = 256 * 1024  # media are sent from disk in pieces of this size
MODEL_CREATED = 1626777600
# Owner per model family, as a new-api gateway reports them.
OWNERS = {"claude": "custom", "gpt": "openai", "deepseek": "deepseek", "doubao": "volcengine"}


@dataclass
class App:
    state: State
    media: MediaStore
    keys: tuple[str, ...]


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    app: App  # set once the port is bound, since media URLs need it

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, Handler)


def route(method: str, path: str, kling_paths: str) -> tuple[str, list[str]] | None:
    """The route name and path parameters, or None for an unknown URL (or a disabled one)."""
    parts = path.strip("/").split("/")
    fixed = {
        ("GET", "/_sim/health"): "sim.health",
        ("GET", "/_sim/config"): "sim.config",
        ("POST", "/_sim/config"): "sim.configure",
        ("POST", "/_sim/reset"): "sim.reset",
        ("GET", "/_sim/requests"): "sim.requests",
        ("GET", "/_sim/stats"): "sim.stats",
        ("GET", "/_sim/tasks"): "sim.tasks",
        ("GET", "/v1/models"): "models",
        ("POST", "/v1/chat/completions"): "chat",
        ("POST", "/v1/images/generations"): "images",
        ("POST", "/v1/video/generations"): "seedance.create",
    }
    if (method, path) in fixed:
        return fixed[method, path], []
    if method == "GET" and parts[:3] == ["v1", "video", "generations"] and len(parts) == 4:
        return "seedance.query", parts[3:]
    if parts[:3] == ["kling", "v1", "videos"]:
        if method == "POST" and len(parts) == 4 and parts[3] in kling.ACTIONS:
            return "kling.create", parts[3:]
        if method == "GET" and len(parts) == 4 and kling_paths in ("both", "short"):
            return "kling.query", parts[3:]
        if method == "GET" and len(parts) == 5 and parts[3] in kling.ACTIONS:
            return ("kling.query", parts[4:]) if kling_paths in ("both", "action") else None
    match = re.fullmatch(r"/media/([0-9a-f]{32})\.(png|mp4)", path)
    if method in ("GET", "HEAD") and match:
        return "media", [match.group(1), match.group(2)]
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "StarriseSimulator/1.0"
    timeout = 120  # idle keep-alive connections give their thread back
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't wait 40 ms

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    @property
    def app(self) -> App:
        return cast(SimulatorServer, self.server).app

    # -- one request -------------------------------------------------------------------------

    def _handle(self) -> None:
        started = time.monotonic()
        self.status: int | str = "-"
        url = urlsplit(self.path)
        config = self.app.state.config()
        matched = route(self.command, url.path, config["kling_query_paths"])
        name = matched[0] if matched else "unknown"
        if not name.startswith("sim."):
            self.app.state.count_request(name, self.command)
        raw = self._read_body()
        body = _parse(raw)
        key_ok = key_accepted(self.headers.get("Authorization"), self.app.keys)
        self.fault: str | None = None
        self.entry: dict[str, Any] | None = None
        if not name.startswith("sim."):
            entry = {"method": self.command, "path": url.path, "route": name, "body": body}
            self.entry = {**entry, "key_ok": key_ok}
        try:
            if raw is None:
                self._send(openai_error(413, "The request body is too large or unreadable."))
            elif matched is None:
                message = f"Invalid URL ({self.command} {url.path})"
                self._send(openai_error(404, message, kind="invalid_request_error"))
            elif name.startswith("sim."):
                self._send(self._control(name, body, raw))
            elif name == "media":
                self._media(matched[1][0], matched[1][1], parse_qs(url.query))
            elif not key_ok:
                self._send(_unauthorized(self.headers.get("Authorization")))
            else:
                self._serve(name, matched[1], body, config)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away, e.g. after a timeout
        except Exception:
            traceback.print_exc()
            self.close_connection = True
            if self.status == "-":  # nothing sent yet: say so rather than hang up
                message = "The simulator failed on this request; see its log."
                self._send(openai_error(500, message, kind="server_error", code="simulator_bug"))
        finally:
            elapsed = (time.monotonic() - started) * 1000
            print(f"{self.command} {url.path} {self.status} {elapsed:.0f}ms", flush=True)
            self._record()

    def _record(self) -> None:
        """Logs the request once, before its last byte is written, so a client holding its
        answer always finds it in `/_sim/requests`."""
        if self.entry is None:
            return
        status = self.status if isinstance(self.status, int) else None
        self.app.state.record(
            {**self.entry, "status": status, "fault": self.fault, "at": time.time()}
        )
        self.entry = None

    def _serve(self, name: str, params: list[str], body: Any, config: dict[str, Any]) -> None:
        """Runs an API route with its fault, if any, kept in `self.fault` for the log."""
        found: list[str] = []
        body = strip_markers(body, found)
        explicit = self.headers.get("X-Sim-Fault") or (found[0] if found else None)
        if explicit is not None and explicit not in FAULTS:
            message = f"Unknown simulator fault {explicit!r}; known: {', '.join(FAULTS)}."
            self._send(openai_error(400, message, code="unknown_fault"))
            return
        streaming = name == "chat" and isinstance(body, dict) and body.get("stream") is True

        def fits(fault: str) -> bool:
            return applies(fault, name, explicit=explicit is not None, streaming=streaming)

        if explicit is not None:
            fault = explicit if fits(explicit) else None
        else:
            fault = self.app.state.take_config_fault(group(name), fits)
        self.fault = fault
        if fault == "drop":
            self.status = "dropped"
            self.close_connection = True  # no answer at all: the client sees the socket close
            return
        if fault == "timeout":
            time.sleep(config["timeout_seconds"])
        failure = error_reply(fault, name, config) if fault else None
        if failure is not None:
            self._send(failure)
            return
        try:
            answer = self._run(name, params, body, fault)
        except ApiError as rejected:
            answer = rejected.reply
        if fault == "malformed-json":
            text = answer.body if isinstance(answer, Reply) else answer.events[0][6:].encode()
            answer = Reply(200, text[: max(1, len(text) // 2)])
        if isinstance(answer, Stream):
            self._stream(answer)
        else:
            self._send(answer)

    def _run(self, name: str, params: list[str], body: Any, fault: str | None) -> Reply | Stream:
        app, config = self.app, self.app.state.config()
        state, media = app.state, app.media
        if name == "models":
            return json_reply(200, _models())
        if name == "chat":
            pause = config["stream_delay_ms"] / 1000
            return chat.chat_completion(body, fault=fault, pause=pause)
        if name == "images":
            ttl = config["media_ttl_seconds"]
            return images.image_generation(body, fault=fault, media=app.media, ttl=ttl)
        if name == "seedance.create":
            return seedance.seedance_create(
                body, fault=fault, state=state, media=media, config=config
            )
        if name == "seedance.query":
            return seedance.seedance_query(
                params[0], fault=fault, state=state, media=media, config=config
            )
        if name == "kling.create":
            return kling.kling_create(
                params[0], body, fault=fault, state=state, media=media, config=config
            )
        return kling.kling_query(params[0], fault=fault, state=state, media=media, config=config)

    def _control(self, name: str, body: Any, raw: bytes) -> Reply:
        state = self.app.state
        if name == "sim.health":
            return json_reply(200, {"ok": True})
        if name == "sim.config":
            return json_reply(200, state.config())
        if name == "sim.reset":
            state.reset()
            return json_reply(200, {"ok": True})
        if name == "sim.requests":
            return json_reply(200, state.requests())
        if name == "sim.stats":
            return json_reply(200, state.stats())
        if name == "sim.tasks":
            return json_reply(200, [_task_json(task) for task in state.tasks()])
        try:
            if body is None and raw:
                raise ConfigError("the body is not valid JSON")
            return json_reply(200, state.configure(body if raw else {}))
        except ConfigError as error:
            return openai_error(400, str(error), code="bad_config")

    # -- media -------------------------------------------------------------------------------

    def _media(self, name: str, extension: str, query: dict[str, list[str]]) -> None:
        expires = (query.get("expires") or [""])[0]
        if not expires.isdigit():
            self._send(_storage_error(403, "AccessDenied", "The URL is not signed (no expires)."))
            return
        if time.time() >= int(expires):
            self._send(_storage_error(403, "AccessDenied", "Request has expired."))
            return
        spec = self.app.media.spec(name)
        kind = "video" if extension == "mp4" else "image"
        path = self.app.media.ensure(name) if spec and spec["kind"] == kind else None
        if path is None:
            self._send(_storage_error(404, "NoSuchKey", "The specified key does not exist."))
            return
        size = path.stat().st_size
        headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600"}
        try:
            wanted = _byte_range(self.headers.get("Range"), size)
        except ValueError:
            reply = _storage_error(416, "InvalidRange", "The requested range is not satisfiable.")
            reply.headers["Content-Range"] = f"bytes */{size}"
            self._send(reply)
            return
        status, start, end = 200, 0, size - 1
        if wanted is not None:
            status, (start, end) = 206, wanted
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        with path.open("rb") as file:
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPES[extension])
            self.send_header("Content-Length", str(end - start + 1))
            for header, value in headers.items():
                self.send_header(header, value)
            self.end_headers()
            self.status = status
            self._record()
            if self.command != "HEAD":
                _copy(file, self.wfile, start, end - start + 1)

    # -- the wire ----------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        """The request body; None if it is too large or malformed."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = self.headers.get("Content-Length", "0").strip() or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            self.close_connection = True
            return None
        return self.rfile.read(int(length))

    def _read_chunked(self) -> bytes | None:
        data = b""
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                self.close_connection = True
                return None
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return data
            if len(data) + size > MAX_BODY:
                self.close_connection = True
                return None
            data += self.rfile.read(size)
            self.rfile.readline(8)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for header, value in reply.headers.items():
            self.send_header(header, value)
        self.status = reply.status
        self._record()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _stream(self, stream: Stream) -> None:
        """Server-sent events in HTTP chunks, so the connection can be kept alive after."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.status = 200
        for i, event in enumerate(stream.events):
            if i:
                time.sleep(stream.pause)
            data = event.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        self._record()
        self.wfile.write(b"0\r\n\r\n")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # _handle prints its own line, without headers

    def log_message(self, format: str, *args: Any) -> None:
        print(f"{self.address_string()} {format % args}", flush=True)


def _parse(raw: bytes | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _unauthorized(authorization: str | None) -> Reply:
    message = (
        "Incorrect API key provided."
        if authorization
        else "You didn't provide an API key; send it as 'Authorization: Bearer <key>'."
    )
    return openai_error(401, message, kind="authentication_error", code="invalid_api_key")


def _storage_error(status: int, code: str, message: str) -> Reply:
    """Object storage answers signed-URL errors in XML, as S3 and TOS do."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return Reply(status, body.encode(), "application/xml")


def _copy(source: BufferedReader, target: BufferedIOBase, start: int, length: int) -> None:
    """Sends `length` bytes of a file from `start` with a fixed buffer, whatever the size."""
    source.seek(start)
    buffer = bytearray(FILE_CHUNK)
    view = memoryview(buffer)
    while length > 0:
        read = source.readinto(view[: min(length, FILE_CHUNK)])
        if not read:
            raise ConnectionResetError("the file ended early")
        target.write(view[:read])
        length -= read


def _task_json(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "provider": task.provider,
        "action": task.action,
        "external_task_id": task.external_task_id,
        "submitted_at": task.submitted_at,
        "finishes_at": task.submitted_at + task.clock,
        "failed": task.fault == "task-failure",
    }


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end) of a single `bytes=` range, or None to send it all; ValueError for a 416."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", (header or "").strip())
    if not match or match.groups() == ("", ""):
        return None  # absent, multiple or malformed ranges: send the whole file (RFC 9110)
    first, last = match.groups()
    if not first:
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise ValueError("unsatisfiable range")
    return start, end


def _models() -> dict[str, Any]:
    ids = [*chat.CHAT_MODELS, *images.SEEDREAM_MODELS, *seedance.SEEDANCE_MODELS]
    ids += sorted(set(kling.IMAGE_MODELS))
    data = [
        {
            "id": model,
            "object": "model",
            "created": MODEL_CREATED,
            "owned_by": next((v for k, v in OWNERS.items() if model.startswith(k)), "kling"),
        }
        for model in ids
    ]
    return {"object": "list", "data": data}
