import pytest
from django.urls import reverse

# libphonenumber treats 201-555-01xx as valid US numbers; 555-818-xxxx is not a valid number,
# so the profile form would refuse the conftest default when it is posted back.
ADA_NUMBER = "+12015550123"
OTHER_NUMBER = "+12015550199"


@pytest.fixture
def ada(make_user):
    return make_user(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        phone_number=ADA_NUMBER,
        phone_verified=True,
    )


def profile_form(**fields):
    form = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone_number_0": "US",
        "phone_number_1": "(201) 555-0123",
    }
    form.update(fields)
    return form


def save_profile(client, **fields):
    return client.post(reverse("profile"), profile_form(**fields))


@pytest.mark.django_db
def test_it_requires_login(client):
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=" + reverse("profile")


def test_it_shows_the_current_details(login, ada):
    response = login(ada).get(reverse("profile"))

    assert response.status_code == 200
    assert 'value="Lovelace"' in response.text
    assert 'value="ada@example.com"' in response.text
    assert 'value="US" selected' in response.text
    assert "Your phone number is verified." in response.text


def test_it_saves_a_new_name(login, ada):
    client = login(ada)

    response = save_profile(client, first_name="Augusta", last_name="King")

    assert response.status_code == 302
    assert response.url == reverse("profile")
    ada.refresh_from_db()
    assert (ada.first_name, ada.last_name) == ("Augusta", "King")
    assert "Your profile was saved." in client.get(response.url).text


def test_it_requires_a_first_name(login, ada):
    response = save_profile(login(ada), first_name="")

    assert response.status_code == 200
    assert "This field is required." in response.text
    ada.refresh_from_db()
    assert ada.first_name == "Ada"


def test_changing_the_phone_number_marks_it_unverified(login, ada):
    client = login(ada)

    save_profile(client, phone_number_1="(201) 555-0142")

    ada.refresh_from_db()
    assert str(ada.phone_number) == "+12015550142"
    assert ada.phone_verified is False
    assert "Your phone number is not verified yet." in client.get(reverse("profile")).text


@pytest.mark.parametrize(
    "typed", ["(201) 555-0123", "2015550123", "+1 201 555 0123", "+12015550123"]
)
def test_keeping_the_same_number_keeps_it_verified(login, ada, typed):
    response = save_profile(login(ada), first_name="Augusta", phone_number_1=typed)

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.first_name == "Augusta"
    assert str(ada.phone_number) == ADA_NUMBER
    assert ada.phone_verified is True


def test_another_users_number_is_saved_unverified_without_saying_it_is_taken(login, ada, make_user):
    make_user(phone_number=OTHER_NUMBER)

    response = save_profile(login(ada), phone_number_1="201 555 0199")

    assert response.status_code == 302
    ada.refresh_from_db()
    assert str(ada.phone_number) == OTHER_NUMBER
    assert ada.phone_verified is False


def test_it_refuses_another_users_email_in_other_case(login, ada, make_user):
    make_user(email="gus@example.com", phone_number=OTHER_NUMBER)

    response = save_profile(login(ada), email="GUS@example.com")

    assert response.status_code == 200
    assert "An account with this email address already exists." in response.text
    ada.refresh_from_db()
    assert ada.email == "ada@example.com"


def test_a_host_chooses_to_be_called_about_requests(login, ada):
    client = login(ada)
    assert "Call me, and text me the link too" in client.get(reverse("profile")).text

    response = save_profile(client, decide_by="call")

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.decide_by == "call"


def test_a_form_without_the_choice_keeps_it(login, ada):
    ada.decide_by = "link"
    ada.save()

    save_profile(login(ada), first_name="Augusta")

    ada.refresh_from_db()
    assert (ada.first_name, ada.decide_by) == ("Augusta", "link")


def test_an_unknown_way_to_be_asked_is_refused(login, ada):
    response = save_profile(login(ada), decide_by="pigeon")

    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.decide_by == "sms"
