from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from playground.ranges import ranged_file_response
from playground.uploads.selectors import upload_get


@require_safe
def file(request: HttpRequest, upload_id: UUID) -> HttpResponseBase:
    """The stored image, for any signed-in member (the login middleware turns others away)."""
    upload = upload_get(upload_id=upload_id)
    if upload is None:
        raise Http404(_("No such upload."))
    try:
        response = ranged_file_response(request, upload.file, content_type=upload.content_type)
    except FileNotFoundError:
        raise Http404(_("The upload's file is missing.")) from None
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response
