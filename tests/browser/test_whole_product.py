"""The whole product in real browsers: a host and a guest sign up, list, book and decide by SMS,
with the phone simulator as their phones, and a call to ET Phone Home.

Three browser contexts, as three people would have: the host's, the guest's, and a staff
member's with the simulator open. Every step is saved to artifacts/screenshots/whole-product/.
"""

import re
from urllib.parse import urlencode

import phonenumbers
import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from reservations.models import Reservation
from tests.accounts.test_signup import signup_link
from tests.browser.conftest import SCREENSHOTS, numbered_screenshots, people
from tests.conftest import PASSWORD, SIMULATOR_PERMISSIONS, days_from_now, grant
from tests.simulator.conftest import et_phone_home  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

STEPS = SCREENSHOTS / "whole-product"
HOST_PHONE, GUEST_PHONE = "+12015550111", "+12015550122"
TITLE = "Treehouse in the redwoods"
CODE_SMS = re.compile(r"Your Airtng code is (\d{6})\. It expires in 10 minutes\.")
GREETING = "Thanks for calling the E T Phone Home Service."
PLANET_DIRECTORY = "To call the planet Broh doe As O G, press 2."


@pytest.fixture
def new_page(browser, live_server):
    """Pages in fresh contexts, set up as the `page` fixture's: another person's browser."""
    with people(browser, live_server.url) as open_page:
        yield open_page


@pytest.fixture
def shot():
    """Save a page as the next numbered step: whole-product/NN-name.png."""
    return numbered_screenshots(STEPS)


@pytest.fixture
def staff(make_user):
    user = make_user(first_name="Stella", email="staff@example.com", is_staff=True)
    return grant(user, *SIMULATOR_PERMISSIONS)


