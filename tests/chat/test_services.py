from collections.abc import Generator, Iterator
from typing import Any

import pytest
import requests
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from playground.accounts.models import User
from playground.chat.models import ChatExchange, Conversation
from playground.chat.selectors import answering_get
from playground.chat.services import (
    ChatSettings,
    chat_send,
    conversation_delete,
    conversation_fork,
    conversation_rename,
    exchange_regenerate,
    exchange_run,
    exchange_stop,
    exchange_stream,
)
from tests.chat.conftest import last_chat_body
from tests.chat.factories import ConversationFactory, ExchangeFactory
from tests.conftest import Simulator

pytestmark = pytest.mark.django_db
Status = ChatExchange.Status
SETTINGS = ChatSettings(
    model="gpt-4o-mini", system_prompt="", temperature=0.7, top_p=1.0, max_tokens=256
)


def send(
    user: User,
    message: str,
    conversation: Conversation | None = None,
    **changes: Any,
) -> ChatExchange:
    chat_settings = ChatSettings(**{**SETTINGS.__dict__, **changes})
    return chat_send(
        user=user, conversation=conversation, chat_settings=chat_settings, message=message
    )


def stream(exchange: ChatExchange) -> Iterator[str]:
    answering = answering_get(exchange_id=exchange.id)
    assert answering is not None
    return exchange_stream(answering=answering)


def ask(user: User, message: str, conversation: Conversation | None = None, **changes: Any):
    return exchange_run(exchange_id=send(user, message, conversation, **changes).id)


class TestChatSend:
    def test_it_saves_the_message_first_as_pending(self, owner: User) -> None:
        exchange = send(owner, "Hello, nothing asked yet")
        exchange.refresh_from_db()
        assert exchange.status == Status.PENDING
        assert exchange.message == "Hello, nothing asked yet"
        assert exchange.conversation.title == "Hello, nothing asked yet"
        assert exchange.conversation.model == "gpt-4o-mini"

    def test_it_saves_nothing_when_the_transaction_fails(self, owner: User) -> None:
        with pytest.raises(IntegrityError):
            send(owner, "Hi", max_tokens=-5)  # the database refuses it, after the conversation
        assert not Conversation.objects.exists()
        assert not ChatExchange.objects.exists()

    def test_it_titles_a_new_chat_from_its_first_message(self, owner: User) -> None:
        exchange = send(owner, "word " * 40)
        assert len(exchange.conversation.title) <= 80
        assert exchange.conversation.title.endswith("…")

    def test_it_keeps_the_parameters_on_the_conversation(self, owner: User) -> None:
        first = send(owner, "One")
        send(owner, "Two", first.conversation, model="deepseek-chat", top_p=0.5)
        first.conversation.refresh_from_db()
        assert first.conversation.model == "deepseek-chat"
        assert first.conversation.top_p == 0.5

    def test_it_refuses_someone_elses_conversation(self, owner: User) -> None:
        theirs = ConversationFactory.create()
        with pytest.raises(PermissionDenied):
            send(owner, "Hi", theirs)
        assert not ChatExchange.objects.exists()


class TestExchangeRun:
    def test_it_saves_the_answer_and_its_usage(self, owner: User, team_key: str) -> None:
        exchange = ask(owner, "Hello simulator")
        assert exchange.status == Status.DONE
        assert 'you said "Hello simulator"' in exchange.reply
        assert exchange.finish_reason == "stop"
        assert exchange.total_tokens == exchange.prompt_tokens + exchange.completion_tokens

    def test_it_streams_with_usage_from_the_gateway(self, owner: User, team_key: str, sim):
        ask(owner, "Hello")
        body = last_chat_body(sim)
        assert body["stream"] is True
        assert body["stream_options"] == {"include_usage": True}

    def test_it_sends_the_conversation_so_far(self, owner: User, team_key: str, sim) -> None:
        first = ask(owner, "First question", system_prompt="Be brief.")
        ask(owner, "Second question", first.conversation, system_prompt="Be brief.", top_p=0.9)
        body = last_chat_body(sim)
        assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
        assert body["messages"][2]["content"] == first.reply
        assert body["top_p"] == 0.9

    def test_it_leaves_failed_exchanges_out_of_the_context(self, owner: User, team_key, sim):
        failed = ask(owner, "Broken [fault:500]")
        ask(owner, "Try again", failed.conversation)
        assert [m["content"] for m in last_chat_body(sim)["messages"]] == ["Try again"]

    def test_it_records_an_upstream_error_in_words(self, owner: User, team_key: str) -> None:
        exchange = ask(owner, "Hello [fault:500]")
        assert exchange.status == Status.FAILED
        assert exchange.error.startswith("The gateway had an internal error (500)")
        assert exchange.message == "Hello [fault:500]", "the user's message is kept whole"

    def test_it_keeps_what_arrived_before_an_error_mid_stream(self, owner: User, team_key):
        exchange = ask(owner, "Hello [fault:stream-error]")
        assert exchange.status == Status.FAILED
        assert exchange.reply.startswith("Simulated reply")
        assert "in the middle of the answer" in exchange.error
        assert "in the middle of the answer" in exchange.note

    def test_it_says_when_the_answer_hit_max_tokens(self, owner: User, team_key: str) -> None:
        exchange = ask(owner, "Hello", max_tokens=4)
        assert exchange.status == Status.DONE
        assert exchange.finish_reason == "length"
        assert exchange.note == "Cut short: the answer reached the max tokens limit (4)."

    def test_it_says_when_a_content_filter_stopped_the_answer(self, owner: User, team_key):
        exchange = ask(owner, "Hello [fault:content-filter]")
        assert exchange.finish_reason == "content_filter"
        assert exchange.reply == 'Simulated reply from gpt-4o-mini: you said "Hello".'
        assert "content filter" in exchange.note

    def test_it_records_that_no_team_key_is_set(self, owner: User, sim: Simulator) -> None:
        exchange = ask(owner, "Hello")
        assert exchange.error == "No team key is set: ask an admin to set one on the Team key page."

    def test_it_says_when_the_team_key_cannot_be_decrypted(
        self, owner: User, team_key: str, settings: Any
    ) -> None:
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        assert ask(owner, "Hello").error.startswith("The stored team key cannot be decrypted")

    def test_it_answers_a_pending_exchange_only_once(self, owner: User, team_key, sim) -> None:
        exchange = send(owner, "Once")
        first = stream(exchange)
        assert isinstance(first, Generator)
        next(first)
        assert list(stream(exchange)) == []
        first.close()
        stats = requests.get(f"{sim.url}/_sim/stats", timeout=5).json()
        assert stats["requests"]["chat"]["POST"] == 1


