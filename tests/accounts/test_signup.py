import pytest
from django.urls import reverse

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


def sign_up(client, **fields):
    return client.post(reverse("signup"), signup_form(**fields))


def test_it_shows_the_signup_form(client):
    response = client.get(reverse("signup"))

    assert response.status_code == 200
    assert 'name="phone_number_0"' in response.text
    assert 'name="phone_number_1"' in response.text
    assert 'name="password2"' in response.text


@pytest.mark.django_db
def test_it_creates_the_account_logs_in_and_asks_to_verify_the_number(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response.url == reverse("verify_phone")
    user = User.objects.get()
    assert (user.first_name, user.last_name, user.email) == ("Ada", "Lovelace", "ada@example.com")
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)

    verify = client.get(response.url)
    assert "Welcome to Airtng, Ada!" in verify.text
    assert "Log out" in verify.text


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

    assert response.status_code == 302
    assert response.url == reverse("verify_phone")
    new = User.objects.get(email="ada@example.com")
    assert (str(new.phone_number), new.phone_verified) == (ADA_NUMBER, False)


def test_it_rejects_duplicate_email_in_other_case(client, make_user):
    make_user(email="ada@example.com", phone_number=OTHER_NUMBER)

    response = sign_up(client, email="ADA@Example.com")

    assert response.status_code == 200
    assert "An account with this email address already exists." in response.text
    assert User.objects.count() == 1


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
    response = client.post(reverse("signup") + "?next=/properties/mine/", signup_form())

    assert response.status_code == 302
    assert response.url == reverse("verify_phone") + "?next=%2Fproperties%2Fmine%2F"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example.com/", "//evil.example.com/"])
def test_it_ignores_a_next_that_leaves_the_site(client, next_url):
    response = client.post(reverse("signup") + f"?next={next_url}", signup_form())

    assert response.status_code == 302
    assert response.url == reverse("verify_phone")


def test_it_sends_a_logged_in_user_home(login, guest):
    response = login(guest).get(reverse("signup"))

    assert response.status_code == 302
    assert response.url == reverse("home")
