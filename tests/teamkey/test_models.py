from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


@pytest.mark.django_db
class TestLastUsed:
    def test_a_new_key_was_never_used(self) -> None:
        assert TeamKeyFactory.create().last_used_at is None

    def test_revealing_it_for_a_call_records_the_use(self) -> None:
        team_key = TeamKeyFactory.create()
        team_key.sealed().reveal()
        team_key.refresh_from_db()
        assert team_key.last_used_at is not None

    def test_it_writes_at_most_once_a_minute(self) -> None:
        team_key = TeamKeyFactory.create()
        team_key.sealed().reveal()
        first = TeamKey.objects.get().last_used_at
        with CaptureQueriesContext(connection) as queries:
            team_key.sealed().reveal()
        assert TeamKey.objects.get().last_used_at == first
        assert len(queries) == 0

    def test_the_database_holds_back_a_process_without_the_shared_cache(self) -> None:
        team_key = TeamKeyFactory.create()
        team_key.sealed().reveal()
        first = TeamKey.objects.get().last_used_at
        cache.clear()
        team_key.sealed().reveal()
        assert TeamKey.objects.get().last_used_at == first

    def test_it_records_again_after_a_minute(self) -> None:
        team_key = TeamKeyFactory.create()
        long_ago = timezone.now() - timedelta(minutes=5)
        TeamKey.objects.update(last_used_at=long_ago)
        team_key.sealed().reveal()
        last_used_at = TeamKey.objects.get().last_used_at
        assert last_used_at is not None
        assert last_used_at > long_ago

    def test_a_failed_record_does_not_stop_the_call(self, monkeypatch: pytest.MonkeyPatch) -> None:
        team_key = TeamKeyFactory.create(plaintext="sk-a-long-enough-key-4242")

        def broken(*args: object, **kwargs: object) -> bool:
            raise ConnectionError("the cache is down")

        monkeypatch.setattr(cache, "add", broken)
        assert team_key.sealed().reveal() == "sk-a-long-enough-key-4242"
