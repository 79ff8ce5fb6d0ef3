import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from playground.accounts.models import User
from playground.teamkey.models import KeyAuditEvent
from playground.teamkey.selectors import team_key_source
from playground.teamkey.services import team_key_test
from tests.conftest import SIM_KEY, Simulator
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def setup() -> str:
    out = StringIO()
    call_command("playground_setup", stdout=out)
    return out.getvalue()


@pytest.fixture
def local(settings: Settings, tmp_path: Path) -> Path:
    """Local mode with the simulator's default URL, and the key file in a temporary folder."""
    settings.PRODUCTION = False
    settings.STARRISE_BASE_URL = "http://127.0.0.1:8001"
    path = tmp_path / "simulator.key"
    settings.SIMULATOR_KEY_FILE = path
    settings.ADMIN_USERNAME = "boss"
    settings.ADMIN_PASSWORD = ""
    return path


class TestPlaygroundSetup:
    def test_it_creates_the_first_admin_and_prints_how_to_log_in(self, local: Path) -> None:
        output = setup()
        match = re.search(r"password: (\S+)", output)
        assert match
        admin = User.objects.get(username="boss")
        assert admin.is_admin
        assert admin.check_password(match.group(1))
        assert "URL:      http://127.0.0.1:8000" in output
        assert "username: boss" in output

    def test_it_prints_the_password_only_once(self, local: Path) -> None:
        setup()
        assert setup() == ""
        assert User.objects.count() == 1

    def test_it_does_not_echo_a_password_from_the_environment(
        self, local: Path, settings: Settings
    ) -> None:
        settings.ADMIN_PASSWORD = "from-the-environment-42"
        output = setup()
        assert "from-the-environment-42" not in output
        assert "the one in PLAYGROUND_ADMIN_PASSWORD" in output
        assert User.objects.get().check_password("from-the-environment-42")

    def test_it_leaves_an_existing_admin_alone(self, local: Path) -> None:
        AdminFactory.create()
        assert "password" not in setup()
        assert not User.objects.filter(username="boss").exists()

    def test_it_explains_a_taken_admin_username(self, local: Path) -> None:
        UserFactory.create(username="boss")
        with pytest.raises(CommandError, match="A user named 'boss' already exists"):
            setup()

    def test_it_points_the_team_key_at_the_local_simulator(self, local: Path) -> None:
        output = setup()
        key = local.read_text().strip()
        assert "The team key now points at the local simulator" in output
        assert key not in output
        source = team_key_source()
        assert source is not None
        assert source.reveal() == key
        assert KeyAuditEvent.objects.get().actor_name == "system"

    def test_the_simulators_key_works(self, local: Path, sim: Simulator) -> None:
        local.write_text(SIM_KEY + "\n")  # as the simulator fixture is started with
        setup()
        assert team_key_test(actor=None).ok

    def test_it_is_idempotent(self, local: Path) -> None:
        setup()
        key = local.read_text()
        assert setup() == ""
        assert local.read_text() == key
        assert KeyAuditEvent.objects.count() == 1

    def test_it_leaves_the_team_key_alone_in_production(
        self, local: Path, settings: Settings
    ) -> None:
        settings.PRODUCTION = True
        assert "simulator" not in setup()
        assert team_key_source() is None
