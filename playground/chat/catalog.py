"""Which of the gateway's models can chat. The gateway lists every model it serves in one
list, image and video models among them; they cannot answer a chat."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# A piece of a model id -> why such models cannot chat.
NOT_CHAT = {
    "seedream": gettext_lazy("%(model)s makes images, not chat answers: pick a chat model."),
    "seedance": gettext_lazy("%(model)s makes videos, not chat answers: pick a chat model."),
    "kling": gettext_lazy("%(model)s makes videos, not chat answers: pick a chat model."),
}


def not_chat_reason(model_id: str) -> str:
    """Why this model cannot chat, in words; "" when it (presumably) can."""
    lowered = model_id.lower()
    for piece, sentence in NOT_CHAT.items():
        if piece in lowered:
            return str(sentence) % {"model": model_id}
    return ""


def is_chat_model(model_id: str) -> bool:
    return not not_chat_reason(model_id)
