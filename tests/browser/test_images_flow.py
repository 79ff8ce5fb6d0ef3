"""A member makes images in Debian's chromium, finds them in the gallery, reruns one and takes
one into a video form; every image page fits a phone's screen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from playground.images.models import GeneratedImage, Generation
from playground.teamkey.services import team_key_set
from tests.browser.conftest import MakePage, screenshot
from tests.conftest import Simulator
from tests.factories import UserFactory

PASSWORD = "a-long-test-password"
PROMPT = "Two lanterns over a harbour, drawn from the browser test"


@pytest.fixture
def studio(transactional_db: None, sim: Simulator, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    team_key_set(actor=None, plaintext=sim.key)
    UserFactory.create(username="ada", password=PASSWORD)


def log_in_to_images(page: Page, base_url: str) -> None:
    """Logs in through the login form and lands on the Images page (not the chat page)."""
    page.goto(f"{base_url}/accounts/login/?next=/images/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/images/$"))


# fresh_after_screenshot: Playwright hides the caret for a screenshot with a style it injects,
# and an htmx swap later in the same document then makes the browser report CSP inline-style
# violations. A reload after a screenshot starts a clean document.


def fits_the_width(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.mark.usefixtures("studio")
def test_a_member_generates_two_images_reruns_one_and_animates_another(
    live_server: Any, make_page: MakePage
) -> None:
    page = make_page(1366, 900)
    log_in_to_images(page, live_server.url)
    expect(page.get_by_role("link", name="Images", exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    screenshot(page, "images-form-1366.png")
    page.reload()  # see fresh_after_screenshot
    page.get_by_label(re.compile(r"^Prompt")).fill(PROMPT)
    page.get_by_label("Size").select_option("1K")
    page.get_by_role("checkbox", name=re.compile(r"Sequential generation")).check()
    page.get_by_label("Max images").fill("2")
    page.get_by_role("button", name="Generate").click()

    # htmx swaps the result in below the form: no page load.
    expect(page.get_by_text("2 images generated")).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"/images/$"))
    expect(page.locator(".result .tile img")).to_have_count(2)
    screenshot(page, "images-result-1366.png")
    generation = Generation.objects.get()
    assert generation.state == Generation.State.DONE
    assert generation.params["max_images"] == 2

    page.get_by_role("link", name="Team gallery").click()
    expect(page.locator(".gallery .tile img")).to_have_count(2)
    screenshot(page, "images-gallery-1366.png")

    # Open one and rerun it: the form comes back filled in.
    page.locator(".gallery .tile-link").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Image \d of 2$"))).to_be_visible()
    screenshot(page, "images-detail-1366.png")
    # Download is the page's main action; Rerun is drawn as a secondary one beside it.
    rerun = page.get_by_role("link", name="Rerun")
    expect(rerun).to_have_css("background-color", "rgb(255, 255, 255)")
    rerun.click()
    expect(page.get_by_label(re.compile(r"^Prompt"))).to_have_value(PROMPT)
    expect(page.get_by_label("Max images")).to_have_value("2")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".result .tile img")).to_have_count(2, timeout=30_000)
    assert Generation.objects.count() == 2
    assert GeneratedImage.objects.exclude(file="").count() == 4

    # Take one into the Kling image-to-video form.
    page.goto(f"{live_server.url}/images/gallery/")
    page.locator(".gallery .tile-link").first.click()
    page.get_by_role("button", name="For a Kling video").click()
    expect(page).to_have_url(re.compile(r"/videos/\?tab=image2video&image_upload=[0-9a-f-]{36}$"))
    expect(page.locator('input[name="image_upload"]')).to_have_attribute(
        "value", re.compile(r"[0-9a-f-]{36}")
    )
    screenshot(page, "images-into-video-1366.png")


@pytest.mark.usefixtures("studio")
def test_every_image_page_fits_a_phone_without_sideways_scrolling(
    live_server: Any, make_page: MakePage
) -> None:
    page = make_page(390, 844)
    log_in_to_images(page, live_server.url)
    assert fits_the_width(page)
    screenshot(page, "images-form-390.png")
    page.reload()  # see fresh_after_screenshot
    page.get_by_label(re.compile(r"^Prompt")).fill(
        "A long prompt with an unbroken link https://example.com/" + "x" * 120
    )
    page.get_by_label("Size").select_option("custom")
    page.get_by_label("Width (px)").fill("2048")
    page.get_by_label("Height (px)").fill("1152")
    page.get_by_role("checkbox", name=re.compile(r"Sequential generation")).check()
    page.get_by_label("Max images").fill("2")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".result .tile img")).to_have_count(2, timeout=30_000)
    assert fits_the_width(page)
    screenshot(page, "images-result-390.png")

    image = GeneratedImage.objects.order_by("index").first()
    assert image is not None
    for path, name in (
        ("/images/gallery/", "images-gallery-390.png"),
        (f"/images/{image.id}/", "images-detail-390.png"),
        (f"/images/generations/{image.generation_id}/", "images-generation-390.png"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert fits_the_width(page), path
        screenshot(page, name)
    # The form's fields stack in one column on a phone.
    page.goto(f"{live_server.url}/images/")
    size_box = page.locator("#id_size").bounding_box()
    width_box = page.get_by_label("Width (px)").bounding_box()
    height_box = page.get_by_label("Height (px)").bounding_box()
    assert size_box
    assert width_box
    assert height_box
    assert size_box["y"] < width_box["y"] < height_box["y"]
