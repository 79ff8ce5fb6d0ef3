"""Settings come from the environment, with safe local defaults and a strict production mode."""

import json
import os
import re
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


def settings_in(mode_env: dict[str, str], var_dir: Path) -> dict[str, object]:
    """A few settings as the given environment makes them, from a fresh process."""
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'read_timeout': s.STARRISE_READ_TIMEOUT,"
        "'whitenoise': 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE,"
        "'finders': s.WHITENOISE_USE_FINDERS, 'autorefresh': s.WHITENOISE_AUTOREFRESH,"
        "'storage': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    env = {"PLAYGROUND_DEBUG": ""} | mode_env
    result = manage("shell", "--no-imports", "-c", script, env=env, var_dir=var_dir)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_debug_is_off_by_default_in_local_mode(tmp_path: Path) -> None:
    assert settings_in({}, tmp_path)["debug"] is False


def test_debug_is_off_by_default_in_production(tmp_path: Path) -> None:
    assert settings_in(PRODUCTION, tmp_path)["debug"] is False


def test_playground_debug_turns_debug_on_in_either_mode(tmp_path: Path) -> None:
    assert settings_in({"PLAYGROUND_DEBUG": "1"}, tmp_path)["debug"] is True
    assert settings_in(PRODUCTION | {"PLAYGROUND_DEBUG": "1"}, tmp_path)["debug"] is True


def test_the_old_django_debug_variable_no_longer_turns_debug_on(tmp_path: Path) -> None:
    assert settings_in({"DJANGO_DEBUG": "1"}, tmp_path)["debug"] is False


def test_local_mode_serves_static_files_through_whitenoise_without_collectstatic(
    tmp_path: Path,
) -> None:
    local = settings_in({}, tmp_path)
    assert local["whitenoise"] is True
    assert local["finders"] is True
    assert local["autorefresh"] is True


def test_production_serves_the_collected_compressed_static_files(tmp_path: Path) -> None:
    production = settings_in(PRODUCTION, tmp_path)
    assert production["whitenoise"] is True
    assert production["finders"] is False
    assert production["autorefresh"] is False
    assert production["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_local_mode_gives_up_on_the_gateway_before_the_simulators_timeout_stall(
    tmp_path: Path,
) -> None:
    procfile = (ROOT / "Procfile").read_text()
    stall = re.search(r"SIM_TIMEOUT_SECONDS=\$\{SIM_TIMEOUT_SECONDS:-(\d+)\}", procfile)
    assert stall is not None, "the Procfile's simulator line sets SIM_TIMEOUT_SECONDS"
    read_timeout = settings_in({}, tmp_path)["read_timeout"]
    assert isinstance(read_timeout, float)
    assert read_timeout == 30
    assert read_timeout < int(stall[1])


def test_production_waits_longer_for_the_gateway(tmp_path: Path) -> None:
    assert settings_in(PRODUCTION, tmp_path)["read_timeout"] == 120


# -- behind docker-compose.yml's nginx --------------------------------------------------------

BEHIND_THE_PROXY = PRODUCTION | {"PLAYGROUND_BEHIND_PROXY": "1", "PLAYGROUND_ACCEL_REDIRECT": "1"}


def proxy_settings_in(env: dict[str, str], var_dir: Path) -> dict[str, object]:
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'ssl_header': s.SECURE_PROXY_SSL_HEADER, 'accel': s.ACCEL_REDIRECT,"
        "'prefix': s.ACCEL_REDIRECT_PREFIX, 'exempt': s.SECURE_REDIRECT_EXEMPT}))"
    )
    result = manage("shell", "--no-imports", "-c", script, env=env, var_dir=var_dir)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_production_trusts_no_forwarded_proto_without_the_proxy(tmp_path: Path) -> None:
    production = proxy_settings_in(PRODUCTION, tmp_path)
    assert production["ssl_header"] is None
    assert production["accel"] is False


def test_behind_the_proxy_the_forwarded_proto_it_sets_is_trusted(tmp_path: Path) -> None:
    proxied = proxy_settings_in(BEHIND_THE_PROXY, tmp_path)
    assert proxied["ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert proxied["accel"] is True
    assert proxied["prefix"] == "/_protected/media/"


def test_local_mode_neither_trusts_the_header_nor_hands_files_to_a_proxy(tmp_path: Path) -> None:
    local = proxy_settings_in({}, tmp_path)
    assert local["ssl_header"] is None
    assert local["accel"] is False


def test_the_health_check_is_never_redirected_to_https(tmp_path: Path) -> None:
    assert proxy_settings_in(PRODUCTION, tmp_path)["exempt"] == ["^healthz$"]


def test_the_deploy_check_is_clean_behind_the_proxy(tmp_path: Path) -> None:
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=BEHIND_THE_PROXY, var_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
