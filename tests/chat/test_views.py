import re
import time
from typing import Any

import pytest
import requests
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from playground.accounts.models import User
from playground.chat.models import ChatExchange, Conversation
from tests.chat.conftest import last_chat_body, sim_requests
from tests.chat.factories import ConversationFactory, ExchangeFactory
from tests.conftest import Simulator, outlast_the_stall

pytestmark = pytest.mark.django_db

FORM = {
    "model": "gpt-4o-mini",
    "system_prompt": "",
    "temperature": "0.7",
    "top_p": "1",
    "max_tokens": "256",
}


class TestChatPage:
    def test_it_renders_without_calling_the_gateway(self, as_owner: Client, team_key: str, sim):
        ExchangeFactory.create(conversation__user=User.objects.get(username="olive"))
        assert as_owner.get(reverse("chat:page")).status_code == 200
        conversation = Conversation.objects.get()
        assert as_owner.get(reverse("chat:conversation", args=[conversation.id])).status_code == 200
        assert sim_requests(sim) == []

    def test_it_renders_at_once_with_the_gateway_hanging(self, as_owner: Client, team_key, sim):
        sim.configure(fault="timeout")
        started = time.monotonic()
        response = as_owner.get(reverse("chat:page"))
        assert response.status_code == 200
        assert time.monotonic() - started < 0.5

    def test_it_loads_the_model_list_in_the_background(self, as_owner: Client) -> None:
        body = as_owner.get(reverse("chat:page")).content.decode()
        assert f'hx-get="{reverse("chat:models")}" hx-trigger="load"' in body

    def test_a_new_chat_starts_with_the_default_model(self, as_owner: Client) -> None:
        body = as_owner.get(reverse("chat:page")).content.decode()
        assert 'name="model" value="gpt-4o-mini"' in body

    def test_a_new_chat_starts_with_the_users_last_model(self, as_owner: Client, owner):
        ConversationFactory.create(user=owner, model="deepseek-chat", top_p=0.4)
        body = as_owner.get(reverse("chat:page")).content.decode()
        assert 'name="model" value="deepseek-chat"' in body
        assert 'name="top_p" value="0.4"' in body

    def test_it_lists_the_whole_teams_chats(self, as_owner: Client) -> None:
        ConversationFactory.create(title="Bob's plan", user__username="bob")
        body = as_owner.get(reverse("chat:page")).content.decode()
        assert "Bob&#x27;s plan" in body
        assert "bob" in body

    def test_a_teammate_reads_a_chat_but_cannot_write_in_it(self, as_owner: Client) -> None:
        theirs = ExchangeFactory.create(conversation__user__username="bob", message="Hi bob")
        body = as_owner.get(reverse("chat:conversation", args=[theirs.conversation_id]))
        text = body.content.decode()
        assert "Hi bob" in text
        assert "read-only" in text
        assert 'id="composer"' not in text
        assert ">Fork</button>" in text
        assert ">Delete</button>" not in text

    def test_it_answers_404_for_an_unknown_chat(self, as_owner: Client) -> None:
        assert as_owner.get(reverse("chat:conversation", args=[999])).status_code == 404


class TestModelList:
    def test_it_offers_chat_models_only(self, as_owner: Client, team_key: str) -> None:
        body = as_owner.get(reverse("chat:models")).content.decode()
        assert '<option value="claude-3-5-sonnet-20241022">' in body
        assert "6 chat models available" in body
        for other in ("seedream", "seedance", "kling"):
            assert other not in body

    def test_it_asks_the_gateway_once_and_caches_the_list(self, as_owner, team_key, sim):
        as_owner.get(reverse("chat:models"))
        as_owner.get(reverse("chat:models"))
        assert [e["route"] for e in sim_requests(sim)] == ["models"]

    def test_it_says_why_the_list_failed_and_counts_no_models(self, as_owner, team_key, sim):
        sim.configure(fault="401")
        body = as_owner.get(reverse("chat:models")).content.decode()
        assert "The model list could not be loaded: The gateway rejected the team key" in body
        assert "available" not in body

    def test_it_gives_up_quickly_on_a_hanging_gateway_and_remembers(
        self, as_owner: Client, team_key: str, sim: Simulator, settings: Any
    ) -> None:
        settings.CHAT_MODELS_TIMEOUT = 0.3
        sim.configure(fault="timeout")
        started = time.monotonic()
        body = as_owner.get(reverse("chat:models")).content.decode()
        assert time.monotonic() - started < 1.0, "one short try, no retries"
        assert "The model list could not be loaded" in body
        started = time.monotonic()
        as_owner.get(reverse("chat:models"))
        assert time.monotonic() - started < 0.2, "the failure is cached"
        assert sim.configure()["fault"] == "timeout"
        assert len([e for e in sim_requests(sim) if e["route"] == "models"]) <= 1


