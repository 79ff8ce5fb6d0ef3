"""Which of the gateway's models can chat. The gateway lists every model it serves in one
list, image and video models among them; they cannot answer a chat."""

from __future__ import annotations

# A piece of a model id -> what such models make.
NOT_CHAT = {"seedream": "images", "seedance": "videos", "kling": "videos"}


def not_chat_reason(model_id: str) -> str:
    """Why this model cannot chat, in words; "" when it (presumably) can."""
    lowered = model_id.lower()
    for piece, makes in NOT_CHAT.items():
        if piece in lowered:
            return f"{model_id} makes {makes}, not chat answers: pick a chat model."
    return ""


def is_chat_model(model_id: str) -> bool:
    return not not_chat_reason(model_id)
