from __future__ import annotations

from uuid import UUID

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from playground.uploads.selectors import upload_get


@require_safe
def file(request: HttpRequest, upload_id: UUID) -> FileResponse:
    """The stored image, for any signed-in member (the login middleware turns others away)."""
    upload = upload_get(upload_id=upload_id)
    if upload is None:
        raise Http404("No such upload.")
    try:
        stored = upload.file.open("rb")
    except FileNotFoundError:
        raise Http404("The upload's file is missing.") from None
    response = FileResponse(stored, content_type=upload.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
