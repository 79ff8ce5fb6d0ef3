"""fetch_image against real servers on 127.0.0.1: what it fetches, and everything it refuses."""

from __future__ import annotations

import datetime
import io
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

from playground.gateway.fetch import FetchError, fetch_image

MB = 1024 * 1024


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


PNG = png_bytes()


@dataclass
class Route:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunked: bool = False


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class WebServer:
    """A tiny HTTP server on 127.0.0.1 answering from a dict of routes, recording each request."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path, Route(status=404, body=b"not found"))
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(route.body), 4096):
                        piece = route.body[start : start + 4096]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = int(self.httpd.server_address[1])
        self.host = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def web() -> Iterator[WebServer]:
    server = WebServer()
    yield server
    server.close()


@pytest.fixture
def other_web() -> Iterator[WebServer]:
    server = WebServer()
    yield server
    server.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


class FakeDns:
    """Made-up names resolve to the given addresses; every other name goes to the real resolver.

    No public DNS exists here, so this is the one stand-in the tests use. Each lookup of a
    made-up name is recorded in `lookups`.
    """

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        self.real = socket.getaddrinfo

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in self.names:
            return self.real(host, port, *args, **kwargs)
        self.lookups.append(host)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in self.names[host]
        ]


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    dns = FakeDns()
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


def refusal(url: str, **kwargs: Any) -> str:
    kwargs.setdefault("max_bytes", 10 * MB)
    with pytest.raises(FetchError) as caught:
        fetch_image(url, **kwargs)
    return caught.value.message


class TestFetchImage:
    def test_it_fetches_a_png_from_an_allowed_host(self, web: WebServer) -> None:
        web.routes["/fox.png"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        fetched = fetch_image(web.url("/fox.png"), max_bytes=MB, allowed_hosts=[web.host])

        assert fetched.content == PNG
        assert fetched.content_type == "image/png"
        assert fetched.final_url == web.url("/fox.png")

    def test_it_sends_the_host_header_and_no_credentials(self, web: WebServer) -> None:
        web.routes["/fox.png?sig=abc"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        fetch_image(web.url("/fox.png?sig=abc"), max_bytes=MB, allowed_hosts=[web.host])

        [request] = web.seen
        assert request.path == "/fox.png?sig=abc"
        assert request.headers["host"] == web.host
        assert "authorization" not in request.headers
        assert "cookie" not in request.headers

    def test_it_trusts_the_bytes_when_the_header_names_another_image_type(
        self, web: WebServer
    ) -> None:
        web.routes["/fox.jpg"] = Route(headers={"Content-Type": "image/jpeg"}, body=PNG)

        fetched = fetch_image(web.url("/fox.jpg"), max_bytes=MB, allowed_hosts=[web.host])

        assert fetched.content_type == "image/png"

    def test_it_follows_a_redirect_within_the_allowed_host(self, web: WebServer) -> None:
        web.routes["/old"] = Route(status=302, headers={"Location": "/new.png"})
        web.routes["/new.png"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        fetched = fetch_image(web.url("/old"), max_bytes=MB, allowed_hosts=[web.host])

        assert fetched.content == PNG
        assert fetched.final_url == web.url("/new.png")


class TestAddresses:
    def test_it_refuses_a_loopback_ip_that_is_not_allowed(self, web: WebServer) -> None:
        web.routes["/x.png"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        message = refusal(web.url("/x.png"))

        assert message == (
            "127.0.0.1 is on a private network; the playground only fetches public http(s) URLs."
        )
        assert web.seen == []

    def test_it_refuses_the_cloud_metadata_address(self) -> None:
        message = refusal("http://169.254.169.254/latest/meta-data")

        assert "169.254.169.254 is on a private network" in message

    def test_it_refuses_localhost(self, web: WebServer) -> None:
        web.routes["/x.png"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        message = refusal(f"http://localhost:{web.port}/x.png")

        assert "localhost is on a private network" in message
        assert web.seen == []

    def test_it_refuses_a_name_that_resolves_to_a_private_address(self, fake_dns: FakeDns) -> None:
        fake_dns.names["images.example.test"] = ["10.0.0.5"]

        message = refusal("http://images.example.test/cat.png")

        assert "images.example.test is on a private network" in message

    def test_it_refuses_a_name_when_any_of_its_addresses_is_private(
        self, fake_dns: FakeDns
    ) -> None:
        fake_dns.names["mixed.example.test"] = ["93.184.215.14", "192.168.1.10"]

        message = refusal("http://mixed.example.test/cat.png")

        assert "private network" in message

    @pytest.mark.parametrize(
        "host",
        [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.0.1",
            "100.64.0.1",  # carrier-grade NAT
            "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
            "224.0.0.1",  # multicast
            "240.0.0.1",  # reserved
            "255.255.255.255",
            "2130706433",  # 127.0.0.1 written as one number
            "0177.0.0.1",  # 127.0.0.1 in octal
            "[::1]",
            "[::]",
            "[fc00::1]",
            "[fe80::1]",
            "[ff02::1]",
            "[::ffff:127.0.0.1]",  # IPv4-mapped
            "[::ffff:169.254.169.254]",
            "[64:ff9b::a00:5]",  # NAT64 of 10.0.0.5
            "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        ],
    )
    def test_it_refuses_every_non_public_address(self, host: str) -> None:
        message = refusal(f"http://{host}/x.png")

        assert "is on a private network" in message

    def test_it_connects_to_the_checked_address_without_a_second_lookup(
        self, web: WebServer, fake_dns: FakeDns
    ) -> None:
        # The name exists only for the first lookup: a second one (DNS rebinding) would fail.
        web.routes["/x.png"] = Route(headers={"Content-Type": "image/png"}, body=PNG)
        fake_dns.names["pinned.example.test"] = ["127.0.0.1"]
        host = f"pinned.example.test:{web.port}"

        fetched = fetch_image(f"http://{host}/x.png", max_bytes=MB, allowed_hosts=[host])

        assert fetched.content == PNG
        assert fake_dns.lookups == ["pinned.example.test"]
        assert web.seen[0].headers["host"] == host

    def test_it_uses_the_hostname_for_tls_while_connecting_to_the_checked_address(
        self, fake_dns: FakeDns, tmp_path: Path
    ) -> None:
        names: list[str | None] = []
        context = self_signed_context(tmp_path, "pinned.example.test")
        context.sni_callback = lambda _sock, name, _context: names.append(name)
        server = WebServer(tls=context)
        try:
            fake_dns.names["pinned.example.test"] = ["127.0.0.1"]
            host = f"pinned.example.test:{server.port}"

            message = refusal(f"https://{host}/x.png", allowed_hosts=[host])
        finally:
            server.close()

        # The self-signed certificate is not trusted: verification is on, by hostname (SNI).
        assert message == "pinned.example.test's secure connection could not be verified."
        assert names == ["pinned.example.test"]
        assert fake_dns.lookups == ["pinned.example.test"]

    def test_its_messages_never_show_the_path_or_query(self) -> None:
        message = refusal("http://10.0.0.5/private/path?token=s3cret")

        assert "s3cret" not in message
        assert "private/path" not in message


class TestUrls:
    @pytest.mark.parametrize(
        "url",
        [
            "file:///etc/passwd",
            "ftp://example.com/x.png",
            "data:image/png;base64,iVBORw0KGgo=",
            "gopher://example.com/",
            "example.com/x.png",
            "//example.com/x.png",
            "javascript:alert(1)",
        ],
    )
    def test_it_refuses_schemes_other_than_http_and_https(self, url: str) -> None:
        assert refusal(url) == "Only http and https URLs can be fetched."

    def test_it_refuses_userinfo_in_the_url(self) -> None:
        message = refusal("http://user:pass@example.com/x.png")

        assert message == "URLs with a user name or password cannot be fetched."

    def test_it_refuses_a_url_with_spaces_or_backslashes(self) -> None:
        assert "cannot hold" in refusal("http://example.com\\@10.0.0.5/x.png")
        assert "cannot hold" in refusal("http://exa mple.com/x.png")

    def test_it_refuses_a_bad_port(self) -> None:
        assert refusal("http://example.com:99999/x.png") == "That URL is not a valid http(s) URL."


class TestRedirects:
    def test_it_refuses_a_redirect_to_a_host_that_is_not_allowed(
        self, web: WebServer, other_web: WebServer
    ) -> None:
        other_web.routes["/"] = Route(headers={"Content-Type": "image/png"}, body=PNG)
        web.routes["/x.png"] = Route(status=302, headers={"Location": other_web.url("/")})

        message = refusal(web.url("/x.png"), allowed_hosts=[web.host])

        assert "127.0.0.1 is on a private network" in message
        assert other_web.seen == []

    def test_it_refuses_a_redirect_to_the_metadata_address(self, web: WebServer) -> None:
        web.routes["/x.png"] = Route(
            status=301, headers={"Location": "http://169.254.169.254/latest/meta-data"}
        )

        assert "169.254.169.254 is on a private network" in refusal(
            web.url("/x.png"), allowed_hosts=[web.host]
        )

    def test_it_refuses_a_redirect_to_another_scheme(self, web: WebServer) -> None:
        web.routes["/x.png"] = Route(status=307, headers={"Location": "file:///etc/passwd"})

        message = refusal(web.url("/x.png"), allowed_hosts=[web.host])

        assert message == "Only http and https URLs can be fetched."

    def test_it_refuses_a_redirect_to_an_invalid_url(self, web: WebServer) -> None:
        web.routes["/x.png"] = Route(status=302, headers={"Location": "http://[::1/x.png"})

        assert refusal(web.url("/x.png"), allowed_hosts=[web.host]) == (
            "127.0.0.1 sent a redirect to an invalid URL."
        )

    def test_it_follows_at_most_three_redirects(self, web: WebServer) -> None:
        for hop in range(4):
            web.routes[f"/{hop}"] = Route(status=302, headers={"Location": f"/{hop + 1}"})
        web.routes["/4"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        message = refusal(web.url("/0"), allowed_hosts=[web.host])

        assert message == "127.0.0.1 redirected more than 3 times."
        assert [seen.path for seen in web.seen] == ["/0", "/1", "/2", "/3"]

    def test_three_redirects_are_fine(self, web: WebServer) -> None:
        for hop in range(3):
            web.routes[f"/{hop}"] = Route(status=302, headers={"Location": f"/{hop + 1}"})
        web.routes["/3"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        assert fetch_image(web.url("/0"), max_bytes=MB, allowed_hosts=[web.host]).content == PNG


class TestAllowedHosts:
    def test_an_allowed_host_with_a_port_allows_only_that_port(
        self, web: WebServer, other_web: WebServer
    ) -> None:
        other_web.routes["/x.png"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        assert "private network" in refusal(other_web.url("/x.png"), allowed_hosts=[web.host])

    def test_an_allowed_host_without_a_port_allows_only_the_default_ports(
        self, web: WebServer
    ) -> None:
        web.routes["/x.png"] = Route(headers={"Content-Type": "image/png"}, body=PNG)

        assert "private network" in refusal(web.url("/x.png"), allowed_hosts=["127.0.0.1"])


class TestLimits:
    def test_it_refuses_an_image_whose_content_length_is_over_the_cap(self, web: WebServer) -> None:
        web.routes["/big.png"] = Route(headers={"Content-Type": "image/png"}, body=PNG + bytes(MB))

        message = refusal(web.url("/big.png"), max_bytes=MB, allowed_hosts=[web.host])

        assert message == "The image at 127.0.0.1 is larger than 1 MB."

    def test_it_counts_bytes_when_the_answer_has_no_length(self, web: WebServer) -> None:
        web.routes["/big.png"] = Route(
            headers={"Content-Type": "image/png"}, body=PNG + bytes(MB), chunked=True
        )

        message = refusal(web.url("/big.png"), max_bytes=MB, allowed_hosts=[web.host])

        assert message == "The image at 127.0.0.1 is larger than 1 MB."

    def test_a_chunked_answer_under_the_cap_is_fine(self, web: WebServer) -> None:
        body = png_bytes((300, 300))
        web.routes["/x.png"] = Route(headers={"Content-Type": "image/png"}, body=body, chunked=True)

        assert fetch_image(web.url("/x.png"), max_bytes=MB, allowed_hosts=[web.host]).content == (
            body
        )

    def test_it_gives_up_on_a_server_that_never_answers(self, silent_port: int) -> None:
        host = f"127.0.0.1:{silent_port}"
        started = time.monotonic()

        message = refusal(f"http://{host}/x.png", timeout=1.0, allowed_hosts=[host])

        assert message == "127.0.0.1 did not answer within 1 second."
        assert time.monotonic() - started < 3

    def test_it_says_so_when_nothing_listens(self) -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            host = f"127.0.0.1:{unused.getsockname()[1]}"

        assert refusal(f"http://{host}/x.png", allowed_hosts=[host]) == (
            "Could not connect to 127.0.0.1."
        )


class TestContentTypes:
    def test_it_refuses_html(self, web: WebServer) -> None:
        web.routes["/page"] = Route(headers={"Content-Type": "text/html"}, body=b"<html></html>")

        message = refusal(web.url("/page"), allowed_hosts=[web.host])

        assert (
            message == "The file at 127.0.0.1 is not a PNG, JPEG or WebP image (it is text/html)."
        )

    def test_it_refuses_a_gif(self, web: WebServer) -> None:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, "GIF")
        web.routes["/x.gif"] = Route(headers={"Content-Type": "image/gif"}, body=buffer.getvalue())

        assert "it is image/gif" in refusal(web.url("/x.gif"), allowed_hosts=[web.host])

    def test_it_refuses_bytes_that_are_not_the_image_the_header_claims(
        self, web: WebServer
    ) -> None:
        web.routes["/x.png"] = Route(headers={"Content-Type": "image/png"}, body=b"<html>hi</html>")

        message = refusal(web.url("/x.png"), allowed_hosts=[web.host])

        assert message == (
            "The file at 127.0.0.1 says it is image/png but is not a PNG, JPEG or WebP image."
        )

    def test_it_refuses_an_error_status(self, web: WebServer) -> None:
        assert refusal(web.url("/missing.png"), allowed_hosts=[web.host]) == (
            "127.0.0.1 answered with HTTP 404."
        )


def self_signed_context(directory: Path, hostname: str) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
