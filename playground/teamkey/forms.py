from django import forms
from django.utils.translation import gettext_lazy as _


class TeamKeyForm(forms.Form):
    # Write-only: the key is never rendered back, not even after a failed submit.
    key = forms.CharField(
        label=_("Team API key"),
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("Stored encrypted. Only a hint of it is ever shown again."),
    )


class RevokeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that chat, images and video stop working until a new key is set.")
    )
