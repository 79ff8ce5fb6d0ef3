"""Who may reach what: every URL in the URLconf, for every role, has an expected status.

The access matrix below has one entry per URL name: the status an anonymous visitor, a member
and an admin get for GET (and for POST where the URL takes one). A deactivated user is treated
as anonymous. Sample objects belong to another member, so "member" means a member looking at
someone else's item: members read the whole team's history and change only their own items.
A URL added without an entry fails `test_every_url_has_an_entry_in_the_access_matrix`.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from playground.accounts.models import User
from playground.chat.models import Conversation
from playground.compare.models import Column
from tests.chat.factories import ConversationFactory, ExchangeFactory
from tests.compare.factories import CHAT_PARAMS, ComparisonFactory
from tests.factories import AdminFactory, UserFactory
from tests.history.factories import ItemFactory
from tests.images.factories import GeneratedImageFactory, GenerationFactory
from tests.inspector.factories import GatewayExchangeFactory
from tests.notices.factories import NoticeFactory
from tests.prompts.factories import PromptFactory
from tests.uploads.factories import UploadFactory
from tests.videos.factories import ArchivedVideoJobFactory, VideoJobFactory

pytestmark = pytest.mark.django_db

# Every sample object has this id (or uuid), so one sample per converter reaches a real row.
SAMPLE_ID = 424242
SAMPLE_UUID = uuid.UUID(int=SAMPLE_ID)
SAMPLES = {"IntConverter": SAMPLE_ID, "UUIDConverter": SAMPLE_UUID, "StringConverter": "x"}
# Arguments that a converter's sample cannot stand for.
ARGS: dict[str, list[Any]] = {"videos:create": ["seedance"]}
ARGS["inspector:source"] = ["chat", str(SAMPLE_ID)]
ADMIN_PAGES = [
    "admin:index",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
    "admin:accounts_auditevent_changelist",
    "admin:teamkey_keyauditevent_changelist",
    "admin:chat_chatexchange_changelist",
]
ADMIN_ONLY_NAMESPACES = {"teamkey", "users", "admin"}


class Statuses(NamedTuple):
    """What an anonymous visitor (and a deactivated user), a member and an admin get."""

    anonymous: int
    member: int
    admin: int


class Access(NamedTuple):
    get: Statuses
    post: Statuses | None = None


def every_url() -> list[tuple[str, str]]:
    """(name, path) for every named URL of the playground's own apps, with sample arguments,
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
                converters = pattern.pattern.converters.values()
                args = ARGS.get(name) or [SAMPLES[type(c).__name__] for c in converters]
                found.append((name, reverse(name, args=args)))

    walk(get_resolver().url_patterns, "")
    for name in ADMIN_PAGES:
        found.append((name, reverse(name)))
    return found


