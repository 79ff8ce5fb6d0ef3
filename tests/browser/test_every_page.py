"""Every page of the playground on a 390 px phone: nothing scrolls sideways, the menu folds
away and opens, and the error pages keep the site's layout. Screenshots go to test-artifacts/.

Every named URL is either a page shown here or listed in NOT_PAGES with the reason it is not
one, so a new page cannot be left out without this file saying so."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Browser, BrowserContext, Page, expect

from playground.accounts.models import Role
from playground.accounts.services import user_invite
from playground.chat.models import ChatExchange, Conversation
from playground.compare.models import Comparison
from playground.history.services import item_record
from playground.teamkey.services import team_key_set
from playground.videos.models import VideoJob
from playground.videos.views import TABS
from tests.browser.conftest import log_in, screenshot
from tests.compare.factories import chat_comparison
from tests.conftest import Simulator
from tests.factories import AdminFactory, UserFactory
from tests.images.factories import GeneratedImageFactory
from tests.inspector.factories import GatewayExchangeFactory
from tests.notices.factories import NoticeFactory
from tests.prompts.factories import PromptFactory
from tests.test_access import every_url
from tests.videos.factories import VideoJobFactory

# The site's URLs plus the test-only views that fail, for the 500 page.
pytestmark = pytest.mark.urls("tests.test_errors")

PASSWORD = "a-long-test-password"
KINDS = Comparison.Kind.values
PHONE = (390, 844)
LAPTOP = (1366, 900)
UNBROKEN = "https://example.com/storyboards/winter/fox-at-dawn-" + "x" * 90 + ".png"

# Named URLs that are not pages a person opens, and why.
NOT_PAGES = {
    "chat:send": "a form's POST target",
    "chat:reply": "a form's POST target",
    "chat:settings": "a form's POST target",
    "chat:rename": "a form's POST target",
    "chat:delete": "a form's POST target",
    "chat:fork": "a form's POST target",
    "chat:regenerate": "a form's POST target",
    "chat:stop": "a form's POST target",
    "chat:stream": "the event stream of a reply, read by the chat page",
    "chat:exchange": "the htmx fragment of a teammate's running answer (else a redirect)",
    "chat:models": "the htmx fragment of the model list on the chat page",
    "teamkey:set": "a form's POST target",
    "teamkey:test": "a form's POST target",
    "teamkey:revoke": "a form's POST target",
    "logout": "a form's POST target",
    "language": "a form's POST target",
    "videos:create": "a form's POST target",
    "videos:cancel": "a form's POST target",
    "videos:callback": "the gateway's callback, not a page",
    "videos:jobs": "the htmx fragment of the job list on the videos page",
    "videos:video": "a video file",
    "videos:poster": "an image file",
    "uploads:file": "an uploaded image file",
    "images:create": "a form's POST target",
    "images:use": "a form's POST target",
    "images:file": "an image file",
    "images:thumbnail": "an image file",
    "users:invite": "a form's POST target",
    "users:invite_link": "a form's POST target",
    "users:role": "a form's POST target",
    "users:deactivate": "a form's POST target",
    "users:reactivate": "a form's POST target",
    "usage:quota_edit": "a form's POST target",
    "history:status": "the htmx fragment of the in-flight rows on the history page",
    "history:export_csv": "a download",
    "history:export_json": "a download",
    "healthz": "the container health check's plain-text answer",
    "prompts:picker": "the htmx fragment of the prompt picker on the chat, image and video pages",
    "prompts:fill": "a form's POST target",
    "prompts:delete": "a form's POST target",
    "compare:create": "a form's POST target",
    "compare:rerun": "a form's POST target",
    "compare:run": "a form's POST target",
    "compare:stream": "the event stream of a chat column, read by the compare page",
    "compare:column": "the htmx fragment of one column on the compare page",
    "notices:badge": "the htmx fragment of the header's notice badge and toasts",
    "notices:open": "a notice's link: marks it seen and redirects to its result",
    "notices:dismiss": "a form's POST target",
    "inspector:source": "a redirect to the newest recorded call of an item",
}


@dataclass
class Shown:
    """A page as someone sees it: who, which URL name, where, and the status it answers."""

    name: str
    who: str  # "admin", "member" or "anonymous"
    path: str
    status: int = 200


@dataclass
class Site:
    pages: list[Shown]
    url: str


def fits_the_width(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.fixture
def site(
    transactional_db: None, sim: Simulator, live_server: Any, settings: Any, tmp_path: Path
) -> Site:
    """An admin with a conversation, a failed video job and a generated image, a member, an
    invited person, and every page they see."""
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = AdminFactory.create(username="ada", password=PASSWORD)
    UserFactory.create(username="grace", password=PASSWORD)
    team_key_set(actor=admin, plaintext=sim.key)
    conversation = Conversation.objects.create(user=admin, title="A long question")
    ChatExchange.objects.create(
        conversation=conversation,
        user=admin,
        model="gpt-4o-mini",
        temperature=1,
        max_tokens=256,
        message=f"Describe this storyboard: {UNBROKEN}",
        reply=f'Simulated reply from gpt-4o-mini: you said "{UNBROKEN}".',
        prompt_tokens=12,
        completion_tokens=14,
        total_tokens=26,
    )
    job = VideoJobFactory.create(
        user=admin,
        prompt=f"A red fox trots through fresh snow at dawn; reference {UNBROKEN}",
        state=VideoJob.State.FAILED,
        fail_reason=f"The gateway refused the prompt (content safety): {UNBROKEN}",
    )
    image = GeneratedImageFactory.create(generation__user=admin)
    NoticeFactory.create(user=admin, source_id=job.id, outcome="failed", title=job.prompt)
    history_item = item_record(kind="video", source_id=job.id)
    recorded = GatewayExchangeFactory.create(
        kind="video",
        source_id=str(job.id),
        request_body=f'{{"prompt": "{UNBROKEN}", "content": [{{"text": "{UNBROKEN}"}}]}}',
        response_body=f'{{"error": {{"message": "{UNBROKEN}"}}}}',
        events=[],
        stream=False,
    )
    assert history_item is not None
    prompt = PromptFactory.create(
        author=admin, title=f"Storyboard {UNBROKEN}", text=f"A {{{{animal}}}} at {UNBROKEN}"
    )
    comparison = chat_comparison(user=admin, columns=3, prompt=f"Compare these on {UNBROKEN}")
    invited = user_invite(actor=admin, username="alan", email="alan@example.com", role=Role.MEMBER)
    invite = reverse(
        "invite_accept",
        args=[
            urlsafe_base64_encode(force_bytes(invited.pk)),
            default_token_generator.make_token(invited),
        ],
    )
    pages = [Shown("login", "anonymous", reverse("login"))]
    pages += [Shown("invite_accept", "anonymous", invite)]
    pages += [Shown("chat:page", "admin", reverse("chat:page"))]
    pages += [
        Shown("chat:conversation", "admin", reverse("chat:conversation", args=[conversation.id]))
    ]
    pages += [Shown("videos:page", "admin", f"{reverse('videos:page')}?tab={t}") for t, _ in TABS]
    pages += [
        Shown("videos:job", "admin", reverse("videos:job", args=[job.id])),
        Shown("videos:rerun", "admin", reverse("videos:rerun", args=[job.id])),
        Shown("teamkey:page", "admin", reverse("teamkey:page")),
        Shown("images:page", "admin", reverse("images:page")),
        Shown("images:gallery", "admin", reverse("images:gallery")),
        Shown(
            "images:generation", "admin", reverse("images:generation", args=[image.generation_id])
        ),
        Shown("images:rerun", "admin", reverse("images:rerun", args=[image.generation_id])),
        Shown("images:image", "admin", reverse("images:image", args=[image.id])),
        Shown("users:page", "admin", reverse("users:page")),
        Shown("usage:dashboard", "member", reverse("usage:dashboard")),
        Shown("usage:quotas", "admin", reverse("usage:quotas")),
        Shown("history:page", "member", reverse("history:page")),
        Shown("history:detail", "member", reverse("history:detail", args=[history_item.id])),
        Shown("password_change", "member", reverse("password_change")),
        Shown("prompts:library", "member", reverse("prompts:library")),
        Shown("prompts:detail", "member", reverse("prompts:detail", args=[prompt.id])),
        Shown("prompts:create", "member", reverse("prompts:create")),
        Shown("prompts:edit", "admin", reverse("prompts:edit", args=[prompt.id])),
        *[Shown("compare:new", "member", f"{reverse('compare:new')}?kind={k}") for k in KINDS],
        Shown("compare:detail", "member", reverse("compare:detail", args=[comparison.id])),
        Shown("notices:list", "admin", reverse("notices:list")),
        Shown("notices:settings", "member", reverse("notices:settings")),
        Shown("inspector:detail", "member", reverse("inspector:detail", args=[recorded.id])),
        Shown("403", "member", reverse("teamkey:page"), 403),
        Shown("404", "member", reverse("videos:job", args=[uuid.uuid4()]), 404),
        Shown("404", "anonymous", "/no/such/page/", 404),
        Shown("500", "member", "/test/boom/", 500),
    ]
    return Site(pages, live_server.url)


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Like make_page, but an error page may report its own status in the console (Chromium
    logs "Failed to load resource" for a document that answers 403, 404 or 500)."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(width: int, height: int, *, javascript: bool = True) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()

        def record(message: Any) -> None:
            expected = re.search(r"status of (403|404|500)", message.text)
            if message.type == "error" and not expected:
                errors.append(message.text)

        page.on("console", record)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"the browser console reported errors: {errors}"


def visit_every_page(
    site: Site, open_page: OpenPage, width: int, height: int, prefix: str
) -> list[str]:
    """Opens each page as its person, checks its status, saves a screenshot, and returns the
    paths that scroll sideways."""
    too_wide: list[str] = []
    for who in ("anonymous", "member", "admin"):
        page = open_page(width, height)
        if who != "anonymous":
            log_in(page, site.url, "ada" if who == "admin" else "grace", PASSWORD)
        for number, shown in enumerate(p for p in site.pages if p.who == who):
            response = page.goto(f"{site.url}{shown.path}")
            assert response is not None
            assert response.status == shown.status, shown
            expect(page.locator("header.topbar")).to_be_visible()
            if shown.status != 200:
                expect(page.get_by_role("link", name="Back to the playground")).to_be_visible()
            label = f"{shown.name}-{who}-{number}".replace(":", "-")
            screenshot(page, f"every-page-{prefix}-{label}.png")
            if not fits_the_width(page):
                too_wide.append(shown.path)
    return too_wide


def test_it_shows_every_page_of_the_playground() -> None:
    names = {name for name, _ in every_url() if not name.startswith("admin:")}
    shown = {"login", "chat:page", "chat:conversation", "videos:page", "videos:job"}
    shown |= {"videos:rerun", "teamkey:page", "images:page", "images:gallery"}
    shown |= {"images:generation", "images:rerun", "images:image", "users:page"}
    shown |= {"password_change", "invite_accept", "usage:dashboard", "usage:quotas"}
    shown |= {"history:page", "history:detail"}
    shown |= {"prompts:library", "prompts:detail", "prompts:create", "prompts:edit"}
    shown |= {"compare:new", "compare:detail"}
    shown |= {"notices:list", "notices:settings"}
    shown |= {"inspector:detail"}
    listed = shown | set(NOT_PAGES)
    missing = names - listed
    assert missing == set(), "show these in this file, or list them in NOT_PAGES with a reason"
    assert listed <= names, "a URL name listed here no longer exists"


def test_no_page_scrolls_sideways_on_a_phone(site: Site, open_page: OpenPage) -> None:
    too_wide = visit_every_page(site, open_page, *PHONE, "phone")
    assert too_wide == [], f"these pages scroll sideways at {PHONE[0]} px: {too_wide}"


def test_no_page_scrolls_sideways_on_a_laptop(site: Site, open_page: OpenPage) -> None:
    too_wide = visit_every_page(site, open_page, *LAPTOP, "laptop")
    assert too_wide == [], f"these pages scroll sideways at {LAPTOP[0]} px: {too_wide}"


def test_the_csrf_failure_page_fits_a_phone(site: Site, open_page: OpenPage) -> None:
    page = open_page(*PHONE)
    page.goto(f"{site.url}{reverse('login')}")
    page.context.clear_cookies()  # as if the form had been open past the session's end
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="This form has expired")).to_be_visible()
    screenshot(page, "every-page-phone-403-csrf.png")
    assert fits_the_width(page)


def test_the_django_admin_fits_a_phone(site: Site, open_page: OpenPage) -> None:
    page = open_page(*PHONE)
    log_in(page, site.url, "ada", PASSWORD)
    too_wide = []
    for name in ("admin:index", "admin:accounts_user_changelist", "admin:accounts_user_add"):
        page.goto(f"{site.url}{reverse(name)}")
        screenshot(page, f"every-page-phone-{name.replace(':', '-')}.png")
        if not fits_the_width(page):
            too_wide.append(name)
    assert too_wide == [], f"these admin pages scroll sideways at {PHONE[0]} px: {too_wide}"


def test_the_menu_folds_away_on_a_phone_and_opens(site: Site, open_page: OpenPage) -> None:
    page = open_page(*PHONE)
    log_in(page, site.url, "ada", PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    videos = page.get_by_role("navigation", name="Main").get_by_role("link", name="Videos")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(videos).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "every-page-phone-menu-closed.png", full_page=False)

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(videos).to_be_visible()
    expect(page.get_by_text("Logged in as ada · admin")).to_be_visible()
    screenshot(page, "every-page-phone-menu-open.png", full_page=False)
    assert fits_the_width(page)

    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(videos).to_be_hidden()

    menu.click()
    videos.click()
    expect(page).to_have_url(re.compile(r"/videos/$"))
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_the_menu_stays_open_on_a_laptop(site: Site, open_page: OpenPage) -> None:
    page = open_page(*LAPTOP)
    log_in(page, site.url, "ada", PASSWORD)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Chat", "Videos", "Team key", "Admin"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()


def test_without_javascript_a_phone_shows_the_links(site: Site, open_page: OpenPage) -> None:
    page = open_page(*PHONE, javascript=False)
    page.goto(f"{site.url}{reverse('login')}")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Videos")
    ).to_be_visible()
    screenshot(page, "every-page-phone-no-javascript.png", full_page=False)
    assert fits_the_width(page)
