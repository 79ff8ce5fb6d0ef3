"""Settings come from the environment, with safe local defaults and a strict production mode."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from tests.conftest import ROOT

PRODUCTION = {
    "PLAYGROUND_MODE": "production",
    "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-for-the-deploy-check",
    "PLAYGROUND_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "playground.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/playground",
}


def manage(*args: str, env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | {"PLAYGROUND_VAR_DIR": str(var_dir)} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env, var_dir=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set. Production mode needs it" in result.stderr


def test_production_refuses_to_start_without_encryption_keys(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "PLAYGROUND_ENCRYPTION_KEYS"}
    result = manage("check", env=env, var_dir=tmp_path)
    assert result.returncode != 0
    assert "PLAYGROUND_ENCRYPTION_KEYS is not set" in result.stderr


def test_the_deploy_check_is_clean_in_production(tmp_path: Path) -> None:
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, var_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_local_mode_generates_its_secrets_once_into_var(tmp_path: Path) -> None:
    manage("check", env={}, var_dir=tmp_path)
    first = (tmp_path / "encryption_keys").read_text()
    manage("check", env={}, var_dir=tmp_path)
    assert (tmp_path / "encryption_keys").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    Fernet(first.strip().encode())  # a usable key


def test_local_mode_uses_sqlite_in_wal_mode(tmp_path: Path) -> None:
    script = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(connection.vendor, c.fetchone()[0])"
    )
    result = manage("shell", "--no-imports", "-c", script, env={}, var_dir=tmp_path)
    assert result.stdout.split() == ["sqlite", "wal"], result.stderr