S = Statuses
# anonymous visitors and deactivated users get 302 to the login page wherever it says 302.
MATRIX: dict[str, Access] = {
    # Chat: the team's conversations are readable by all; only the owner sends, renames, deletes,
    # regenerates, streams or stops in one. Anyone may fork one into their own.
    "chat:page": Access(S(302, 200, 200), S(302, 405, 405)),
    "chat:models": Access(S(302, 200, 200), S(302, 405, 405)),
    "chat:send": Access(S(302, 405, 405), S(302, 400, 400)),
    "chat:conversation": Access(S(302, 200, 200), S(302, 405, 405)),
    "chat:reply": Access(S(302, 405, 405), S(302, 403, 403)),
    "chat:settings": Access(S(302, 405, 405), S(302, 403, 403)),
    "chat:rename": Access(S(302, 405, 405), S(302, 403, 403)),
    "chat:delete": Access(S(302, 405, 405), S(302, 403, 403)),
    "chat:fork": Access(S(302, 405, 405), S(302, 302, 302)),
    "chat:regenerate": Access(S(302, 405, 405), S(302, 403, 403)),
    "chat:exchange": Access(S(302, 302, 302), S(302, 405, 405)),
    "chat:stream": Access(S(302, 403, 403), S(302, 405, 405)),
    "chat:stop": Access(S(302, 405, 405), S(302, 403, 403)),
    # Accounts: the login page and invite links are public; a signed-in visitor is sent on.
    "login": Access(S(200, 302, 302), S(200, 302, 302)),
    "logout": Access(S(302, 405, 405), S(302, 302, 302)),
    "password_change": Access(S(302, 200, 200), S(302, 400, 400)),
    # The language switch is on every page, the login page too.
    "language": Access(S(405, 405, 405), S(302, 302, 302)),
    "invite_accept": Access(S(200, 200, 200), S(200, 200, 200)),
    # Admins only: user management, the team key, quotas and the Django admin.
    "users:page": Access(S(302, 403, 200), S(302, 403, 405)),
    "users:invite": Access(S(302, 403, 405), S(302, 403, 400)),
    "users:invite_link": Access(S(302, 403, 405), S(302, 403, 200)),
    "users:role": Access(S(302, 403, 405), S(302, 403, 302)),
    "users:deactivate": Access(S(302, 403, 405), S(302, 403, 302)),
    "users:reactivate": Access(S(302, 403, 405), S(302, 403, 302)),
    "teamkey:page": Access(S(302, 403, 200), S(302, 403, 405)),
    "teamkey:set": Access(S(302, 403, 405), S(302, 403, 400)),
    "teamkey:test": Access(S(302, 403, 405), S(302, 403, 302)),
    "teamkey:revoke": Access(S(302, 403, 405), S(302, 403, 302)),
    # Images and uploads: the team's gallery, readable by every member.
    "images:page": Access(S(302, 200, 200), S(302, 405, 405)),
    "images:create": Access(S(302, 405, 405), S(302, 400, 400)),
    "images:gallery": Access(S(302, 200, 200), S(302, 405, 405)),
    "images:generation": Access(S(302, 200, 200), S(302, 405, 405)),
    "images:rerun": Access(S(302, 200, 200), S(302, 405, 405)),
    "images:image": Access(S(302, 200, 200), S(302, 405, 405)),
    "images:use": Access(S(302, 405, 405), S(302, 404, 404)),
    "images:file": Access(S(302, 200, 200), S(302, 405, 405)),
    "images:thumbnail": Access(S(302, 200, 200), S(302, 405, 405)),
    "uploads:file": Access(S(302, 200, 200), S(302, 405, 405)),
    # Videos: every member sees every job; only its owner (or an admin) cancels it. The callback
    # is the gateway's, on a secret per-job URL: public, and 404 for an unknown token.
    "videos:page": Access(S(302, 200, 200), S(302, 405, 405)),
    "videos:jobs": Access(S(302, 200, 200), S(302, 405, 405)),
    "videos:create": Access(S(302, 405, 405), S(302, 400, 400)),
    "videos:job": Access(S(302, 200, 200), S(302, 405, 405)),
    "videos:cancel": Access(S(302, 405, 405), S(302, 403, 302)),
    "videos:rerun": Access(S(302, 200, 200), S(302, 405, 405)),
    "videos:video": Access(S(302, 200, 200), S(302, 405, 405)),
    "videos:poster": Access(S(302, 200, 200), S(302, 405, 405)),
    "videos:callback": Access(S(405, 405, 405), S(404, 404, 404)),
    # History: the whole team's, for every member; read-only.
    "history:page": Access(S(302, 200, 200), S(302, 405, 405)),
    "history:status": Access(S(302, 200, 200), S(302, 405, 405)),
    "history:export_csv": Access(S(302, 200, 200), S(302, 405, 405)),
    "history:export_json": Access(S(302, 200, 200), S(302, 405, 405)),
    "history:detail": Access(S(302, 200, 200), S(302, 405, 405)),
    # Usage: everyone's dashboard; the limits are an admin's to set.
    "usage:dashboard": Access(S(302, 200, 200), S(302, 405, 405)),
    "usage:quotas": Access(S(302, 403, 200), S(302, 403, 405)),
    "usage:quota_edit": Access(S(302, 403, 405), S(302, 403, 302)),
    # Prompt library: the team's, read and used by every member; only its author (or an admin)
    # edits or deletes a prompt. The picker needs `?for=` (the form it fills): 404 without.
    "prompts:library": Access(S(302, 200, 200), S(302, 405, 405)),
    "prompts:picker": Access(S(302, 404, 404), S(302, 405, 405)),
    "prompts:create": Access(S(302, 200, 200), S(302, 400, 400)),
    "prompts:detail": Access(S(302, 200, 200), S(302, 405, 405)),
    "prompts:fill": Access(S(302, 405, 405), S(302, 400, 400)),
    "prompts:edit": Access(S(302, 403, 200), S(302, 403, 400)),
    "prompts:delete": Access(S(302, 405, 405), S(302, 403, 302)),
    # Compare: every member reads every comparison and may rerun it as their own; only its
    # owner runs or streams its columns.
    "compare:new": Access(S(302, 200, 200), S(302, 405, 405)),
    "compare:create": Access(S(302, 405, 405), S(302, 400, 400)),
    "compare:detail": Access(S(302, 200, 200), S(302, 405, 405)),
    "compare:rerun": Access(S(302, 405, 405), S(302, 302, 302)),
    "compare:column": Access(S(302, 200, 200), S(302, 405, 405)),
    "compare:run": Access(S(302, 405, 405), S(302, 403, 403)),
    "compare:stream": Access(S(302, 403, 403), S(302, 405, 405)),
    # Notices: each member's own, anyone else's is not found. The badge sends a signed-out
    # visitor to log in (and tells a signed-out tab's htmx to stop asking: 286).
    "notices:list": Access(S(302, 200, 200), S(302, 405, 405)),
    "notices:badge": Access(S(302, 200, 200), S(405, 405, 405)),
    "notices:settings": Access(S(302, 200, 200), S(302, 302, 302)),
    "notices:open": Access(S(302, 404, 404), S(302, 405, 405)),
    "notices:dismiss": Access(S(302, 405, 405), S(302, 404, 404)),
    # The request inspector: every member reads the team's recorded gateway calls.
    "inspector:detail": Access(S(302, 200, 200), S(302, 405, 405)),
    "inspector:source": Access(S(302, 302, 302), S(302, 405, 405)),
    # The container health check: no login, GET only.
    "healthz": Access(S(200, 200, 200), S(405, 405, 405)),
    # The Django admin's main pages.
    "admin:index": Access(S(302, 403, 200), S(302, 403, 200)),
    "admin:accounts_user_changelist": Access(S(302, 403, 200), S(302, 403, 200)),
    "admin:accounts_user_add": Access(S(302, 403, 200), S(302, 403, 200)),
    "admin:accounts_auditevent_changelist": Access(S(302, 403, 200), S(302, 403, 200)),
    "admin:teamkey_keyauditevent_changelist": Access(S(302, 403, 200), S(302, 403, 200)),
    "admin:chat_chatexchange_changelist": Access(S(302, 403, 200), S(302, 403, 200)),
}


