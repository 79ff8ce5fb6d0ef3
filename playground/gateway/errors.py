"""What can go wrong with the gateway, each with a sentence a user can read.

No error carries the key. `retryable` says whether trying the same call again later may work;
`retry_after` is the wait in seconds the gateway asked for, when it did.
"""

from __future__ import annotations


class GatewayError(Exception):
    """An upstream failure, with a sentence a user can read. Never carries the key."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after


class NoTeamKeyError(GatewayError):
    """No team key is set."""


class GatewayAuthError(GatewayError):
    """401, Kling 1000-1004, or a key that cannot be sent: missing, wrong or revoked."""


class GatewayForbiddenError(GatewayError):
    """403, or Kling 1103: the key may not use this model or route."""


class GatewayBadRequestError(GatewayError):
    """400: bad parameters, or Kling 1200-1201."""


class GatewayContentPolicyError(GatewayBadRequestError):
    """Kling 1300-1301, or an upstream safety reject."""


class GatewayNotFoundError(GatewayError):
    """404: an unknown route or model (Kling 1202-1203)."""


class TaskNotFoundError(GatewayError):
    """The gateway does not know the task id (task_not_exist)."""


class GatewayBillingError(GatewayError):
    """Kling 1100-1102: account problem, arrears or no balance left. Not worth retrying."""


class GatewayRateLimitError(GatewayError):
    """429, or Kling 1302-1303, still failing after the retries (1303 is never retried)."""

    retryable = True


class GatewayUnavailableError(GatewayError):
    """500, 501, 502, 503, 504 or Kling 5000-5002."""

    retryable = True


class GatewayTimeoutError(GatewayError):
    """A query got no answer within the read timeout."""

    retryable = True


class GatewayConnectionError(GatewayError):
    """The connection could not be opened, or a query's connection was dropped."""

    retryable = True


class GatewayProtocolError(GatewayError):
    """A query was answered with malformed JSON or a shape this client does not know."""

    retryable = True


class GatewayOutcomeUnknownError(GatewayError):
    """A POST went out but no answer confirmed it: a read timeout, a connection dropped after
    sending, or a 2xx with a body that cannot be read. The gateway may have carried it out
    (and charged for it), so it is never resent automatically."""


class GatewayMediaExpiredError(GatewayError):
    """A media URL answered 403, 404 or 410: it expired or the file is gone."""
