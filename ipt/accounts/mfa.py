"""A second factor for every staff account (django-otp): a TOTP authenticator app, with
single-use recovery codes for a lost phone.

``MFA_REQUIRED`` (on whenever DEBUG is off) sends a signed-in user who has not passed the
second factor in this session to enrolment (no device yet) or to the code prompt, whatever
page was asked for; only these pages, logging out and the static files are open meanwhile.
"""

import base64
import functools
import secrets

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ipt.accounts import sessions

RECOVERY_CODES = 10
OPEN_PATHS = ("mfa_setup", "mfa_verify", "logout", "login")


@functools.cache
def _open_paths():
    """The pages reachable before the second factor is passed (resolved once)."""
    return frozenset(reverse(name) for name in OPEN_PATHS)


def _open_to_anyone(request):
    """A page that needs no login (a patient's questionnaire link) needs no second factor
    either, whoever happens to be signed in on the browser."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "login_required", True) is False


def required():
    return getattr(settings, "MFA_REQUIRED", not settings.DEBUG)


def mfa_middleware(get_response):
    """Every page asks for the second factor first, where it is required."""

    def middleware(request):
        user = getattr(request, "user", None)
        if (
            required()
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in _open_paths()
            and not _open_to_anyone(request)
        ):
            target = "mfa_verify" if user_has_device(user) else "mfa_setup"
            if getattr(request, "htmx", False):
                response = HttpResponse("Confirm your sign-in code first.", status=401)
                response["HX-Reswap"] = "none"
                return response
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return get_response(request)

    return middleware


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


def _qr_svg(device):
    """The device's otpauth:// address as an inline SVG QR code (segno escapes nothing of ours:
    the address is built by django-otp from the key and the username)."""
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4))


def new_recovery_codes(user):
    """Replaces the user's recovery codes with fresh ones; returns them (shown once)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.select_for_update().get_or_create(
            user=user, name="Recovery codes"
        )
        device.token_set.all().delete()
        codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrolment: scan the QR code, type the code it shows; recovery codes follow, once."""
    user = request.user
    if user_has_device(user):
        return redirect(f"{reverse('mfa_verify')}?next={_next(request)}")
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        ) or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows now."
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            if device.verify_token(form.cleaned_data["code"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                codes = new_recovery_codes(user)
                return render(
                    request,
                    "registration/mfa_recovery_codes.html",
                    {"codes": codes, "next": _next(request)},
                )
        form.add_error("code", "That code does not match: type the code the app shows now.")
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device),
            # for apps that take the key typed by hand
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _next(request),
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """The code prompt after the password: an authenticator code or a recovery code."""
    user = request.user
    if not user_has_device(user):
        return redirect(f"{reverse('mfa_setup')}?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code: {left} left. "
                    "Make new ones from your account menu if you are running short.",
                )
            return redirect(_next(request))
        form.add_error("code", "That code does not match. Try the code the app shows now.")
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next(request)})


@require_POST
def recovery_codes(request):
    """Fresh recovery codes (the old ones stop working), for a user who passed the factor."""
    if not request.user.is_verified():
        return redirect(f"{reverse('mfa_verify')}?next={reverse('home')}")
    codes = new_recovery_codes(request.user)
    return render(
        request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": reverse("home")}
    )


@require_http_methods(["GET"])
def security(request):
    """The user's sign-in security: whether the second factor is set up, new recovery codes."""
    user = request.user
    recovery = StaticDevice.objects.filter(user=user, name="Recovery codes").first()
    return render(
        request,
        "registration/security.html",
        {
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "verified": user.is_verified(),
            "codes_left": recovery.token_set.count() if recovery else 0,
            "required": required(),
            "sign_ins": sessions.where_signed_in(request),
            "this_login": request.session.session_key,
        },
    )
