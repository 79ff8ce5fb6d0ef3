from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from playground.accounts.decorators import admin_required
from playground.accounts.forms import RoleForm, UserInviteForm
from playground.accounts.http import AuthenticatedHttpRequest
from playground.accounts.models import Role, User
from playground.accounts.selectors import (
    audit_event_list,
    user_get,
    user_invite_path,
    user_list,
)
from playground.accounts.services import (
    user_deactivate,
    user_invite,
    user_invite_renew,
    user_language_set,
    user_password_change,
    user_reactivate,
    user_role_set,
)

# -- Your language ----------------------------------------------------------------------------


@login_not_required  # the login page has the switch too
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Sets the interface language in the cookie and, for a logged-in user, on them too, so it
    follows them to another browser; then back to the page it was chosen on."""
    code = request.POST.get("language", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("chat:page") if request.user.is_authenticated else reverse("login")
    response = redirect(back)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=code)
    return response


# -- Your own password ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user_password_change(user=request.user, password=form.cleaned_data["new_password1"])
        # Keeps this session; the user's other sessions end, as their hash no longer matches.
        update_session_auth_hash(request, request.user)
        messages.success(
            request, _("Your password is changed. Your other sessions are logged out.")
        )
        return redirect("password_change")
    status = 400 if form.is_bound else 200
    context = {"nav": "password", "form": form}
    return render(request, "accounts/password_change.html", context, status=status)


class InviteAcceptView(PasswordResetConfirmView):
    """An invited user sets their password. Django's reset view checks the token (and moves
    it out of the URL before the form shows); this one records the change and logs nobody in."""

    template_name = "accounts/invite_accept.html"
    success_url = reverse_lazy("login")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: SetPasswordForm[Any]) -> HttpResponse:
        user_password_change(
            user=form.user, password=form.cleaned_data["new_password1"], via_invite=True
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password is set: log in with it."))
        return HttpResponseRedirect(self.get_success_url())


# -- Users, for admins ------------------------------------------------------------------------


def _render(
    request: AuthenticatedHttpRequest,
    template: str,
    *,
    form: UserInviteForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "nav": "users",
        "users": user_list(),
        "events": audit_event_list(),
        "form": form or UserInviteForm(),
        "roles": Role,
        **extra,
    }
    return render(request, template, context, status=status)


def _with_invite_link(request: AuthenticatedHttpRequest, user: User, sentence: str) -> HttpResponse:
    # Rendered, not redirected to: the link is shown this once and kept nowhere.
    invite_url = request.build_absolute_uri(user_invite_path(user=user))
    return _render(
        request,
        "accounts/users.html",
        invited=user,
        invite_url=invite_url,
        invited_how=sentence,
        invite_days=max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    )


def _subject(user_id: int) -> User:
    user = user_get(user_id=user_id)
    if user is None:
        raise Http404(_("No such user."))
    return user


def _done(
    request: AuthenticatedHttpRequest, *, error: ValidationError | None, success: str
) -> HttpResponse:
    """After an action on a row: the list again (in place for htmx), with a sentence. An admin
    who has just made themselves a member, or deactivated themselves, leaves the page."""
    text, level = (" ".join(error.messages), "error") if error else (success, "success")
    request.user.refresh_from_db()
    if not request.user.is_active:
        logout(request)
        messages.info(request, text)
        return _leave(request, reverse("login"))
    if not request.user.is_admin:
        messages.success(request, text)
        return _leave(request, reverse("chat:page"))
    if request.htmx:
        return _render(request, "accounts/users.html#changed", notice=text, notice_level=level)
    messages.add_message(request, messages.ERROR if error else messages.SUCCESS, text)
    return redirect("users:page")


def _leave(request: AuthenticatedHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@admin_required
@require_GET
def users_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render(request, "accounts/users.html")


@admin_required
@require_POST
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserInviteForm(request.POST)
    if form.is_valid():
        try:
            user = user_invite(
                actor=request.user,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                role=Role(form.cleaned_data["role"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _with_invite_link(
                request,
                user,
                (
                    _("%(name)s is invited as an admin.")
                    if user.role == Role.ADMIN
                    else _("%(name)s is invited as a member.")
                )
                % {"name": user.get_username()},
            )
    return _render(request, "accounts/users.html", form=form, status=400)


@admin_required
@require_POST
def invite_link(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    user = _subject(user_id)
    try:
        user_invite_renew(actor=request.user, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("users:page")
    return _with_invite_link(
        request, user, _("A new invite link for %(name)s.") % {"name": user.get_username()}
    )


@admin_required
@require_POST
def role(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    user = _subject(user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _done(request, error=ValidationError(_("Choose admin or member.")), success="")
    new_role = Role(form.cleaned_data["role"])
    try:
        user_role_set(actor=request.user, user=user, role=new_role)
    except ValidationError as error:
        return _done(request, error=error, success="")
    return _done(
        request,
        error=None,
        success=(
            _("%(name)s is now an admin.")
            if new_role == Role.ADMIN
            else _("%(name)s is now a member.")
        )
        % {"name": user.get_username()},
    )


@admin_required
@require_POST
def deactivate(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    user = _subject(user_id)
    try:
        user_deactivate(actor=request.user, user=user)
    except ValidationError as error:
        return _done(request, error=error, success="")
    return _done(
        request,
        error=None,
        success=(
            _("%(name)s is deactivated and logged out everywhere; what they made stays.")
            % {"name": user.get_username()}
        ),
    )


@admin_required
@require_POST
def reactivate(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    user = _subject(user_id)
    try:
        user_reactivate(actor=request.user, user=user)
    except ValidationError as error:
        return _done(request, error=error, success="")
    return _done(
        request, error=None, success=_("%(name)s can log in again.") % {"name": user.get_username()}
    )
