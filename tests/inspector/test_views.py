"""The inspector's pages: one recorded call, the "Inspect" links that lead to it, and who sees
them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playground.accounts.models import User
from playground.chat.services import ChatSettings, chat_send, exchange_run
from playground.inspector.models import Exchange
from playground.inspector.selectors import can_inspect
from tests.chat.factories import ExchangeFactory as ChatExchangeFactory
from tests.conftest import Simulator
from tests.factories import AdminFactory, UserFactory
from tests.images.factories import GenerationFactory
from tests.inspector.factories import GatewayExchangeFactory
from tests.videos.factories import VideoJobFactory

pytestmark = pytest.mark.django_db


def detail(exchange: Exchange) -> str:
    return reverse("inspector:detail", args=[exchange.id])


def source(kind: str, source_id: object) -> str:
    return reverse("inspector:source", args=[kind, str(source_id)])


class TestDetail:
    def test_it_shows_the_request_the_events_the_timings_and_the_attempts(
        self, member: Client
    ) -> None:
        exchange = GatewayExchangeFactory.create(
            attempts=[
                {
                    "number": 1,
                    "sent_ms": 0,
                    "duration_ms": 12,
                    "status": 429,
                    "outcome": "GatewayRateLimitError: The gateway is rate-limiting the team",
                    "wait_s": 0.5,
                    "retry_after_s": None,
                },
                {
                    "number": 2,
                    "sent_ms": 520,
                    "duration_ms": 30,
                    "status": 200,
                    "outcome": "answered",
                    "wait_s": None,
                    "retry_after_s": None,
                },
            ]
        )

        response = member.get(detail(exchange))

        assert response.status_code == 200
        html = response.content.decode()
        assert "POST http://127.0.0.1:8001/v1/chat/completions" in html
        assert "Authorization: Bearer [redacted]" in html
        assert "&quot;gpt-4o-mini&quot;" in html  # the body, indented
        assert "+40 ms</span> data: {&quot;choices&quot;" in html
        assert "+55 ms</span> data: [DONE]" in html
        assert "First token" in html
        assert "+56 ms" in html  # the last byte
        assert "Retried after waiting 0.5 s." in html
        assert "The gateway is rate-limiting the team" in html

    def test_it_lists_the_other_calls_of_the_same_item(self, member: Client) -> None:
        submit = GatewayExchangeFactory.create(kind="video", source_id="j1", stream=False)
        poll = GatewayExchangeFactory.create(
            kind="video", source_id="j1", method="GET", url="http://gw/v1/video/generations/t1"
        )
        GatewayExchangeFactory.create(kind="video", source_id="other")

        html = member.get(detail(submit)).content.decode()

        assert html.count('href="/inspector/') == 2
        assert detail(poll) in html
        assert "/v1/video/generations/t1" in html

    def test_it_says_when_a_body_was_cut_to_the_size_limit(self, member: Client) -> None:
        exchange = GatewayExchangeFactory.create(
            events=[], response_body="x" * 10, response_bytes=5000
        )

        assert "Cut to the size limit" in member.get(detail(exchange)).content.decode()

    def test_it_says_when_no_answer_came(self, member: Client) -> None:
        exchange = GatewayExchangeFactory.create(
            status=None, events=[], error="Could not connect to the gateway."
        )

        html = member.get(detail(exchange)).content.decode()

        assert "No answer came." in html
        assert "Could not connect to the gateway." in html

    def test_it_links_back_to_the_chat_message(self, member: Client) -> None:
        message = ChatExchangeFactory.create()
        exchange = GatewayExchangeFactory.create(source_id=str(message.id))

        html = member.get(detail(exchange)).content.decode()

        conversation = reverse("chat:conversation", args=[message.conversation_id])
        assert f'href="{conversation}#exchange-{message.id}"' in html

    def test_an_unknown_record_is_a_404_that_says_why(self, member: Client) -> None:
        response = member.get(reverse("inspector:detail", args=[999]))

        assert response.status_code == 404
        assert b"dropped as too old" in response.content

    def test_anonymous_visitors_are_sent_to_log_in(self, client: Client) -> None:
        response = client.get(detail(GatewayExchangeFactory.create()))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


class TestSource:
    def test_it_opens_the_newest_request_that_sent_something(self, member: Client) -> None:
        submit = GatewayExchangeFactory.create(kind="video", source_id="j1")
        GatewayExchangeFactory.create(kind="video", source_id="j1", method="GET")

        response = member.get(source("video", "j1"))

        assert response.status_code == 302
        assert response["Location"] == detail(submit)

    def test_it_opens_a_poll_when_no_submit_is_kept(self, member: Client) -> None:
        poll = GatewayExchangeFactory.create(kind="video", source_id="j1", method="GET")

        assert member.get(source("video", "j1"))["Location"] == detail(poll)

    def test_nothing_recorded_is_a_404_that_says_why(self, member: Client) -> None:
        response = member.get(source("chat", 12345))

        assert response.status_code == 404
        assert b"Nothing is recorded for this" in response.content

    def test_an_unknown_kind_is_a_404(self, member: Client) -> None:
        GatewayExchangeFactory.create(kind="chat", source_id="1")

        assert member.get(source("teapot", 1)).status_code == 404


class TestTheInspectLinks:
    def test_a_chat_message_links_to_its_record(
        self, sim: Simulator, settings: Any, client: Client
    ) -> None:
        from playground.teamkey.services import team_key_set

        team_key_set(actor=None, plaintext=sim.key)
        user = UserFactory.create()
        settings_ = ChatSettings("gpt-4o-mini", "", 0.7, 1.0, 64)
        message = chat_send(user=user, conversation=None, chat_settings=settings_, message="Hi")
        exchange_run(exchange_id=message.id)
        client.force_login(user)

        page = client.get(reverse("chat:conversation", args=[message.conversation_id]))
        assert source("chat", message.id) in page.content.decode()
        response = client.get(source("chat", message.id), follow=True)

        assert response.status_code == 200
        assert b"data: [DONE]" in response.content

    def test_an_image_request_links_to_its_record(self, member: Client, settings: Any) -> None:
        generation = GenerationFactory.create()

        page = member.get(reverse("images:generation", args=[generation.id]))

        assert source("image", generation.id) in page.content.decode()

    def test_a_video_job_links_to_its_record(self, member: Client) -> None:
        job = VideoJobFactory.create()

        page = member.get(reverse("videos:job", args=[job.id]))

        assert source("video", job.id) in page.content.decode()


class TestWhoMayInspect:
    def test_admins_and_members_may(self) -> None:
        assert can_inspect(user=AdminFactory.create())
        assert can_inspect(user=UserFactory.create())

    def test_a_deactivated_user_may_not(self) -> None:
        assert not can_inspect(user=UserFactory.create(is_active=False))

    def test_a_member_sees_another_members_record(self, member: Client) -> None:
        owner: User = UserFactory.create()
        message = ChatExchangeFactory.create(conversation__user=owner)
        exchange = GatewayExchangeFactory.create(source_id=str(message.id))

        assert member.get(detail(exchange)).status_code == 200
