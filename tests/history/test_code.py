"""Copy as code: the generated snippets are RUN against the simulator, with the key and the
base URL from the environment, as someone who pasted them would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from playground.accounts.models import User
from playground.chat.services import ChatSettings, chat_send, exchange_run
from playground.history.code import PLACEHOLDER_IMAGE, Snippet, api_request, snippets
from playground.history.models import Item
from playground.history.selectors import item_detail
from playground.images.services import generation_create
from playground.videos.build import image_ref
from playground.videos.services import video_job_create
from tests.conftest import Simulator
from tests.images.factories import params as image_params
from tests.videos.conftest import stored_image

pytestmark = pytest.mark.django_db
SEEDANCE = {"model": "doubao-seedance-1-0-pro-250528", "prompt": "a fox in the snow", "duration": 2}
KLING = {"model_name": "kling-v1-6", "prompt": "a tram at night", "duration": 5, "mode": "std"}


def code_of(kind: str, source_id: object) -> dict[str, str]:
    item = Item.objects.get(kind=kind, source_id=str(source_id))
    detail = item_detail(item=item)
    assert detail is not None
    found = snippets(api_request(kind=kind, body=detail.request_body, action=detail.action))
    return {snippet.slug: snippet.code for snippet in found}


def run(code: str, sim: Simulator, tmp_path: Path, *, as_shell: bool = False) -> str:
    env = {
        **os.environ,
        "STARRISE_API_KEY": sim.key,
        "STARRISE_BASE_URL": sim.url,
        "POLL_SECONDS": "0.3",
    }
    script = tmp_path / ("snippet.sh" if as_shell else "snippet.py")
    script.write_text(code)
    argv = ["bash", str(script)] if as_shell else [sys.executable, str(script)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def chat_code(user: User, gateway: Simulator) -> dict[str, str]:
    chat_settings = ChatSettings(
        model="gpt-4o-mini", system_prompt="Be brief.", temperature=0.5, top_p=1.0, max_tokens=64
    )
    exchange = chat_send(user=user, conversation=None, chat_settings=chat_settings, message="Hi")
    exchange_run(exchange_id=exchange.id)
    return code_of("chat", exchange.conversation_id)


class TestChat:
    def test_the_requests_snippet_gets_an_answer(
        self, chat_code: dict[str, str], gateway: Simulator, tmp_path: Path
    ) -> None:
        output = run(chat_code["requests"], gateway, tmp_path)

        assert "usage:" in output
        assert "total_tokens" in output

    def test_the_openai_snippet_gets_an_answer(
        self, chat_code: dict[str, str], gateway: Simulator, tmp_path: Path
    ) -> None:
        output = run(chat_code["openai"], gateway, tmp_path)

        assert "usage: CompletionUsage(" in output

    def test_the_curl_snippet_gets_an_answer(
        self, chat_code: dict[str, str], gateway: Simulator, tmp_path: Path
    ) -> None:
        if shutil.which("curl") is None:
            pytest.skip("curl is not installed here")

        output = run(chat_code["curl"], gateway, tmp_path, as_shell=True)

        assert '"chat.completion"' in output

    def test_no_snippet_holds_the_team_key(
        self, chat_code: dict[str, str], gateway: Simulator
    ) -> None:
        assert all(gateway.key not in code for code in chat_code.values())
        assert all("STARRISE_API_KEY" in code for code in chat_code.values())
        assert all("https://ai.alad.com" in code for code in chat_code.values())


class TestImages:
    def test_the_requests_and_openai_snippets_make_images(
        self, user: User, gateway: Simulator, tmp_path: Path
    ) -> None:
        generation, _ = generation_create(user=user, params=image_params(prompt="a lighthouse"))
        code = code_of("image", generation.id)

        assert run(code["requests"], gateway, tmp_path).startswith("http")
        assert run(code["openai"], gateway, tmp_path).startswith("http")
        assert "extra_body=" in code["openai"]


class TestVideos:
    def test_the_seedance_snippet_polls_until_the_video_is_ready(
        self, user: User, gateway: Simulator, no_worker: list[uuid.UUID], tmp_path: Path
    ) -> None:
        job = video_job_create(user=user, action="seedance", params=SEEDANCE)
        code = code_of("video", job.id)

        output = run(code["requests"], gateway, tmp_path)

        assert "/v1/video/generations/{task_id}" in code["requests"]
        assert "SUCCESS" in output
        assert "video http" in output
        assert "openai" not in code  # no SDK call for video

    def test_the_kling_snippet_polls_until_the_video_is_ready(
        self, user: User, gateway: Simulator, no_worker: list[uuid.UUID], tmp_path: Path
    ) -> None:
        job = video_job_create(user=user, action="text2video", params=KLING)
        code = code_of("video", job.id)

        output = run(code["requests"], gateway, tmp_path)

        assert "/kling/v1/videos/{task_id}" in code["requests"]
        assert "external_task_id" not in code["requests"]
        assert "video http" in output

    def test_stored_images_become_a_placeholder_with_a_comment(
        self, user: User, gateway: Simulator, no_worker: list[uuid.UUID]
    ) -> None:
        frame = stored_image(user)
        params = {**SEEDANCE, "first_frame": image_ref(upload_id=str(frame.id))}
        job = video_job_create(user=user, action="seedance", params=params)

        code = code_of("video", job.id)

        for snippet in ("curl", "requests"):
            assert PLACEHOLDER_IMAGE in code[snippet]
            assert f"upload:{frame.id}" in code[snippet]  # named in the comment only
            assert "Replace" in code[snippet]


def test_every_snippet_has_a_name_and_code() -> None:
    found = snippets(api_request(kind="chat", body={"model": "m", "messages": []}))

    assert [snippet.slug for snippet in found] == ["curl", "requests", "openai"]
    assert all(isinstance(snippet, Snippet) and snippet.code for snippet in found)
