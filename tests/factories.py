# factory_boy's declarations have no type hints.
# mypy: disallow-untyped-calls=False
from factory.declarations import LazyAttribute, Sequence
from factory.django import DjangoModelFactory, Password

from playground.accounts.models import User
from playground.teamkey import crypto
from playground.teamkey.models import SINGLETON_ID, TeamKey, key_hint
from tests.conftest import SIM_KEY


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"user{n}")
    email = LazyAttribute(lambda user: f"{user.username}@example.com")
    # Unusable unless a test passes one: hashing a real password costs ~0.3 s per user.
    password = Password(None)


class AdminFactory(UserFactory):
    username = Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


class TeamKeyFactory(DjangoModelFactory[TeamKey]):
    """The stored team key, encrypted like team_key_set stores it (without the audit row)."""

    class Meta:
        model = TeamKey

    class Params:
        plaintext = SIM_KEY

    id = SINGLETON_ID
    ciphertext = LazyAttribute(lambda key: crypto.encrypt(key.plaintext))
    hint = LazyAttribute(lambda key: key_hint(key.plaintext))
    set_by_name = "system"