class TestSend:
    def test_without_js_it_answers_and_redirects(self, as_owner: Client, team_key: str) -> None:
        response = as_owner.post(reverse("chat:send"), FORM | {"message": "Hello from the form"})
        exchange = ChatExchange.objects.get()
        url = reverse("chat:conversation", args=[exchange.conversation_id])
        assert response.status_code == 302
        assert response["Location"] == f"{url}#exchange-{exchange.id}"
        page = as_owner.get(url).content.decode()
        assert exchange.status == ChatExchange.Status.DONE
        assert "Hello from the form" in page
        assert exchange.reply in page
        assert f"= {exchange.total_tokens} tokens" in page
        assert f"This chat so far: {exchange.prompt_tokens} prompt" in page

    def test_with_htmx_it_saves_the_message_and_leaves_the_answer_to_the_stream(
        self, as_owner: Client, team_key: str, sim: Simulator
    ) -> None:
        response = as_owner.post(
            reverse("chat:send"), FORM | {"message": "Hello htmx"}, headers={"HX-Request": "true"}
        )
        body = response.content.decode()
        exchange = ChatExchange.objects.get()
        assert response.status_code == 200
        assert body.lstrip().startswith('<div id="chat"')
        assert exchange.status == ChatExchange.Status.PENDING
        assert f'data-stream-url="{reverse("chat:stream", args=[exchange.id])}"' in body
        assert response["HX-Push-Url"] == reverse(
            "chat:conversation", args=[exchange.conversation_id]
        )
        assert sim_requests(sim) == []

    def test_it_continues_a_conversation(self, as_owner: Client, team_key: str) -> None:
        as_owner.post(reverse("chat:send"), FORM | {"message": "One"})
        conversation = Conversation.objects.get()
        as_owner.post(reverse("chat:reply", args=[conversation.id]), FORM | {"message": "Two"})
        assert conversation.exchanges.count() == 2

    def test_it_refuses_a_video_model_with_a_sentence(self, as_owner: Client) -> None:
        response = as_owner.post(
            reverse("chat:send"),
            FORM | {"model": "doubao-seedance-1-0-pro-250528", "message": "Hi"},
        )
        assert response.status_code == 400
        assert b"doubao-seedance-1-0-pro-250528 makes videos, not chat answers" in response.content
        assert not ChatExchange.objects.exists()

    def test_it_refuses_an_image_model_with_a_sentence(self, as_owner: Client) -> None:
        response = as_owner.post(
            reverse("chat:send"), FORM | {"model": "doubao-seedream-4-0-250828", "message": "Hi"}
        )
        assert b"makes images, not chat answers" in response.content

    def test_it_rejects_an_out_of_range_temperature(self, as_owner: Client) -> None:
        response = as_owner.post(reverse("chat:send"), FORM | {"temperature": "9", "message": "Hi"})
        assert response.status_code == 400
        assert b"Ensure this value is less than or equal to 2" in response.content

    def test_it_refuses_to_continue_someone_elses_conversation(self, as_owner: Client) -> None:
        other = ConversationFactory.create()
        response = as_owner.post(reverse("chat:reply", args=[other.id]), FORM | {"message": "Hi"})
        assert response.status_code == 403
        assert not ChatExchange.objects.exists()

    def test_it_rejects_get(self, as_owner: Client) -> None:
        assert as_owner.get(reverse("chat:send")).status_code == 405


