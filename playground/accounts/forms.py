from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _

from playground.accounts.models import Role
from playground.accounts.selectors import login_refusal
from playground.accounts.services import login_failure_record, login_success_record


class LoginForm(AuthenticationForm):
    """Django's login form, throttled: after too many failures for a username or from an
    address, every attempt is refused, the right password too, until the window ends."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data  # "This field is required." is already there.
        ip = self.client_ip()
        refusal = login_refusal(username=username, ip=ip)
        if refusal:
            raise forms.ValidationError(refusal, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, ip=ip)
            raise
        login_success_record(username=username)
        return cleaned

    def client_ip(self) -> str:
        # REMOTE_ADDR when served directly (runserver). Behind compose's nginx every visitor
        # would share its address, so X-Real-IP, which nginx sets itself, overwriting any
        # client's value (deploy/nginx.conf), and which is trusted only with the proxy on.
        if self.request is None:
            return ""
        if settings.BEHIND_PROXY and self.request.META.get("HTTP_X_REAL_IP"):
            return str(self.request.META["HTTP_X_REAL_IP"])
        return str(self.request.META.get("REMOTE_ADDR", ""))


class UserInviteForm(forms.Form):
    username = UsernameField(label=_("Username"), max_length=150)
    email = forms.EmailField(
        required=False, label=_("Email"), help_text=_("Optional; the playground sends no mail.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
