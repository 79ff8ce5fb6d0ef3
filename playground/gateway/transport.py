"""The gateway's HTTP: one session, the key, timeouts, error mapping and the one retry policy.

The retry policy is decided by the method and by what is known to have reached the gateway:

- A GET is retried on 429, any 5xx, a connection that could not be opened or was dropped, a
  read timeout, and a 2xx whose body is not a JSON object.
- A POST is retried only when the gateway certainly did nothing: the connection could not be
  opened, or it answered 429 or 503. A POST whose outcome is unknown (read timeout, connection
  dropped after sending, a 2xx that cannot be read) raises GatewayOutcomeUnknownError and is
  never resent; any other error answer is raised at once.
- Kling's 1102 (balance), 1301 (content safety) and 1303 (concurrency) are never retried here.
- `Retry-After` is honoured on every retried answer; one longer than STARRISE_BACKOFF_MAX is
  not slept but raised at once with `.retry_after`, for the caller to reschedule.

urllib3 never retries on its own (Retry(total=0) on the adapters). It does not resend a request
on a pooled keep-alive connection either: it checks a pooled connection before sending, and a
connection that drops after sending surfaces as an error, which for a POST means an unknown
outcome here.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext_noop
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError
from urllib3.util.retry import Retry

from playground.gateway.errors import (
    GatewayAuthError,
    GatewayBadRequestError,
    GatewayBillingError,
    GatewayConnectionError,
    GatewayContentPolicyError,
    GatewayError,
    GatewayForbiddenError,
    GatewayNotFoundError,
    GatewayOutcomeUnknownError,
    GatewayProtocolError,
    GatewayRateLimitError,
    GatewayTimeoutError,
    GatewayUnavailableError,
    NoTeamKeyError,
    TaskNotFoundError,
)
from playground.gateway.trace import Call, active_trace

logger = logging.getLogger("playground.gateway")

JSON = dict[str, Any]
Method = Literal["GET", "POST"]


class KeySource(Protocol):
    """Something that yields the team key's plaintext only when asked, inside a call."""

    def reveal(self) -> str: ...


# What a POST's error says when nothing confirmed it; each endpoint passes its own sentence.
# Every sentence here is stored in English (gettext_noop) and translated when shown: see
# playground/stored_text.py.
UNCONFIRMED = gettext_noop(
    "The gateway did not confirm the request: it may have been carried out upstream. Check "
    "before running it again."
)
UNSENDABLE_KEY = gettext_noop(
    "The team key has characters that cannot be sent: ask an admin to replace it."
)

# Kling's business codes, from its API reference: (exception, what a user is told).
KLING_CODES: list[tuple[range, type[GatewayError], str]] = [
    (
        range(1000, 1005),
        GatewayAuthError,
        gettext_noop(
            "The gateway rejected the team key: ask an admin to replace it (Kling %(code)s)."
        ),
    ),
    (
        range(1100, 1103),
        GatewayBillingError,
        gettext_noop(
            "The gateway account cannot pay for this (no balance, arrears or a locked account): "
            "ask an admin to top it up (Kling %(code)s)."
        ),
    ),
    (
        range(1103, 1104),
        GatewayForbiddenError,
        gettext_noop("The team key may not use this model or feature (Kling %(code)s)."),
    ),
    (
        range(1200, 1202),
        GatewayBadRequestError,
        gettext_noop("The request's parameters were rejected (Kling %(code)s)."),
    ),
    (
        range(1202, 1204),
        GatewayNotFoundError,
        gettext_noop("The model or method does not exist (Kling %(code)s)."),
    ),
    (
        range(1300, 1302),
        GatewayContentPolicyError,
        gettext_noop(
            "The prompt or image was blocked by the provider's content safety check "
            "(Kling %(code)s)."
        ),
    ),
    (
        range(1302, 1303),
        GatewayRateLimitError,
        gettext_noop("The team is sending requests too fast (Kling %(code)s)."),
    ),
    (
        range(1303, 1304),
        GatewayRateLimitError,
        gettext_noop(
            "Too many video jobs are running at once for this account; wait for one to finish "
            "(Kling %(code)s)."
        ),
    ),
    (
        range(5000, 5003),
        GatewayUnavailableError,
        gettext_noop("The provider is down or overloaded (Kling %(code)s)."),
    ),
]

# Business answers that trying again at once cannot change: balance, content safety, and the
# account's concurrent jobs (a resend would only queue up behind its own first try).
NEVER_RETRIED_CODES = frozenset({"1102", "1301", "1303"})

