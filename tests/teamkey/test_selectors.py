import pytest

from playground.teamkey.models import KeyAuditEvent
from playground.teamkey.selectors import key_audit_event_list, team_key_source
from playground.teamkey.services import team_key_revoke, team_key_set
from tests.conftest import SIM_KEY
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


class TestTeamKeySource:
    def test_it_is_none_without_a_key(self) -> None:
        assert team_key_source() is None

    def test_it_reveals_the_stored_key(self) -> None:
        team_key_set(actor=None, plaintext=SIM_KEY)
        source = team_key_source()
        assert source is not None
        assert source.reveal() == SIM_KEY
        assert SIM_KEY not in repr(source)


class TestKeyAuditEventList:
    def test_it_lists_the_newest_first(self) -> None:
        admin = AdminFactory.create()
        team_key_set(actor=admin, plaintext=SIM_KEY)
        team_key_revoke(actor=admin)
        actions = [event.action for event in key_audit_event_list()]
        assert actions == [KeyAuditEvent.Action.REVOKE, KeyAuditEvent.Action.SET]
