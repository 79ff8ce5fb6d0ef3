"""Start-up checks: malformed encryption keys stop `runserver`, `migrate` and `check` with a
sentence, instead of every page that uses the team key failing later."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from playground.teamkey import crypto


def encryption_keys_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    try:
        crypto.fernet()
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                str(error),
                hint="PLAYGROUND_ENCRYPTION_KEYS holds comma-separated Fernet keys, newest first.",
                id="teamkey.E001",
            )
        ]
    return []
