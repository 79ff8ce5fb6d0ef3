"""Who reaches the usage pages: everyone logged in sees the dashboard; only admins the limits.
(The same statuses belong in tests/test_access.py's matrix.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

# name: (GET, POST) statuses for an anonymous visitor, a member and an admin.
EXPECTED = {
    "usage:dashboard": ((302, 200, 200), (302, 405, 405)),
    "usage:quotas": ((302, 403, 200), (302, 403, 405)),
    "usage:quota_edit": ((302, 403, 405), (302, 403, 302)),
}


def client_as(role: str) -> Client:
    client = Client()
    if role == "member":
        client.force_login(UserFactory.create())
    elif role == "admin":
        client.force_login(AdminFactory.create())
    return client


@pytest.mark.parametrize("name", EXPECTED)
def test_each_role_gets_the_expected_status(name: str, db: Any) -> None:
    subject = UserFactory.create()
    path = reverse(name, args=[subject.pk] if name == "usage:quota_edit" else [])
    got = tuple(
        tuple(
            (
                client_as(role).get(path) if method == "GET" else client_as(role).post(path, {})
            ).status_code
            for role in ("anonymous", "member", "admin")
        )
        for method in ("GET", "POST")
    )
    assert got == EXPECTED[name]
