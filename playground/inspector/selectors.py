"""Reads of the inspector's records, and who may see them."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.urls import reverse

from playground.accounts.models import User
from playground.chat.models import ChatExchange
from playground.images.models import Generation
from playground.inspector.models import Exchange
from playground.videos.models import VideoJob

Kind = Exchange.Kind


def can_inspect(*, user: User) -> bool:
    """Admins see every record and members their team's. The playground has one team, so
    every active user sees them all; a second team would narrow this (and the lists below)."""
    return user.is_active


def exchange_get(*, exchange_id: int) -> Exchange | None:
    return Exchange.objects.filter(id=exchange_id).first()


def exchange_list(*, kind: str, source_id: str) -> QuerySet[Exchange]:
    """The records of one chat message, image request or video job, oldest first, without
    their big texts (for a list of links)."""
    return (
        Exchange.objects.filter(kind=kind, source_id=source_id)
        .order_by("id")
        .only("id", "kind", "source_id", "method", "url", "status", "error", "sent_at")
    )


def exchange_for_source(*, kind: str, source_id: str) -> Exchange | None:
    """The record an "Inspect" link opens: the newest request that sent something (a chat
    message's latest answer, an image request, a video job's submit), else the newest poll."""
    found = Exchange.objects.filter(kind=kind, source_id=source_id)
    return found.filter(method="POST").order_by("-id").first() or found.order_by("-id").first()


def source_url(*, kind: str, source_id: str) -> str | None:
    """Where the chat message, image request or video job is shown; None when it is gone."""
    if kind == Kind.CHAT and source_id.isdigit():
        exchange = ChatExchange.objects.filter(id=int(source_id)).only("conversation_id").first()
        if exchange is None:
            return None
        conversation = reverse("chat:conversation", args=[exchange.conversation_id])
        return f"{conversation}#exchange-{source_id}"
    try:
        row_id = uuid.UUID(source_id)
    except ValueError:
        return None
    if kind == Kind.IMAGE and Generation.objects.filter(id=row_id).exists():
        return reverse("images:generation", args=[row_id])
    if kind == Kind.VIDEO and VideoJob.objects.filter(id=row_id).exists():
        return reverse("videos:job", args=[row_id])
    return None
