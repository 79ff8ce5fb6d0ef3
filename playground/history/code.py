"""Copy as code: the request an item sent, as curl, Python `requests` and the `openai` SDK.

The key is always an environment variable (`STARRISE_API_KEY`), never the team key; the base URL
is `STARRISE_BASE_URL`, defaulting to the real gateway. Images the playground stored are kept in
request bodies as `upload:<id>` references: the code says so and puts a placeholder URL instead.
"""

from __future__ import annotations

import json
import pprint
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BASE_URL = "https://ai.alad.com"
PLACEHOLDER_IMAGE = "https://example.com/your-image.png"
# Fields the playground adds for its own bookkeeping, which a copy must not resend.
KLING_OWN_FIELDS = ("callback_url", "external_task_id")


@dataclass(frozen=True)
class ApiRequest:
    """One request to the gateway, as a snippet needs it."""

    kind: str  # chat, image, seedance or kling
    path: str
    body: dict[str, Any]
    poll_path: str = ""  # with `{task_id}`, for video
    references: list[str] = field(default_factory=list)  # the upload:<id> replaced

    @property
    def is_video(self) -> bool:
        return bool(self.poll_path)


def _replace_references(value: Any, found: list[str]) -> Any:
    if isinstance(value, str) and value.startswith("upload:"):
        found.append(value)
        return PLACEHOLDER_IMAGE
    if isinstance(value, list):
        return [_replace_references(item, found) for item in value]
    if isinstance(value, dict):
        return {name: _replace_references(item, found) for name, item in value.items()}
    return value


def api_request(*, kind: str, body: dict[str, Any], action: str = "") -> ApiRequest:
    """`kind` is the history's (chat, image, video); `action` a video job's."""
    found: list[str] = []
    clean = _replace_references(body, found)
    if kind == "chat":
        clean.pop("stream", None)
        clean.pop("stream_options", None)
        return ApiRequest("chat", "/v1/chat/completions", clean, references=found)
    if kind == "image":
        return ApiRequest("image", "/v1/images/generations", clean, references=found)
    if action == "seedance":
        poll = "/v1/video/generations/{task_id}"
        return ApiRequest("seedance", "/v1/video/generations", clean, poll, found)
    for name in KLING_OWN_FIELDS:
        clean.pop(name, None)
    return ApiRequest(
        "kling", f"/kling/v1/videos/{action}", clean, "/kling/v1/videos/{task_id}", found
    )


def _reference_note(request: ApiRequest, comment: str) -> str:
    if not request.references:
        return ""
    names = ", ".join(request.references)
    return (
        f"{comment} The playground sent images it stores ({names}); they are not public.\n"
        f"{comment} Replace {PLACEHOLDER_IMAGE} with a public URL of your image (or base64).\n"
    )


def _python_literal(value: Any) -> str:
    return pprint.pformat(value, indent=4, width=88, sort_dicts=False)


def as_curl(request: ApiRequest) -> str:
    body = json.dumps(request.body, indent=2, ensure_ascii=False)
    lines = [
        _reference_note(request, "#")
        + f'curl -sS -X POST "${{STARRISE_BASE_URL:-{DEFAULT_BASE_URL}}}{request.path}" \\',
        '  -H "Authorization: Bearer $STARRISE_API_KEY" \\',
        '  -H "Content-Type: application/json" \\',
        "  --data-binary @- <<'JSON'",
        body,
        "JSON",
    ]
    if request.is_video:
        poll = request.poll_path.replace("{task_id}", "$TASK_ID")
        lines += [
            "",
            "# Then, with TASK_ID set to the task_id (or id) it answered, every few seconds",
            "# until data.status is SUCCESS or FAILURE:",
            f'curl -sS "${{STARRISE_BASE_URL:-{DEFAULT_BASE_URL}}}{poll}" \\',
            '  -H "Authorization: Bearer $STARRISE_API_KEY"',
        ]
    return "\n".join(lines) + "\n"


_PYTHON_HEAD = """\
{imports}

import requests

BASE_URL = os.environ.get("STARRISE_BASE_URL", "{base}")
HEADERS = {{"Authorization": f"Bearer {{os.environ['STARRISE_API_KEY']}}"}}

{note}body = {body}

"""

