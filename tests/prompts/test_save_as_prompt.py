""" "Save as prompt" on a history item: the new prompt's form, filled in from the item."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playground.history.models import Item
from playground.history.services import item_record
from playground.prompts.models import Prompt
from tests.chat.factories import ConversationFactory, ExchangeFactory
from tests.images.factories import GenerationFactory
from tests.videos.factories import VideoJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def recorded(kind: str, source_id: Any) -> Item:
    item = item_record(kind=kind, source_id=source_id)
    assert item is not None
    return item


def save_form(client: Client, item: Item, **query: str) -> dict[str, Any]:
    response = client.get(reverse("prompts:create"), {"from": str(item.id), **query})
    assert response.status_code == 200
    form = response.context["form"]
    return {name: form[name].value() for name in ("title", "kind", "text")}


def test_the_history_page_offers_it(member: Client) -> None:
    item = recorded("video", VideoJobFactory.create().id)

    page = member.get(reverse("history:detail", args=[item.id])).content.decode()

    assert f'href="/prompts/new/?from={item.id}">Save as prompt</a>' in page
    assert "Save the system prompt" not in page


def test_a_video_jobs_prompt_fills_the_form(member: Client) -> None:
    item = recorded("video", VideoJobFactory.create(prompt="A {{animal}} trots through snow").id)

    assert save_form(member, item) == {
        "title": "A {{animal}} trots through snow",
        "kind": "prompt",
        "text": "A {{animal}} trots through snow",
    }


def test_an_image_requests_prompt_fills_the_form(member: Client) -> None:
    item = recorded("image", GenerationFactory.create(prompt="Two lanterns\nover a harbour").id)

    assert save_form(member, item) == {
        "title": "Two lanterns over a harbour",
        "kind": "prompt",
        "text": "Two lanterns\nover a harbour",
    }


def test_a_chats_first_message_fills_the_form(member: Client) -> None:
    conversation = ConversationFactory.create(system_prompt="Answer like a pirate.")
    ExchangeFactory.create(conversation=conversation, message="Tell me about owls")
    ExchangeFactory.create(conversation=conversation, message="And about bats?")
    item = recorded("chat", conversation.id)

    assert save_form(member, item)["text"] == "Tell me about owls"


def test_a_chats_system_prompt_can_be_saved_as_a_system_prompt(member: Client) -> None:
    conversation = ConversationFactory.create(system_prompt="Answer like a pirate.")
    ExchangeFactory.create(conversation=conversation)
    item = recorded("chat", conversation.id)

    page = member.get(reverse("history:detail", args=[item.id])).content.decode()

    assert f'href="/prompts/new/?from={item.id}&amp;part=system"' in page
    assert save_form(member, item, part="system") == {
        "title": "Answer like a pirate.",
        "kind": "system",
        "text": "Answer like a pirate.",
    }


def test_a_long_prompt_gets_a_short_title(member: Client) -> None:
    item = recorded("video", VideoJobFactory.create(prompt="word " * 100).id)

    form = save_form(member, item)

    assert len(form["title"]) == 80
    assert form["text"] == "word " * 100


def test_saving_it_puts_it_in_the_library(client: Client) -> None:
    job = VideoJobFactory.create(prompt="A {{animal}} at dawn")
    item = recorded("video", job.id)
    client.force_login(job.user)
    form = save_form(client, item)

    client.post(reverse("prompts:create"), form | {"tags": "video"})

    prompt = Prompt.objects.get()
    assert (prompt.text, prompt.author, prompt.variables) == (form["text"], job.user, ["animal"])


def test_an_item_whose_source_was_deleted_is_a_404(member: Client) -> None:
    job = VideoJobFactory.create()
    item = recorded("video", job.id)
    job.delete()

    response = member.get(reverse("prompts:create"), {"from": item.id})

    assert response.status_code == 404