URLS = every_url()
PATHS = dict(URLS)


@pytest.fixture
def samples(settings: Any, tmp_path: Any) -> User:
    """One of everything, owned by another member, at the sample ids; returns that member."""
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = UserFactory.create(id=SAMPLE_ID)
    conversation = ConversationFactory.create(id=SAMPLE_ID, user=owner)
    ExchangeFactory.create(id=SAMPLE_ID, conversation=conversation)
    ArchivedVideoJobFactory.create(id=SAMPLE_UUID, user=owner)
    generation = GenerationFactory.create(id=SAMPLE_UUID, user=owner)
    GeneratedImageFactory.create(id=SAMPLE_UUID, generation=generation)
    UploadFactory.create(id=SAMPLE_UUID, created_by=owner)
    ItemFactory.create(id=SAMPLE_ID, user=owner)
    PromptFactory.create(id=SAMPLE_ID, author=owner)
    comparison = ComparisonFactory.create(id=SAMPLE_UUID, user=owner)
    Column.objects.create(
        id=SAMPLE_ID, comparison=comparison, position=1, model="gpt-4o-mini", params=CHAT_PARAMS
    )
    NoticeFactory.create(id=SAMPLE_ID, user=owner)
    GatewayExchangeFactory.create(id=SAMPLE_ID, source_id=str(SAMPLE_ID))
    return owner


def client_as(role: str) -> Client:
    client = Client()
    if role == "deactivated":
        client.force_login(UserFactory.create(is_active=False))
    elif role == "member":
        client.force_login(UserFactory.create())
    elif role == "admin":
        client.force_login(AdminFactory.create())
    return client


def status_of(role: str, method: str, path: str) -> int | str:
    """The status, or "302 to <somewhere>" for a visitor sent anywhere but the login page."""
    client = client_as(role)
    response = client.get(path) if method == "GET" else client.post(path, {})
    signed_out = role in ("anonymous", "deactivated")
    location = response.get("Location", "")
    if response.status_code == 302 and signed_out and not location.startswith(reverse("login")):
        return f"302 to {location}"
    return response.status_code


def expected_of(statuses: Statuses, role: str) -> int:
    # A deactivated user's session no longer authenticates: they are anonymous.
    return getattr(statuses, "anonymous" if role == "deactivated" else role)  # type: ignore[no-any-return]


def test_it_knows_the_apps_urls() -> None:
    names = {name for name, _ in URLS}
    assert {"chat:page", "chat:send", "teamkey:page", "admin:index", "login", "healthz"} <= names


