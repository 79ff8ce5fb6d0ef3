"""Fetching an image from a URL a user typed, without letting that URL reach inside our network.

A user-typed URL is a server-side request forgery risk: it may point at loopback, the cloud
metadata service (169.254.169.254) or a private network, directly, through a DNS name, or
through a redirect. So this module:

- accepts only http(s) URLs without userinfo;
- resolves the host once with ``socket.getaddrinfo`` and refuses it when any address is not a
  public unicast address (IPv4-mapped, NAT64, 6to4 and Teredo addresses are unwrapped first);
- connects to the addresses it checked, never resolving the name again (no DNS rebinding),
  while the Host header, TLS SNI and certificate check still use the hostname;
- follows at most three redirects by hand, checking each hop by the same rules;
- bounds time (connect, each read, and the whole fetch) and size (Content-Length first, then
  every byte read), and accepts PNG, JPEG and WebP only, by header and by magic bytes.

It never sends the gateway key, cookies or any Authorization header, and it ignores proxy
environment variables (a proxy would connect to a name we did not check).
Every refusal is a ``FetchError`` whose message is a sentence a user can read; it names the
URL's host and nothing else of the URL (a query string may hold a token).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import certifi
from django.utils.translation import gettext_noop
from urllib3 import HTTPConnectionPool, HTTPResponse, HTTPSConnectionPool, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# The whole fetch (every hop, and the body) must finish within this many times `timeout`.
TOTAL_TIME_FACTOR = 3
CHUNK_SIZE = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
USER_AGENT = "StarrisePlayground/1 (image fetch)"

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
# Header spellings seen in the wild for the same three types.
TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}

NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class FetchError(Exception):
    """A refused or failed fetch. ``message`` names the URL's host, never its path or query."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str
    final_url: str


@dataclass(frozen=True)
class Target:
    """One hop's URL, split, with the addresses its host resolved to (all of them checked)."""

    url: str
    scheme: str
    host: str  # lower case, IDNA-encoded, IPv6 without brackets
    port: int
    explicit_port: bool
    request_target: str  # path and query, what goes on the request line
    addresses: tuple[tuple[int, Any], ...]  # (family, sockaddr) from getaddrinfo

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.explicit_port else host


def fetch_image(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 10.0,
    allowed_hosts: Collection[str] = (),
) -> Fetched:
    """Downloads the PNG, JPEG or WebP image at `url`, refusing anything unsafe or unexpected.

    `allowed_hosts` ("host" or "host:port") skip the public-address check: the caller passes the
    simulator's host in local mode. A "host" entry without a port allows ports 80 and 443 only.
    """
    allowed = _allowed_set(allowed_hosts)
    deadline = time.monotonic() + timeout * TOTAL_TIME_FACTOR
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = _target(current, allowed)
        response, pool = _request(target, timeout)
        try:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(
                        gettext_noop("%(host)s sent a redirect without a destination.")
                        % {"host": target.host}
                    )
                try:
                    current = urljoin(target.url, location.strip())
                except ValueError:
                    raise FetchError(
                        gettext_noop("%(host)s sent a redirect to an invalid URL.")
                        % {"host": target.host}
                    ) from None
                continue
            if response.status != 200:
                raise FetchError(
                    gettext_noop("%(host)s answered with HTTP %(status)s.")
                    % {"host": target.host, "status": response.status}
                )
            content_type = _declared_type(response, target)
            content = _read_body(
                response, target, max_bytes=max_bytes, timeout=timeout, deadline=deadline
            )
        finally:
            response.release_conn()
            pool.close()
        return Fetched(
            content=content,
            content_type=_checked_type(content, content_type, target),
            final_url=target.url,
        )
    raise FetchError(
        gettext_noop("%(host)s redirected more than %(count)s times.")
        % {"host": _host_for_message(url), "count": MAX_REDIRECTS}
    )


# -- Checking the URL and its addresses --------------------------------------------------------


def _target(url: str, allowed: frozenset[tuple[str, int]]) -> Target:
    if any(ord(char) <= 0x20 or char in "\\\x7f" for char in url):
        raise FetchError(gettext_noop("That URL contains spaces or characters a URL cannot hold."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(gettext_noop("That URL is not a valid http(s) URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchError(gettext_noop("Only http and https URLs can be fetched."))
    if "@" in parts.netloc:
        raise FetchError(gettext_noop("URLs with a user name or password cannot be fetched."))
    if not parts.hostname:
        raise FetchError(gettext_noop("That URL has no host name."))
    host = _idna(parts.hostname)
    effective_port = port if port is not None else DEFAULT_PORTS[scheme]
    addresses = _resolve(host, effective_port)
    if (host, effective_port) not in allowed:
        for _family, sockaddr in addresses:
            if not _is_public(str(sockaddr[0])):
                raise FetchError(
                    gettext_noop(
                        "%(host)s is on a private network; the playground only fetches public "
                        "http(s) URLs."
                    )
                    % {"host": host}
                )
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/?%:@!$&'()*+,;=-._~")
    return Target(
        url=url,
        scheme=scheme,
        host=host,
        port=effective_port,
        explicit_port=port is not None,
        request_target=f"{path}?{query}" if query else path,
        addresses=addresses,
    )


def _idna(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError(gettext_noop("That URL's host name is not valid.")) from None


def _resolve(host: str, port: int) -> tuple[tuple[int, Any], ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(gettext_noop("%(host)s could not be found.") % {"host": host}) from None
    addresses = tuple(
        (family, sockaddr)
        for family, _type, _proto, _name, sockaddr in infos
        if family in (socket.AF_INET, socket.AF_INET6)
    )
    if not addresses:
        raise FetchError(gettext_noop("%(host)s could not be found.") % {"host": host})
    return addresses


def _is_public(address: str) -> bool:
    """True only for a global unicast address, after unwrapping addresses that embed IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not _is_public(str(embedded)):
            return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _allowed_set(allowed_hosts: Collection[str]) -> frozenset[tuple[str, int]]:
    allowed: set[tuple[str, int]] = set()
    for entry in allowed_hosts:
        parts = urlsplit(f"//{entry.strip()}")
        if not parts.hostname:
            continue
        host = _idna(parts.hostname)
        try:
            port = parts.port
        except ValueError:
            continue
        if port is None:
            allowed.update({(host, 80), (host, 443)})
        else:
            allowed.add((host, port))
    return frozenset(allowed)


def _host_for_message(url: str) -> str:
    try:
        return urlsplit(url).hostname or gettext_noop("That host")
    except ValueError:
        return gettext_noop("That host")


# -- Connecting to the checked addresses -------------------------------------------------------


def _connect_pinned(
    addresses: tuple[tuple[int, Any], ...],
    *,
    timeout: Any,
    socket_options: Any,
    connection: HTTPConnection,
) -> socket.socket:
    """Connects to the first of `addresses` that answers. No name is looked up here."""
    error: OSError | None = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except TimeoutError as exc:
            sock.close()
            raise ConnectTimeoutError(
                connection, f"Connection to {connection.host} timed out."
            ) from exc
        except OSError as exc:
            sock.close()
            error = exc
    raise NewConnectionError(connection, f"Failed to establish a new connection: {error}")


class PinnedHTTPConnection(HTTPConnection):
    """An HTTP connection that connects to checked addresses instead of resolving its host."""

    def __init__(self, *args: Any, addresses: tuple[tuple[int, Any], ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.addresses = addresses

    def _new_conn(self) -> socket.socket:
        return _connect_pinned(
            self.addresses,
            timeout=self.timeout,
            socket_options=self.socket_options,
            connection=self,
        )


class PinnedHTTPSConnection(HTTPSConnection):
    """As PinnedHTTPConnection; TLS still uses the hostname for SNI and certificate checks."""

    def __init__(self, *args: Any, addresses: tuple[tuple[int, Any], ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.addresses = addresses

    def _new_conn(self) -> socket.socket:
        return _connect_pinned(
            self.addresses,
            timeout=self.timeout,
            socket_options=self.socket_options,
            connection=self,
        )


class PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection


def _pool(target: Target, timeout: float) -> HTTPConnectionPool:
    limits = Timeout(connect=timeout, read=timeout)
    if target.scheme == "https":
        return PinnedHTTPSConnectionPool(
            target.host,
            target.port,
            timeout=limits,
            maxsize=1,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            addresses=target.addresses,
        )
    return PinnedHTTPConnectionPool(
        target.host,
        target.port,
        timeout=limits,
        maxsize=1,
        retries=False,
        addresses=target.addresses,
    )


def _request(target: Target, timeout: float) -> tuple[HTTPResponse, HTTPConnectionPool]:
    pool = _pool(target, timeout)
    headers = {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": ", ".join(IMAGE_TYPES),
        "Accept-Encoding": "identity",
    }
    try:
        response = pool.urlopen(
            "GET",
            target.request_target,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
    except HTTPError as exc:
        pool.close()
        raise _transport_error(exc, target, timeout) from None
    assert isinstance(response, HTTPResponse)
    return response, pool


def _transport_error(exc: HTTPError, target: Target, timeout: float) -> FetchError:
    if isinstance(exc, NewConnectionError):
        return FetchError(gettext_noop("Could not connect to %(host)s.") % {"host": target.host})
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        return FetchError(
            gettext_noop("%(host)s did not answer within %(wait)s.")
            % {"host": target.host, "wait": _seconds(timeout)}
        )
    if isinstance(exc, SSLError):
        return FetchError(
            gettext_noop("%(host)s's secure connection could not be verified.")
            % {"host": target.host}
        )
    return FetchError(gettext_noop("%(host)s sent a broken answer.") % {"host": target.host})


def _seconds(value: float) -> str:
    if value == 1:
        return gettext_noop("1 second")
    return gettext_noop("%(count)s seconds") % {"count": f"{value:g}"}


# -- Reading and checking the image ------------------------------------------------------------


def _declared_type(response: HTTPResponse, target: Target) -> str:
    header = response.headers.get("Content-Type", "")
    media_type = header.split(";", 1)[0].strip().lower()
    media_type = TYPE_ALIASES.get(media_type, media_type)
    if media_type not in IMAGE_TYPES:
        raise FetchError(
            (
                gettext_noop(
                    "The file at %(host)s is not a PNG, JPEG or WebP image (it is %(type)s)."
                )
                if media_type
                else gettext_noop(
                    "The file at %(host)s is not a PNG, JPEG or WebP image (it has no content "
                    "type)."
                )
            )
            % {"host": target.host, "type": media_type}
        )
    return media_type


def _read_body(
    response: HTTPResponse, target: Target, *, max_bytes: int, timeout: float, deadline: float
) -> bytes:
    too_large = FetchError(
        gettext_noop("The image at %(host)s is larger than %(limit)s.")
        % {"host": target.host, "limit": _megabytes(max_bytes)}
    )
    length = response.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := response.read(CHUNK_SIZE):
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            if time.monotonic() > deadline:
                raise FetchError(
                    gettext_noop("%(host)s took longer than %(wait)s to send the image.")
                    % {"host": target.host, "wait": _seconds(timeout * TOTAL_TIME_FACTOR)}
                )
            chunks.append(chunk)
    except HTTPError as exc:
        raise _transport_error(exc, target, timeout) from None
    except OSError as exc:  # a read timeout may surface as the socket's own error
        if isinstance(exc, TimeoutError):
            raise FetchError(
                gettext_noop("%(host)s did not answer within %(wait)s.")
                % {"host": target.host, "wait": _seconds(timeout)}
            ) from None
        raise FetchError(
            gettext_noop("%(host)s sent a broken answer.") % {"host": target.host}
        ) from None
    return b"".join(chunks)


def sniff_image_type(content: bytes) -> str | None:
    """The image type the magic bytes say, or None when they are not PNG, JPEG or WebP."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _checked_type(content: bytes, declared: str, target: Target) -> str:
    sniffed = sniff_image_type(content)
    if sniffed is None:
        raise FetchError(
            gettext_noop(
                "The file at %(host)s says it is %(type)s but is not a PNG, JPEG or WebP image."
            )
            % {"host": target.host, "type": declared}
        )
    # A server that labels a PNG as image/jpeg still served an image: trust the bytes.
    return sniffed


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