class TestStop:
    def test_stop_keeps_what_arrived_and_ends_the_upstream(
        self, owner: User, team_key: str, sim: Simulator, settings: Any
    ) -> None:
        settings.CHAT_STOP_POLL_SECONDS = 0
        sim.configure(stream_delay_ms=30)
        exchange = send(owner, "long " * 200)
        pieces = stream(exchange)
        received = [next(pieces), next(pieces)]
        exchange_stop(user=owner, exchange=exchange)
        received += list(pieces)
        exchange.refresh_from_db()
        assert exchange.status == Status.STOPPED
        assert exchange.reply == "".join(received)
        assert exchange.note.startswith("Stopped")
        assert len(exchange.reply.split()) < 50

    def test_stop_before_the_start_means_it_never_starts(self, owner: User, sim) -> None:
        exchange = send(owner, "Never mind")
        exchange_stop(user=owner, exchange=exchange)
        assert list(stream(exchange)) == []
        exchange.refresh_from_db()
        assert exchange.status == Status.STOPPED

    def test_only_the_owner_can_stop(self, owner: User) -> None:
        exchange = ExchangeFactory.create(status=Status.STREAMING)
        with pytest.raises(PermissionDenied):
            exchange_stop(user=owner, exchange=exchange)


class TestConversationChanges:
    def test_the_owner_renames_it(self, owner: User) -> None:
        conversation = ConversationFactory.create(user=owner)
        conversation_rename(user=owner, conversation=conversation, title="  Owls  ")
        conversation.refresh_from_db()
        assert conversation.title == "Owls"

    def test_a_teammate_cannot_rename_or_delete_it(self, owner: User) -> None:
        theirs = ConversationFactory.create()
        with pytest.raises(PermissionDenied):
            conversation_rename(user=owner, conversation=theirs, title="Mine now")
        with pytest.raises(PermissionDenied):
            conversation_delete(user=owner, conversation=theirs)
        assert Conversation.objects.filter(id=theirs.id).exists()

    def test_the_owner_deletes_it_with_its_messages(self, owner: User) -> None:
        exchange = ExchangeFactory.create(conversation__user=owner)
        conversation_delete(user=owner, conversation=exchange.conversation)
        assert not ChatExchange.objects.exists()

    def test_a_teammate_forks_it_as_their_own_copy(self, owner: User) -> None:
        original = ConversationFactory.create(system_prompt="Be kind.", temperature=1.3)
        ExchangeFactory.create(conversation=original, message="One")
        ExchangeFactory.create(conversation=original, message="Two", status=Status.STREAMING)
        fork = conversation_fork(user=owner, conversation=original)
        assert fork.user == owner
        assert fork.forked_from == original
        assert (fork.system_prompt, fork.temperature) == ("Be kind.", 1.3)
        assert [e.message for e in fork.exchanges.all()] == ["One"], "running ones stay behind"
        assert original.exchanges.count() == 2

    def test_regenerate_replaces_the_last_answer(self, owner: User, team_key: str) -> None:
        first = ask(owner, "One")
        last = ask(owner, "Two", first.conversation)
        Conversation.objects.filter(id=first.conversation_id).update(model="deepseek-chat")
        first.conversation.refresh_from_db()
        again = exchange_regenerate(user=owner, conversation=first.conversation)
        assert again is not None
        assert again.id == last.id
        assert again.status == Status.PENDING
        assert again.reply == ""
        answered = exchange_run(exchange_id=again.id)
        assert answered.reply.startswith("Simulated reply from deepseek-chat")
        assert first.conversation.exchanges.count() == 2

    def test_regenerate_waits_for_a_running_answer(self, owner: User) -> None:
        running = ExchangeFactory.create(conversation__user=owner, status=Status.STREAMING)
        assert exchange_regenerate(user=owner, conversation=running.conversation) is None