class TestConversationActions:
    def test_the_owner_saves_parameters(self, as_owner: Client, owner: User) -> None:
        conversation = ConversationFactory.create(user=owner)
        response = as_owner.post(
            reverse("chat:settings", args=[conversation.id]),
            FORM | {"system_prompt": "Be brief.", "max_tokens": "99"},
        )
        assert response.status_code == 302
        conversation.refresh_from_db()
        assert (conversation.system_prompt, conversation.max_tokens) == ("Be brief.", 99)

    def test_saving_parameters_keeps_the_typed_message_for_htmx(self, as_owner, owner):
        conversation = ConversationFactory.create(user=owner)
        response = as_owner.post(
            reverse("chat:settings", args=[conversation.id]),
            FORM | {"message": "half-typed"},
            headers={"HX-Request": "true"},
        )
        assert "half-typed</textarea>" in response.content.decode()

    def test_the_owner_renames_and_deletes(self, as_owner: Client, owner: User) -> None:
        conversation = ConversationFactory.create(user=owner)
        as_owner.post(reverse("chat:rename", args=[conversation.id]), {"title": "Owls"})
        conversation.refresh_from_db()
        assert conversation.title == "Owls"
        response = as_owner.post(reverse("chat:delete", args=[conversation.id]))
        assert response["Location"] == reverse("chat:page")
        assert not Conversation.objects.exists()

    def test_a_teammate_cannot_rename_delete_or_change_parameters(self, as_owner: Client):
        theirs = ConversationFactory.create(title="Bob's")
        for name, data in [("rename", {"title": "x"}), ("delete", {}), ("settings", FORM)]:
            response = as_owner.post(reverse(f"chat:{name}", args=[theirs.id]), data)
            assert response.status_code == 403, name
        theirs.refresh_from_db()
        assert theirs.title == "Bob's"

    def test_a_teammate_forks_and_goes_on_in_the_copy(self, as_owner: Client, owner, team_key):
        theirs = ExchangeFactory.create(message="Bob asked").conversation
        response = as_owner.post(reverse("chat:fork", args=[theirs.id]))
        fork = Conversation.objects.get(user=owner)
        assert response["Location"] == reverse("chat:conversation", args=[fork.id])
        as_owner.post(reverse("chat:reply", args=[fork.id]), FORM | {"message": "And I add"})
        assert [e.message for e in fork.exchanges.all()] == ["Bob asked", "And I add"]
        assert theirs.exchanges.count() == 1

    def test_regenerate_without_js_replaces_the_last_answer(self, as_owner, owner, team_key):
        exchange = ExchangeFactory.create(conversation__user=owner, reply="old answer")
        as_owner.post(reverse("chat:regenerate", args=[exchange.conversation_id]))
        exchange.refresh_from_db()
        assert exchange.reply.startswith("Simulated reply")
        assert ChatExchange.objects.count() == 1

    def test_stop_answers_204_to_the_page_script(self, as_owner: Client, owner: User) -> None:
        exchange = ExchangeFactory.create(conversation__user=owner, status="streaming")
        response = as_owner.post(
            reverse("chat:stop", args=[exchange.id]), headers={"HX-Request": "true"}
        )
        assert response.status_code == 204
        exchange.refresh_from_db()
        assert exchange.stop_requested

    def test_a_teammate_cannot_stop_or_stream_an_answer(self, as_owner: Client) -> None:
        exchange = ExchangeFactory.create(status="pending")
        assert as_owner.post(reverse("chat:stop", args=[exchange.id])).status_code == 403
        assert as_owner.get(reverse("chat:stream", args=[exchange.id])).status_code == 403


class TestStream:
    def test_it_sends_the_conversation_so_far_read_in_one_query(
        self, as_owner: Client, owner: User, team_key: str, sim: Simulator
    ) -> None:
        conversation = ConversationFactory.create(user=owner)
        ExchangeFactory.create(conversation=conversation, message="Who hoots?", reply="Owls.")
        ExchangeFactory.create(conversation=conversation, status="failed", message="Broken")
        asked = ExchangeFactory.create(conversation=conversation, status="pending", message="Why?")
        with CaptureQueriesContext(connection) as queries:
            response = as_owner.get(reverse("chat:stream", args=[asked.id]))
            chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
            assert any(chunk.startswith(b"event: delta") for chunk in chunks)
        before_first_token = [q["sql"] for q in queries.captured_queries]
        exchange_reads = [sql for sql in before_first_token if sql.startswith("SELECT")]
        assert sum('FROM "chat_chatexchange"' in sql for sql in exchange_reads) == 1
        list(chunks)  # the answer to its end: the simulator logs the request then
        messages = last_chat_body(sim)["messages"]
        assert [(m["role"], m["content"]) for m in messages] == [
            ("user", "Who hoots?"),
            ("assistant", "Owls."),
            ("user", "Why?"),
        ]


