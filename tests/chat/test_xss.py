"""Prompts and answers are untrusted: each payload, as a prompt and echoed back in the
simulator's answer, comes out as inert text."""

import pytest
from django.test import Client
from django.urls import reverse

from playground.chat.markdown import render_markdown
from playground.chat.models import ChatExchange
from tests.chat.xss import PAYLOADS, script_risks

FORM = {
    "model": "gpt-4o-mini",
    "system_prompt": "",
    "temperature": "0.7",
    "top_p": "1",
    "max_tokens": "1024",
}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_markdown_renderer_leaves_nothing_that_runs(payload: str) -> None:
    html = render_markdown(payload)
    assert script_risks(html) == []
    assert "<script" not in html


def test_the_checker_catches_what_it_should() -> None:
    assert script_risks('<a href=" JavaScript:x">a</a><img src=x onerror=y>') == [
        "a href= JavaScript:x",
        "<img>",
        "img onerror=",
    ]


def test_links_and_code_blocks_survive_sanitising() -> None:
    html = render_markdown("[docs](https://example.com)\n\n```python\nprint(1 < 2)\n```")
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>' in html
    assert '<pre><code class="language-python">print(1 &lt; 2)\n</code></pre>' in html


@pytest.mark.django_db
def test_payloads_as_prompts_and_as_answers_render_inert(as_owner: Client, team_key: str):
    response = as_owner.post(reverse("chat:send"), FORM | {"message": PAYLOADS[0]})
    conversation_url = response["Location"].split("#")[0]
    for payload in PAYLOADS[1:]:
        as_owner.post(f"{conversation_url}send/", FORM | {"message": payload})
    exchanges = list(ChatExchange.objects.order_by("id"))
    assert len(exchanges) == len(PAYLOADS)
    assert all(e.status == "done" and "you said" in e.reply for e in exchanges)
    assert any("<script>" in e.reply for e in exchanges), "the answer echoed the payloads"
    page = as_owner.get(conversation_url).content.decode()
    assert script_risks(page) == []
