from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError

from playground.uploads.models import Upload


def upload_get(*, upload_id: UUID | str) -> Upload | None:
    """The upload with this id, or None (also for a malformed id)."""
    try:
        return Upload.objects.filter(id=upload_id).first()
    except ValidationError:  # a string that is not a UUID
        return None
