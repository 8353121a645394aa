from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import i18n
from django.views.decorators.http import require_POST

from airtng.limits.services import client_address
from airtng.twilio import request_origin

from . import services
from .forms import PhonePinForm, ProfileForm, SignupForm, VerifyPhoneForm, save_unless_taken
from .models import CODE_TTL


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and (
        wait := services.take_signup_attempt(client_address=client_address(request))
    ):
        messages.error(
            request,
            _("Too many sign-ups from your network. Try again in %(wait)s.")
            % {"wait": services.spoken_wait(wait)},
        )
        return render(request, "accounts/signup.html", {"form": SignupForm()}, status=429)
    if request.method == "POST" and form.is_valid():
        services.sign_up(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            phone_number=form.cleaned_data["phone_number"],
            origin=request_origin(request),
            next_url=next_url(request),
            language=form.cleaned_data["language"],
        )
        return redirect("signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


@require_POST
def set_language(request):
    """The header's language switcher: a visitor's choice is a cookie, a person's is saved."""
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        services.change_language(user=request.user, language=request.POST.get("language", ""))
    return response


def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


def confirm_signup(request, token):
    """The emailed link shows a button: mail scanners that open links must not spend it."""
    try:
        if request.method == "POST":
            user = services.confirm_signup(token=token)
        else:
            account = services.account_for_signup_link(token=token)
    except services.SignupLinkInvalid as refused:
        return render(
            request, "accounts/confirm_signup.html", {"refused": refused.message}, status=400
        )
    if request.method != "POST":
        return render(request, "accounts/confirm_signup.html", {"account": account})
    login(request, user)
    messages.success(request, _("Welcome to Airtng, %(name)s!") % {"name": user.first_name})
    text_code(request)
    return redirect(verify_phone_url(next=next_url(request)))


def next_url(request):
    """The `next` address, if it stays on this site (as LoginView checks it)."""
    url = request.GET.get("next")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else None


def verify_phone_url(*, next=None):
    url = reverse("verify_phone")
    return f"{url}?{urlencode({'next': next})}" if next else url


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)

    def save():
        services.change_phone_number(
            user=request.user, phone_number=form.cleaned_data["phone_number"]
        )
        return form.save()

    if request.method == "POST" and form.is_valid() and save_unless_taken(form, save):
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def phone_pin(request):
    """The PIN a host enters when calling Airtng, to prove the number is theirs."""
    form = PhonePinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_phone_pin(user=request.user, pin=form.cleaned_data["pin"])
        messages.success(request, _("Your phone PIN is set."))
        return redirect("profile")
    has_pin = services.phone_pin_for(request.user) is not None
    return render(request, "accounts/pin.html", {"form": form, "has_pin": has_pin})


@login_required
def verify_phone(request):
    if request.user.phone_verified:
        messages.success(request, _("Your phone number is verified."))
        return redirect(next_url(request) or "profile")
    form = VerifyPhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = services.confirm_phone(user=request.user, code=form.cleaned_data["code"])
        except services.VerificationError as refused:
            form.add_error(None, refused.message)
        else:
            if verified:
                messages.success(request, _("Your phone number is verified."))
                return redirect(next_url(request) or "profile")
            form.add_error("code", wrong_code_message(request.user))
    return render(request, "accounts/verify.html", {"form": form, "next": next_url(request)})


@login_required
@require_POST
def send_verification_code(request):
    if not request.user.phone_verified:
        text_code(request)
    return redirect(verify_phone_url(next=next_url(request)))


def text_code(request):
    try:
        services.send_verification_code(user=request.user, client_address=client_address(request))
    except services.VerificationError as refused:
        messages.error(request, refused.message)
    else:
        minutes = CODE_TTL // timedelta(minutes=1)
        messages.success(
            request,
            ngettext(
                "We texted a code to %(number)s. It expires in %(minutes)d minute.",
                "We texted a code to %(number)s. It expires in %(minutes)d minutes.",
                minutes,
            )
            % {"number": request.user.phone_number.as_international, "minutes": minutes},
        )


def wrong_code_message(user):
    verification = services.phone_verification_for(user)
    tries_left = verification.tries_left if verification else 0
    if not tries_left:
        return _("That code is wrong, and it was the last try. Ask for a new code.")
    return ngettext(
        "That code is wrong. You have %(count)d more try.",
        "That code is wrong. You have %(count)d more tries.",
        tries_left,
    ) % {"count": tries_left}
