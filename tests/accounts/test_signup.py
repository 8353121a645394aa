import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from tests.conftest import PASSWORD

# libphonenumber treats 201-555-01xx as valid US numbers; 555-818-xxxx is not a valid number.
ADA_NUMBER = "+12015550123"
OTHER_NUMBER = "+12015550199"


def signup_form(**fields):
    form = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "phone_number_0": "US",
        "phone_number_1": "(201) 555-0123",
    }
    form.update(fields)
    return form


SIGNUP_LINK = re.compile(r"https?://\S+/accounts/signup/confirm/\S+")
SENT = reverse("signup_sent")


def sign_up(client, **fields):
    return client.post(reverse("signup"), signup_form(**fields))


def signup_link(email=None):
    """The path of the sign-up link in the last email (to `email`, if given)."""
    message = [m for m in mail.outbox if email in (None, *m.to)][-1]
    url = urlsplit(SIGNUP_LINK.search(message.body).group())
    return f"{url.path}?{url.query}" if url.query else url.path


def finish_signing_up(client, email=None):
    """Follow the emailed link and press its button, as the address's owner does."""
    link = signup_link(email)
    assert client.get(link).status_code == 200
    return client.post(link)


def test_it_shows_the_signup_form(client):
    response = client.get(reverse("signup"))

    assert response.status_code == 200
    assert 'name="phone_number_0"' in response.text
    assert 'name="phone_number_1"' in response.text
    assert 'name="password2"' in response.text


@pytest.mark.django_db
def test_it_creates_an_inactive_account_and_emails_a_link(client):
    response = sign_up(client)

    assert (response.status_code, response.url) == (302, SENT)
    user = User.objects.get()
    assert (user.first_name, user.last_name, user.email) == ("Ada", "Lovelace", "ada@example.com")
    assert (user.is_active, user.email_confirmed) == (False, False)
    assert "_auth_user_id" not in client.session
    [email] = mail.outbox
    assert email.to == ["ada@example.com"]
    assert email.subject == "Confirm your email address to finish signing up to Airtng"
    assert "+1 201-555-0123" in email.body
    page = client.get(SENT)
    assert "Follow the link in it to finish signing up." in page.text


@pytest.mark.django_db
def test_the_link_activates_the_account_logs_in_and_asks_to_verify_the_number(client):
    sign_up(client)

    response = finish_signing_up(client)

    assert response.status_code == 302
    assert response.url == reverse("verify_phone")
    user = User.objects.get()
    assert (user.is_active, user.email_confirmed) == (True, True)
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    verify = client.get(response.url)
    assert "Welcome to Airtng, Ada!" in verify.text
    assert "Log out" in verify.text


@pytest.mark.django_db
def test_opening_the_link_asks_for_a_tap_and_does_not_spend_it(client):
    sign_up(client)

    page = client.get(signup_link())

    assert "Confirm that ada@example.com is your email address" in page.text
    assert User.objects.get().is_active is False


@pytest.mark.django_db
def test_the_link_works_once(client):
    sign_up(client)
    link = signup_link()
    client.post(link)
    client.logout()

    again = client.post(link)

    assert again.status_code == 400
    assert "This link does not work: it was already used" in again.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_link_expires(client):
    sign_up(client)
    user = User.objects.get()
    sent = timezone.now() - services.SIGNUP_LINK_TTL - timedelta(seconds=1)
    expired = services.signup_link(user=user, origin="http://testserver", now=sent)

    response = client.post(urlsplit(expired).path)

    assert response.status_code == 400
    assert "This link has expired. Sign up again to get a new one." in response.text
    assert User.objects.get().is_active is False


@pytest.mark.django_db
def test_a_link_still_in_time_works(client):
    sign_up(client)
    user = User.objects.get()
    sent = timezone.now() - services.SIGNUP_LINK_TTL + timedelta(minutes=1)
    link = services.signup_link(user=user, origin="http://testserver", now=sent)

    assert client.post(urlsplit(link).path).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["nonsense", "a:b:c", "x" * 300])
def test_a_changed_link_is_refused(client, token):
    sign_up(client)

    response = client.post(reverse("confirm_signup", kwargs={"token": token}))

    assert response.status_code == 400
    assert User.objects.get().is_active is False


