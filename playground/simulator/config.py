"""The run-time settings the control API can change, their allowed values and env defaults.

Every key has a default that `SIM_<KEY>` in the environment can replace; `POST /_sim/config`
changes them at run time and `POST /_sim/reset` goes back to the env defaults.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

FAULTS = (
    "401",
    "403",
    "429",
    "429-no-retry-after",
    "500",
    "503",
    "timeout",
    "drop",
    "malformed-json",
    "task-not-exist",
    "task-failure",
    "kling-1102",
    "kling-1301",
    "kling-1303",
    "stream-error",
    "content-filter",
    "image-item-error",
)
ROUTE_GROUPS = ("models", "chat", "images", "create", "query")
VIDEO_PAD_LIMIT = 2 * 1024**3  # a `free` box's 32-bit size field holds up to 4 GiB

Config = dict[str, Any]


class ConfigError(ValueError):
    """A config key or value the simulator does not accept; the message says which."""


def _choice(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in allowed:
            raise ConfigError(f"must be one of {', '.join(allowed)}; got {value!r}")
        return str(value)

    return check


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.lower() in ("true", "1", "yes")
    raise ConfigError(f"must be true or false; got {value!r}")


def _integer(low: int, high: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"must be an integer; got {value!r}")
        if value < low or (high is not None and value > high):
            upper = "" if high is None else f" and <= {high}"
            raise ConfigError(f"must be >= {low}{upper}; got {value}")
        return value

    return check


def _seconds(*, positive: bool) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ConfigError(f"must be a number of seconds; got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"must be a number of seconds; got {value!r}")
        if value < 0 or (positive and value == 0) or value > 86400:
            raise ConfigError(f"must be {'> 0' if positive else '>= 0'} and <= 86400; got {value}")
        return float(value)

    return check


def _status(value: Any) -> int:
    number = _integer(400, 404)(value)
    if number not in (400, 404):
        raise ConfigError(f"must be 400 or 404; got {number}")
    return number


def _fault(value: Any) -> str | None:
    if value is None or value == "" or value == "none":
        return None
    if value not in FAULTS:
        raise ConfigError(f"must be null or one of {', '.join(FAULTS)}; got {value!r}")
    return str(value)


def _fault_times(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return _integer(0)(value)


def _fault_routes(value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"must be 'all' or a comma list of {', '.join(ROUTE_GROUPS)}")
    groups = [group.strip() for group in value.split(",") if group.strip()]
    if groups == ["all"]:
        return "all"
    unknown = [group for group in groups if group not in ROUTE_GROUPS]
    if not groups or unknown:
        raise ConfigError(
            f"must be 'all' or a comma list of {', '.join(ROUTE_GROUPS)}; got {value!r}"
        )
    return ",".join(groups)


# key -> (default, parser). The parser accepts JSON values and env strings alike.
KEYS: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "seedance_create_shape": (
        "standard",
        _choice("standard", "empty-status", "processing", "id-only"),
    ),
    "seedance_id_prefix": ("cgt-", _choice("cgt-", "asyntask_", "gen-")),
    "seedance_query_shape": ("gateway", _choice("gateway", "ark")),
    "seedance_success_quirk": (False, _boolean),
    "kling_create_shape": ("gateway", _choice("gateway", "kling")),
    "kling_query_shape": ("gateway", _choice("gateway", "kling")),
    "kling_query_paths": ("both", _choice("both", "short", "action")),
    "kling_error_shape": ("kling", _choice("kling", "openai")),
    "task_not_exist_status": (400, _status),
    "retry_after": (1, _integer(0, 3600)),
    "video_seconds": (20.0, _seconds(positive=True)),
    "timeout_seconds": (30.0, _seconds(positive=False)),
    "media_ttl_seconds": (86400, _integer(0)),
    "video_pad_bytes": (0, _integer(0, VIDEO_PAD_LIMIT)),
    "video_shared_render": (False, _boolean),
    "stream_delay_ms": (15, _integer(0, 10_000)),
    "fault": (None, _fault),
    "fault_times": (None, _fault_times),
    "fault_routes": ("all", _fault_routes),
}


def config_from_env(environ: Mapping[str, str] | None = None) -> Config:
    """The defaults, with `SIM_<KEY>` from the environment applied. Raises ConfigError."""
    environ = os.environ if environ is None else environ
    config: Config = {}
    for key, (default, parse) in KEYS.items():
        raw = environ.get(f"SIM_{key.upper()}")
        try:
            config[key] = default if raw is None else parse(raw.strip())
        except ConfigError as error:
            raise ConfigError(f"SIM_{key.upper()} {error}") from None
    return config


def config_merge(config: Config, changes: Any) -> Config:
    """A new config with `changes` applied, all or nothing. Raises ConfigError."""
    if not isinstance(changes, dict):
        raise ConfigError("the body must be a JSON object of config keys")
    unknown = sorted(set(changes) - set(KEYS))
    if unknown:
        raise ConfigError(f"unknown config key(s) {', '.join(unknown)}; known: {', '.join(KEYS)}")
    merged = dict(config)
    for key, value in changes.items():
        try:
            merged[key] = KEYS[key][1](value)
        except ConfigError as error:
            raise ConfigError(f"{key} {error}") from None
    return merged
