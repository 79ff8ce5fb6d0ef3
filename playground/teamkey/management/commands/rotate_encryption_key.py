from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from playground.teamkey.crypto import DecryptionError
from playground.teamkey.services import team_key_rotate_encryption


class Command(BaseCommand):
    help = (
        "Re-encrypts the stored team key under the newest encryption key. To rotate: put the "
        "new Fernet key first in PLAYGROUND_ENCRYPTION_KEYS and keep the old one after it "
        "(comma-separated), restart, run this command, then drop the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rotated = team_key_rotate_encryption()
        except DecryptionError as error:
            raise CommandError(error.detail) from None
        except ImproperlyConfigured as error:
            # Malformed keys; from the shell, the start-up check usually says so first.
            raise CommandError(str(error)) from None
        if rotated:
            self.stdout.write("The team key is now encrypted under the newest encryption key.")
        else:
            self.stdout.write("No team key is stored; nothing to re-encrypt.")
