"""The Bearer keys the simulator accepts: SIM_API_KEYS, else a generated key file."""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path


def load_keys(environ: Mapping[str, str]) -> tuple[tuple[str, ...], str]:
    """The accepted keys and where they came from (for the startup line; never the keys)."""
    keys = tuple(key.strip() for key in environ.get("SIM_API_KEYS", "").split(",") if key.strip())
    if keys:
        return keys, f"SIM_API_KEYS ({len(keys)} key{'s' if len(keys) > 1 else ''})"
    path = Path(environ.get("SIM_API_KEY_FILE") or "var/simulator.key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: if two simulators start at once, only one writes the file.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(f"sk-sim-{secrets.token_hex(16)}\n")
    keys = tuple(line.strip() for line in path.read_text().splitlines() if line.strip())
    if not keys:
        raise SystemExit(f"{path} holds no key; put one key per line in it, or delete it.")
    return keys, f"the key file {path}"


def key_accepted(authorization: str | None, keys: tuple[str, ...]) -> bool:
    scheme, _, key = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return False
    # Compare against every key, so timing does not tell which one nearly matched.
    matches = [hmac.compare_digest(key.strip().encode(), known.encode()) for known in keys]
    return any(matches)
