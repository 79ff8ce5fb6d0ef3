from django.core.exceptions import ValidationError
from django.db import transaction

from playground.accounts.models import User


@transaction.atomic
def user_create_admin(*, username: str, email: str, password: str) -> User:
    """Creates an admin who can also use the Django admin (a staff superuser)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            f"A user named {username!r} already exists: set PLAYGROUND_ADMIN_USERNAME to "
            "another name, or make that user staff."
        )
    return User.objects.create_superuser(username=username, email=email, password=password)