_PYTHON_CHAT = """\
response = requests.post(f"{{BASE_URL}}{path}", headers=HEADERS, json=body, timeout=120)
response.raise_for_status()
answer = response.json()
print(answer["choices"][0]["message"]["content"])
print("usage:", answer.get("usage"))
"""

_PYTHON_IMAGE = """\
response = requests.post(f"{{BASE_URL}}{path}", headers=HEADERS, json=body, timeout=300)
response.raise_for_status()
for image in response.json()["data"]:
    print(image.get("url") or image.get("error") or "(base64 image)")
"""

_PYTHON_VIDEO = """\
POLL_SECONDS = float(os.environ.get("POLL_SECONDS", "10"))

created = requests.post(f"{{BASE_URL}}{path}", headers=HEADERS, json=body, timeout=60)
created.raise_for_status()
task_id = created.json().get("task_id") or created.json()["id"]
print("task", task_id)

while True:
    time.sleep(POLL_SECONDS)
    polled = requests.get(f"{{BASE_URL}}{poll}", headers=HEADERS, timeout=60)
    polled.raise_for_status()
    task = polled.json()["data"]
    print(task["status"], task.get("progress", ""))
    if task["status"] in ("SUCCESS", "FAILURE", "FAILED"):
        break

if task["status"] != "SUCCESS":
    raise SystemExit(f"failed: {{task.get('fail_reason')}}")
{result}
"""

_SEEDANCE_RESULT = 'print("video", task["result_url"])'
_KLING_RESULT = """\
kling = task["data"]["data"]
print("video", kling["task_result"]["videos"][0]["url"])"""


def as_requests(request: ApiRequest) -> str:
    head = _PYTHON_HEAD.format(
        imports="import os\nimport time" if request.is_video else "import os",
        base=DEFAULT_BASE_URL,
        note=_reference_note(request, "#"),
        body=_python_literal(request.body),
    )
    if request.kind == "chat":
        return head + _PYTHON_CHAT.format(path=request.path)
    if request.kind == "image":
        return head + _PYTHON_IMAGE.format(path=request.path)
    result = _SEEDANCE_RESULT if request.kind == "seedance" else _KLING_RESULT
    return head + _PYTHON_VIDEO.format(path=request.path, poll=request.poll_path, result=result)


_OPENAI_HEAD = """\
import os

from openai import OpenAI

client = OpenAI(
    api_key=os.environ["STARRISE_API_KEY"],
    base_url=os.environ.get("STARRISE_BASE_URL", "{base}") + "/v1",
)

"""


def as_openai(request: ApiRequest) -> str:
    """The official SDK's call, for chat and images; empty where it does not apply (video)."""
    body = dict(request.body)
    head = _OPENAI_HEAD.format(base=DEFAULT_BASE_URL) + _reference_note(request, "#")
    if request.kind == "chat":
        arguments = _python_literal(body)
        return (
            head
            + f"completion = client.chat.completions.create(**{arguments})\n"
            + "print(completion.choices[0].message.content)\n"
            + 'print("usage:", completion.usage)\n'
        )
    if request.kind == "image":
        model, prompt = body.pop("model"), body.pop("prompt")
        return (
            head
            + "# Seedream's own fields go in extra_body, sent as they are.\n"
            + "result = client.images.generate(\n"
            + f"    model={model!r},\n"
            + f"    prompt={prompt!r},\n"
            + f"    extra_body={_python_literal(body)},\n"
            + ")\n"
            + "for image in result.data or []:\n"
            + '    print(image.url or "(base64 image)")\n'
        )
    return ""


@dataclass(frozen=True)
class Snippet:
    name: str
    slug: str
    code: str


def snippets(request: ApiRequest) -> list[Snippet]:
    found = [
        Snippet("curl", "curl", as_curl(request)),
        Snippet("Python requests", "requests", as_requests(request)),
        Snippet("Python openai", "openai", as_openai(request)),
    ]
    return [snippet for snippet in found if snippet.code]
