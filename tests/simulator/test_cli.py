"""The simulator as a program: its key file, env defaults, stdout log and startup errors."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, free_port


def start(cwd: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """Runs the simulator in `cwd` with only the given SIM_* settings; returns (process, url).

    Its output goes to `cwd / "simulator.log"`.
    """
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIM_")}
    with (cwd / "simulator.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "playground.simulator", "--port", str(port)],
            cwd=cwd,
            env={**clean, "PYTHONPATH": str(ROOT), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while process.poll() is None:
        try:
            requests.get(f"{url}/_sim/health", timeout=1).raise_for_status()
            return process, url
        except requests.RequestException:
            assert time.monotonic() < deadline, "the simulator did not start"
            time.sleep(0.1)
    return process, url


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def own_simulator(tmp_path_factory):
    """One simulator without SIM_API_KEYS, with env defaults, run from an empty directory."""
    cwd = tmp_path_factory.mktemp("cwd")
    process, url = start(
        cwd,
        SIM_SEEDANCE_QUERY_SHAPE="ark",
        SIM_FAULT="503",
        SIM_FAULT_ROUTES="images",
        SIM_PUBLIC_URL="http://media.example:9000",
        SIM_VIDEO_SECONDS="0.2",
    )
    yield {"process": process, "url": url, "cwd": cwd}
    stop(process)


class TestKeyFile:
    def test_it_creates_a_private_key_file_when_no_keys_are_set(self, own_simulator):
        path = own_simulator["cwd"] / "var" / "simulator.key"
        assert re.fullmatch(r"sk-sim-[0-9a-f]{32}\n", path.read_text())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_it_accepts_the_key_from_the_file(self, own_simulator):
        key = (own_simulator["cwd"] / "var" / "simulator.key").read_text().strip()
        url = own_simulator["url"]
        ok = requests.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {key}"}, timeout=5)
        assert ok.status_code == 200
        assert requests.get(f"{url}/v1/models", timeout=5).status_code == 401

    def test_it_keeps_an_existing_key_file(self, tmp_path):
        (tmp_path / "keys.txt").write_text("sk-mine\nsk-other\n")
        process, url = start(tmp_path, SIM_API_KEY_FILE="keys.txt")
        try:
            for key in ("sk-mine", "sk-other"):
                headers = {"Authorization": f"Bearer {key}"}
                assert requests.get(f"{url}/v1/models", headers=headers, timeout=5).ok
        finally:
            stop(process)
        assert (tmp_path / "keys.txt").read_text() == "sk-mine\nsk-other\n"


class TestEnvDefaults:
    def test_sim_variables_set_the_config_defaults(self, own_simulator):
        url = own_simulator["url"]
        requests.post(f"{url}/_sim/config", json={"seedance_query_shape": "gateway"}, timeout=5)
        requests.post(f"{url}/_sim/reset", timeout=5)
        config = requests.get(f"{url}/_sim/config", timeout=5).json()
        assert config["seedance_query_shape"] == "ark"
        assert (config["fault"], config["fault_routes"]) == ("503", "images")
        assert config["video_seconds"] == 0.2

    def test_media_urls_use_sim_public_url(self, own_simulator):
        key = (own_simulator["cwd"] / "var" / "simulator.key").read_text().strip()
        response = requests.post(
            f"{own_simulator['url']}/v1/video/generations",
            json={"model": "m", "content": [{"type": "text", "text": "x"}]},
            headers={"Authorization": f"Bearer {key}"},
            timeout=5,
        )
        task_id = response.json()["id"]
        time.sleep(0.3)
        ark = requests.get(
            f"{own_simulator['url']}/v1/video/generations/{task_id}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=5,
        ).json()
        assert ark["content"]["video_url"].startswith("http://media.example:9000/media/")
        assert (own_simulator["cwd"] / "var" / "simulator-media").is_dir()

    def test_a_bad_env_value_stops_it_with_a_clear_message(self, tmp_path):
        process, _ = start(tmp_path, SIM_API_KEYS="k", SIM_FAULT="boom")
        assert process.wait(timeout=30) != 0
        assert "SIM_FAULT must be null or one of" in (tmp_path / "simulator.log").read_text()


class TestStdoutLog:
    def test_it_prints_one_line_per_request_without_keys(self, own_simulator):
        key = (own_simulator["cwd"] / "var" / "simulator.key").read_text().strip()
        url = own_simulator["url"]
        requests.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {key}"}, timeout=5)
        requests.get(f"{url}/v1/models", headers={"Authorization": "Bearer sk-wrong"}, timeout=5)
        output = (own_simulator["cwd"] / "simulator.log").read_text()
        assert key not in output
        assert "sk-wrong" not in output
        assert "Authorization" not in output
        assert re.search(r"^GET /v1/models 200 \d+ms$", output, re.MULTILINE)
        assert re.search(r"^GET /v1/models 401 \d+ms$", output, re.MULTILINE)


def test_it_does_not_load_the_playground_settings():
    code = (
        "import sys, playground.simulator.server, playground.simulator.__main__;"
        "print('playground.settings' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
