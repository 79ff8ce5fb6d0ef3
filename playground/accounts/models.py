from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A team member. Admins are active staff users; everyone else is a member."""

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.is_staff
