"""Chinese (zh-Hans) beside English: a complete catalog, the language from the browser or the
user, and stored English sentences shown translated with the gateway's own words as they came."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from playground.gateway import video
from playground.gateway.transport import error_from_body, unknown_outcome
from playground.images.forms import ImageForm
from playground.notices.models import Notice, Preference
from playground.notices.services import notice_email
from playground.stored_text import translate_stored
from tests.conftest import ROOT
from tests.factories import UserFactory
from tests.images.factories import MODEL_3, MODEL_45, png
from tests.videos.factories import VideoJobFactory

# What makemessages reads: the playground's code and templates; not the simulator (it imitates
# the upstream, in English), the tests or the virtualenv. `make messages` uses the same list.
IGNORED = [".venv", "playground/simulator", "tests", "bench", "var", "test-artifacts", "docs"]
PO = Path("locale/zh_Hans/LC_MESSAGES/django.po")


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """A request's language stays active in its thread (the test client's is this one): put
    the default back, so the next test's services do not write Chinese."""
    yield
    translation.deactivate()


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: apt-get install gettext (.ci/run does).")
    return path


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The code, templates and committed catalog, copied, so makemessages (which writes files
    beside the templates while it reads them) never touches the working tree."""
    copy = tmp_path_factory.mktemp("project")
    skip = shutil.ignore_patterns("__pycache__", "*.mo", "simulator")
    for folder in ("playground", "templates", "locale"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=skip)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    return copy


def manage(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class TestTheCatalog:
    def test_every_string_of_the_code_has_a_chinese_translation(self, project_copy: Path) -> None:
        gettext_tool("xgettext")
        ignores = [f"--ignore={pattern}" for pattern in IGNORED]
        made = manage(project_copy, "makemessages", "-l", "zh_Hans", "--no-location", *ignores)
        assert made.returncode == 0, made.stderr
        po = str(project_copy / PO)
        untranslated = subprocess.run(
            [gettext_tool("msgattrib"), "--untranslated", "--no-obsolete", po],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        fuzzy = subprocess.run(
            [gettext_tool("msgattrib"), "--only-fuzzy", "--no-obsolete", po],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert _entries(untranslated) == [], "translate these in locale/ (see README: i18n)"
        assert _entries(fuzzy) == [], "check these fuzzy entries and clear the flag"

    def test_it_compiles(self, project_copy: Path) -> None:
        gettext_tool("msgfmt")
        compiled = manage(project_copy, "compilemessages", "-l", "zh_Hans")
        assert compiled.returncode == 0, compiled.stderr
        assert (project_copy / PO.with_suffix(".mo")).stat().st_size > 0


def _entries(po_text: str) -> list[str]:
    """The msgids of msgattrib's output, without the header entry."""
    msgids = [line for line in po_text.splitlines() if line.startswith("msgid ")]
    return [msgid for msgid in msgids if msgid != 'msgid ""']


