from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from playground.notices.models import Preference


class PreferenceForm(forms.ModelForm[Preference]):
    class Meta:
        model = Preference
        fields = ["browser_notifications", "email"]

    def clean_email(self) -> bool:
        wanted: bool = self.cleaned_data["email"]
        if wanted and not self.instance.user.email:
            raise forms.ValidationError(
                _("Your account has no e-mail address: ask an admin to add one first.")
            )
        return wanted

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.user.email:
            self.fields["email"].help_text = _("An e-mail to %(address)s when a job ends.") % {
                "address": self.instance.user.email
            }
