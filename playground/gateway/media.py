"""Images sent to the gateway, and media it hands back: downloaded in a stream, without the key."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext_noop

from playground.gateway.errors import (
    GatewayError,
    GatewayMediaExpiredError,
    GatewayRateLimitError,
    GatewayUnavailableError,
)
from playground.gateway.transport import Transport, stream_chunks

CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True)
class ImageSource:
    """An image for the gateway: a URL sent as is, or stored bytes sent as base64."""

    url: str | None = None  # sent as given when set
    reference: str | None = None  # what the saved record shows instead of base64
    content_type: str = "image/png"
    # The bytes, loaded only when the wire body is built.
    read: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    def wire(self, *, data_uri: bool) -> str:
        """What the gateway gets: the URL, else the bytes in base64 (raw, or as a data URI)."""
        if self.url:
            return self.url
        if self.read is None:
            raise ValueError("An ImageSource needs a url or a read function.")
        encoded = base64.b64encode(self.read()).decode("ascii")
        return f"data:{self.content_type};base64,{encoded}" if data_uri else encoded

    def record(self) -> str:
        """What a saved record shows: the URL, else the reference (never the bytes)."""
        return self.url or self.reference or ""


@dataclass(frozen=True)
class Download:
    size: int
    sha256: str
    content_type: str


def download(
    url: str,
    into: BinaryIO,
    *,
    max_bytes: int | None = None,
    transport: Transport | None = None,
) -> Download:
    """Streams the media at `url` into `into`, hashing as it goes, without the key.

    Raises GatewayMediaExpiredError for an expired or missing file, GatewayError over
    `max_bytes`, and the retryable errors for a stall, a lost connection or a 5xx (start again
    with an empty file)."""
    transport = transport or Transport(key=None, base_url=settings.STARRISE_BASE_URL)
    response = transport.open_media(url, error_for=media_error)
    with response:
        announced = response.headers.get("Content-Length", "")
        if max_bytes is not None and announced.isdigit() and int(announced) > max_bytes:
            raise too_large(max_bytes)
        digest = hashlib.sha256()
        size = 0
        for chunk in stream_chunks(response, chunk_size=CHUNK_SIZE):
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise too_large(max_bytes)
            digest.update(chunk)
            into.write(chunk)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return Download(
        size=size,
        sha256=digest.hexdigest(),
        content_type=content_type or "application/octet-stream",
    )


def media_error(status: int) -> GatewayError:
    if status in (403, 404, 410):
        return GatewayMediaExpiredError(
            gettext_noop(
                "The file is no longer available from the gateway (%(status)s): its link expired "
                "or it was removed. Run the job again to get a new one."
            )
            % {"status": status},
            status=status,
        )
    if status == 429:
        return GatewayRateLimitError(
            gettext_noop("The media host is rate-limiting downloads (429): try again shortly."),
            status=status,
        )
    if status >= 500:
        return GatewayUnavailableError(
            gettext_noop("The media host had an error (%(status)s): try again shortly.")
            % {"status": status},
            status=status,
        )
    return GatewayError(
        gettext_noop("The media host refused the download (%(status)s).") % {"status": status},
        status=status,
    )


def too_large(max_bytes: int) -> GatewayError:
    megabytes = max_bytes / (1024 * 1024)
    return GatewayError(
        gettext_noop(
            "The file is larger than the %(megabytes)s MB this playground keeps; it was not saved."
        )
        % {"megabytes": f"{megabytes:g}"}
    )
