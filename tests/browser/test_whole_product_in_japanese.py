"""The whole product in Japanese browsers (`ja-JP`): a host in Japan and a Japanese guest sign up,
the host lists a place, the guest books it, Airtng calls the host, who accepts by keypad in the
phone simulator, and the guest's confirmation arrives in Japanese. A second host in Japan
accepts through the link in the SMS.

Every step is saved to artifacts/screenshots/japanese/ (the README shows them from docs/ja/).
"""

import re
from urllib.parse import urlencode

import phonenumbers
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reservations.models import Reservation
from tests.accounts.test_signup import signup_link
from tests.browser.conftest import SCREENSHOTS, numbered_screenshots, people, sign_in
from tests.conftest import PASSWORD, SIMULATOR_PERMISSIONS, days_from_now, grant

pytestmark = pytest.mark.browser

STEPS = SCREENSHOTS / "japanese"
HOST_PHONE, GUEST_PHONE, SECOND_HOST_PHONE = "+819012345678", "+818012345678", "+817012345678"
TITLE, SECOND_TITLE = "京都の町家", "箱根の温泉宿"
CODE_SMS = re.compile(r"Airtngの確認コードは (\d{6}) です。")
# What waits on the live server and the worker: generous, for a loaded machine.
SERVER_MS = 30_000


@pytest.fixture
def japanese_page(browser, live_server):
    """Pages in fresh Japanese browsers, set up as the `page` fixture's."""
    expect.set_options(timeout=SERVER_MS)
    japanese = {"locale": "ja-JP", "timezone_id": "Asia/Tokyo", "timeout_ms": SERVER_MS}
    with people(browser, live_server.url, **japanese) as open_page:
        yield open_page
    expect.set_options(timeout=5_000)  # Playwright's default, for the tests after this one


@pytest.fixture
def shot():
    """Save a page as the next numbered step: japanese/NN-name.png."""
    return numbered_screenshots(STEPS)


@pytest.fixture
def phone(japanese_page, settings, make_user, live_server):
    """The phone simulator, for a Japanese-speaking staff member; `phone(number)` shows a phone."""
    settings.PUBLIC_BASE_URL = ""  # the simulator signs for the live server's own URL
    staff = make_user(first_name="ステラ", email="staff@example.com", is_staff=True, language="ja")
    grant(staff, *SIMULATOR_PERMISSIONS)
    page = japanese_page()
    sign_in(page, staff, live_server.url)

    def show(number):
        page.goto(f"{reverse('simulator')}?{urlencode({'number': number})}")
        expect(page.locator("#current-phone")).to_have_text(number)
        return page

    return show


