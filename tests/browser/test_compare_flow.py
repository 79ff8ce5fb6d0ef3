"""Two chat models and a failing third compared in Debian's chromium: the answers grow side by
side, each column ends with its figures, the failing one says why; then the shared page on a
phone. Screenshots at 1366 and 390 px go to test-artifacts/."""

from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from playground.compare.models import Column
from playground.teamkey.services import team_key_set
from tests.browser.conftest import MakePage, log_in, screenshot
from tests.browser.test_every_page import fits_the_width
from tests.conftest import Simulator
from tests.factories import AdminFactory, UserFactory

PASSWORD = "a-long-test-password"


def test_two_chat_models_stream_side_by_side_and_the_link_is_shared(
    live_server: Any, sim: Simulator, make_page: MakePage
) -> None:
    admin = AdminFactory.create(username="ada", password=PASSWORD)
    UserFactory.create(username="grace", password=PASSWORD)
    team_key_set(actor=admin, plaintext=sim.key)
    sim.configure(stream_delay_ms=60)

    page = make_page(1366, 900)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, "ada", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compare").click()
    page.get_by_label("Prompt:", exact=True).fill("Describe an owl " + "in detail " * 30)
    rows = page.locator("fieldset.compare-row")
    rows.nth(0).get_by_label("Model").fill("gpt-4o-mini")
    rows.nth(1).get_by_label("Model").fill("claude-3-5-sonnet-20241022")
    rows.nth(1).get_by_label("Temperature").fill("1.3")
    rows.nth(2).get_by_label("Model").fill("gpt-4o")
    rows.nth(2).get_by_label("System prompt").fill("Be brief [fault:500]")
    page.get_by_role("button", name="Compare").click()

    columns = page.locator(".compare-column")
    expect(columns).to_have_count(3)
    # Both answers are growing at the same moment: the streams run side by side.
    live = page.locator(".compare-live")
    expect(live.nth(0)).not_to_have_text("")
    expect(live.nth(1)).not_to_have_text("")
    assert page.locator(".compare-column[data-state=running]").count() >= 2
    screenshot(page, "compare-chat-streaming-1366.png", full_page=False)

    for n, model in ((0, "gpt-4o-mini"), (1, "claude-3-5-sonnet-20241022")):
        column = columns.nth(n)
        expect(column.locator(".compare-figures")).to_be_visible(timeout=20_000)
        expect(column).to_contain_text(f"Simulated reply from {model}")
        expect(column).to_contain_text("First token")
        expect(column).to_contain_text("Tokens/s")
    failed = columns.nth(2)
    expect(failed.get_by_role("alert")).to_be_visible()
    expect(failed.locator(".compare-figures dd").first).to_have_text("—")  # no first token
    assert Column.objects.filter(tokens__gt=0, ttft_ms__isnull=False).count() == 2
    expect(page.locator("#comparison-state")).to_have_text("Done")

    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    url = page.url
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    assert fits_the_width(page)
    screenshot(page, "compare-chat-1366.png")

    phone = make_page(390, 844)
    log_in(phone, live_server.url, "grace", PASSWORD)
    phone.goto(url)
    expect(phone.get_by_text("read-only")).to_be_visible()
    expect(phone.locator(".compare-figures")).to_have_count(3)
    boxes = [phone.locator(".compare-column").nth(n).bounding_box() for n in range(3)]
    assert all(box is not None for box in boxes)
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"], "stacked on a phone"  # type: ignore[index]
    assert fits_the_width(phone)
    screenshot(phone, "compare-chat-390.png")

    phone.get_by_role("button", name="Rerun").click()
    expect(phone.get_by_text("a rerun of an earlier comparison")).to_be_visible()
    expect(phone.locator(".compare-figures")).to_have_count(3, timeout=20_000)
    expect(phone.get_by_role("alert")).to_have_count(1)


def test_seedream_sizes_side_by_side_make_a_grid(
    live_server: Any, sim: Simulator, make_page: MakePage, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = AdminFactory.create(username="ada", password=PASSWORD)
    team_key_set(actor=admin, plaintext=sim.key)

    page = make_page(1366, 900)
    log_in(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}{reverse('compare:new')}?kind=image")
    page.get_by_label("Prompt:", exact=True).fill("A brass lamp on a desk")
    rows = page.locator("fieldset.compare-row")
    rows.nth(0).get_by_label("Size").select_option("2K")
    rows.nth(1).get_by_label("Size").select_option("1K")
    rows.nth(2).get_by_label("Model").fill("doubao-seedream-3-0-t2i-250415")
    page.get_by_role("button", name="Compare").click()

    expect(page.locator(".compare-column")).to_have_count(3)
    expect(page.locator(".compare-column .tile img")).to_have_count(3, timeout=20_000)
    expect(page.locator(".compare-column[data-state=running]")).to_have_count(0)
    expect(page.locator("#comparison-state")).to_have_text("Done")
    assert fits_the_width(page)
    screenshot(page, "compare-images-1366.png")

    phone = make_page(390, 844)
    log_in(phone, live_server.url, "ada", PASSWORD)
    phone.goto(page.url)
    expect(phone.locator(".compare-column .tile img")).to_have_count(3)
    assert fits_the_width(phone)
    screenshot(phone, "compare-images-390.png")
