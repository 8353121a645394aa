"""What Django's own deployment checks do not know about Airtng."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

ONE_YEAR = 60 * 60 * 24 * 365
# Mail that never leaves the machine: fine for development, silently lost in production.
DEVELOPMENT_MAILERS = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)


@register(Tags.security)
def check_mail_leaves_the_machine(app_configs, **kwargs):
    """Like the dev key: with DEBUG off, password-reset mail must really be sent."""
    if settings.DEBUG:
        return []
    backends = {mailer.get("BACKEND") for mailer in getattr(settings, "MAILERS", {}).values()}
    if backends & set(DEVELOPMENT_MAILERS):
        return [
            Error(
                "With DEBUG off, EMAIL_URL must name a real mail server (e.g. smtp+tls://…).",
                hint="A development mail backend only prints or drops password-reset emails.",
                id="airtng.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_hsts_lasts_a_year(app_configs, **kwargs):
    if 0 < settings.SECURE_HSTS_SECONDS < ONE_YEAR:
        return [
            Warning(
                "SECURE_HSTS_SECONDS is under a year; browsers' preload lists want a year.",
                id="airtng.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_twilio_calls_over_https(app_configs, **kwargs):
    if settings.PUBLIC_BASE_URL and not settings.PUBLIC_BASE_URL.startswith("https://"):
        return [
            Warning(
                "PUBLIC_BASE_URL is not https://: Twilio's requests and their signatures "
                "would cross the network in the clear.",
                id="airtng.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_allowed_hosts_are_named(app_configs, **kwargs):
    if "*" in settings.ALLOWED_HOSTS:
        return [
            Warning(
                "ALLOWED_HOSTS has '*': password-reset links could point at any host a "
                "request names.",
                id="airtng.W003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_twilio_can_call_back(app_configs, **kwargs):
    if settings.TWILIO_AUTH_TOKEN and not settings.PUBLIC_BASE_URL:
        return [
            Warning(
                "PUBLIC_BASE_URL is empty: Airtng cannot call hosts who decide by call "
                "(Twilio needs an absolute URL for the call), and gets no delivery statuses.",
                id="airtng.W004",
            )
        ]
    return []