def sign_up(page, *, first_name, last_name, email, number):
    parsed = phonenumbers.parse(number)
    assert phonenumbers.is_valid_number(parsed)
    page.goto(reverse("signup"))
    expect(page.get_by_role("button", name="アカウントを作成")).to_be_visible()
    page.locator("[name=first_name]").fill(first_name)
    page.locator("[name=last_name]").fill(last_name)
    page.locator("[name=email]").fill(email)
    page.locator("[name=password1]").fill(PASSWORD)
    page.locator("[name=password2]").fill(PASSWORD)
    page.locator("select[name=phone_number_0]").select_option("JP")
    page.locator("[name=phone_number_1]").fill(str(parsed.national_number))
    page.get_by_role("button", name="アカウントを作成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("メールをご確認ください")
    # The live server runs in this process: its email is in the test's outbox.
    page.goto(signup_link(email.lower()))
    page.get_by_role("button", name="登録を完了する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("電話番号の確認")


def code_texted_to(phone_page):
    text = phone_page.locator("#thread li.bubble p", has_text="Airtngの確認コードは")
    expect(text).to_have_count(1)
    return CODE_SMS.search(text.text_content())[1]


def verify(page, code):
    page.locator("[name=code]").fill(code)
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_role("status")).to_have_text("電話番号の確認が完了しました。")


def list_a_property(page, title):
    page.get_by_role("link", name="物件を掲載").first.click()
    page.locator("[name=title]").fill(title)
    page.locator("[name=description]").fill("静かな路地にある、築百年の木造の家です。")
    page.locator("[name=location]").fill("京都市東山区")
    page.locator("[name=nightly_price]").fill("18000")
    page.locator("[name=max_guests]").fill("3")
    page.locator("[name=image_url]").fill("https://example.com/machiya.jpg")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("物件を掲載しました。")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def request_a_stay(page, title, *, host_name, starts_in):
    page.goto(reverse("home"))
    page.get_by_role("link", name=title).first.click()
    page.locator("[name=check_in]").fill(days_from_now(starts_in).isoformat())
    page.locator("[name=check_out]").fill(days_from_now(starts_in + 3).isoformat())
    page.locator("[name=guests]").fill("2")
    page.locator("[name=message]").fill("二人で伺います。よろしくお願いいたします。")
    page.get_by_role("button", name="予約をリクエスト").click()
    expect(page.get_by_role("status")).to_have_text(f"{host_name}さんにリクエストを送りました。")


def press(page, key):
    page.locator("#keypad").get_by_role("button", name=key, exact=True).click()


def test_a_stay_is_booked_in_japanese_and_the_host_accepts_on_airtngs_call(
    phone, japanese_page, run_worker, make_user, make_property, shot
):
    host, guest = japanese_page(), japanese_page()

    # The host, in Japan, signs up in Japanese and reads the code texted to their phone.
    sign_up(
        host, first_name="陽翔", last_name="佐藤", email="haruto@example.com", number=HOST_PHONE
    )
    shot(host, "host-signs-up")
    host_code = code_texted_to(phone(HOST_PHONE))
    shot(phone(HOST_PHONE), "simulator-shows-the-hosts-code")
    verify(host, host_code)
    shot(host, "host-is-verified")

    list_a_property(host, TITLE)
    shot(host, "host-lists-a-property")

    # The guest signs up and verifies their phone the same way.
    sign_up(
        guest, first_name="美咲", last_name="鈴木", email="misaki@example.com", number=GUEST_PHONE
    )
    verify(guest, code_texted_to(phone(GUEST_PHONE)))
    shot(guest, "guest-is-verified")

    request_a_stay(guest, TITLE, host_name="陽翔", starts_in=10)
    expect(guest.locator("ul.reservations .status")).to_have_text("返答待ち")
    shot(guest, "guest-requests-a-stay")

    # The host, in Japan, cannot reply by SMS: they are texted the link, and called.
    run_worker()
    simulator = phone(HOST_PHONE)
    expect(simulator.locator("#thread")).to_contain_text(
        "美咲 鈴木様から京都の町家への新しい予約リクエスト"
    )
    expect(simulator.locator("#thread")).to_contain_text("こちらから承諾またはお断りしてください：")
    expect(simulator.locator("#incoming")).to_be_visible()
    expect(simulator.locator("#incoming-text")).to_have_text(f"Airtngから{HOST_PHONE}に着信中です…")
    shot(simulator, "the-hosts-phone-rings")
    simulator.get_by_role("button", name="応答").click()
    expect(simulator.locator("#screen")).to_contain_text("陽翔様、こんにちは。Airtngです。")
    expect(simulator.locator("#call-log")).to_contain_text('language="ja-JP"')
    expect(simulator.locator("#call-log")).to_contain_text('voice="Polly.Mizuki"')
    shot(simulator, "the-call-reads-the-request")
    press(simulator, "1")
    expect(simulator.locator("#screen")).to_contain_text("予約を承諾しました。")
    expect(simulator.locator("#screen .ended")).to_have_text("通話が終了しました。")
    shot(simulator, "host-accepts-with-1")
    reservation = Reservation.objects.get()
    assert (reservation.status, reservation.decided_via) == ("confirmed", "phone")

    # The guest's phone gets the confirmation in Japanese, and their trips say so.
    run_worker()
    simulator = phone(GUEST_PHONE)
    expect(simulator.locator("#thread")).to_contain_text(
        "京都の町家へのご宿泊リクエストが承諾されました。"
    )
    shot(simulator, "guest-is-texted-the-confirmation")
    guest.get_by_role("link", name="マイ旅行").click()
    expect(guest.locator("ul.reservations .status")).to_have_text("確定")
    shot(guest, "guest-sees-the-trip-confirmed")

    # A second host in Japan accepts through the link in their SMS.
    second_host = make_user(
        first_name="蓮", email="ren@example.com", phone_number=SECOND_HOST_PHONE, language="ja"
    )
    make_property(second_host, title=SECOND_TITLE)
    request_a_stay(guest, SECOND_TITLE, host_name="蓮", starts_in=20)
    run_worker()
    simulator = phone(SECOND_HOST_PHONE)
    # The host opens it on their own phone's browser, logged out.
    link = simulator.locator("#thread a", has_text="/d/").get_attribute("href")
    decision = japanese_page()
    decision.goto(link)
    expect(decision.locator("h1")).to_have_text(f"美咲さん → {SECOND_TITLE}")
    shot(decision, "second-host-opens-the-link")
    decision.get_by_role("button", name="承諾", exact=True).click()
    decision.get_by_role("button", name="はい、承諾します").click()
    expect(decision.locator(".decision-outcome")).to_contain_text("予約を承諾しました。")
    shot(decision, "second-host-accepts-by-link")
    second = Reservation.objects.get(property__title=SECOND_TITLE)
    assert (second.status, second.decided_via) == ("confirmed", "link")

    run_worker()
    simulator = phone(GUEST_PHONE)
    expect(simulator.locator("#thread")).to_contain_text(
        f"{SECOND_TITLE}へのご宿泊リクエストが承諾されました。"
    )
    shot(simulator, "guest-is-texted-the-second-confirmation")