def deliver_queued_sms():
    """What `manage.py db_worker` does in the background: hand queued SMS to (fake) Twilio."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


class Simulator:
    """The phone simulator page, as a staff member uses it."""

    def __init__(self, page):
        self.page = page
        self.thread = page.locator("#thread")
        self.screen = page.locator("#screen")

    def open(self, email):
        self.page.goto(reverse("login"))
        self.page.get_by_label("Email address").fill(email)
        self.page.locator("[name=password]").fill(PASSWORD)
        self.page.get_by_role("main").get_by_role("button", name="Log in").click()
        self.page.get_by_role("link", name="Phone simulator").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Phone simulator")

    def type_number(self, number):
        self.page.get_by_label("Or any number (E.164)").fill(number)
        self.page.get_by_label("Or any number (E.164)").press("Enter")
        expect(self.page.locator("#current-phone")).to_have_text(number)

    def pick_user(self, number):
        self.page.reload()  # the list is as of the page load: new sign-ups need a reload
        self.page.get_by_label("A user's phone").select_option(number)
        expect(self.page.locator("#current-phone")).to_have_text(number)

    def sms(self, text):
        """The bubble of the SMS (to or from this phone) that says `text`, once it arrives."""
        bubble = self.thread.locator("li.bubble", has=self.page.locator("p", has_text=text))
        expect(bubble).to_have_count(1)
        return bubble

    def sent(self, text):
        """The bubble of the SMS this phone sent that says exactly `text`."""
        bubble = self.thread.locator("li.from-phone", has=self.page.get_by_text(text, exact=True))
        expect(bubble).to_have_count(1)
        return bubble

    def verification_code(self, *, other_than=None):
        """The code in this phone's SMS; `other_than` waits out the last phone's thread."""
        text = self.sms("Your Airtng code is").locator("p")
        if other_than:
            expect(text).not_to_contain_text(other_than)
        return CODE_SMS.fullmatch(text.text_content())[1]

    def send(self, text):
        self.page.get_by_label("Message", exact=True).fill(text)
        self.page.get_by_role("button", name="Send").click()

    def press(self, key):
        self.page.locator("#keypad").get_by_role("button", name=key, exact=True).click()


def sign_up(page, *, first_name, last_name, email, number):
    parsed = phonenumbers.parse(number)
    assert phonenumbers.is_valid_number(parsed)
    page.goto(reverse("signup"))
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Email address").fill(email)
    page.locator("[name=password1]").fill(PASSWORD)
    page.locator("[name=password2]").fill(PASSWORD)
    page.locator("select[name=phone_number_0]").select_option("US")
    page.locator("[name=phone_number_1]").fill(str(parsed.national_number))
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    # The live server runs in this process: its email is in the test's outbox.
    page.goto(signup_link(email.lower()))
    page.get_by_role("button", name="Finish signing up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify your phone number")


def verify(page, code):
    page.get_by_label("Code from the SMS").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_have_text("Your phone number is verified.")


@pytest.mark.usefixtures("et_phone_home")
def test_a_stay_is_booked_and_confirmed_by_sms_and_et_phones_home(
    page, new_page, live_server, twilio, staff, shot, settings
):
    settings.PUBLIC_BASE_URL = ""  # the simulator signs for the live server's own URL
    phone = Simulator(page)
    phone.open(staff.email)
    host, guest = new_page(), new_page()

    # The host signs up, and reads the code texted to their phone in the simulator.
    sign_up(
        host, first_name="Hannah", last_name="Rivers", email="hannah@example.com", number=HOST_PHONE
    )
    shot(host, "host-signs-up")
    phone.type_number(HOST_PHONE)
    host_code = phone.verification_code()
    shot(phone.page, "simulator-shows-the-hosts-code")
    verify(host, host_code)
    shot(host, "host-is-verified")

    # The host lists a property (the photo is on the web, which this test cannot reach).
    host.get_by_role("link", name="List a property").click()
    host.get_by_label("Title").fill(TITLE)
    host.get_by_label("Description").fill("Sleep among the giants, with a rope bridge.")
    host.get_by_label("Location").fill("Big Sur, CA")
    host.get_by_label("Nightly price").fill("180")
    host.get_by_label("Maximum guests").fill("3")
    host.get_by_label("Image URL").fill("https://example.com/treehouse.jpg")
    host.get_by_role("button", name="Save").click()
    expect(host.get_by_role("status")).to_have_text("Your property is listed.")
    expect(host.get_by_role("heading", level=1)).to_have_text(TITLE)
    shot(host, "host-lists-a-property")

    # The guest signs up and verifies their phone the same way.
    sign_up(
        guest, first_name="Gus", last_name="Mendez", email="gus@example.com", number=GUEST_PHONE
    )
    phone.type_number(GUEST_PHONE)
    code = phone.verification_code(other_than=host_code)
    shot(phone.page, "simulator-shows-the-guests-code")
    verify(guest, code)

    # The simulator shows the host's phone, picked from its list of users, while the guest
    # requests a stay: the host's SMS arrives by itself.
    phone.pick_user(HOST_PHONE)
    guest.goto(reverse("home"))
    guest.get_by_role("link", name=TITLE).click()
    guest.get_by_label("Check-in").fill(days_from_now(10).isoformat())
    guest.get_by_label("Check-out").fill(days_from_now(13).isoformat())
    guest.get_by_label("Guests").fill("2")
    guest.get_by_label("Message to the host").fill("Two of us, and we love heights.")
    guest.get_by_role("button", name="Request to book").click()
    expect(guest.get_by_role("status")).to_have_text("Your request was sent to Hannah.")
    expect(guest.locator("ul.reservations .status")).to_have_text("Pending")
    shot(guest, "guest-requests-a-stay")

    request_sms = phone.sms("You have a new reservation request from Gus Mendez")
    expect(request_sms.locator("p")).to_contain_text(f"for {TITLE}, ")
    expect(request_sms.locator("p")).to_contain_text('"Two of us, and we love heights."')
    expect(request_sms.locator("small .status")).to_have_text("Waiting to send")
    shot(phone.page, "simulator-shows-the-request-to-the-host")

    # Twilio takes it, and the simulator reports it delivered through /sms/status. The worker
    # runs in the test, with the simulator closed: the in-memory SQLite database locks a table
    # when this thread writes while the live server reads it.
    phone.page.goto(reverse("home"))
    deliver_queued_sms()
    phone.page.goto(f"{reverse('simulator')}?{urlencode({'number': HOST_PHONE})}")
    request_sms = phone.sms("You have a new reservation request from Gus Mendez")
    expect(request_sms.locator("small .status")).to_have_text("Queued at Twilio")
    request_sms.get_by_role("button", name="Mark delivered").click()
    expect(request_sms.locator("small .status")).to_have_text("Delivered")
    expect(request_sms.get_by_role("button")).to_have_count(0)
    shot(phone.page, "simulator-marks-the-request-delivered")

    # The host replies accept from their phone, and Airtng's reply arrives.
    phone.send("accept")
    expect(phone.sent("accept").locator("small .status")).to_have_text("Received")
    phone.sms("You have successfully confirmed the reservation.")
    shot(phone.page, "host-accepts-by-sms")

    # The guest's phone gets the confirmation, and their trips say so.
    phone.type_number(GUEST_PHONE)
    phone.sms(f"Your recent request to stay at {TITLE} was confirmed.")
    shot(phone.page, "simulator-shows-the-guests-confirmation")
    guest.get_by_role("link", name="My trips").click()
    expect(guest.locator("ul.reservations .status")).to_have_text("Confirmed")
    shot(guest, "guest-sees-the-trip-confirmed")
    assert Reservation.objects.get().status == Reservation.Status.CONFIRMED

    # The host calls ET Phone Home, presses 2 for the planets, then 3: DuhGo bah.
    phone.pick_user(HOST_PHONE)
    phone.page.get_by_role("button", name="Call ET Phone Home").click()
    expect(phone.screen).to_contain_text(GREETING)
    phone.press("2")
    expect(phone.screen).to_contain_text(PLANET_DIRECTORY)
    phone.press("3")
    expect(phone.screen.locator(".dial span")).to_have_text("Connecting to +17262043675…")
    expect(phone.screen.locator(".ended")).to_have_text("Call ended.")
    call_log = phone.page.locator("#call-log > li")
    expect(call_log).to_have_count(3)
    expect(call_log.nth(0).locator("code")).to_have_text("→ POST /ivr/welcome")
    expect(call_log.nth(1).locator("code")).to_have_text("→ POST /ivr/menu Digits=2")
    expect(call_log.nth(2).locator("code")).to_have_text("→ POST /ivr/planets Digits=3")
    expect(call_log.nth(2).locator("pre")).to_contain_text("<Dial>+17262043675</Dial>")
    shot(phone.page, "simulator-calls-et-phone-home")
