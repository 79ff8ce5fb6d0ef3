"""The image pages, wired to the form and services against the real simulator."""

from __future__ import annotations

import re
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from playground.images.models import GeneratedImage, Generation
from playground.images.selectors import GALLERY_PAGE_SIZE
from playground.uploads.models import Upload
from tests.conftest import Simulator, outlast_the_stall
from tests.factories import UserFactory
from tests.images.factories import MODEL_4, GeneratedImageFactory, GenerationFactory
from tests.uploads.factories import UploadFactory

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"headers": {"HX-Request": "true"}}


def text(response: Any) -> str:
    return str(response.content.decode())


def post_data(**data: Any) -> dict[str, Any]:
    return {
        "generation_id": str(uuid.uuid4()),
        "model": MODEL_4,
        "prompt": "a lighthouse at dusk",
        "size": "1K",
        "response_format": "url",
        **data,
    }


def image_creates(sim: Simulator) -> int:
    stats = requests.get(f"{sim.url}/_sim/stats", timeout=5).json()
    return int(stats["requests"].get("images", {}).get("POST", 0))


class TestAccess:
    @pytest.mark.parametrize("name", ["images:page", "images:gallery", "images:create"])
    def test_anonymous_visitors_are_sent_to_log_in(self, client: Client, name: str) -> None:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize(
        "name", ["images:image", "images:file", "images:thumbnail", "images:use"]
    )
    def test_anonymous_visitors_never_see_an_image(self, client: Client, name: str) -> None:
        image = GeneratedImageFactory.create()
        response = client.get(reverse(name, args=[image.id]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_anonymous_visitors_never_see_a_generation(self, client: Client) -> None:
        generation = GenerationFactory.create()
        for name in ("images:generation", "images:rerun"):
            response = client.get(reverse(name, args=[generation.id]))
            assert response.status_code == 302


class TestPage:
    def test_it_offers_every_field(self, member: Client) -> None:
        response = member.get(reverse("images:page"))
        page = text(response)
        assert response.status_code == 200
        for name in (
            "model", "prompt", "size", "width", "height", "seed", "guidance_scale",
            "watermark", "response_format", "sequential", "max_images", "refer1_file",
            "refer1_url", "refer10_file", "generation_id",
        ):  # fmt: skip
            assert f'name="{name}"' in page, name
        assert '<option value="doubao-seedream-3-0-t2i-250415">' in page
        assert 'hx-indicator="#progress"' in page

    def test_it_starts_with_a_stored_image_as_a_reference(self, member: Client) -> None:
        upload = UploadFactory.create()
        response = member.get(reverse("images:page") + f"?refer1_upload={upload.id}")
        assert f'name="refer1_upload" value="{upload.id}"' in text(response)
        assert "A stored image is used" in text(response)

    def test_it_ignores_an_unknown_upload(self, member: Client) -> None:
        response = member.get(reverse("images:page") + f"?refer1_upload={uuid.uuid4()}")
        assert 'name="refer1_upload" value' not in text(response)


class TestCreate:
    def test_it_generates_and_redirects_to_the_result(self, member: Client, team_key: str) -> None:
        response = member.post(reverse("images:create"), post_data())
        generation = Generation.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("images:generation", args=[generation.id])
        assert generation.state == Generation.State.DONE
        assert generation.images.get().is_stored

    def test_with_htmx_it_shows_the_images_and_a_fresh_form(
        self, member: Client, team_key: str
    ) -> None:
        data = post_data(sequential="on", max_images="2", size="2K")
        response = member.post(reverse("images:create"), data, **HTMX)
        page = text(response)
        generation = Generation.objects.get()
        assert response.status_code == 200
        assert page.lstrip().startswith('<div id="studio">')  # the fragment, not the page
        for image in generation.images.all():
            assert reverse("images:thumbnail", args=[image.id]) in page
        assert "2 images generated" in page
        new_id = re.search(r'name="generation_id" value="([^"]+)"', page)
        assert new_id
        assert new_id.group(1) != data["generation_id"]
        assert "a lighthouse at dusk</textarea>" in page  # the same values, ready to tweak

    def test_a_resent_post_generates_once(
        self, member: Client, team_key: str, sim: Simulator
    ) -> None:
        data = post_data()
        first = member.post(reverse("images:create"), data)
        again = member.post(reverse("images:create"), data)
        assert first["Location"] == again["Location"]
        assert Generation.objects.count() == 1
        assert image_creates(sim) == 1

    def test_an_invalid_form_says_what_to_fix(self, member: Client, sim: Simulator) -> None:
        response = member.post(
            reverse("images:create"), post_data(size="custom", width="100", height="100")
        )
        assert response.status_code == 400
        assert "1280\N{MULTIPLICATION SIGN}720 to 4096\N{MULTIPLICATION SIGN}4096 pixels" in text(
            response
        )
        assert not Generation.objects.exists()
        assert image_creates(sim) == 0

    def test_an_invalid_form_with_htmx_is_swapped_in(self, member: Client, sim: Simulator) -> None:
        response = member.post(reverse("images:create"), post_data(prompt=""), **HTMX)
        assert response.status_code == 200
        assert "Please correct the fields marked below." in text(response)

    def test_a_gateway_error_shows_in_words(self, member: Client, team_key: str) -> None:
        data = post_data(prompt="a fox [fault:500]")
        response = member.post(reverse("images:create"), data, **HTMX)
        assert "The gateway had an internal error (500): try again shortly" in text(response)
        assert Generation.objects.get().state == Generation.State.FAILED

    def test_a_timeout_says_it_may_have_been_done_upstream(
        self, member: Client, team_key: str, settings: Any
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        response = member.post(
            reverse("images:create"), post_data(prompt="a fox [fault:timeout]"), **HTMX
        )
        assert "may have been made (and charged) upstream" in text(response)
        assert "Unknown outcome" in text(response)
        outlast_the_stall()

    def test_a_failed_image_shows_on_its_tile(self, member: Client, team_key: str) -> None:
        data = post_data(prompt="a fox [fault:image-item-error]", sequential="on", max_images="2")
        response = member.post(reverse("images:create"), data, follow=True)
        page = text(response)
        assert "Image 2 is missing" in page
        assert "may contain sensitive content and was withheld" in page
        stored = GeneratedImage.objects.exclude(file="").get()
        assert reverse("images:thumbnail", args=[stored.id]) in page


@pytest.mark.django_db(transaction=True)
def test_images_are_saved_when_the_browser_leaves_mid_request(
    live_server: Any, team_key: str
) -> None:
    """The browser sends the form and goes away while the gateway is still working (the
    `timeout` fault stalls it 1.5 s); the view carries on and stores the image regardless."""
    user = UserFactory.create()
    client = Client()
    client.force_login(user)
    browser = requests.Session()
    browser.cookies.set("sessionid", client.cookies["sessionid"].value)
    form = browser.get(f"{live_server.url}/images/", timeout=5).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token
    data = post_data(prompt="left early [fault:timeout]", csrfmiddlewaretoken=token.group(1))
    body = urlencode(data)
    host = urlsplit(live_server.url).netloc
    cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    request = (
        f"POST /images/new/ HTTP/1.1\r\nHost: {host}\r\nCookie: {cookies}\r\n"
        f"Origin: {live_server.url}\r\nReferer: {live_server.url}/images/\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    )
    hostname, port = host.split(":")
    with socket.create_connection((hostname, int(port))) as connection:
        connection.sendall(request.encode())
    # The socket is closed here, long before the gateway answers.
    deadline = time.monotonic() + 15
    generation = None
    while time.monotonic() < deadline:
        generation = Generation.objects.filter(id=data["generation_id"]).first()
        if generation and generation.is_final:
            break
        time.sleep(0.1)
    assert generation is not None
    assert generation.state == Generation.State.DONE
    assert generation.images.get().is_stored


class TestGallery:
    def test_it_shows_the_teams_images_newest_first(self, member: Client) -> None:
        older = GeneratedImageFactory.create(generation__prompt="an older one")
        newer = GeneratedImageFactory.create(generation__prompt="a newer one")
        GeneratedImage.objects.filter(id=older.id).update(
            created_at=newer.created_at.replace(year=2020)
        )
        page = text(member.get(reverse("images:gallery")))
        assert page.index("a newer one") < page.index("an older one")

    def test_it_leaves_out_images_that_were_not_stored(self, member: Client) -> None:
        GeneratedImageFactory.create(file="", thumbnail="", error="withheld for safety")
        assert "withheld for safety" not in text(member.get(reverse("images:gallery")))

    def test_it_is_paginated(self, member: Client) -> None:
        generation = GenerationFactory.create()
        for index in range(GALLERY_PAGE_SIZE + 1):
            GeneratedImageFactory.create(generation=generation, index=index)
        first = text(member.get(reverse("images:gallery")))
        second = text(member.get(reverse("images:gallery") + "?page=2"))
        assert first.count('class="tile"') == GALLERY_PAGE_SIZE
        assert second.count('class="tile"') == 1
        assert "Page 2 of 2" in second


class TestImage:
    def test_it_shows_the_image_and_its_parameters(self, member: Client) -> None:
        image = GeneratedImageFactory.create(seed=1234)
        page = text(member.get(reverse("images:image", args=[image.id])))
        assert reverse("images:file", args=[image.id]) in page
        assert "1234" in page
        assert MODEL_4 in page
        assert reverse("images:rerun", args=[image.generation_id]) in page

    def test_it_serves_the_stored_file(self, member: Client) -> None:
        image = GeneratedImageFactory.create()
        response = member.get(reverse("images:file", args=[image.id]))
        assert response["Content-Type"] == "image/png"
        assert response.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"

    def test_it_offers_a_download(self, member: Client) -> None:
        image = GeneratedImageFactory.create()
        response = member.get(reverse("images:file", args=[image.id]) + "?download=1")
        assert response["Content-Disposition"] == (
            f'attachment; filename="seedream-{image.generation_id}-1.png"'
        )

    def test_a_missing_image_is_not_found(self, member: Client) -> None:
        assert member.get(reverse("images:image", args=[uuid.uuid4()])).status_code == 404

    def test_a_rerun_opens_the_form_as_it_was(self, member: Client) -> None:
        generation = GenerationFactory.create(prompt="the same again")
        generation.params |= {"size": "2560x1440", "seed": 77}
        generation.save()
        page = text(member.get(reverse("images:rerun", args=[generation.id])))
        assert "the same again</textarea>" in page
        assert 'name="width" value="2560"' in page
        assert 'name="seed" value="77"' in page
        assert '<option value="custom" selected>' in page


class TestUseAsReference:
    def test_it_opens_the_image_form_with_the_image(self, member: Client) -> None:
        image = GeneratedImageFactory.create()
        response = member.post(reverse("images:use", args=[image.id]), {"to": "image"})
        upload = Upload.objects.get()
        assert response["Location"] == f"{reverse('images:page')}?refer1_upload={upload.id}"
        assert upload.read() == image.file.open("rb").read()

    def test_it_opens_the_kling_image_form_with_the_image(self, member: Client) -> None:
        image = GeneratedImageFactory.create()
        response = member.post(reverse("images:use", args=[image.id]), {"to": "image2video"})
        upload = Upload.objects.get()
        assert response["Location"] == (
            f"{reverse('videos:page')}?tab=image2video&image_upload={upload.id}"
        )
        page = text(member.get(response["Location"]))
        assert f'name="image_upload" value="{upload.id}"' in page

    def test_it_opens_the_seedance_form_with_the_first_frame(self, member: Client) -> None:
        image = GeneratedImageFactory.create()
        response = member.post(reverse("images:use", args=[image.id]), {"to": "seedance"})
        upload = Upload.objects.get()
        page = text(member.get(response["Location"]))
        assert f'name="first_frame_upload" value="{upload.id}"' in page

    def test_an_image_the_form_cannot_take_is_refused_in_words(self, member: Client) -> None:
        image = GeneratedImageFactory.create()
        GeneratedImage.objects.filter(id=image.id).update(file="", thumbnail="")
        response = member.post(reverse("images:use", args=[image.id]), {"to": "image"}, follow=True)
        assert "This image cannot be used there" in text(response)
        assert not Upload.objects.exists()

    def test_the_video_form_ignores_an_unknown_upload(self, member: Client) -> None:
        page = text(member.get(f"{reverse('videos:page')}?tab=image2video&image_upload=nope"))
        assert 'name="image_upload" value' not in page
