"""The main pages in Chinese, as a browser set to zh-CN gets them, on a laptop and a phone:
Chinese on every page, nothing scrolling sideways. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from playground.chat.models import ChatExchange, Conversation
from playground.gateway.transport import error_from_body
from playground.teamkey.services import team_key_set
from playground.videos.models import VideoJob
from tests.browser.conftest import screenshot
from tests.conftest import Simulator
from tests.factories import AdminFactory
from tests.videos.factories import VideoJobFactory

PASSWORD = "a-long-test-password"
SIZES = {"laptop": (1366, 900), "phone": (390, 844)}
# Each page, and a phrase it must show in Chinese.
PAGES = [
    ("chat", "chat:page", "团队对话"),
    ("images", "images:page", "参考图"),
    ("videos", "videos:page", "团队最近的任务"),
    ("history", "history:page", "搜索提示词"),
    ("usage", "usage:dashboard", "按用户和日期"),
    ("teamkey", "teamkey:page", "审计日志"),
    ("users", "users:page", "邀请成员"),
    ("prompts", "prompts:library", "提示词库"),
    ("compare", "compare:new", "并排对比模型"),
    ("notices", "notices:list", "还没有通知"),
]


@pytest.fixture
def site(
    transactional_db: None,
    sim: Simulator,
    live_server: Any,
    settings: Any,
    tmp_path: Path,
    compiled_messages: None,
) -> str:
    """An admin with a chat and a video job the gateway refused, with its own words."""
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = AdminFactory.create(username="ada", password=PASSWORD)
    team_key_set(actor=admin, plaintext=sim.key)
    conversation = Conversation.objects.create(user=admin, title="一个很长的问题")
    ChatExchange.objects.create(
        conversation=conversation,
        user=admin,
        model="gpt-4o-mini",
        temperature=1,
        max_tokens=256,
        message="用三句话介绍一下故事板。",
        reply="Simulated reply from gpt-4o-mini.",
        prompt_tokens=1200,
        completion_tokens=3400,
        total_tokens=4600,
    )
    refused = error_from_body({"error": {"message": "prompt blocked by policy"}}, 400)
    VideoJobFactory.create(
        user=admin,
        prompt="雪地里的红狐狸",
        state=VideoJob.State.FAILED,
        fail_reason=refused.message,
    )
    return str(live_server.url)


def chinese_page(browser: Browser, width: int, height: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    return context.new_page()


def log_in_in_chinese(page: Page, url: str) -> None:
    page.goto(f"{url}{reverse('login')}")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("ada")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def scrolls_sideways(page: Page, width: int) -> bool:
    return bool(page.evaluate(f"() => document.documentElement.scrollWidth > {width}"))


@pytest.mark.parametrize("size", SIZES)
def test_the_main_pages_read_in_chinese_and_fit(browser: Browser, site: str, size: str) -> None:
    width, height = SIZES[size]
    page = chinese_page(browser, width, height)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{site}{reverse('login')}")
    screenshot(page, f"chinese-{size}-login.png")
    too_wide = ["login"] if scrolls_sideways(page, width) else []
    log_in_in_chinese(page, site)
    for name, url_name, phrase in PAGES:
        page.goto(f"{site}{reverse(url_name)}")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_text(phrase).first).to_be_visible()
        screenshot(page, f"chinese-{size}-{name}.png")
        if scrolls_sideways(page, width):
            too_wide.append(name)
    page.context.close()
    assert too_wide == [], f"these pages scroll sideways at {width} px in Chinese: {too_wide}"
    assert errors == [], f"the browser console reported errors: {errors}"


def test_a_refused_job_shows_our_sentence_and_the_gateways_words(
    browser: Browser, site: str
) -> None:
    page = chinese_page(browser, *SIZES["phone"])
    log_in_in_chinese(page, site)
    page.goto(f"{site}{reverse('videos:page')}")
    page.get_by_text("雪地里的红狐狸").click()
    expect(page.get_by_role("alert")).to_contain_text("网关拒绝了请求（400）。")
    expect(page.get_by_role("alert")).to_contain_text("网关原文：prompt blocked by policy")
    screenshot(page, "chinese-phone-video-job-refused.png")
    page.context.close()