@pytest.mark.usefixtures("compiled_messages")
class TestTheLanguage:
    def test_the_login_page_follows_the_browser(self, client: Client) -> None:
        response = client.get(reverse("login"), headers={"accept-language": "zh-Hans"})
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html
        assert "登录" in html
        assert "Log in" not in html

    def test_the_login_page_stays_english_for_an_english_browser(self, client: Client) -> None:
        response = client.get(reverse("login"), headers={"accept-language": "en-GB,en"})
        assert "Log in" in response.content.decode()

    def test_it_follows_the_users_saved_language_over_the_browser(
        self, client: Client, db: None
    ) -> None:
        client.force_login(UserFactory.create(language="zh-hans"))
        response = client.get(reverse("chat:page"), headers={"accept-language": "en"})
        html = response.content.decode()
        assert "新对话" in html
        assert "退出登录" in html

    def test_the_switch_saves_the_language_on_the_user_and_in_the_cookie(
        self, client: Client, db: None
    ) -> None:
        user = UserFactory.create()
        client.force_login(user)
        response = client.post(
            reverse("language"), {"language": "zh-hans", "next": reverse("history:page")}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("history:page")
        assert response.cookies["django_language"].value == "zh-hans"
        user.refresh_from_db()
        assert user.language == "zh-hans"
        assert "历史记录" in client.get(reverse("history:page")).content.decode()

    def test_the_switch_works_before_login_with_the_cookie_only(self, client: Client) -> None:
        client.post(reverse("language"), {"language": "zh-hans", "next": reverse("login")})
        assert "登录" in client.get(reverse("login")).content.decode()

    def test_the_switch_refuses_an_unknown_language(self, client: Client, db: None) -> None:
        user = UserFactory.create()
        client.force_login(user)
        client.post(reverse("language"), {"language": "xx", "next": "/"})
        user.refresh_from_db()
        assert user.language == ""

    def test_the_switch_is_on_every_page_the_login_page_too(self, client: Client) -> None:
        html = client.get(reverse("login")).content.decode()
        assert f'action="{reverse("language")}"' in html
        assert "简体中文" in html


@pytest.mark.usefixtures("compiled_messages")
class TestStoredSentences:
    def test_a_gateway_error_shows_our_sentence_translated_and_the_gateways_words_as_they_came(
        self, client: Client, db: None
    ) -> None:
        body = {"error": {"message": "Prompt contains banned words", "code": "bad_prompt"}}
        error = error_from_body(body, 400)
        job = VideoJobFactory.create(state="failed", fail_reason=error.message)
        client.force_login(UserFactory.create(language="zh-hans"))
        html = client.get(reverse("videos:job", args=[job.id])).content.decode()
        assert "网关拒绝了请求（400）。" in html
        assert "网关原文：Prompt contains banned words" in html

    def test_a_sentence_inside_a_sentence_is_translated_too(self) -> None:
        stored = (
            "Checking again in 5 s: The gateway is overloaded (503): try again shortly. "
            "Details: upstream busy."
        )
        with translation.override("zh-hans"):
            shown = translate_stored(stored)
        assert shown == "将在 5 秒后再次查询：网关过载（503）：请稍后重试。 网关原文：upstream busy"

    def test_text_it_does_not_know_comes_back_as_it_was(self) -> None:
        with translation.override("zh-hans"):
            # The chart's "%(user)s, %(day)s: %(value)s %(label)s" must not rewrite it.
            assert translate_stored("Error, code: 42 rejected") == "Error, code: 42 rejected"

    def test_an_unconfirmed_post_reads_with_its_reason(self) -> None:
        stored = unknown_outcome(video.UNCONFIRMED, unreadable=True).message
        with translation.override("zh-hans"):
            shown = translate_stored(stored)
        assert shown.startswith("网关没有确认这个视频任务")
        assert shown.endswith("（无法读取响应。）")

    def test_a_first_sentence_without_its_full_stop_is_translated(self) -> None:
        # The usage page groups failures by their first sentence, cut before the full stop.
        with translation.override("zh-hans"):
            shown = translate_stored("The gateway rejected the request (400)")
        assert shown == "网关拒绝了请求（400）"

    def test_an_english_reader_sees_the_stored_sentence(self) -> None:
        stored = "The gateway is overloaded (503): try again shortly."
        with translation.override("en"):
            assert translate_stored(stored) == stored


@pytest.mark.usefixtures("compiled_messages")
class TestFormErrors:
    def image_form_errors(self, files: dict[str, Any] | None = None, **data: str) -> list[str]:
        values = {
            "generation_id": "6d7c1f0e-8e9a-4c1b-9d7e-1f2a3b4c5d6e",
            "prompt": "a fox",
            "response_format": "url",
        }
        with translation.override("zh-hans"):
            form = ImageForm({**values, **data}, files or {}, user=UserFactory.create())
            return [str(message) for messages in form.errors.values() for message in messages]

    def test_the_image_forms_refusals_of_a_model_are_in_the_readers_language(
        self, db: None
    ) -> None:
        assert self.image_form_errors(model=MODEL_45, guidance_scale="5") == [
            "只有 Seedream 3.0 模型接受引导系数；请留空。"
        ]
        reference = SimpleUploadedFile("ref.png", png(512, 512), content_type="image/png")
        assert sorted(
            self.image_form_errors(
                {"refer1_file": reference}, model=MODEL_3, sequential="on", max_images="2"
            )
        ) == [
            "Seedream 3.0 不支持组图生成；请使用 4.x 模型。",
            "Seedream 3.0 只能根据文字生成图片；请移除参考图。",
        ]


@pytest.mark.usefixtures("compiled_messages")
class TestEmails:
    def test_a_notice_email_goes_out_in_the_members_saved_language(
        self, db: None, settings: Any
    ) -> None:
        settings.PUBLIC_URL = "https://playground.example.com"
        owner = UserFactory.create(email="owner@example.com", language="zh-hans")
        Preference.objects.create(user=owner, email=True)
        job = VideoJobFactory.create(user=owner, prompt="雪地里的红狐狸")
        notice = Notice.objects.create(
            user=owner,
            kind=Notice.Kind.VIDEO,
            source_id=job.id,
            title=job.prompt,
            outcome=Notice.Outcome.SUCCEEDED,
        )
        assert notice_email(notice_id=notice.id)
        [email] = mail.outbox
        assert email.subject == "你的视频已生成"
        assert "打开查看：https://playground.example.com/videos/" in email.body
