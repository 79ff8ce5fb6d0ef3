"""The Django admin lists jobs, conversations and image requests, and searches them; nobody adds,
edits or deletes them there: they change only through the playground's services."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.chat.factories import ConversationFactory
from tests.images.factories import GenerationFactory
from tests.videos.factories import VideoJobFactory

pytestmark = pytest.mark.django_db

MODELS = ["videos_videojob", "chat_conversation", "chat_chatexchange", "images_generation"]


def test_it_finds_each_kind_of_item_by_its_prompt(admin: Client) -> None:
    VideoJobFactory.create(prompt="a heron in the fog")
    ConversationFactory.create(title="owls at night")
    GenerationFactory.create(prompt="a lighthouse at dusk")

    for name, words in [
        ("videos_videojob", "heron"),
        ("chat_conversation", "owls"),
        ("images_generation", "lighthouse"),
    ]:
        response = admin.get(reverse(f"admin:{name}_changelist"), {"q": words})
        assert response.status_code == 200, name
        assert words in response.content.decode(), name


@pytest.mark.parametrize("name", MODELS)
def test_nothing_is_added_there(admin: Client, name: str) -> None:
    assert admin.get(reverse(f"admin:{name}_add")).status_code == 403


def test_a_job_opens_read_only(admin: Client) -> None:
    job = VideoJobFactory.create(prompt="a heron in the fog")

    response = admin.get(reverse("admin:videos_videojob_change", args=[job.id]))

    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert admin.post(reverse("admin:videos_videojob_delete", args=[job.id])).status_code == 403
