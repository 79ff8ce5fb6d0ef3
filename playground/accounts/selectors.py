import math
import time

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from playground.accounts.models import AuditEvent, User
from playground.accounts.services import throttle_key


def user_admin_exists() -> bool:
    # The same rule as User.is_admin, as a query.
    return User.objects.filter(is_active=True, is_staff=True).exists()


def user_list() -> QuerySet[User]:
    """Everyone, active users first, then by name."""
    return User.objects.order_by("-is_active", "username")


def user_get(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def user_invite_path(*, user: User) -> str:
    """The path of a link that lets the user set their password. It works once (setting a
    password changes what the token is made of) and for PASSWORD_RESET_TIMEOUT seconds."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("invite_accept", args=[uidb64, token])


def audit_event_list(*, limit: int = 50) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.all()[:limit]


def login_refusal(*, username: str, ip: str) -> str:
    """Why a login must be refused before its password is even checked, or "" if it may go
    ahead: too many failures for this username, or from this address, in the window."""
    checks = [
        (
            throttle_key("username", username),
            settings.LOGIN_THROTTLE_USERNAME_FAILURES,
            _("Too many failed logins for this username: try again in %(wait)s."),
        )
    ]
    if ip:
        checks.append(
            (
                throttle_key("ip", ip),
                settings.LOGIN_THROTTLE_IP_FAILURES,
                _("Too many failed logins from your address: try again in %(wait)s."),
            )
        )
    found = cache.get_many([name for key, _, _ in checks for name in (key, f"{key}:until")])
    for key, limit, sentence in checks:
        if found.get(key, 0) >= limit:
            until = found.get(f"{key}:until")
            seconds = until - time.time() if until else settings.LOGIN_THROTTLE_WINDOW_SECONDS
            return sentence % {"wait": _duration(seconds)}
    return ""


def _duration(seconds: float) -> str:
    if seconds < 60:
        whole = max(1, math.ceil(seconds))
        return ngettext("%(count)d second", "%(count)d seconds", whole) % {"count": whole}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