HTTP_ERRORS: dict[int, tuple[type[GatewayError], str]] = {
    400: (GatewayBadRequestError, gettext_noop("The gateway rejected the request (400).")),
    401: (
        GatewayAuthError,
        gettext_noop("The gateway rejected the team key (401): ask an admin to replace it."),
    ),
    403: (
        GatewayForbiddenError,
        gettext_noop(
            "The gateway refused this request (403): the team key may not use this model or "
            "feature."
        ),
    ),
    404: (
        GatewayNotFoundError,
        gettext_noop("The gateway does not know this route or model (404)."),
    ),
    429: (
        GatewayRateLimitError,
        gettext_noop("The gateway is rate-limiting the team (429): wait a moment and try again."),
    ),
    500: (
        GatewayUnavailableError,
        gettext_noop("The gateway had an internal error (500): try again shortly."),
    ),
    501: (GatewayUnavailableError, gettext_noop("The gateway does not implement this (501).")),
    502: (GatewayUnavailableError, gettext_noop("The gateway could not reach the provider (502).")),
    503: (
        GatewayUnavailableError,
        gettext_noop("The gateway is overloaded (503): try again shortly."),
    ),
    504: (
        GatewayUnavailableError,
        gettext_noop("The provider took too long to answer the gateway (504)."),
    ),
}

# Raised by requests before anything goes on the wire.
NOT_SENT = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
    requests.exceptions.InvalidJSONError,
)

SECRET_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_\-.]{6,}|\bBearer\s+\S+")


@dataclass(frozen=True)
class _Failure:
    """One attempt's error, and whether the policy lets the call try again."""

    error: GatewayError
    retry: bool
    cause: str = ""  # the underlying exception's class, for the log


def _wait(failure: _Failure, attempt: int, attempts: int) -> float | None:
    """Seconds to sleep before the next attempt, or None when there is none."""
    if not failure.retry or attempt == attempts:
        return None
    retry_after = failure.error.retry_after
    if retry_after is not None and retry_after > settings.STARRISE_BACKOFF_MAX:
        return None  # Too long to wait inside a request; the caller reschedules.
    return retry_after if retry_after is not None else backoff(attempt)


def _new_session() -> requests.Session:
    session = requests.Session()
    # No retries inside urllib3: every resend is decided by the policy above.
    adapter = HTTPAdapter(max_retries=Retry(total=0, read=False, redirect=0, status=0))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


_sessions = threading.local()


def _thread_session(kind: str) -> requests.Session:
    """One session per thread and kind, kept across calls so that polls reuse their
    keep-alive connections (a worker polling thousands of jobs would otherwise open a
    connection per poll). POSTs get a session of their own whose connections are never
    reused: a POST sent on a pooled connection that the server has just closed would fail
    after leaving, and its outcome would be unknown for no reason."""
    session: requests.Session | None = getattr(_sessions, kind, None)
    if session is None:
        session = _new_session()
        setattr(_sessions, kind, session)
    return session


