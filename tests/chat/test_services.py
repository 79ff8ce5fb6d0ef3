from typing import Any

import pytest
import requests
from cryptography.fernet import Fernet

from playground.accounts.models import User
from playground.chat.models import ChatExchange, Conversation
from playground.chat.services import chat_send
from tests.conftest import Simulator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def send(
    user: User,
    message: str,
    conversation: Conversation | None = None,
    system_prompt: str = "",
) -> ChatExchange:
    return chat_send(
        user=user,
        conversation=conversation,
        message=message,
        model="gpt-4o-mini",
        system_prompt=system_prompt,
        temperature=0.7,
        max_tokens=256,
    )


def last_chat_body(sim: Simulator) -> dict[str, Any]:
    log = requests.get(f"{sim.url}/_sim/requests", timeout=5).json()
    body: dict[str, Any] = [entry for entry in log if entry["route"] == "chat"][-1]["body"]
    return body


class TestChatSend:
    def test_it_saves_the_answer_and_its_usage(self, team_key: str) -> None:
        exchange = send(UserFactory.create(), "Hello simulator")
        exchange.refresh_from_db()
        assert "Hello simulator" in exchange.reply
        assert exchange.error == ""
        assert exchange.finish_reason == "stop"
        assert exchange.prompt_tokens
        assert exchange.completion_tokens
        assert exchange.total_tokens == exchange.prompt_tokens + exchange.completion_tokens
        assert exchange.conversation.title == "Hello simulator"

    def test_it_sends_the_conversation_so_far(self, team_key: str, sim: Simulator) -> None:
        user = UserFactory.create()
        first = send(user, "First question", system_prompt="Be brief.")
        send(user, "Second question", conversation=first.conversation, system_prompt="Be brief.")
        messages = last_chat_body(sim)["messages"]
        assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
        assert messages[1]["content"] == "First question"
        assert messages[2]["content"] == first.reply
        assert messages[3]["content"] == "Second question"

    def test_it_leaves_failed_exchanges_out_of_the_context(
        self, team_key: str, sim: Simulator
    ) -> None:
        user = UserFactory.create()
        failed = send(user, "Broken [fault:500]")
        send(user, "Try again", conversation=failed.conversation)
        assert [m["content"] for m in last_chat_body(sim)["messages"]] == ["Try again"]

    def test_it_records_an_upstream_error_in_words(self, team_key: str) -> None:
        exchange = send(UserFactory.create(), "Hello [fault:500]")
        exchange.refresh_from_db()
        assert exchange.reply == ""
        assert exchange.error.startswith("The gateway had an internal error (500)")

    def test_it_records_that_no_team_key_is_set(self, sim: Simulator) -> None:
        exchange = send(UserFactory.create(), "Hello")
        assert exchange.error == "No team key is set: ask an admin to set one on the Team key page."
        assert ChatExchange.objects.get().error == exchange.error

    def test_it_says_when_the_team_key_cannot_be_decrypted(
        self, team_key: str, settings: Any
    ) -> None:
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        exchange = send(UserFactory.create(), "Hello")
        assert exchange.error.startswith("The stored team key cannot be decrypted")
