from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from invitations.services import clean_full_name


class AcceptForm(forms.Form):
    """The invited person's new login: name, username (the e-mail by default) and password twice."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You log in with it. Letters, digits and @ . + - _ only."),
        validators=[UnicodeUsernameValidator()],
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_full_name(self) -> str:
        return clean_full_name(self.cleaned_data["full_name"])

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class ColleagueInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"), max_length=254)