class TestATeammateWatchingAnAnswer:
    """The stream is its owner's; a teammate's page asks our database for the message."""

    def test_a_running_answer_is_asked_for_again_every_2_s(self, as_owner: Client) -> None:
        theirs = ExchangeFactory.create(status="streaming", reply="Half an ans")
        url = reverse("chat:exchange", args=[theirs.id])

        page = as_owner.get(reverse("chat:conversation", args=[theirs.conversation_id]))
        html = page.content.decode()
        assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in html
        assert "data-stream-url" not in html

        partial = as_owner.get(url, headers={"HX-Request": "true"})
        assert partial.status_code == 200
        assert 'hx-trigger="every 2s"' in partial.content.decode()
        assert "Half an ans" in partial.content.decode()

    def test_the_ended_answer_comes_without_the_trigger_so_the_asking_stops(
        self, as_owner: Client
    ) -> None:
        theirs = ExchangeFactory.create(status="streaming")
        ChatExchange.objects.filter(id=theirs.id).update(status="done", reply="The whole answer")

        partial = as_owner.get(
            reverse("chat:exchange", args=[theirs.id]), headers={"HX-Request": "true"}
        )

        html = partial.content.decode()
        assert "The whole answer" in html
        assert "hx-trigger" not in html
        assert 'action="/chat/messages/' not in html  # no Stop for a teammate

    def test_the_owner_streams_instead_of_asking(self, as_owner: Client, owner: User) -> None:
        mine = ExchangeFactory.create(conversation__user=owner, status="streaming")

        html = as_owner.get(reverse("chat:conversation", args=[mine.conversation_id])).content
        assert b"data-stream-url" in html
        assert b'hx-trigger="every 2s"' not in html

    def test_without_htmx_it_opens_the_conversation_at_the_message(self, as_owner: Client) -> None:
        theirs = ExchangeFactory.create(status="streaming")

        response = as_owner.get(reverse("chat:exchange", args=[theirs.id]))

        assert response.status_code == 302
        assert response["Location"] == (
            reverse("chat:conversation", args=[theirs.conversation_id]) + f"#exchange-{theirs.id}"
        )


class TestEveryFaultShows:
    """Each way the gateway can fail a chat answer is said on the conversation's page, and a
    request whose outcome is unknown is never sent twice."""

    @pytest.mark.parametrize(
        ("fault", "sentence", "role"),
        [
            ("401", "The gateway rejected the team key (401)", "alert"),
            ("403", "The gateway refused this request (403)", "alert"),
            ("429", "The gateway is rate-limiting the team (429)", "alert"),
            ("429-no-retry-after", "The gateway is rate-limiting the team (429)", "alert"),
            ("500", "The gateway had an internal error (500)", "alert"),
            ("503", "The gateway is overloaded (503)", "alert"),
            ("timeout", "may have been produced (and charged) upstream", "alert"),
            ("drop", "may have been produced (and charged) upstream", "alert"),
            ("malformed-json", "may have been produced (and charged) upstream", "alert"),
            ("stream-error", "in the middle of the answer", "alert"),
            ("content-filter", "content filter stopped this answer", "status"),
        ],
    )
    def test_it_is_said_in_words_on_the_page(
        self,
        as_owner: Client,
        team_key: str,
        sim: Simulator,
        settings: Any,
        fault: str,
        sentence: str,
        role: str,
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5  # shorter than the simulator's stall
        as_owner.post(reverse("chat:send"), FORM | {"message": f"Hello [fault:{fault}]"})
        exchange = ChatExchange.objects.get()
        page = as_owner.get(reverse("chat:conversation", args=[exchange.conversation_id]))
        notes = re.findall(
            r'<p class="notice[^"]*" role="(\w+)">([^<]*)</p>', page.content.decode()
        )
        assert [(shown_role, sentence in note) for shown_role, note in notes] == [(role, True)]
        assert exchange.message == f"Hello [fault:{fault}]", "what was typed is kept"
        if fault == "timeout":
            outlast_the_stall()

    @pytest.mark.parametrize("fault", ["500", "timeout", "drop", "malformed-json"])
    def test_an_answer_that_may_have_been_made_is_not_asked_for_again(
        self, as_owner: Client, team_key: str, sim: Simulator, settings: Any, fault: str
    ) -> None:
        settings.STARRISE_READ_TIMEOUT = 0.5
        as_owner.post(reverse("chat:send"), FORM | {"message": f"Once [fault:{fault}]"})
        # The stats count a request when it arrives; the log only once it is answered.
        stats = requests.get(f"{sim.url}/_sim/stats", timeout=5).json()
        assert stats["requests"]["chat"] == {"POST": 1}
        if fault == "timeout":
            outlast_the_stall()
