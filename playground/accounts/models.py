from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Admins are staff superusers (the Django admin too); members are neither."""

    ADMIN = "admin", _("admin")
    MEMBER = "member", _("member")


class User(AbstractUser):
    """A team member. Admins are active staff users; everyone else is a member."""

    # The interface language they chose; blank follows the browser.
    language = models.CharField(
        _("language"), max_length=16, blank=True, choices=settings.LANGUAGES
    )

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.is_staff

    @property
    def role(self) -> Role:
        return Role.ADMIN if self.is_staff else Role.MEMBER

    @property
    def is_invited(self) -> bool:
        """Created by an admin, and has not set a password yet."""
        return not self.has_usable_password()


class AuditEvent(models.Model):
    """Who did what to which user: invitations, roles, deactivations, password changes.
    (Events of the team key have their own log, teamkey.KeyAuditEvent.)"""

    class Action(models.TextChoices):
        INVITE = "invite", _("invited")
        INVITE_LINK = "invite_link", _("made a new invite link for")
        ROLE = "role", _("changed the role of")
        DEACTIVATE = "deactivate", _("deactivated")
        REACTIVATE = "reactivate", _("reactivated")
        PASSWORD_SET = "password_set", _("set a password from an invite")
        PASSWORD_CHANGE = "password_change", _("changed their password")
        QUOTA = "quota", _("set the daily limits of")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Snapshots, so the log still reads right after a rename or a deletion.
    actor_name = models.CharField(max_length=150)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_name = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=Action)
    # Never a password or a link: what changed, in words ("member to admin").
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_action_display()} {self.subject_name}"
