"""Serves a stored file with HTTP Range support, so a <video> player can seek.

Django's FileResponse always sends the whole file; browsers ask for byte ranges to seek and
Safari will not play a video without them.

Behind the compose file's nginx (PLAYGROUND_ACCEL_REDIRECT=1) the view still checks the login,
then answers with an empty body and X-Accel-Redirect, and nginx sends the file from an
`internal` location that no client can ask for directly, Range requests included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _chunks(file: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        file.seek(start)
        while length > 0:
            data = file.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        file.close()


def _accel_redirect_response(field: FieldFile, *, content_type: str) -> HttpResponse:
    name = field.name or ""
    if not name or not field.storage.exists(name):
        raise FileNotFoundError(name)
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = settings.ACCEL_REDIRECT_PREFIX + quote(name)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def ranged_file_response(
    request: HttpRequest, field: FieldFile, *, content_type: str
) -> HttpResponseBase:
    """The file for a request the view has allowed; FileNotFoundError when it is missing."""
    # Only files on the shared media volume can be handed over; an object store cannot.
    if settings.ACCEL_REDIRECT and isinstance(field.storage, FileSystemStorage):
        return _accel_redirect_response(field, content_type=content_type)
    size = field.size
    start, end, status = 0, size - 1, 200
    header = request.headers.get("Range", "")
    if match := RANGE.match(header.strip()):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        elif last:
            start = max(0, size - int(last))
        if not (first or last) or start > end or start >= size:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        status = 206
    length = end - start + 1
    response = StreamingHttpResponse(
        _chunks(field.open("rb"), start, length), status=status, content_type=content_type
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
