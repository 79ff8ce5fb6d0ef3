from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from playground.accounts.http import AuthenticatedHttpRequest
from playground.chat import selectors, services, streaming
from playground.chat.forms import ChatForm, ChatSettingsForm, RenameForm
from playground.chat.models import ChatExchange, Conversation
from playground.chat.services import ChatSettings
from playground.usage.services import QuotaExceeded


def found_conversation(conversation_id: int) -> Conversation:
    conversation = selectors.conversation_get(conversation_id=conversation_id)
    if conversation is None:
        raise Http404(_("No such conversation."))
    return conversation


def found_exchange(exchange_id: int) -> ChatExchange:
    exchange = selectors.exchange_get(exchange_id=exchange_id)
    if exchange is None:
        raise Http404(_("No such message."))
    return exchange


def owned_exchange(request: AuthenticatedHttpRequest, exchange_id: int) -> ChatExchange:
    exchange = found_exchange(exchange_id)
    services.must_own(exchange.conversation, request.user)
    return exchange


def chat_context(
    request: AuthenticatedHttpRequest, conversation: Conversation | None, form: ChatForm
) -> dict[str, Any]:
    return {
        "nav": "chat",
        "form": form,
        "conversation": conversation,
        "can_edit": conversation is None or conversation.is_owned_by(request.user),
        "exchanges": selectors.conversation_exchanges(conversation=conversation),
        "totals": selectors.conversation_totals(conversation=conversation),
        "recent": selectors.conversation_list(),
    }


