"""The multi-machine path (docker-compose.yml, Dockerfile, deploy/nginx.conf) and the Python
that `make run` and `make test` find or fetch.

No Docker engine runs here, so the compose file is checked as data: what it publishes, what
waits for what, and that every service says how to tell it is healthy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from playground import health
from playground.accounts.forms import LoginForm
from tests.compose_yaml import ComposeYamlError, load, load_file
from tests.conftest import ROOT
from tests.factories import UserFactory
from tests.images.factories import GeneratedImageFactory
from tests.uploads.factories import UploadFactory
from tests.videos.factories import ArchivedVideoJobFactory

COMPOSE = load_file(ROOT / "docker-compose.yml")
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
ONE_SHOT = {"migrate"}
PROXY = "nginx"
NGINX_CONF = (ROOT / "deploy" / "nginx.conf").read_text()


def command_of(service: str) -> str:
    command = SERVICES[service].get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


class TestTheComposeFile:
    def test_it_runs_the_whole_playground(self) -> None:
        assert {"postgres", "redis", "migrate", "web", "worker", "beat", PROXY, "simulator"} <= set(
            SERVICES
        )

    @pytest.mark.parametrize("name", sorted(set(SERVICES) - ONE_SHOT))
    def test_every_long_running_service_has_a_health_check(self, name: str) -> None:
        check = SERVICES[name].get("healthcheck")
        assert check, f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert not check.get("disable"), name

    def test_the_migrate_service_is_a_one_shot_job(self) -> None:
        migrate = SERVICES["migrate"]
        assert migrate["restart"] == "no"
        assert "manage.py migrate --noinput" in command_of("migrate")
        assert "manage.py playground_setup" in command_of("migrate")

    @pytest.mark.parametrize("name", ["web", "worker", "beat"])
    def test_the_app_waits_for_the_migrations_to_finish(self, name: str) -> None:
        depends_on = SERVICES[name]["depends_on"]
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
        assert depends_on["postgres"] == {"condition": "service_healthy"}

    @pytest.mark.parametrize("name", sorted(set(SERVICES) - {"migrate"}))
    def test_nothing_but_the_one_shot_service_migrates(self, name: str) -> None:
        assert "migrate" not in command_of(name), name

    def test_web_runs_gunicorn_with_threads(self) -> None:
        command = command_of("web")
        assert command.startswith("gunicorn playground.wsgi")
        assert "--worker-class gthread --threads 8" in command

    def test_web_is_checked_on_healthz(self) -> None:
        assert SERVICES["web"]["healthcheck"]["test"] == [
            "CMD",
            "python",
            "-m",
            "playground.health",
        ]

    def test_the_worker_is_checked_with_a_celery_ping_to_itself(self) -> None:
        test = " ".join(SERVICES["worker"]["healthcheck"]["test"])
        assert "celery -A playground inspect ping" in test
        assert "-d celery@$$HOSTNAME" in test  # $$: compose leaves $HOSTNAME to the shell

    def test_only_the_proxy_publishes_ports(self) -> None:
        published = {name for name, service in SERVICES.items() if service.get("ports")}
        assert published == {PROXY}

    def test_the_simulator_runs_only_in_its_profile(self) -> None:
        simulator = SERVICES["simulator"]
        assert simulator["profiles"] == ["simulator"]
        assert "ports" not in simulator
        assert "/_sim/health" in " ".join(simulator["healthcheck"]["test"])

    def test_only_the_simulator_is_in_a_profile(self) -> None:
        assert [name for name, s in SERVICES.items() if s.get("profiles")] == ["simulator"]

    def test_the_real_gateway_is_the_default_upstream(self) -> None:
        environment = SERVICES["web"]["environment"]
        assert environment["STARRISE_BASE_URL"] == "${STARRISE_BASE_URL:-https://ai.alad.com}"

    @pytest.mark.parametrize("name", ["migrate", "web", "worker", "beat"])
    def test_the_app_trusts_the_proxy_and_hands_it_the_media(self, name: str) -> None:
        environment = SERVICES[name]["environment"]
        assert environment["PLAYGROUND_MODE"] == "production"
        assert environment["PLAYGROUND_BEHIND_PROXY"] == "1"
        assert environment["PLAYGROUND_ACCEL_REDIRECT"] == "1"

    def test_the_proxy_reads_the_media_and_static_volumes_without_writing(self) -> None:
        volumes = SERVICES[PROXY]["volumes"]
        assert "media:/media:ro" in volumes
        assert "static:/static:ro" in volumes
        assert "./deploy/nginx.conf:/etc/nginx/templates/default.conf.template:ro" in volumes

    def test_web_and_the_worker_share_the_media_volume(self) -> None:
        assert "media:/media" in SERVICES["web"]["volumes"]
        assert "media:/media" in SERVICES["worker"]["volumes"]
        assert SERVICES["web"]["environment"]["MEDIA_ROOT"] == "/media"

    def test_the_migrate_service_fills_the_static_volume(self) -> None:
        assert "static:/static" in SERVICES["migrate"]["volumes"]
        assert "STATIC_ROOT=/static python manage.py collectstatic" in command_of("migrate")


class TestTheNginxConfig:
    def test_it_sets_the_forwarded_proto_itself(self) -> None:
        assert "proxy_set_header X-Forwarded-Proto ${PLAYGROUND_PUBLIC_SCHEME};" in NGINX_CONF
        assert "proxy_set_header X-Real-IP $remote_addr;" in NGINX_CONF

    def test_the_media_location_is_internal_and_matches_the_setting(self, settings: Any) -> None:
        block = re.search(r"location (/_protected/\S*) \{([^}]*)\}", NGINX_CONF)
        assert block is not None
        assert block[1] == settings.ACCEL_REDIRECT_PREFIX
        assert "internal;" in block[2]
        assert "alias /media/;" in block[2]

    def test_it_streams_answers_without_buffering(self) -> None:
        assert "proxy_buffering off;" in NGINX_CONF

    def test_it_uses_no_template_variable_the_compose_file_does_not_set(self) -> None:
        used = set(re.findall(r"\$\{(\w+)\}", NGINX_CONF))
        assert used == set(SERVICES[PROXY]["environment"])

    def test_nginx_accepts_it(self, tmp_path: Path) -> None:
        """Where nginx is installed (Debian's nginx-light will do), as `nginx -t` sees it."""
        nginx = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
        )
        if nginx is None:
            pytest.skip("nginx is not installed here")
        server = (
            NGINX_CONF.replace("${PLAYGROUND_PUBLIC_SCHEME}", "https")
            # The compose network's names do not resolve here.
            .replace("server web:8000;", "server 127.0.0.1:8000;")
        )
        (tmp_path / "server.conf").write_text(server)
        (tmp_path / "nginx.conf").write_text(
            f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
            f"  include /etc/nginx/mime.types;\n  include {tmp_path}/server.conf;\n}}\n"
        )

        result = subprocess.run(
            [nginx, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
            capture_output=True,
            text=True,
            check=False,
        )

        assert result.returncode == 0, result.stderr
        assert "syntax is ok" in result.stderr


class TestTheImage:
    def test_the_build_context_leaves_local_state_out(self) -> None:
        ignored = {
            line.strip()
            for line in (ROOT / ".dockerignore").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        }
        for entry in ("var/", ".venv/", ".tools/", "test-artifacts/", ".git/", "media/"):
            assert entry in ignored, entry
        assert "**/__pycache__/" in ignored

    def test_it_runs_as_an_unprivileged_user(self) -> None:
        dockerfile = (ROOT / "Dockerfile").read_text()
        assert "\nUSER playground\n" in dockerfile
        assert "chown playground /data /media /static" in dockerfile


class TestTheComposeReader:
    def test_it_reads_merges_anchors_and_flow_collections(self) -> None:
        text = (
            "x: &base\n  a: 1\n  b: [one, 'two, three']\nitems:\n  first:\n    <<: *base\n"
            "    b: {c: d}\n  cmd: >-\n    one\n    two\n"
        )
        assert load(text) == {
            "x": {"a": 1, "b": ["one", "two, three"]},
            "items": {"first": {"a": 1, "b": {"c": "d"}}, "cmd": "one two"},
        }

    def test_it_refuses_yaml_it_does_not_understand(self) -> None:
        with pytest.raises(ComposeYamlError):
            load("services:\n  - name: web\n")

    def test_it_reads_the_compose_file_as_pyyaml_does(self, tmp_path: Path) -> None:
        """Wherever some Python on this machine has PyYAML (Debian's python3-yaml, say)."""
        script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        for python in ("/usr/bin/python3", shutil.which("python3")):
            if not python:
                continue
            result = subprocess.run(
                [python, "-c", script, str(ROOT / "docker-compose.yml")],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode == 0:
                assert json.loads(result.stdout) == COMPOSE
                return
        pytest.skip("no Python with PyYAML on this machine to compare with")


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
class TestMediaBehindTheProxy:
    @pytest.fixture(autouse=True)
    def proxy(self, settings: Any) -> None:
        settings.ACCEL_REDIRECT = True

    @pytest.fixture
    def stored(self) -> dict[str, tuple[str, str]]:
        """url name -> (path, the stored file's name), for every kind of media."""
        job = ArchivedVideoJobFactory.create()
        image = GeneratedImageFactory.create()
        upload = UploadFactory.create()
        return {
            "videos:video": (reverse("videos:video", args=[job.id]), str(job.video.name)),
            "videos:poster": (reverse("videos:poster", args=[job.id]), str(job.poster.name)),
            "images:file": (reverse("images:file", args=[image.id]), str(image.file.name)),
            "images:thumbnail": (
                reverse("images:thumbnail", args=[image.id]),
                str(image.thumbnail.name),
            ),
            "uploads:file": (reverse("uploads:file", args=[upload.id]), str(upload.file.name)),
        }

    @pytest.mark.parametrize(
        "name", ["videos:video", "videos:poster", "images:file", "images:thumbnail", "uploads:file"]
    )
    def test_a_member_gets_an_empty_answer_that_hands_the_file_to_nginx(
        self, member: Client, stored: dict[str, tuple[str, str]], name: str
    ) -> None:
        path, file_name = stored[name]

        response = member.get(path, headers={"Range": "bytes=0-9"})

        assert response.status_code == 200, name  # nginx answers the Range itself
        assert response.content == b""
        assert response["X-Accel-Redirect"] == f"/_protected/media/{file_name}"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] != "text/html; charset=utf-8"

    @pytest.mark.parametrize("name", ["videos:video", "uploads:file"])
    def test_anonymous_visitors_are_still_sent_to_log_in(
        self, client: Client, stored: dict[str, tuple[str, str]], name: str
    ) -> None:
        path, _ = stored[name]

        response = client.get(path)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert "X-Accel-Redirect" not in response

    def test_a_deactivated_user_is_sent_to_log_in(
        self, client: Client, stored: dict[str, tuple[str, str]]
    ) -> None:
        client.force_login(UserFactory.create(is_active=False))

        response = client.get(stored["videos:video"][0])

        assert response.status_code == 302
        assert "X-Accel-Redirect" not in response

    def test_a_missing_file_is_still_a_404(self, member: Client) -> None:
        upload = UploadFactory.create()
        upload.file.delete(save=False)

        assert member.get(reverse("uploads:file", args=[upload.id])).status_code == 404

    def test_without_the_proxy_django_sends_the_file_itself(
        self, member: Client, settings: Any, stored: dict[str, tuple[str, str]]
    ) -> None:
        settings.ACCEL_REDIRECT = False

        response = member.get(stored["videos:video"][0], headers={"Range": "bytes=0-9"})

        assert response.status_code == 206
        assert "X-Accel-Redirect" not in response
        assert len(b"".join(response.streaming_content)) == 10  # type: ignore[attr-defined]


@pytest.mark.django_db
class TestHealthz:
    def test_it_answers_200_without_a_login(self, client: Client) -> None:
        response = client.get("/healthz")

        assert response.status_code == 200
        assert response.content == b"ok\n"
        assert "no-cache" in response["Cache-Control"]

    def test_it_answers_503_when_the_database_is_unreachable(
        self, client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        class Unreachable:
            def cursor(self) -> None:
                raise OperationalError("connection refused")

        monkeypatch.setattr(health, "connection", Unreachable())

        response = client.get("/healthz")

        assert response.status_code == 503
        assert response.content == b"database unreachable\n"

    def test_it_is_not_redirected_to_https(self, client: Client, settings: Any) -> None:
        settings.SECURE_SSL_REDIRECT = True

        assert client.get("/healthz").status_code == 200
        assert client.get(reverse("login")).status_code == 301

    def test_its_probe_fails_when_nothing_answers(self) -> None:
        assert health.probe("http://127.0.0.1:9/healthz") is False


@pytest.mark.django_db(transaction=True)
def test_the_health_probe_passes_against_a_running_server(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", "localhost")

    assert health.probe(f"{live_server.url}/healthz") is True


# -- bin/find-python: a machine whose only Python is older than 3.12 --------------------------

TOOLS = ("bash", "ls", "sort", "cut", "dirname", "rm", "mkdir", "ln", "cat")
FAKE_UV = """#!/bin/bash
echo "$*" >> "$UV_LOG"
target="$UV_PYTHON_INSTALL_DIR/cpython-3.13/bin/python3.13"
case "$1 $2" in
  "--version "*) echo "uv 0.13.9 (fake)" ;;
  "python find") [ -x "$target" ] && echo "$target" || exit 2 ;;
  "python install")
    if [ -n "${FAKE_DOWNLOAD:-}" ]; then
      mkdir -p "$(dirname "$target")" && ln -s "$FAKE_DOWNLOAD" "$target"
    else
      echo "error: Failed to download https://github.com/astral-sh/python-build-standalone/..." >&2
      exit 1
    fi ;;
esac
"""


def old_python() -> str | None:
    """A Python older than 3.12 on this machine, if there is one."""
    found = [shutil.which(f"python3.{minor}") for minor in (11, 10, 9)]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found += [str(p) for p in sorted(pyenv.glob("3.1[01].*/bin/python3"))]
    found += ["/usr/bin/python3.11", "/usr/bin/python3"]
    for python in found:
        if python and Path(python).exists():
            version = subprocess.run(
                [python, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                capture_output=True,
                text=True,
                check=False,
            )
            if version.stdout.strip() == "False":
                return python
    return None


@pytest.fixture
def only_an_old_python(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH, PYTHON and pyenv offer nothing newer than 3.11."""
    python = old_python()
    if python is None:
        pytest.skip("no Python older than 3.12 on this machine to play the old one")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    (bin_dir / "python3").symlink_to(python)
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": str(bin_dir),
        "HOME": str(home),
        "PYENV_ROOT": str(home / "no-pyenv"),
        "PYTHON": python,
        "PLAYGROUND_TOOLS_DIR": str(tmp_path / "tools"),
        "UV_LOG": str(tmp_path / "uv.log"),
        "UV_HTTP_RETRIES": "0",
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
    }


def find_python(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "bin" / "find-python")],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def with_fake_uv(env: dict[str, str]) -> None:
    uv = Path(env["PLAYGROUND_TOOLS_DIR"]) / "bin" / "uv"
    uv.parent.mkdir(parents=True)
    uv.write_text(FAKE_UV)
    uv.chmod(0o755)


class TestFindPython:
    def test_it_has_uv_download_python_3_13_when_the_only_python_is_older(
        self, only_an_old_python: dict[str, str]
    ) -> None:
        env = only_an_old_python | {"FAKE_DOWNLOAD": os.path.realpath(sys.executable)}
        with_fake_uv(env)

        result = find_python(env)

        assert result.returncode == 0, result.stderr
        found = result.stdout.strip()
        assert found.startswith(env["PLAYGROUND_TOOLS_DIR"] + "/python/")
        assert "downloading Python 3.13 with uv" in result.stderr
        assert "python install 3.13" in Path(env["UV_LOG"]).read_text()

    def test_it_explains_what_to_install_when_the_download_is_impossible(
        self, only_an_old_python: dict[str, str]
    ) -> None:
        with_fake_uv(only_an_old_python)

        result = find_python(only_an_old_python)

        assert result.returncode == 1
        assert result.stdout == ""
        assert "python install 3.13" in Path(only_an_old_python["UV_LOG"]).read_text()
        assert "needs Python 3.12 or newer, and none was found" in result.stderr
        assert "uv could not download Python 3.13" in result.stderr
        assert "set PYTHON=/path/to/python3" in result.stderr

    def test_it_tries_the_real_uv_and_says_what_happened(
        self, only_an_old_python: dict[str, str]
    ) -> None:
        """With the project's uv: here github.com is out of reach, elsewhere it may download."""
        real_uv = ROOT / ".tools" / "bin" / "uv"
        if not real_uv.exists():
            pytest.skip("the project's uv is not installed")
        env = only_an_old_python
        (Path(env["PLAYGROUND_TOOLS_DIR"]) / "bin").mkdir(parents=True)
        (Path(env["PLAYGROUND_TOOLS_DIR"]) / "bin" / "uv").symlink_to(real_uv)

        result = find_python(env)

        assert "downloading Python 3.13 with uv" in result.stderr
        if result.returncode == 0:
            assert result.stdout.startswith(env["PLAYGROUND_TOOLS_DIR"] + "/python/")
        else:
            assert "uv could not download Python 3.13 (is github.com reachable?)" in result.stderr

    def test_it_still_prefers_a_python_that_is_already_there(self) -> None:
        env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
        env["PYTHON"] = os.path.realpath(sys.executable)

        result = find_python(env)

        assert result.returncode == 0, result.stderr
        assert "uv" not in result.stderr


class TestTheLoginThrottleBehindTheProxy:
    """Behind nginx every request comes from nginx's address: the throttle reads X-Real-IP."""

    def client_ip(self, **meta: str) -> str:
        request = RequestFactory().post("/")
        request.META.update(meta)
        return LoginForm(request=request).client_ip()

    def test_it_counts_failures_by_the_address_nginx_saw(self, settings: Any) -> None:
        settings.BEHIND_PROXY = True

        assert self.client_ip(REMOTE_ADDR="172.18.0.5", HTTP_X_REAL_IP="203.0.113.7") == (
            "203.0.113.7"
        )

    def test_without_the_proxy_a_client_cannot_choose_its_address(self, settings: Any) -> None:
        settings.BEHIND_PROXY = False

        assert self.client_ip(REMOTE_ADDR="198.51.100.2", HTTP_X_REAL_IP="203.0.113.7") == (
            "198.51.100.2"
        )