@pytest.mark.django_db
def test_an_unfinished_sign_up_cannot_log_in_and_is_told_why(client):
    sign_up(client)

    response = client.post(reverse("login"), {"username": "ada@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert "Your sign-up is not finished: follow the link we emailed you." in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_wrong_password_for_an_unfinished_sign_up_says_nothing_of_it(client):
    sign_up(client)

    response = client.post(reverse("login"), {"username": "ada@example.com", "password": "wrong"})

    assert "Your sign-up is not finished" not in response.text
    assert "Please enter a correct email address and password." in response.text


@pytest.mark.django_db
def test_signing_up_again_before_the_link_sends_a_new_one(client):
    sign_up(client)
    first = signup_link()

    again = sign_up(
        client, first_name="Augusta", password1=PASSWORD + "!", password2=PASSWORD + "!"
    )

    assert (again.status_code, again.url) == (302, SENT)
    assert len(mail.outbox) == 2
    assert client.post(first).status_code == 400
    assert finish_signing_up(client).status_code == 302
    user = User.objects.get()
    assert (user.first_name, user.is_active) == ("Augusta", True)
    assert user.check_password(PASSWORD + "!")


def page(response):
    """A page's text without its CSRF tokens, which are masked anew for every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.text)


@pytest.mark.parametrize("typed", ["ada@example.com", "ADA@Example.com"])
def test_an_email_with_an_account_gets_the_same_answer_and_nothing_is_made(
    client, make_user, typed
):
    owner = make_user(email="ada@example.com", first_name="Ada", phone_number=OTHER_NUMBER)
    free = sign_up(client, email="new@example.com")

    taken = sign_up(client, email=typed)

    assert (taken.status_code, taken.url) == (free.status_code, free.url) == (302, SENT)
    assert page(client.get(taken.url)) == page(client.get(free.url))
    assert User.objects.filter(email="ada@example.com").get() == owner
    owner.refresh_from_db()
    assert owner.first_name == "Ada" and owner.check_password(PASSWORD)
    assert User.objects.count() == 2


def test_the_owner_is_told_someone_tried_with_log_in_and_reset_links(client, make_user):
    make_user(email="ada@example.com", first_name="Ada", phone_number=OTHER_NUMBER)

    sign_up(client, email="ADA@example.com")

    [email] = mail.outbox
    assert email.to == ["ada@example.com"]
    assert email.subject == "Someone tried to sign up to Airtng with your email address"
    assert "http://testserver/accounts/login/" in email.body
    assert "http://testserver/accounts/password/reset/" in email.body
    assert not SIGNUP_LINK.search(email.body)


def test_a_deactivated_account_is_not_reactivated_by_signing_up(client, make_user):
    make_user(email="ada@example.com", phone_number=OTHER_NUMBER, is_active=False)

    sign_up(client)

    assert not SIGNUP_LINK.search(mail.outbox[-1].body)
    assert User.objects.get().is_active is False


@pytest.mark.django_db
def test_new_account_has_an_unverified_phone_number(client):
    sign_up(client)

    assert User.objects.get().phone_verified is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["+1 (201) 555-0123", "2015550123", "+12015550123", "201.555.0123"]
)
def test_it_stores_the_phone_number_in_e164(client, typed):
    sign_up(client, phone_number_0="US", phone_number_1=typed)

    assert str(User.objects.get().phone_number) == ADA_NUMBER


@pytest.mark.django_db
def test_it_reads_a_national_number_in_the_chosen_country(client):
    sign_up(client, phone_number_0="GB", phone_number_1="07400 123456")

    assert str(User.objects.get().phone_number) == "+447400123456"


@pytest.mark.django_db
def test_it_stores_the_email_in_lowercase(client):
    sign_up(client, email="Ada@Example.COM")

    assert User.objects.get().email == "ada@example.com"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["555 818 0101", "12", "not a number"])
def test_it_rejects_an_invalid_phone_number(client, typed):
    response = sign_up(client, phone_number_1=typed)

    assert response.status_code == 200
    assert "Enter a valid phone number" in response.text
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_requires_a_phone_number(client):
    response = sign_up(client, phone_number_1="")

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not User.objects.exists()


def test_a_number_with_an_account_signs_up_as_any_other_without_saying_so(client, make_user):
    make_user(phone_number=ADA_NUMBER)

    response = sign_up(client, phone_number_0="US", phone_number_1="201-555-0123")

    assert (response.status_code, response.url) == (302, SENT)
    new = User.objects.get(email="ada@example.com")
    assert (str(new.phone_number), new.phone_verified) == (ADA_NUMBER, False)


@pytest.mark.django_db
def test_it_rejects_mismatched_passwords(client):
    response = sign_up(client, password2=PASSWORD + "-typo")

    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == ["The two password fields didn’t match."]
    assert "The two password fields didn’t match." in response.text
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("x7#q", "This password is too short. It must contain at least 8 characters."),
        ("90817263544", "This password is entirely numeric."),
    ],
)
def test_it_rejects_a_weak_password(client, password, message):
    response = sign_up(client, password1=password, password2=password)

    assert response.status_code == 200
    assert message in response.context["form"].errors["password2"]
    assert message in response.text
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_keeps_next_through_verifying_the_number(client):
    client.post(reverse("signup") + "?next=/properties/mine/", signup_form())

    response = finish_signing_up(client)

    assert response.url == reverse("verify_phone") + "?next=%2Fproperties%2Fmine%2F"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example.com/", "//evil.example.com/"])
def test_it_ignores_a_next_that_leaves_the_site(client, next_url):
    client.post(reverse("signup") + f"?next={next_url}", signup_form())

    response = finish_signing_up(client)

    assert response.url == reverse("verify_phone")


def test_it_sends_a_logged_in_user_home(login, guest):
    response = login(guest).get(reverse("signup"))

    assert response.status_code == 302
    assert response.url == reverse("home")
