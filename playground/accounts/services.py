import hashlib
import logging
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.debug import sensitive_variables

from playground.accounts.models import AuditEvent, Role, User

logger = logging.getLogger("playground.accounts")

# Session engines whose sessions live in the Session table, so a user's can be found and ended.
TABLE_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


# Audit details, stored in English and translated when shown (playground/stored_text.py).
ROLE_AS = {Role.ADMIN: gettext_noop("as admin"), Role.MEMBER: gettext_noop("as member")}
ROLE_CHANGE = {
    Role.ADMIN: gettext_noop("member to admin"),
    Role.MEMBER: gettext_noop("admin to member"),
}


def _audit(
    *, actor: User | None, action: AuditEvent.Action, subject: User, detail: str = ""
) -> None:
    AuditEvent.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        subject=subject,
        subject_name=subject.get_username(),
        action=action,
        detail=detail,
    )


def audit_record(
    *, actor: User | None, action: AuditEvent.Action, subject: User, detail: str = ""
) -> None:
    """Adds a line to the users' audit log for another app (the usage app's daily limits)."""
    _audit(actor=actor, action=action, subject=subject, detail=detail)


@transaction.atomic
def user_create_admin(*, username: str, email: str, password: str) -> User:
    """Creates an admin who can also use the Django admin (a staff superuser)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            f"A user named {username!r} already exists: set PLAYGROUND_ADMIN_USERNAME to "
            "another name, or make that user staff."
        )
    return User.objects.create_superuser(username=username, email=email, password=password)


@transaction.atomic
def user_invite(*, actor: User, username: str, email: str, role: Role) -> User:
    """Creates a user with no password yet: they set one through an invite link
    (`selectors.user_invite_path`), so nobody else ever knows it."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("A user named %(name)r already exists.") % {"name": username})
    user = User(username=username, email=email.strip())
    _apply_role(user, role)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    _audit(actor=actor, action=AuditEvent.Action.INVITE, subject=user, detail=ROLE_AS[role])
    return user


@transaction.atomic
def user_invite_renew(*, actor: User, user: User) -> None:
    """Records that an admin made a new invite link for a user who has not set a password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(
            _("%(name)s is deactivated: reactivate them first.") % {"name": user.get_username()}
        )
    if not user.is_invited:
        raise ValidationError(
            _("%(name)s has set a password already; they can change it on their Password page.")
            % {"name": user.get_username()}
        )
    _audit(actor=actor, action=AuditEvent.Action.INVITE_LINK, subject=user)


@transaction.atomic
def user_role_set(*, actor: User, user: User, role: Role) -> User:
    """Makes a user an admin or a member. The last active admin stays one."""
    _lock_admins()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == role:
        already = (
            _("%(name)s is already an admin.")
            if role == Role.ADMIN
            else _("%(name)s is already a member.")
        )
        raise ValidationError(already % {"name": user.get_username()})
    if role == Role.MEMBER:
        _refuse_last_admin(actor=actor, user=user, doing=_("make yourself a member"))
    _apply_role(user, role)
    user.save(update_fields=["is_staff", "is_superuser"])
    _audit(actor=actor, action=AuditEvent.Action.ROLE, subject=user, detail=ROLE_CHANGE[role])
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Stops a user from logging in and ends their sessions at once. What they made stays."""
    _lock_admins()
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(_("%(name)s is already deactivated.") % {"name": user.get_username()})
    _refuse_last_admin(actor=actor, user=user, doing=_("deactivate yourself"))
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _sessions_end(user)
    # Stored in English, translated when shown (playground/stored_text.py).
    detail = (
        gettext_noop("%(count)s open session ended")
        if ended == 1
        else gettext_noop("%(count)s open sessions ended")
    ) % {"count": ended}
    _audit(actor=actor, action=AuditEvent.Action.DEACTIVATE, subject=user, detail=detail)
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError(_("%(name)s is already active.") % {"name": user.get_username()})
    user.is_active = True
    user.save(update_fields=["is_active"])
    _audit(actor=actor, action=AuditEvent.Action.REACTIVATE, subject=user)
    return user


@sensitive_variables("password")
@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """Saves the interface language the user chose ("" follows the browser)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose a language from the list."), code="language")
    user.language = language
    user.save(update_fields=["language"])


def user_password_change(*, user: User, password: str, via_invite: bool = False) -> None:
    """Sets a user's own password (validated by the form). The log records that it changed,
    never the password. The caller keeps the session with update_session_auth_hash."""
    user.set_password(password)
    user.save(update_fields=["password"])
    password_validation.password_changed(password, user)
    action = AuditEvent.Action.PASSWORD_SET if via_invite else AuditEvent.Action.PASSWORD_CHANGE
    _audit(actor=user, action=action, subject=user)


def _apply_role(user: User, role: Role) -> None:
    user.is_staff = user.is_superuser = role == Role.ADMIN


def _lock_admins() -> None:
    """Locks the active admins' rows, so two admins demoting each other at once cannot leave
    the team with none (SQLite's immediate transactions already serialise writers)."""
    list(User.objects.select_for_update().filter(is_active=True, is_staff=True).values("pk"))


def _refuse_last_admin(*, actor: User | None, user: User, doing: str) -> None:
    if not user.is_admin:
        return
    if User.objects.filter(is_active=True, is_staff=True).exclude(pk=user.pk).exists():
        return
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(
            _(
                "You are the last active admin, so you cannot %(doing)s: make another user an "
                "admin first."
            )
            % {"doing": doing}
        )
    raise ValidationError(
        _("%(name)s is the last active admin: make another user an admin first.")
        % {"name": user.get_username()}
    )


def _sessions_end(user: User) -> int:
    """Deletes the user's sessions from the session store; returns how many. With a session
    engine that cannot be searched (cache, signed cookies), the next request is refused
    anyway: Django's ModelBackend does not load an inactive user."""
    if settings.SESSION_ENGINE not in TABLE_SESSION_ENGINES:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


# -- Login throttling -------------------------------------------------------------------------


def throttle_key(kind: str, value: str) -> str:
    """The cache key of a failure counter. Hashed: a username may hold any character."""
    digest = hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def login_failure_record(*, username: str, ip: str) -> None:
    """Counts a failed login against the username and the client's address."""
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    counters = [(throttle_key("username", username), settings.LOGIN_THROTTLE_USERNAME_FAILURES)]
    if ip:
        counters.append((throttle_key("ip", ip), settings.LOGIN_THROTTLE_IP_FAILURES))
    for key, limit in counters:
        # The window starts at the first failure; the counter and its end expire together.
        cache.add(f"{key}:until", time.time() + window, window)
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        if count == limit:
            logger.warning("Login throttled after %d failures (%s).", count, key.split(":")[1])


def login_success_record(*, username: str) -> None:
    """A successful login clears the username's failures (not the address's)."""
    key = throttle_key("username", username)
    cache.delete_many([key, f"{key}:until"])
