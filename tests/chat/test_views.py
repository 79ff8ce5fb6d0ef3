import html

import pytest
from django.test import Client
from django.urls import reverse

from playground.chat.models import ChatExchange, Conversation
from tests.conftest import Simulator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORM = {"model": "gpt-4o-mini", "system_prompt": "", "temperature": "0.7", "max_tokens": "256"}


class TestChatPage:
    def test_it_offers_the_gateways_models(self, member: Client, team_key: str) -> None:
        response = member.get(reverse("chat:page"))
        assert response.status_code == 200
        assert b'<option value="claude-3-5-sonnet-20241022">' in response.content

    def test_it_still_works_when_the_model_list_fails(self, member: Client, sim: Simulator):
        response = member.get(reverse("chat:page"))
        assert response.status_code == 200
        assert b"Model list unavailable: No team key is set" in response.content

    def test_it_hides_other_peoples_conversations(self, member: Client) -> None:
        other = Conversation.objects.create(user=UserFactory.create(), title="Secret plans")
        response = member.get(reverse("chat:conversation", args=[other.id]))
        assert response.status_code == 404


class TestChatSend:
    def test_it_answers_and_redirects_to_the_conversation(
        self, member: Client, team_key: str
    ) -> None:
        response = member.post(reverse("chat:send"), FORM | {"message": "Hello from the form"})
        exchange = ChatExchange.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("chat:conversation", args=[exchange.conversation_id])
        page = member.get(response["Location"])
        assert "Hello from the form" in page.content.decode()
        assert html.escape(exchange.reply) in page.content.decode()
        assert f"= {exchange.total_tokens} tokens" in page.content.decode()

    def test_it_renders_only_the_conversation_for_htmx(self, member: Client, team_key: str) -> None:
        response = member.post(
            reverse("chat:send"), FORM | {"message": "Hello htmx"}, headers={"HX-Request": "true"}
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<div id="conversation">')
        assert "<html" not in body
        assert "Hello htmx" in body
        assert '<ul id="recent" hx-swap-oob="true">' in body, "the sidebar's list follows"
        exchange = ChatExchange.objects.get()
        assert response["HX-Push-Url"] == reverse(
            "chat:conversation", args=[exchange.conversation_id]
        )

    def test_it_continues_a_conversation(self, member: Client, team_key: str) -> None:
        member.post(reverse("chat:send"), FORM | {"message": "One"})
        conversation = Conversation.objects.get()
        member.post(
            reverse("chat:send"), FORM | {"message": "Two", "conversation": conversation.id}
        )
        assert conversation.exchanges.count() == 2

    def test_it_shows_an_upstream_error_as_a_sentence(self, member: Client, team_key: str):
        response = member.post(
            reverse("chat:send"), FORM | {"message": "Hi [fault:401]"}, follow=True
        )
        body = response.content.decode()
        assert "The gateway rejected the team key (401): ask an admin to replace it." in body
        assert "Traceback" not in body

    def test_it_rejects_an_out_of_range_temperature(self, member: Client, team_key: str) -> None:
        response = member.post(reverse("chat:send"), FORM | {"temperature": "9", "message": "Hi"})
        assert response.status_code == 400
        assert b"Ensure this value is less than or equal to 2" in response.content
        assert not ChatExchange.objects.exists()

    def test_it_refuses_to_continue_someone_elses_conversation(self, member: Client) -> None:
        other = Conversation.objects.create(user=UserFactory.create(), title="Not yours")
        response = member.post(
            reverse("chat:send"), FORM | {"message": "Hi", "conversation": other.id}
        )
        assert response.status_code == 404

    def test_it_rejects_get(self, member: Client) -> None:
        assert member.get(reverse("chat:send")).status_code == 405
