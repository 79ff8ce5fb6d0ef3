"""Who may reach what: every URL needs a login, admin pages need an admin, POSTs need CSRF."""

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "invite_accept", "videos:callback"}
SAMPLES = {"UUIDConverter": uuid.UUID(int=1), "StringConverter": "x"}
ADMIN_ONLY_NAMESPACES = {"teamkey", "users", "admin"}
ADMIN_PAGES = [
    "admin:index",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
    "admin:accounts_auditevent_changelist",
    "admin:teamkey_keyauditevent_changelist",
    "admin:chat_chatexchange_changelist",
]
POSTS = [
    "chat:send",
    "teamkey:set",
    "teamkey:test",
    "teamkey:revoke",
    "logout",
    "password_change",
    "users:invite",
    "users:invite_link",
    "users:role",
    "users:deactivate",
    "users:reactivate",
    "videos:create",
    "videos:cancel",
]


def every_url() -> list[tuple[str, str]]:
    """(name, path) for every named URL of the playground's own apps, 1 for any argument,
    plus the admin's main pages."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                    walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}{pattern.name}"
                args = [
                    SAMPLES.get(type(c).__name__, 1) for c in pattern.pattern.converters.values()
                ]
                found.append((name, reverse(name, args=args)))

    walk(get_resolver().url_patterns, "")
    for name in ADMIN_PAGES:
        found.append((name, reverse(name)))
    return found


URLS = every_url()


def test_it_knows_the_apps_urls() -> None:
    names = {name for name, _ in URLS}
    assert {"chat:page", "chat:send", "teamkey:page", "admin:index", "login"} <= names


@pytest.mark.parametrize(("name", "path"), [u for u in URLS if u[0] not in PUBLIC])
def test_it_sends_anonymous_people_to_log_in(client: Client, name: str, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302, name
    assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize(
    ("name", "path"), [u for u in URLS if u[0].split(":")[0] in ADMIN_ONLY_NAMESPACES]
)
def test_it_forbids_members_admin_pages(client: Client, name: str, path: str) -> None:
    client.force_login(UserFactory.create())
    assert client.get(path).status_code == 403, name
    assert client.post(path).status_code == 403, name


@pytest.mark.parametrize("name", POSTS)
def test_every_post_needs_a_csrf_token(name: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    path = next(path for url_name, path in URLS if url_name == name)
    response = client.post(path, {"message": "hi", "key": "sk-whatever-123456"})
    assert response.status_code == 403, name
    assert b"CSRF" in response.content
