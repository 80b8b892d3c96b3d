"""The form of the password page. The rules (current password, validators) are checked by the service."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password_again") not in (None, data["new_password"]):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data
