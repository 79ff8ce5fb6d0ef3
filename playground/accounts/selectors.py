from playground.accounts.models import User


def user_admin_exists() -> bool:
    # The same rule as User.is_admin, as a query.
    return User.objects.filter(is_active=True, is_staff=True).exists()
