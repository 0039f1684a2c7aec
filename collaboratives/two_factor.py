"""Two-factor sign-in: an authenticator app (TOTP) and ten recovery codes, on django-otp.

Signing in stays Django's LoginView (with axes). Signing in notes in the session what is
still owed (``SESSION_STATE``): a code, when the person has an authenticator app; a set-up,
when the portal requires a second factor of them and they have none; or nothing. The
middleware (two_factor_middleware.py) keeps a session that owes something on these pages,
reading only the session, so people without a second factor pay no query for it.
django-otp's OTPMiddleware marks a session verified once a code was accepted.
API tokens are not affected: scripts sign in with them, not with a password.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from collaboratives.forms import add_service_errors, posted
from collaboratives.models import CollaborativeRole, StateViewerRole

SESSION_STATE = "_bsc_two_factor"
STATE_FREE = "free"  # nothing owed
STATE_VERIFY = "verify"  # has an authenticator app: the session needs a code
STATE_SETUP = "setup"  # required to have one and has none: the session must set it up
SESSION_FAILURES = "_bsc_two_factor_failures"
SESSION_FRESH_CODES = "_bsc_two_factor_fresh_codes"

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"


# --- Selectors ---------------------------------------------------------------------------

def two_factor_device_of(user: AbstractBaseUser) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def two_factor_enabled(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def two_factor_required(user: AbstractBaseUser) -> bool:
    """Whether the portal requires a second factor of this person: only when
    BSC_REQUIRE_2FA_FOR_LEADERS is on, and then for staff, anyone with a role on a
    collaborative (advisor, coach, faculty) and state viewers."""
    if not settings.BSC_REQUIRE_2FA_FOR_LEADERS or not user.is_authenticated:
        return False
    return bool(
        user.is_staff
        or CollaborativeRole.objects.filter(user=user).exists()
        or StateViewerRole.objects.filter(user=user).exists()
    )


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def session_state_for(user: AbstractBaseUser) -> str:
    """What a freshly signed-in session of this person still owes (STATE_*)."""
    if two_factor_enabled(user):
        return STATE_VERIFY
    return STATE_SETUP if two_factor_required(user) else STATE_FREE


def two_factor_note_sign_in(sender: type, request: HttpRequest | None, user: AbstractBaseUser,
                            **kwargs: object) -> None:
    """Receiver of ``user_logged_in``: every way of signing in (the login page, the admin's,
    an invitation, a test's force_login) notes what the new session owes."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_STATE] = session_state_for(user)
    request.session.pop(SESSION_FAILURES, None)


# --- Services ----------------------------------------------------------------------------

@transaction.atomic
def two_factor_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """A new, unconfirmed authenticator key (replacing any earlier unconfirmed one). It
    counts for nothing until a code from it is confirmed."""
    if two_factor_enabled(user):
        raise ValidationError(_("Two-factor sign-in is already on."), code="already_on")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def two_factor_pending_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def two_factor_confirm(*, user: AbstractBaseUser, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor sign-in on with a code from the new app; returns the device and a
    fresh set of recovery codes (shown once)."""
    device = (TOTPDevice.objects.select_for_update()
              .filter(user=user, confirmed=False).order_by("-pk").first())
    if device is None:
        raise ValidationError(_("Start the set-up again: there is no key waiting for a code."),
                              code="no_pending_device")
    if not device.verify_token(code):
        raise ValidationError({"code": ValidationError(
            _("That code is not right. Check that the app shows the BSC Portal entry you just "
              "added and enter its newest code."), code="wrong_code")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device, _recovery_codes_replace(user)


@transaction.atomic
def recovery_codes_regenerate(*, user: AbstractBaseUser) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not two_factor_enabled(user):
        raise ValidationError(_("Turn on two-factor sign-in first."), code="not_on")
    return _recovery_codes_replace(user)


def _recovery_codes_replace(user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_disable(*, user: AbstractBaseUser) -> None:
    if two_factor_required(user):
        raise ValidationError(_("Your role requires two-factor sign-in, so it stays on."),
                              code="required")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def two_factor_check(*, user: AbstractBaseUser, code: str = "",
                     recovery_code: str = "") -> Device | None:
    """The device that accepts the code (a recovery code is used up), or None. django-otp
    refuses replays and slows a device down after each wrong code."""
    if code:
        devices, token = TOTPDevice.objects.devices_for_user(user, confirmed=True), code
    else:
        devices, token = StaticDevice.objects.devices_for_user(user, confirmed=True), recovery_code
    for device in devices:
        if verified := verify_token(user, device.persistent_id, token):
            return verified
    return None


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code in a data: URI (the CSP allows
    data: images; nothing inline runs)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for people who type it into their app."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# --- Forms -------------------------------------------------------------------------------

def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class _DigitsField(forms.CharField):
    """Drops the spaces people type between digit groups before the six-digit check."""

    def to_python(self, value: Any) -> str:
        return "".join(super().to_python(value).split())


class CodeForm(forms.Form):
    code = _DigitsField(
        label=gettext_lazy("Six-digit code"),
        help_text=gettext_lazy("From your authenticator app. It changes every 30 seconds."),
        max_length=12,
        validators=[RegexValidator(r"^[0-9]{6}$", gettext_lazy("Enter the six digits the app shows."),
                                   code="not_six_digits")],
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autocapitalize": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label=gettext_lazy("Recovery code"),
        help_text=gettext_lazy("One of the ten codes you kept when you set up two-factor "
                               "sign-in, like abcd-efgh. Each works once."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off",
                                      "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_recovery_code(self) -> str:
        value = self.cleaned_data["recovery_code"]
        return "".join(value.split()).replace("-", "").lower()


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."), code="wrong_password")
        return password


# --- Views -------------------------------------------------------------------------------

def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _count_failure(request: HttpRequest) -> bool:
    """Count a wrong code: towards the axes lock-out of this username and address, and in
    the session. Returns True when the session has had too many and must start over."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.get_username()},
                           request=request)
    failures = request.session.get(SESSION_FAILURES, 0) + 1
    request.session[SESSION_FAILURES] = failures
    return failures >= settings.BSC_TWO_FACTOR_MAX_FAILURES or bool(
        getattr(request, "axes_locked_out", False))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify_view(request: HttpRequest) -> HttpResponse:
    """The second page of signing in: a code from the app, or a recovery code."""
    user = request.user
    if request.session.get(SESSION_STATE) != STATE_VERIFY or user.is_verified():
        return redirect(_next_url(request))
    if not two_factor_enabled(user):  # turned off in another session meanwhile
        request.session[SESSION_STATE] = session_state_for(user)
        return redirect(_next_url(request))
    data = posted(request)
    using_recovery = data is not None and "recovery_code" in data
    code_form = CodeForm(None if using_recovery else data)
    recovery_form = RecoveryCodeForm(data if using_recovery else None)
    form = recovery_form if using_recovery else code_form
    if data is not None and form.is_valid():
        device = two_factor_check(user=user, **form.cleaned_data)
        if device is not None:
            request.session.cycle_key()  # a new session id for the now fully signed-in session
            otp_login(request, device)
            request.session.pop(SESSION_FAILURES, None)
            if using_recovery:
                left = recovery_codes_left(user)
                messages.warning(request, ngettext(
                    "You signed in with a recovery code, which is now used up. You have "
                    "%(left)s left; make new ones on the two-factor sign-in page.",
                    "You signed in with a recovery code, which is now used up. You have "
                    "%(left)s left; make new ones on the two-factor sign-in page.",
                    left) % {"left": left})
            return redirect(_next_url(request))
        if _count_failure(request):
            logout(request)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("login")
        form.add_error("recovery_code" if using_recovery else "code", ValidationError(
            _("That code did not work. If a code was wrong just before, wait a few seconds; "
              "then enter the newest code."), code="wrong_code"))
    return render(request, "registration/two_factor_verify.html", {
        "code_form": code_form, "recovery_form": recovery_form,
        "using_recovery": using_recovery, "next": _next_url(request),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_manage_view(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in on the profile: its state, the set-up steps and the confirmation."""
    user = request.user
    device = two_factor_device_of(user)
    if device is not None and request.session.get(SESSION_STATE) == STATE_SETUP:
        # Set up in another session meanwhile: this one now needs a code.
        request.session[SESSION_STATE] = STATE_VERIFY
        return redirect("two-factor-verify")
    pending = None if device else two_factor_pending_device(user)
    form = CodeForm(posted(request) if pending else None)
    if request.method == "POST" and pending and form.is_valid():
        try:
            confirmed, codes = two_factor_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session.cycle_key()
            otp_login(request, confirmed)
            request.session[SESSION_STATE] = STATE_VERIFY
            request.session[SESSION_FRESH_CODES] = codes
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("two-factor-recovery-codes")
    return render(request, "registration/two_factor_manage.html", {
        "device": device, "pending": pending, "form": form,
        "required": two_factor_required(user),
        "codes_left": recovery_codes_left(user) if device else 0,
        "qr_code": qr_code_data_uri(pending) if pending else "",
        "secret": secret_for_typing(pending) if pending else "",
    })


@never_cache
@login_required
@require_POST
def two_factor_start_view(request: HttpRequest) -> HttpResponse:
    try:
        two_factor_start(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("two-factor")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """GET shows newly made recovery codes, once; POST makes a new set."""
    if request.method == "POST":
        try:
            request.session[SESSION_FRESH_CODES] = recovery_codes_regenerate(user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("two-factor")
        messages.success(request, _("New recovery codes are made; the old ones no longer work."))
        return redirect("two-factor-recovery-codes")
    codes = request.session.pop(SESSION_FRESH_CODES, None)
    if not codes:
        return redirect("two-factor")
    return render(request, "registration/two_factor_recovery_codes.html",
                  {"codes": [format_recovery_code(code) for code in codes]})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor_required(user) or not two_factor_enabled(user):
        if two_factor_required(user):
            messages.error(request, _("Your role requires two-factor sign-in, so it stays on."))
        return redirect("two-factor")
    form = PasswordForm(posted(request), user=user)
    if request.method == "POST":
        if form.is_valid():
            two_factor_disable(user=user)
            request.session[SESSION_STATE] = STATE_FREE
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two-factor")
        if form.has_error("password", "wrong_password"):
            # A wrong password here counts like one on the sign-in page.
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()},
                                   request=request)
    return render(request, "registration/two_factor_disable.html", {"form": form})
