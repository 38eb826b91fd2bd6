"""The second-factor pages: the code asked after the password, enrolment, recovery codes, and the status page."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from berjasa import accounts
from berjasa.second_factor import second_factor_required

ENROL_KEY = (
    "second_factor_enrol_key"  # the secret shown on the enrolment page, until it is confirmed
)
NEW_CODES = "second_factor_new_codes"  # recovery codes to show once


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def refuse(self, refusal: ValidationError) -> None:
        """Show the refusal under an emptied field, ready for the next code."""
        self.add_error("code", refusal)
        self.data = self.data.copy()
        self.data["code"] = ""


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request: HttpRequest, device) -> None:
    request.session.cycle_key()
    otp_login(request, device)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app or a recovery code."""
    user = request.user
    if user.is_verified() or not user_has_device(user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = accounts.verify_second_factor(user, form.cleaned_data["code"])
        except ValidationError as refusal:
            form.refuse(refusal)
        else:
            _verified(request, device)
            return redirect(_next_url(request))
    return render(
        request,
        "registration/second_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: its QR code and secret, confirmed by one of its codes."""
    user = request.user
    if user_has_device(user):
        # A second device only after an administrator's reset: a password alone must not replace the first.
        return redirect("second_factor:status" if user.is_verified() else "second_factor:verify")
    key = request.session.setdefault(ENROL_KEY, random_hex(20))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device, codes = accounts.enrol_second_factor(
                user, key=key, code=form.cleaned_data["code"]
            )
        except ValidationError as refusal:
            form.refuse(refusal)
        else:
            _verified(request, device)
            del request.session[ENROL_KEY]
            request.session[NEW_CODES] = codes
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{reverse('second_factor:recovery_codes')}?{query}")
    config_url = TOTPDevice(user=user, key=key).config_url
    context = {
        "form": form,
        "next": _next_url(request),
        "required": second_factor_required(user),
        "qr_code": segno.make(config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": " ".join(_groups(b32encode(bytes.fromhex(key)).decode(), 4)),
    }
    return render(request, "registration/second_factor_enrol.html", context)


def _groups(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once."""
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("second_factor:status")
    return render(
        request,
        "registration/second_factor_recovery_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@login_required
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user):
        return redirect("second_factor:status")
    request.session[NEW_CODES] = accounts.regenerate_recovery_codes(
        request.user, acting_user=request.user
    )
    return redirect("second_factor:recovery_codes")


@login_required
def status(request: HttpRequest) -> HttpResponse:
    """Whether a second factor is active, and how many recovery codes are left."""
    user = request.user
    device = TOTPDevice.objects.devices_for_user(user).first()
    codes_left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    context = {"device": device, "codes_left": codes_left, "required": second_factor_required(user)}
    return render(request, "registration/second_factor_status.html", context)