class Transport:
    """Talks to the gateway. The key is revealed only inside `_attempt`."""

    def __init__(self, *, key: KeySource | None, base_url: str) -> None:
        self.key = key
        self.base_url = base_url.rstrip("/")

    @property
    def session(self) -> requests.Session:
        return _thread_session("reads")

    # -- Calls -------------------------------------------------------------------------------

    def call(
        self,
        method: Method,
        path: str,
        payload: JSON | None = None,
        *,
        unconfirmed: str = UNCONFIRMED,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> JSON:
        """One API call, retried as the policy allows; returns the JSON object answered.

        `timeout` (seconds, connect and read) and `retries` replace the settings for this call:
        a page that must not wait, such as a model picker, asks once and briefly."""
        _, body = self._exchange(
            method,
            f"{self.base_url}{path}",
            payload,
            parse=True,
            unconfirmed=unconfirmed,
            timeout=timeout,
            retries=retries,
        )
        assert body is not None
        return body

    def open_stream(
        self, path: str, payload: JSON, *, unconfirmed: str = UNCONFIRMED
    ) -> requests.Response:
        """A streaming POST: the response, open, once its status is known to be a success.
        Read it with `stream_lines`."""
        response, _ = self._exchange(
            "POST", f"{self.base_url}{path}", payload, stream=True, unconfirmed=unconfirmed
        )
        return response

    def open_media(
        self, url: str, *, error_for: Callable[[int], GatewayError]
    ) -> requests.Response:
        """A GET of a media URL without the key (it lives on a CDN host), streamed. Retried as
        a GET until its status is known; `error_for` maps an error status."""
        response, _ = self._exchange("GET", url, None, stream=True, auth=False, error_for=error_for)
        return response

    # -- The retry loop ----------------------------------------------------------------------

    def _exchange(
        self,
        method: Method,
        url: str,
        payload: JSON | None,
        *,
        parse: bool = False,
        stream: bool = False,
        auth: bool = True,
        unconfirmed: str = UNCONFIRMED,
        error_for: Callable[[int], GatewayError] | None = None,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> tuple[requests.Response, JSON | None]:
        if auth and self.key is None:
            raise NoTeamKeyError(
                gettext_noop("No team key is set: ask an admin to set one on the Team key page.")
            )
        path = urlsplit(url).path or "/"
        attempts = (settings.STARRISE_MAX_RETRIES if retries is None else retries) + 1
        trace = active_trace()
        call = trace.call(method, url, payload, stream=stream) if trace is not None else None
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            outcome = self._attempt(
                method, url, payload, parse, stream, auth, unconfirmed, error_for, timeout, call
            )
            elapsed = (time.monotonic() - started) * 1000
            if not isinstance(outcome, _Failure):
                response, _ = outcome
                logger.info(
                    "gateway %s %s -> %s in %.0f ms (attempt %d/%d)",
                    method,
                    path,
                    response.status_code,
                    elapsed,
                    attempt,
                    attempts,
                )
                if call is not None:
                    call.tried(attempt, started, status=response.status_code, outcome="answered")
                return outcome
            error = outcome.error
            logger.warning(
                "gateway %s %s -> %s in %.0f ms (attempt %d/%d): %s%s",
                method,
                path,
                error.status or outcome.cause or "no answer",
                elapsed,
                attempt,
                attempts,
                type(error).__name__,
                "" if outcome.retry and attempt < attempts else ", not retried",
            )
            wait = _wait(outcome, attempt, attempts)
            if call is not None:
                call.tried(
                    attempt,
                    started,
                    status=error.status,
                    outcome=f"{type(error).__name__}: {error.message}"
                    + (f" ({outcome.cause})" if outcome.cause else ""),
                    wait_s=wait,
                    retry_after_s=error.retry_after,
                )
                call.error = "" if wait is not None else error.message
            if wait is None:
                raise error
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    @sensitive_variables("key", "headers")
    def _attempt(
        self,
        method: Method,
        url: str,
        payload: JSON | None,
        parse: bool,
        stream: bool,
        auth: bool,
        unconfirmed: str,
        error_for: Callable[[int], GatewayError] | None,
        timeout: float | None = None,
        call: Call | None = None,
    ) -> tuple[requests.Response, JSON | None] | _Failure:
        """One request, classified: the response (and its JSON), or a failure saying whether
        the policy allows another try. With a `call`, the request and its answer are noted
        on it, the key scrubbed from both."""
        headers = {"Accept": "application/json"}
        key = ""
        if auth:
            assert self.key is not None
            key = self.key.reveal()
            if not key or not all(0x21 <= ord(character) <= 0x7E for character in key):
                return _Failure(GatewayAuthError(UNSENDABLE_KEY), retry=False)
            headers["Authorization"] = f"Bearer {key}"
        is_get = method == "GET"
        host = urlsplit(url).netloc
        if not is_get:
            headers["Connection"] = "close"
        if call is not None:
            call.sending(headers, secret=key)
        try:
            session = self.session if is_get else _thread_session("writes")
            response = session.request(
                method,
                url,
                json=payload,
                stream=stream,
                headers=headers,
                timeout=(
                    (settings.STARRISE_CONNECT_TIMEOUT, settings.STARRISE_READ_TIMEOUT)
                    if timeout is None
                    else (timeout, timeout)
                ),
            )
        except requests.exceptions.SSLError as exc:
            return _Failure(
                GatewayConnectionError(
                    gettext_noop("Could not open a secure connection to the gateway.")
                ),
                retry=False,
                cause=f"{type(exc).__name__} ({host})",
            )
        except NOT_SENT as exc:
            # requests refused to build the request (URL, header or body): nothing was sent.
            return _Failure(
                GatewayError(
                    gettext_noop(
                        "The request to the gateway could not be built (%(cause)s): nothing was "
                        "sent. Ask an admin to check the gateway address."
                    )
                    % {"cause": type(exc).__name__}
                ),
                retry=False,
                cause=type(exc).__name__,
            )
        except requests.RequestException as exc:
            # Members read these sentences: the host goes to the log only.
            cause = f"{type(exc).__name__} ({host})"
            if not_connected(exc):
                # The gateway certainly did nothing: any method may try again.
                return _Failure(
                    GatewayConnectionError(gettext_noop("Could not connect to the gateway.")),
                    retry=True,
                    cause=cause,
                )
            timed_out = isinstance(exc, requests.Timeout)
            if not is_get:
                return _Failure(
                    unknown_outcome(unconfirmed, timed_out=timed_out), retry=False, cause=cause
                )
            if timed_out:
                seconds = settings.STARRISE_READ_TIMEOUT if timeout is None else timeout
                return _Failure(
                    GatewayTimeoutError(
                        gettext_noop("The gateway did not answer within %(seconds)s seconds.")
                        % {"seconds": f"{seconds:g}"}
                    ),
                    retry=True,
                    cause=cause,
                )
            return _Failure(
                GatewayConnectionError(
                    gettext_noop(
                        "Could not reach the gateway: the connection failed or was dropped."
                    )
                ),
                retry=True,
                cause=cause,
            )
        except (UnicodeError, ValueError) as exc:
            # Nothing was sent: a header, the URL or the body could not be encoded.
            return _Failure(
                GatewayError(
                    gettext_noop(
                        "The request to the gateway could not be encoded (%(cause)s): nothing "
                        "was sent."
                    )
                    % {"cause": type(exc).__name__}
                ),
                retry=False,
                cause=type(exc).__name__,
            )

        status = response.status_code
        if call is not None:
            call.answered(response, secret=key, read_body=not stream or status >= 400)
        if status >= 400:
            if error_for is not None:
                error = error_for(status)
            else:
                error = error_from_body(parse_json(_text(response), status, strict=False), status)
            response.close()
            error.status = status
            if error.retry_after is None:
                error.retry_after = retry_after(response.headers.get("Retry-After"))
            if key and key in error.message:
                error.message = error.message.replace(key, "[redacted]")
                error.args = (error.message,)
            retry = error.code not in NEVER_RETRIED_CODES and (
                status in (429, 503) or (is_get and status >= 500)
            )
            return _Failure(error, retry=retry)
        if not parse:
            return response, None
        try:
            text = response.text
            body = parse_json(text, status)
        except GatewayProtocolError as error:
            if is_get:
                return _Failure(error, retry=True)
            return _Failure(unknown_outcome(unconfirmed, unreadable=True), retry=False)
        # Kling's envelope can carry a business error inside an HTTP 200.
        if isinstance(body.get("code"), int) and body["code"] != 0:
            return _Failure(error_from_body(body, status), retry=False)
        return response, body


def stream_lines(response: requests.Response, *, unconfirmed: str = UNCONFIRMED) -> Generator[str]:
    """The lines of a streamed answer, closing it at the end. A connection lost in the
    middle raises GatewayOutcomeUnknownError: the request was made, its answer is partial."""
    with response:
        try:
            yield from response.iter_lines(decode_unicode=True)
        except requests.RequestException:
            pass
        else:
            return
    raise GatewayOutcomeUnknownError(
        unconfirmed_because(
            unconfirmed, gettext_noop("The connection closed in the middle of the answer.")
        )
    )


def stream_chunks(response: requests.Response, *, chunk_size: int) -> Iterator[bytes]:
    """The bytes of a streamed media answer; a lost connection or a stall raises the
    retryable errors, so the caller can start the download again."""
    try:
        yield from response.iter_content(chunk_size=chunk_size)
    except requests.Timeout:
        seconds = settings.STARRISE_READ_TIMEOUT
        error: GatewayError = GatewayTimeoutError(
            gettext_noop(
                "The media host stopped sending for %(seconds)s seconds in the middle of the file."
            )
            % {"seconds": f"{seconds:g}"}
        )
    except requests.RequestException:
        error = GatewayConnectionError(
            gettext_noop("The media host closed the connection in the middle of the file.")
        )
    else:
        return
    raise error


def not_connected(exc: requests.RequestException) -> bool:
    """True when the connection was never opened (refused, DNS, connect timeout), so the
    request certainly did not reach the gateway."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.ProxyError):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, NewConnectionError)  # NameResolutionError is one too


def unknown_outcome(
    unconfirmed: str, *, timed_out: bool = False, unreadable: bool = False
) -> GatewayOutcomeUnknownError:
    if timed_out:
        why = gettext_noop("No answer within %(seconds)s seconds.") % {
            "seconds": f"{settings.STARRISE_READ_TIMEOUT:g}"
        }
    elif unreadable:
        why = gettext_noop("The answer could not be read.")
    else:
        why = gettext_noop("The connection closed before the answer.")
    return GatewayOutcomeUnknownError(unconfirmed_because(unconfirmed, why))


def unconfirmed_because(unconfirmed: str, why: str) -> str:
    """An endpoint's "not confirmed" sentence, with why in brackets."""
    return gettext_noop("%(unconfirmed)s (%(why)s)") % {"unconfirmed": unconfirmed, "why": why}


def _text(response: requests.Response) -> str:
    try:
        return response.text
    except requests.RequestException:
        return ""


# -- Errors and JSON --------------------------------------------------------------------------


def error_from_body(body: JSON, status: int, *, stream: bool = False) -> GatewayError:
    """Maps the OpenAI envelope, the task envelope and Kling's codes onto one exception."""
    error = body.get("error") if isinstance(body.get("error"), dict) else None
    upstream = error.get("message") if error else body.get("message")
    code = error.get("code") if error else body.get("code")
    detail = redact(str(upstream or "").strip())[:300]
    # Kling's codes come as numbers in its own envelope, as strings inside an OpenAI one.
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    if isinstance(code, int) and not isinstance(code, bool):
        for codes, kind, sentence in KLING_CODES:
            if code in codes:
                message = sentence % {"code": code}
                return kind(_details(message, detail), status=status, code=str(code))
    if code == "task_not_exist":
        return TaskNotFoundError(
            gettext_noop(
                "The gateway does not know this task (task_not_exist): it may "
                "have expired or never been created."
            ),
            status=status,
            code=code,
        )
    if code == "task_failed":
        return GatewayBadRequestError(
            gettext_noop("The provider rejected the job: %(upstream)s.")
            % {"upstream": detail.rstrip(".")}
            if detail
            else gettext_noop("The provider rejected the job, giving no reason."),
            status=status,
            code=code,
        )
    if stream:
        return GatewayUnavailableError(
            gettext_noop("The gateway reported an error in the middle of the answer: %(upstream)s.")
            % {"upstream": detail.rstrip(".")}
            if detail
            else gettext_noop(
                "The gateway reported an error in the middle of the answer, with no detail."
            ),
            status=status,
            code=str(code) if code else None,
        )
    kind, sentence = HTTP_ERRORS.get(status, (GatewayError, ""))
    if not sentence:
        sentence = gettext_noop("The gateway answered HTTP %(status)s.") % {"status": status}
    if status >= 500 and kind is GatewayError:
        kind = GatewayUnavailableError
    # A 401's detail adds nothing a user can act on, and some gateways echo part of the key.
    return kind(
        _details(sentence, "" if status == 401 else detail),
        status=status,
        code=str(code) if code else None,
    )


def _details(sentence: str, detail: str) -> str:
    """Our sentence, then the gateway's own words as they came (never translated)."""
    if not detail:
        return sentence
    return gettext_noop("%(error)s Details: %(upstream)s.") % {
        "error": sentence,
        "upstream": detail.rstrip("."),
    }


def parse_json(text: str, status: int, *, strict: bool = True) -> JSON:
    try:
        body = json.loads(text)
    except ValueError:
        if not strict:
            return {}
        raise protocol_error(
            gettext_noop("The gateway sent a response that is not valid JSON (HTTP %(status)s).")
            % {"status": status}
        ) from None
    if not isinstance(body, dict):
        if not strict:
            return {}
        raise protocol_error(
            gettext_noop("The gateway sent JSON of an unexpected shape (HTTP %(status)s).")
            % {"status": status}
        )
    return body


def json_list(body: JSON, field: str) -> list[Any]:
    value = body.get(field)
    if not isinstance(value, list):
        raise protocol_error(
            gettext_noop("The gateway's answer had no '%(field)s' list.") % {"field": field}
        )
    return value


def protocol_error(message: str) -> GatewayProtocolError:
    return GatewayProtocolError(message)


def redact(text: str) -> str:
    """Upstream messages sometimes echo the key back; never pass that on."""
    return SECRET_PATTERN.sub("[redacted]", text)


def retry_after(header: str | None) -> float | None:
    """`Retry-After` in seconds, from either of its forms (seconds or an HTTP date)."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff(attempt: int) -> float:
    """Exponential backoff with jitter, so a team's retries don't arrive in step."""
    ceiling: float = min(
        settings.STARRISE_BACKOFF_MAX, settings.STARRISE_BACKOFF_BASE * 2 ** (attempt - 1)
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto
