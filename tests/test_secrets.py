"""The team key's plaintext never reaches a page, a log record or a database column."""

import logging
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from playground.chat.models import Conversation
from tests.conftest import Simulator
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

WRONG_KEY = "sk-RECOGNISABLE-wrong-key-5150"


def every_stored_value() -> list[str]:
    """Every value in every column of every table, as text."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    values.append(str(value))
    return values


def test_the_key_never_leaks(sim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    admin, member = Client(), Client()
    admin.force_login(AdminFactory.create())
    member.force_login(UserFactory.create())
    chat = {"model": "gpt-4o-mini", "temperature": "0.7", "top_p": "1", "max_tokens": "64"}
    bodies: list[bytes] = []

    def visit(
        client: Client,
        method: str,
        name: str,
        data: Any = None,
        args: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        response = getattr(client, method)(
            reverse(name, args=args), data, follow=True, headers=headers
        )
        assert response.status_code < 500
        bodies.append(response.content)

    visit(admin, "post", "teamkey:set", {"key": sim.key})
    visit(admin, "post", "teamkey:test")
    visit(admin, "post", "teamkey:test", headers={"HX-Request": "true"})
    visit(member, "post", "chat:send", chat | {"message": "Hello"})
    visit(member, "post", "chat:send", chat | {"message": "Break [fault:500]"})
    visit(member, "post", "chat:send", chat | {"message": "Break [fault:401]"})
    conversation = Conversation.objects.first()
    assert conversation is not None
    visit(member, "get", "chat:conversation", args=[conversation.id])
    for client in (admin, member):
        visit(client, "get", "chat:page")
    for name in [
        "teamkey:page",
        "admin:index",
        "admin:accounts_user_changelist",
        "admin:teamkey_keyauditevent_changelist",
        "admin:chat_chatexchange_changelist",
    ]:
        visit(admin, "get", name)

    visit(admin, "post", "teamkey:revoke", {"confirm": "on"})
    visit(admin, "post", "teamkey:set", {"key": WRONG_KEY})
    visit(admin, "post", "teamkey:test")
    visit(member, "post", "chat:send", chat | {"message": "With the wrong key"})
    visit(admin, "get", "teamkey:page")

    assert b"rejected the team key (401)" in b"".join(bodies), "the 401 path was not exercised"
    assert b"internal error (500)" in b"".join(bodies), "the 500 path was not exercised"
    logged = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert any("gateway" in line for line in logged), "the client's logs were not captured"
    stored = every_stored_value()
    assert any("sk-…5150" in value for value in stored), "the audit and hints were not stored"
    simulator_log = sim.log_path.read_text()
    for key in (sim.key, WRONG_KEY):
        assert not [body for body in bodies if key.encode() in body]
        assert not [line for line in logged if key in line]
        assert not [value for value in stored if key in value]
        assert key not in simulator_log