def render_chat(
    request: AuthenticatedHttpRequest,
    conversation: Conversation | None,
    form: ChatForm,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or for htmx only the chat (sidebar, messages, composer, parameters)."""
    template = "chat/page.html#chat" if request.htmx else "chat/page.html"
    context = chat_context(request, conversation, form)
    return render(request, template, context, status=status)


def fresh_form(conversation: Conversation, message: str = "") -> ChatForm:
    return ChatForm(
        initial={**selectors.conversation_settings(conversation=conversation), "message": message}
    )


def conversation_url(conversation: Conversation) -> str:
    return reverse("chat:conversation", args=[conversation.id])


def from_library(request: AuthenticatedHttpRequest) -> dict[str, str]:
    """`?message=` or `?system_prompt=`: a prompt filled in from the library without JavaScript."""
    return {name: request.GET[name] for name in ("message", "system_prompt") if name in request.GET}


@require_GET
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = selectors.new_chat_settings(user=request.user) | from_library(request)
    return render_chat(request, None, ChatForm(initial=initial))


@require_GET
def conversation(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    found = found_conversation(conversation_id)
    form = fresh_form(found)
    form.initial.update(from_library(request))
    return render_chat(request, found, form)


@require_GET
def exchange(request: AuthenticatedHttpRequest, exchange_id: int) -> HttpResponse:
    """One message as its conversation shows it. A teammate's page asks for a running answer
    here every 2 s (the stream is its owner's) and gets the final state without the trigger,
    so the asking stops. Without htmx: the conversation's page, at the message."""
    found = found_exchange(exchange_id)
    if not request.htmx:
        url = reverse("chat:conversation", args=[found.conversation_id])
        return redirect(f"{url}#exchange-{found.id}")
    context = {
        "exchange": found,
        "conversation": found.conversation,
        "can_edit": found.conversation.is_owned_by(request.user),
    }
    return render(request, "chat/page.html#exchange", context)


@require_GET
def models(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The model picker's list, loaded after the page (htmx `load`), never during it."""
    return render(request, "chat/models.html", {"models": selectors.model_choices()})


@require_POST
def send(request: AuthenticatedHttpRequest, conversation_id: int | None = None) -> HttpResponse:
    """Saves the message first. With JS the page then streams the answer; without, the answer
    is fetched here and the conversation shows it after the redirect."""
    found = found_conversation(conversation_id) if conversation_id else None
    if found is not None:
        services.must_own(found, request.user)
    form = ChatForm(request.POST)
    if not form.is_valid():
        return render_chat(request, found, form, status=200 if request.htmx else 400)
    try:
        exchange = services.chat_send(
            user=request.user,
            conversation=found,
            chat_settings=ChatSettings.from_form(form.cleaned_data),
            message=form.cleaned_data["message"],
        )
    except QuotaExceeded as error:  # a valid form, refused: the page says why, in words
        form.add_error(None, error)
        return render_chat(request, found, form)
    conversation = exchange.conversation
    url = conversation_url(conversation)
    if not request.htmx:
        services.exchange_run(exchange_id=exchange.id)
        return redirect(f"{url}#exchange-{exchange.id}")
    return push_url(render_chat(request, conversation, fresh_form(conversation)), url)


@require_POST
def save_settings(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    found = found_conversation(conversation_id)
    services.must_own(found, request.user)
    settings_form = ChatSettingsForm(request.POST)
    message = request.POST.get("message", "")
    if not settings_form.is_valid():
        form = ChatForm(request.POST)
        form.is_valid()  # shows the parameters' errors; a missing message is not one here
        form.errors.pop("message", None)
        return render_chat(request, found, form, status=200 if request.htmx else 400)
    services.conversation_settings_update(
        user=request.user,
        conversation=found,
        chat_settings=ChatSettings.from_form(settings_form.cleaned_data),
    )
    if not request.htmx:
        return redirect(conversation_url(found))
    return render_chat(request, found, fresh_form(found, message))


@require_POST
def rename(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    found = found_conversation(conversation_id)
    form = RenameForm(request.POST)
    services.must_own(found, request.user)
    if form.is_valid():
        services.conversation_rename(
            user=request.user, conversation=found, title=form.cleaned_data["title"]
        )
    return redirect(conversation_url(found))


@require_POST
def delete(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    found = found_conversation(conversation_id)
    services.conversation_delete(user=request.user, conversation=found)
    return redirect("chat:page")


@require_POST
def fork(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    copy = services.conversation_fork(
        user=request.user, conversation=found_conversation(conversation_id)
    )
    return redirect(conversation_url(copy))


@require_POST
def regenerate(request: AuthenticatedHttpRequest, conversation_id: int) -> HttpResponse:
    found = found_conversation(conversation_id)
    try:
        exchange = services.exchange_regenerate(user=request.user, conversation=found)
    except QuotaExceeded as error:
        if not request.htmx:
            messages.error(request, " ".join(error.messages))
            return redirect(conversation_url(found))
        # A bound form, to carry the refusal; what was typed stays, and may be empty here.
        data = selectors.conversation_settings(conversation=found)
        form = ChatForm({**data, "message": request.POST.get("message", "")})
        form.is_valid()
        form.errors.pop("message", None)
        form.add_error(None, error)
        return render_chat(request, found, form)
    if not request.htmx:
        if exchange is not None:
            services.exchange_run(exchange_id=exchange.id)
        return redirect(conversation_url(found))
    return render_chat(request, found, fresh_form(found, request.POST.get("message", "")))


@require_POST
def stop(request: AuthenticatedHttpRequest, exchange_id: int) -> HttpResponse:
    exchange = owned_exchange(request, exchange_id)
    services.exchange_stop(user=request.user, exchange=exchange)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(conversation_url(exchange.conversation))


@require_GET
def stream(request: AuthenticatedHttpRequest, exchange_id: int) -> StreamingHttpResponse:
    """The answer as server-sent events: `delta` events with text as it arrives, then `done`
    with the answer rendered (Markdown, sanitised) and the conversation's new totals."""
    answering = selectors.answering_get(exchange_id=exchange_id)
    if answering is None:
        raise Http404(_("No such message."))
    exchange = answering.exchange
    services.must_own(exchange, request.user)

    def finished() -> dict[str, str]:
        ended = selectors.exchange_get(exchange_id=exchange_id)
        if ended is None:  # deleted meanwhile
            return {"html": "", "totals": ""}
        context = {"exchange": ended, "conversation": ended.conversation, "can_edit": True}
        totals = selectors.conversation_totals(conversation=ended.conversation)
        return {
            "html": render_to_string("chat/page.html#exchange", context, request),
            "totals": render_to_string("chat/page.html#totals", {"totals": totals}, request),
        }

    return streaming.answer_events(
        lambda: services.exchange_stream(answering=answering),
        pending=exchange.status == ChatExchange.Status.PENDING,
        still_running=lambda: selectors.exchange_running(exchange_id=exchange_id),
        finished=finished,
    )