def test_every_url_has_an_entry_in_the_access_matrix() -> None:
    missing = sorted({name for name, _ in URLS} - set(MATRIX))
    assert not missing, (
        "These URL names have no entry in the access matrix (MATRIX in tests/test_access.py): "
        + ", ".join(missing)
    )


def test_the_access_matrix_names_only_urls_that_exist() -> None:
    gone = sorted(set(MATRIX) - {name for name, _ in URLS})
    assert not gone, "The access matrix has entries for URLs that no longer exist: " + ", ".join(
        gone
    )


@pytest.mark.parametrize(
    ("name", "method"),
    [(name, "GET") for name, _ in URLS if name in MATRIX]
    + [(name, "POST") for name, _ in URLS if name in MATRIX and MATRIX[name].post is not None],
)
@pytest.mark.usefixtures("samples")
def test_every_role_gets_the_status_the_matrix_expects(name: str, method: str) -> None:
    statuses = MATRIX[name].get if method == "GET" else MATRIX[name].post
    assert statuses is not None
    roles = ("anonymous", "deactivated", "member", "admin")
    wrong = {
        role: (expected_of(statuses, role), actual)
        for role in roles
        if (actual := status_of(role, method, PATHS[name])) != expected_of(statuses, role)
    }
    assert not wrong, f"{method} {PATHS[name]} ({name}), role: (expected, actual): {wrong}"


def test_admin_only_namespaces_refuse_members_everything() -> None:
    for name, access in MATRIX.items():
        if name.split(":")[0] in ADMIN_ONLY_NAMESPACES:
            assert access.get.member == 403, name
            assert access.post is None or access.post.member == 403, name


def test_only_the_login_invites_the_callback_and_the_health_check_are_public() -> None:
    public = {name for name, access in MATRIX.items() if access.get.anonymous != 302}
    # The language switch too: it is on the login page (a POST, so GET is 405 for anyone).
    assert public == {"login", "invite_accept", "videos:callback", "healthz", "language"}


class TestMembersReadTheTeamsItemsButChangeOnlyTheirOwn:
    def test_a_member_can_view_another_members_conversation(
        self, member: Client, samples: User
    ) -> None:
        assert member.get(PATHS["chat:conversation"]).status_code == 200

    def test_a_member_cannot_rename_another_members_conversation(
        self, member: Client, samples: User
    ) -> None:
        response = member.post(PATHS["chat:rename"], {"title": "mine now"})

        assert response.status_code == 403
        assert Conversation.objects.get(id=SAMPLE_ID).title == "A chat about owls"

    def test_a_member_cannot_delete_another_members_conversation(
        self, member: Client, samples: User
    ) -> None:
        assert member.post(PATHS["chat:delete"]).status_code == 403
        assert Conversation.objects.filter(id=SAMPLE_ID).exists()

    def test_a_member_can_rename_their_own_conversation(self, client: Client) -> None:
        conversation = ConversationFactory.create()
        client.force_login(conversation.user)

        path = reverse("chat:rename", args=[conversation.id])
        assert client.post(path, {"title": "Owls, again"}).status_code in (200, 302)
        conversation.refresh_from_db()
        assert conversation.title == "Owls, again"

    def test_a_member_can_view_another_members_video_job(
        self, member: Client, samples: User
    ) -> None:
        assert member.get(PATHS["videos:job"]).status_code == 200

    def test_a_member_cannot_cancel_another_members_video_job(self, member: Client) -> None:
        job = VideoJobFactory.create()

        response = member.post(reverse("videos:cancel", args=[job.id]))

        assert response.status_code == 403
        job.refresh_from_db()
        assert job.state == "queued"

    def test_a_member_can_cancel_their_own_video_job(self, client: Client) -> None:
        job = VideoJobFactory.create()
        client.force_login(job.user)

        assert client.post(reverse("videos:cancel", args=[job.id])).status_code == 302
        job.refresh_from_db()
        assert job.state != "queued"

    def test_a_member_can_view_another_members_history_item(
        self, member: Client, samples: User
    ) -> None:
        assert member.get(PATHS["history:detail"]).status_code == 200


CSRF_EXEMPT = {"videos:callback"}  # the gateway's callback carries no token; its URL is secret


@pytest.mark.parametrize(
    "name",
    sorted(
        name
        for name, access in MATRIX.items()
        if access.post is not None and access.post.admin != 405 and name not in CSRF_EXEMPT
    ),
)
def test_every_post_needs_a_csrf_token(name: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(AdminFactory.create())

    response = client.post(PATHS[name], {"message": "hi", "key": "sk-whatever-123456"})

    assert response.status_code == 403, name
    assert b"CSRF" in response.content
