import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from playground.accounts.selectors import user_admin_exists
from playground.accounts.services import user_create_admin
from playground.teamkey.services import team_key_adopt_simulator

LOCAL_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Prepares a fresh install; safe to run every time. Creates the first admin if there is "
        "none and prints how to log in, once. In local mode, with no team key, points the team "
        "key at the local simulator."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if not user_admin_exists():
                self._create_admin()
            if team_key_adopt_simulator():
                url = settings.STARRISE_BASE_URL
                self.stdout.write(f"The team key now points at the local simulator ({url}).")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _create_admin(self) -> None:
        password = settings.ADMIN_PASSWORD or secrets.token_urlsafe(12)
        user = user_create_admin(
            username=settings.ADMIN_USERNAME, email=settings.ADMIN_EMAIL, password=password
        )
        where = "this site's address" if settings.PRODUCTION else LOCAL_URL
        # An operator-chosen password is not echoed into logs; a generated one is shown once.
        shown = "the one in PLAYGROUND_ADMIN_PASSWORD" if settings.ADMIN_PASSWORD else password
        self.stdout.write(
            self.style.SUCCESS(
                "\nCreated the first admin. Log in once the servers are up:\n"
                f"  URL:      {where}\n"
                f"  username: {user.get_username()}\n"
                f"  password: {shown}\n"
                "This is shown only now: keep the password, or change it after logging in.\n"
            )
        )
