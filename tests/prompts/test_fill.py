"""Using a prompt: the picker inside a form's page, the variables' form, and the fill, which
puts the text in the right field with htmx, or redirects to the form's page without it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from playground.prompts.models import Prompt
from tests.chat.factories import ConversationFactory
from tests.prompts.factories import PromptFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
VALUES = {"var_animal": "fox", "var_style": "in ink"}
FILLED = "A fox in the snow at dawn, in ink"


def fill_url(prompt: Prompt, query: str = "") -> str:
    return reverse("prompts:fill", args=[prompt.id]) + (f"?{query}" if query else "")


def redirected_query(location: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(location)
    return parts.path, parse_qs(parts.query)


class TestPickerButton:
    @pytest.mark.parametrize(
        ("page", "query"),
        [
            (reverse("images:page"), "for=images"),
            (reverse("videos:page") + "?tab=text2video", "for=videos&amp;tab=text2video"),
            (reverse("chat:page"), "for=chat"),
        ],
    )
    def test_each_form_page_has_it_with_a_plain_link_fallback(
        self, member: Client, page: str, query: str
    ) -> None:
        html = member.get(page).content.decode()

        assert f'href="/prompts/?{query}"' in html
        assert f'hx-get="/prompts/picker/?{query}"' in html
        assert 'id="prompt-picker-body"' in html

    def test_in_a_conversation_it_comes_back_to_that_conversation(self, client: Client) -> None:
        conversation = ConversationFactory.create()
        client.force_login(conversation.user)

        html = client.get(reverse("chat:conversation", args=[conversation.id])).content.decode()

        assert f"/prompts/picker/?for=chat&amp;conversation={conversation.id}" in html


class TestPicker:
    def test_it_lists_only_prompts_for_an_image_form(self, member: Client) -> None:
        PromptFactory.create(title="Be terse", kind="system")
        prompt = PromptFactory.create()

        html = member.get(reverse("prompts:picker"), {"for": "images"}, headers=HTMX)

        page = html.content.decode()
        assert "Be terse" not in page
        assert f'hx-get="/prompts/{prompt.id}/?for=images"' in page

    def test_the_chat_takes_system_prompts_too(self, member: Client) -> None:
        PromptFactory.create(title="Be terse", kind="system")

        html = member.get(reverse("prompts:picker"), {"for": "chat"}, headers=HTMX)

        assert "Be terse" in html.content.decode()

    def test_it_searches(self, member: Client) -> None:
        PromptFactory.create(title="Harbour")
        PromptFactory.create(title="Forest")

        html = member.get(reverse("prompts:picker"), {"for": "images", "q": "harb"}, headers=HTMX)

        assert "Harbour" in html.content.decode()
        assert "Forest" not in html.content.decode()

    def test_choosing_a_prompt_shows_one_field_per_variable(self, member: Client) -> None:
        prompt = PromptFactory.create(text="{{animal}} {{style}} {{animal}}")

        response = member.get(
            reverse("prompts:detail", args=[prompt.id]), {"for": "images"}, headers=HTMX
        )

        page = response.content.decode()
        assert page.count('name="var_animal"') == 1
        assert page.count('name="var_style"') == 1
        assert 'name="for"' not in page  # the picker knows the form already
        assert f'hx-post="/prompts/{prompt.id}/fill/?for=images"' in page
        assert 'hx-target="#prompt-picker-body"' in page
        assert "<h1" not in page  # a fragment, not the page


class TestFillWithHtmx:
    @pytest.mark.parametrize(
        ("target", "kind", "field"),
        [
            ("images", "prompt", "id_prompt"),
            ("videos", "prompt", "id_prompt"),
            ("chat", "prompt", "id_message"),
            ("chat", "system", "id_system_prompt"),
        ],
    )
    def test_it_answers_the_filled_text_for_the_right_field(
        self, member: Client, target: str, kind: str, field: str
    ) -> None:
        prompt = PromptFactory.create(kind=kind)

        response = member.post(fill_url(prompt, f"for={target}"), VALUES, headers=HTMX)

        assert response.status_code == 200
        page = response.content.decode()
        assert (
            f'<textarea hidden aria-hidden="true" data-prompt-fill="{field}">\n{FILLED}</textarea>'
            in page
        )
        assert "Filled in from “Fox at dawn”." in page

    def test_it_counts_a_use(self, member: Client) -> None:
        prompt = PromptFactory.create()

        member.post(fill_url(prompt, "for=images"), VALUES, headers=HTMX)

        prompt.refresh_from_db()
        assert prompt.use_count == 1

    def test_a_missing_value_is_a_form_error_in_the_picker(self, member: Client) -> None:
        prompt = PromptFactory.create()

        response = member.post(
            fill_url(prompt, "for=images"), {"var_animal": "fox", "var_style": " "}, headers=HTMX
        )

        page = response.content.decode()
        assert response.status_code == 200  # htmx swaps 200s only
        assert "Give a value for this variable." in page
        assert "data-prompt-fill" not in page
        assert 'value="fox"' in page
        prompt.refresh_from_db()
        assert prompt.use_count == 0

    def test_the_filled_text_is_escaped(self, member: Client) -> None:
        prompt = PromptFactory.create(text="{{x}}")

        response = member.post(
            fill_url(prompt, "for=images"), {"var_x": "</textarea><script>1</script>"}, headers=HTMX
        )

        assert "&lt;/textarea&gt;&lt;script&gt;" in response.content.decode()


class TestFillWithoutJavaScript:
    def test_it_redirects_to_the_image_form_with_the_prompt(self, member: Client) -> None:
        prompt = PromptFactory.create()

        response = member.post(fill_url(prompt, "for=images"), VALUES)

        assert response.status_code == 302
        assert redirected_query(response["Location"]) == ("/images/", {"prompt": [FILLED]})
        prompt.refresh_from_db()
        assert prompt.use_count == 1

    def test_the_video_form_keeps_its_tab(self, member: Client) -> None:
        prompt = PromptFactory.create()

        response = member.post(fill_url(prompt, "for=videos&tab=text2video"), VALUES)

        path, query = redirected_query(response["Location"])
        assert (path, query) == ("/videos/", {"tab": ["text2video"], "prompt": [FILLED]})

    def test_a_system_prompt_goes_to_the_chats_system_prompt(self, member: Client) -> None:
        prompt = PromptFactory.create(kind="system")

        response = member.post(fill_url(prompt, "for=chat&conversation=7"), VALUES)

        path, query = redirected_query(response["Location"])
        assert (path, query) == ("/chat/7/", {"system_prompt": [FILLED]})

    def test_on_the_library_page_the_form_asks_which_form_to_fill(self, member: Client) -> None:
        prompt = PromptFactory.create()

        page = member.get(reverse("prompts:detail", args=[prompt.id])).content.decode()
        response = member.post(fill_url(prompt), VALUES | {"for": "chat"})

        assert '<select name="for"' in page
        assert redirected_query(response["Location"]) == ("/", {"message": [FILLED]})

    def test_a_missing_value_shows_the_page_again_with_the_error(self, member: Client) -> None:
        prompt = PromptFactory.create()

        response = member.post(fill_url(prompt, "for=images"), {"var_animal": "fox"})

        assert response.status_code == 400
        assert "Give a value for this variable." in response.content.decode()
        prompt.refresh_from_db()
        assert prompt.use_count == 0

    def test_a_text_too_long_for_a_link_is_shown_to_copy(self, member: Client) -> None:
        prompt = PromptFactory.create(text="{{x}}")

        response = member.post(fill_url(prompt, "for=images"), {"var_x": "雪" * 1000})

        assert response.status_code == 200
        assert "too long to carry over in a link" in response.content.decode()
        assert "雪" * 1000 in response.content.decode()

    @pytest.mark.parametrize(
        ("path", "field", "value"),
        [
            ("/images/?prompt=A+fox", "prompt", "A fox"),
            ("/videos/?tab=text2video&prompt=A+fox", "prompt", "A fox"),
            ("/?message=A+fox", "message", "A fox"),
            ("/?system_prompt=Be+terse", "system_prompt", "Be terse"),
        ],
    )
    def test_the_form_pages_start_with_the_text_filled_in(
        self, member: Client, path: str, field: str, value: str
    ) -> None:
        response = member.get(path)

        assert response.context["form"][field].value() == value

    def test_a_conversation_starts_with_the_text_filled_in(self, client: Client) -> None:
        conversation = ConversationFactory.create(system_prompt="old")
        client.force_login(conversation.user)

        path = reverse("chat:conversation", args=[conversation.id])
        response = client.get(path, {"system_prompt": "Be terse"})

        assert response.context["form"]["system_prompt"].value() == "Be terse"
        assert response.context["form"]["model"].value() == "gpt-4o-mini"
