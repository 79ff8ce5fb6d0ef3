"""The library's pages: reading for everyone signed in, changes for the author or an admin."""

import pytest
from django.test import Client
from django.urls import reverse

from playground.prompts.models import Prompt
from tests.factories import AdminFactory, UserFactory
from tests.prompts.factories import PromptFactory

pytestmark = pytest.mark.django_db

CHANGE = {"title": "Owl at dusk", "kind": "prompt", "text": "An {{bird}} at dusk", "tags": "Birds"}


class TestLibrary:
    def test_it_lists_the_teams_prompts_with_author_tags_and_uses(self, member: Client) -> None:
        PromptFactory.create(author=UserFactory.create(username="grace"), use_count=3)

        response = member.get(reverse("prompts:library"))

        assert response.status_code == 200
        page = response.content.decode()
        assert "Fox at dawn" in page
        assert "by grace · used 3 times" in page
        assert 'href="/prompts/?tag=winter"' in page

    def test_it_filters_by_tag_and_htmx_swaps_only_the_results(self, member: Client) -> None:
        PromptFactory.create(title="Snow", tags="winter")
        PromptFactory.create(title="Beach", tags="summer")

        response = member.get(
            reverse("prompts:library"),
            {"tag": "summer"},
            headers={"HX-Request": "true", "HX-Target": "results"},
        )

        page = response.content.decode()
        assert page.strip().startswith('<div id="results">')
        assert "Beach" in page
        assert "Snow" not in page

    def test_it_pages_through_a_long_library(self, member: Client) -> None:
        PromptFactory.create_batch(21)

        first = member.get(reverse("prompts:library"), {"sort": "used"})
        second = member.get(reverse("prompts:library"), {"sort": "used", "page": "2"})

        assert first.content.decode().count('class="prompt-title"') == 20
        assert "?sort=used&amp;page=2" in first.content.decode()
        assert second.content.decode().count('class="prompt-title"') == 1

    def test_with_a_form_to_fill_each_prompt_leads_to_filling_it(self, member: Client) -> None:
        prompt = PromptFactory.create()

        response = member.get(reverse("prompts:library"), {"for": "videos", "tab": "text2video"})

        page = response.content.decode()
        assert "Pick a prompt to fill in the Videos form." in page
        assert f'href="/prompts/{prompt.id}/?for=videos&amp;tab=text2video"' in page

    def test_the_nav_links_to_it(self, member: Client) -> None:
        response = member.get(reverse("prompts:library"))

        assert '<a href="/prompts/" aria-current="page">Prompts</a>' in response.content.decode()


class TestCreate:
    def test_a_member_saves_a_prompt_as_its_author(self, client: Client) -> None:
        author = UserFactory.create()
        client.force_login(author)

        response = client.post(reverse("prompts:create"), CHANGE)

        prompt = Prompt.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("prompts:detail", args=[prompt.id])
        assert (prompt.author, prompt.tags, prompt.variables) == (author, "birds", ["bird"])

    def test_an_empty_text_is_refused_in_words(self, member: Client) -> None:
        response = member.post(reverse("prompts:create"), CHANGE | {"text": "   "})

        assert response.status_code == 400
        assert "Write the prompt&#x27;s text." in response.content.decode()
        assert not Prompt.objects.exists()

    def test_more_than_ten_tags_are_refused(self, member: Client) -> None:
        tags = ",".join(f"t{n}" for n in range(11))

        response = member.post(reverse("prompts:create"), CHANGE | {"tags": tags})

        assert response.status_code == 400
        assert "At most 10 tags, please." in response.content.decode()


class TestPermissions:
    def test_the_author_edits_their_prompt(self, client: Client) -> None:
        prompt = PromptFactory.create()
        client.force_login(prompt.author)

        assert client.get(reverse("prompts:edit", args=[prompt.id])).status_code == 200
        response = client.post(reverse("prompts:edit", args=[prompt.id]), CHANGE)

        assert response.status_code == 302
        prompt.refresh_from_db()
        assert prompt.title == "Owl at dusk"

    def test_an_admin_edits_anyones_prompt(self, admin: Client) -> None:
        prompt = PromptFactory.create()

        response = admin.post(reverse("prompts:edit", args=[prompt.id]), CHANGE)

        assert response.status_code == 302
        prompt.refresh_from_db()
        assert prompt.title == "Owl at dusk"

    def test_another_member_gets_the_sites_403_page(self, member: Client) -> None:
        prompt = PromptFactory.create()

        opened = member.get(reverse("prompts:edit", args=[prompt.id]))
        posted = member.post(reverse("prompts:edit", args=[prompt.id]), CHANGE)

        assert opened.status_code == posted.status_code == 403
        assert "Only its author or an admin can change this prompt." in opened.content.decode()
        assert "Back to the playground" in opened.content.decode()
        prompt.refresh_from_db()
        assert prompt.title == "Fox at dawn"

    def test_another_member_cannot_delete_it(self, member: Client) -> None:
        prompt = PromptFactory.create()

        response = member.post(reverse("prompts:delete", args=[prompt.id]))

        assert response.status_code == 403
        assert Prompt.objects.filter(id=prompt.id).exists()

    def test_the_author_deletes_it(self, client: Client) -> None:
        prompt = PromptFactory.create()
        client.force_login(prompt.author)

        response = client.post(reverse("prompts:delete", args=[prompt.id]))

        assert response["Location"] == reverse("prompts:library")
        assert not Prompt.objects.exists()

    def test_an_admin_deletes_anyones(self, admin: Client) -> None:
        prompt = PromptFactory.create()

        admin.post(reverse("prompts:delete", args=[prompt.id]))

        assert not Prompt.objects.exists()

    def test_only_those_who_may_change_it_see_edit_and_delete(self, client: Client) -> None:
        prompt = PromptFactory.create()
        path = reverse("prompts:detail", args=[prompt.id])
        client.force_login(UserFactory.create())
        as_member = client.get(path).content.decode()
        client.force_login(prompt.author)
        as_author = client.get(path).content.decode()
        client.force_login(AdminFactory.create())
        as_admin = client.get(path).content.decode()

        edit = reverse("prompts:edit", args=[prompt.id])
        assert edit not in as_member
        assert edit in as_author
        assert edit in as_admin

    @pytest.mark.parametrize("name", ["library", "create", "detail", "edit"])
    def test_an_anonymous_visitor_is_sent_to_log_in(self, client: Client, name: str) -> None:
        prompt = PromptFactory.create()
        args = [prompt.id] if name in ("detail", "edit") else []

        response = client.get(reverse(f"prompts:{name}", args=args))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_an_unknown_prompt_is_a_404_in_words(self, member: Client) -> None:
        response = member.get(reverse("prompts:detail", args=[999]))

        assert response.status_code == 404
        assert "No such prompt in the library." in response.content.decode()


def test_the_pager_keeps_the_form_to_fill(member: Client) -> None:
    PromptFactory.create_batch(21)

    response = member.get(reverse("prompts:library"), {"for": "images"})

    assert "?for=images&amp;page=2" in response.content.decode()
