"""Every page runs under the Content-Security-Policy, with no inline script or style to allow."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

PAGES = ["login", "chat:page", "teamkey:page"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_carry_a_strict_csp_and_no_inline_code(client: Client, name: str) -> None:
    if name != "login":
        client.force_login(AdminFactory.create())
    response = client.get(reverse(name))
    body = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []
    assert " style=" not in body
    assert re.findall(r"\son[a-z]+\s*=", body) == []
    assert "/static/vendor/htmx-2.0.11.min.js" in body


def test_static_files_are_served_with_debug_off(client: Client, settings: Any) -> None:
    assert settings.DEBUG is False
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert client.get("/static/js/nav.js").status_code == 200
