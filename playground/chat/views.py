from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from playground.accounts.http import AuthenticatedHttpRequest
from playground.chat import selectors, services
from playground.chat.forms import ChatForm
from playground.chat.models import Conversation


def render_chat(
    request: AuthenticatedHttpRequest,
    form: ChatForm,
    conversation: Conversation | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "chat",
        "form": form,
        "conversation": conversation,
        "exchanges": selectors.conversation_exchanges(conversation=conversation),
        "models": selectors.model_choices(),
        "recent": selectors.conversation_list(user=request.user),
    }
    template = "chat/page.html#conversation" if request.htmx else "chat/page.html"
    return render(request, template, context, status=status)


def next_form(conversation: Conversation | None) -> ChatForm:
    """A fresh form that keeps the settings of the conversation's last message."""
    last = conversation.exchanges.last() if conversation else None
    if last is None:
        return ChatForm()
    return ChatForm(
        initial={
            "model": last.model,
            "system_prompt": last.system_prompt,
            "temperature": last.temperature,
            "max_tokens": last.max_tokens,
            "conversation": last.conversation_id,
        }
    )


@require_GET
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_chat(request, ChatForm(), None)


@require_GET
def conversation(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    found = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    if found is None:
        raise Http404("No such conversation.")
    return render_chat(request, next_form(found), found)


@require_POST
def send(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ChatForm(request.POST)
    valid = form.is_valid()
    found = None
    if conversation_id := form.cleaned_data.get("conversation"):
        found = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
        if found is None:
            raise Http404("No such conversation.")
    if not valid:
        return render_chat(request, form, found, status=200 if request.htmx else 400)
    exchange = services.chat_send(
        user=request.user,
        conversation=found,
        model=form.cleaned_data["model"],
        system_prompt=form.cleaned_data["system_prompt"],
        message=form.cleaned_data["message"],
        temperature=form.cleaned_data["temperature"],
        max_tokens=form.cleaned_data["max_tokens"],
    )
    url = reverse("chat:conversation", args=[exchange.conversation_id])
    if not request.htmx:
        return redirect(url)
    return push_url(
        render_chat(request, next_form(exchange.conversation), exchange.conversation), url
    )
