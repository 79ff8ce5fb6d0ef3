import pytest
from django.db import IntegrityError

from playground.teamkey.models import TeamKey, key_hint
from tests.factories import TeamKeyFactory


class TestKeyHint:
    @pytest.mark.parametrize(
        ("key", "hint"),
        [
            ("sk-sim-test-key-0000a1b2", "sk-…a1b2"),
            ("sess-abcdefghijklmnop-wxyz", "sess-…wxyz"),
            ("0123456789abcdefa1b2", "…a1b2"),  # no prefix
            ("sk-short-a1b2", "…a1b2"),  # too short to show more
            ("sk_live_abc-defghijklmnopqrst", "…qrst"),  # an odd prefix
            ("averylongprefix-0123456789", "…6789"),
        ],
    )
    def test_it_shows_the_prefix_and_the_last_four(self, key: str, hint: str) -> None:
        assert key_hint(key) == hint


@pytest.mark.django_db
class TestTeamKey:
    def test_it_is_a_single_row(self) -> None:
        TeamKeyFactory.create()
        with pytest.raises(IntegrityError):
            TeamKeyFactory.create(id=2)

    def test_it_names_itself_by_its_hint(self) -> None:
        team_key = TeamKeyFactory.create(plaintext="sk-a-long-enough-key-4242")
        assert str(team_key) == "Team key sk-…4242"
        assert "4242" in repr(team_key)
        assert "long-enough" not in repr(team_key)

    def test_its_sealed_key_reveals_the_plaintext(self) -> None:
        team_key = TeamKeyFactory.create(plaintext="sk-a-long-enough-key-4242")
        assert team_key.sealed().reveal() == "sk-a-long-enough-key-4242"
        assert TeamKey.objects.get().ciphertext == team_key.ciphertext
