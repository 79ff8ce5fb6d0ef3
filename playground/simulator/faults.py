"""Which fault a request gets, and the error answer each HTTP fault gives.

A fault comes from the `X-Sim-Fault` header, else a `[fault:<name>]` marker in the body's
text, else the configured `fault` (counted by `fault_times`, limited by `fault_routes`).
"""

from __future__ import annotations

import re
from typing import Any

from playground.simulator.config import Config
from playground.simulator.replies import Reply, kling_error, openai_error

MARKER = re.compile(r"\s*\[fault:([^\]\s]*)\]")
ANSWERING = ("401", "403", "429", "429-no-retry-after", "500", "503")
EVERYWHERE = (*ANSWERING, "timeout", "drop", "malformed-json")
CREATES = ("seedance.create", "kling.create")
QUERIES = ("seedance.query", "kling.query")

# fault -> (HTTP status, Kling code, Kling message, OpenAI type, OpenAI code, OpenAI message)
ERRORS: dict[str, tuple[int, int, str, str, str, str]] = {
    "401": (
        401, 1002, "Authorization is invalid",
        "authentication_error", "invalid_api_key", "Invalid API key provided.",
    ),
    "403": (
        403, 1103, "No permission to access the resource",
        "permission_error", "access_denied", "This key may not use this model or route.",
    ),
    "429": (
        429, 1302, "API request rate limit exceeded",
        "rate_limit_error", "rate_limit_exceeded", "Rate limit reached for requests.",
    ),
    "500": (
        500, 5000, "Internal server error",
        "server_error", "server_error", "The server had an error processing your request.",
    ),
    "503": (
        503, 5001, "Service temporarily unavailable, usually due to maintenance",
        "server_error", "overloaded", "The upstream is overloaded; try again later.",
    ),
    "kling-1102": (
        429, 1102, "Account balance not enough",
        "upstream_error", "1102", "Account balance not enough (Kling 1102)",
    ),
    "kling-1301": (
        400, 1301, "Failure to pass the risk control system",
        "upstream_error", "1301", "Failure to pass the risk control system (Kling 1301)",
    ),
    "kling-1303": (
        429, 1303, "Parallel task over resource pack limit",
        "upstream_error", "1303", "Parallel task over resource pack limit (Kling 1303)",
    ),
}  # fmt: skip
ERRORS["429-no-retry-after"] = ERRORS["429"]


def group(route: str) -> str:
    """The `fault_routes` group of a route name."""
    return route.split(".")[1] if "." in route else route


def strip_markers(value: Any, found: list[str]) -> Any:
    """The JSON value with fault markers removed from every string; names go into `found`."""
    if isinstance(value, str):
        found.extend(match.group(1) for match in MARKER.finditer(value))
        return MARKER.sub("", value).strip() if "[fault:" in value else value
    if isinstance(value, dict):
        return {key: strip_markers(item, found) for key, item in value.items()}
    if isinstance(value, list):
        return [strip_markers(item, found) for item in value]
    return value


def applies(fault: str, route: str, *, explicit: bool, streaming: bool) -> bool:
    """Whether a fault means anything for this request.

    Task-life faults given in the request (header or marker) work at create, where they are
    remembered on the task, and at query; a configured one acts at create (task-failure) or
    at query (task-not-exist), so one count is one task or one query.
    """
    if fault in EVERYWHERE:
        return True
    if fault.startswith("kling-"):
        return route == "kling.create"
    if fault == "stream-error":
        return route == "chat" and streaming
    if fault == "content-filter":
        return route == "chat"
    if fault == "image-item-error":
        return route == "images"
    if fault == "task-failure":
        return route in CREATES or (explicit and route in QUERIES)
    if fault == "task-not-exist":
        return route in QUERIES or (explicit and route in CREATES)
    return False


def error_reply(fault: str, route: str, config: Config) -> Reply | None:
    """The error answer of an answering fault, in the envelope of the route's family."""
    if fault not in ERRORS:
        return None
    status, code, message, kind, openai_code, openai_message = ERRORS[fault]
    headers = {"Retry-After": str(config["retry_after"])} if fault == "429" else {}
    if route.startswith("kling.") and config["kling_error_shape"] == "kling":
        return kling_error(status, code, message, headers)
    return openai_error(status, openai_message, kind=kind, code=openai_code, headers=headers)
