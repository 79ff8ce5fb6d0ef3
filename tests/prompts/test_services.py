import pytest
from django.core.exceptions import PermissionDenied

from playground.prompts.models import Prompt, tags_normalise
from playground.prompts.services import (
    prompt_create,
    prompt_delete,
    prompt_update,
    prompt_use,
)
from playground.prompts.variables import MissingValueError
from tests.factories import AdminFactory, UserFactory
from tests.prompts.factories import PromptFactory

pytestmark = pytest.mark.django_db


def test_it_normalises_tags() -> None:
    assert tags_normalise(" Winter,  Dark   Fantasy ,,winter, ") == ["winter", "dark fantasy"]


def test_it_creates_a_prompt_with_its_author_and_no_uses() -> None:
    author = UserFactory.create()

    prompt = prompt_create(
        author=author, title=" Fox ", kind="system", text="Be {{tone}}", tags=["B", "a", "b"]
    )

    prompt.refresh_from_db()
    assert (prompt.author, prompt.title, prompt.kind) == (author, "Fox", "system")
    assert prompt.tag_list == ["b", "a"]
    assert prompt.use_count == 0
    assert prompt.variables == ["tone"]


class TestChanges:
    def test_the_author_updates_their_prompt(self) -> None:
        prompt = PromptFactory.create()

        prompt_update(
            actor=prompt.author, prompt=prompt, title="New", kind="prompt", text="t", tags=[]
        )

        prompt.refresh_from_db()
        assert (prompt.title, prompt.text, prompt.tags) == ("New", "t", "")

    def test_an_admin_updates_anyones_prompt(self) -> None:
        prompt = PromptFactory.create()

        prompt_update(
            actor=AdminFactory.create(), prompt=prompt, title="N", kind="prompt", text="t", tags=[]
        )

        prompt.refresh_from_db()
        assert prompt.title == "N"

    def test_another_member_cannot_update_it(self) -> None:
        prompt = PromptFactory.create()

        with pytest.raises(PermissionDenied):
            prompt_update(
                actor=UserFactory.create(),
                prompt=prompt,
                title="N",
                kind="prompt",
                text="t",
                tags=[],
            )

        prompt.refresh_from_db()
        assert prompt.title == "Fox at dawn"

    def test_another_member_cannot_delete_it(self) -> None:
        prompt = PromptFactory.create()

        with pytest.raises(PermissionDenied):
            prompt_delete(actor=UserFactory.create(), prompt=prompt)

        assert Prompt.objects.filter(id=prompt.id).exists()

    def test_the_author_deletes_it(self) -> None:
        prompt = PromptFactory.create()

        prompt_delete(actor=prompt.author, prompt=prompt)

        assert not Prompt.objects.filter(id=prompt.id).exists()


class TestUse:
    def test_it_returns_the_filled_text_and_counts_one_use(self) -> None:
        prompt = PromptFactory.create(use_count=4)

        text = prompt_use(prompt=prompt, values={"animal": "fox", "style": "in ink"})

        assert text == "A fox in the snow at dawn, in ink"
        prompt.refresh_from_db()
        assert prompt.use_count == 5

    def test_uses_from_stale_copies_all_count(self) -> None:
        prompt = PromptFactory.create()
        stale = Prompt.objects.get(id=prompt.id)

        prompt_use(prompt=prompt, values={"animal": "fox", "style": "ink"})
        prompt_use(prompt=stale, values={"animal": "owl", "style": "ink"})

        prompt.refresh_from_db()
        assert prompt.use_count == 2

    def test_a_missing_value_counts_no_use(self) -> None:
        prompt = PromptFactory.create()

        with pytest.raises(MissingValueError):
            prompt_use(prompt=prompt, values={"animal": "fox"})

        prompt.refresh_from_db()
        assert prompt.use_count == 0
