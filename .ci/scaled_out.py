"""The scaled-out shape, end to end: two web processes and two workers from the Procfile.

Against PostgreSQL and a fake Twilio, over HTTP only: a caller's steps through the phone tree
go to both web processes and are logged, a guest books a stay on one web process, the host
accepts by a signed SMS webhook on the other, and every SMS Airtng recorded must have left
exactly once, and have been reported delivered by Twilio's status callback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/airtng_smoke python .ci/scaled_out.py

The database named is created afresh, and dropped at the end. Ports: PORT (default 18410)
and PORT+1 for the web processes; honcho gives the workers PORT+100 and up, unused.
"""

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_twilio import FakeTwilio, serve  # noqa: E402

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/airtng_smoke")
PORT = int(os.environ.get("PORT", "18410"))
ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = secrets.token_hex(16)
WEB = [f"http://127.0.0.1:{PORT}", f"http://127.0.0.1:{PORT + 1}"]
GUEST = ("gus@example.com", "airtng-demo")
HOST_PHONE = "+12025550101"  # Hannah, of seed_demo
AIRTNG_NUMBER = "+15005550006"
STRANGER = "+12025550188"  # a number no account has
WAIT_SECONDS = 90


def step(text):
    print(f"--- {time.monotonic() - STARTED:6.1f}s {text}", flush=True)


def on_the_server(*statements):
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def recreate_database():
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    on_the_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_database():
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    on_the_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(what, condition, within=WAIT_SECONDS):
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"FAILED: gave up waiting for {what}")
        time.sleep(0.2)


def manage(environ, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environ, check=True)


def answer(url, **kwargs):
    try:
        return requests.get(url, timeout=5, **kwargs)
    except (requests.ConnectionError, requests.Timeout):
        return None  # still starting


class Browser:
    """Enough of a browser for Django's forms: cookies (Secure ones too, over the local hop)
    and the CSRF token of the page it last read."""

    def __init__(self, origin):
        self.origin = origin
        self.cookies = {}

    def request(self, method, path, **kwargs):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        response = requests.request(
            method,
            self.origin + path,
            headers=headers,
            allow_redirects=False,
            timeout=10,
            **kwargs,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def csrf_token(self, path):
        page = self.request("GET", path)
        assert page.status_code == 200, (path, page.status_code)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def post_form(self, path, form_page, fields):
        token = self.csrf_token(form_page)
        return self.request("POST", path, data={"csrfmiddlewaretoken": token, **fields})


def signed_sms(origin, public_base_url, body):
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": ACCOUNT_SID,
        "From": HOST_PHONE,
        "To": AIRTNG_NUMBER,
        "Body": body,
    }
    path = "/reservations/incoming"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(public_base_url + path, params)
    return requests.post(
        origin + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
    )


def call_step(origin, public_base_url, path, call_sid, cookies, **fields):
    """A step of a call from a stranger, signed as Twilio signs it, with the call's cookies."""
    params = {
        "CallSid": call_sid,
        "AccountSid": ACCOUNT_SID,
        "From": STRANGER,
        "To": AIRTNG_NUMBER,
        "Direction": "inbound",
        "CallStatus": "in-progress",
        **fields,
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(public_base_url + path, params)
    response = requests.post(
        origin + path,
        data=params,
        headers={"X-Twilio-Signature": signature},
        cookies=cookies,
        timeout=10,
    )
    cookies.update(response.cookies.get_dict())
    return response


def logged_steps(database, call_sid):
    with psycopg.connect(database) as connection:
        return connection.execute(
            "SELECT s.url, s.digits FROM ivr_callstep s JOIN ivr_call c ON c.id = s.call_id"
            " WHERE c.sid = %s ORDER BY s.answered_at, s.id",
            [call_sid],
        ).fetchall()


def outbound(database):
    with psycopg.connect(database) as connection:
        return connection.execute(
            'SELECT id, "to", body, status, sid FROM messaging_message'
            " WHERE direction = 'out' ORDER BY id"
        ).fetchall()


def main():
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    fake.callbacks = ("sent", "delivered")
    twilio = serve(fake)
    workdir = Path(tempfile.mkdtemp(prefix="airtng-smoke-"))  # nothing is written to the checkout
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PUBLIC_"))},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        # TLS ends at the load balancer; these processes are reached over plain HTTP.
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "smtp+tls://airtng:unused@127.0.0.1:2525",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_BASE_URL": twilio.url,
        # The one public origin Twilio calls; here, the first web process.
        "PUBLIC_BASE_URL": WEB[0],
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "WEB_HOST": "127.0.0.1",
        "PORT": str(PORT),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "PYTHONUNBUFFERED": "1",
    }
    step(f"database {urlsplit(DATABASE_URL).path.lstrip('/')}, fake Twilio at {twilio.url}")
    recreate_database()
    manage(environ, "migrate", "--no-input", "--verbosity", "0")
    manage(environ, "collectstatic", "--no-input", "--verbosity", "0")
    # The demo's people and places; seed_demo runs only with DEBUG on, as on a laptop.
    manage({**environ, "DEBUG": "true"}, "seed_demo", "--if-empty")

    step("honcho start: web=2, worker=2")
    processes = subprocess.Popen(
        [sys.executable, "-m", "honcho", "start", "-c", "web=2,worker=2"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    passed = False
    try:
        for origin in WEB:
            wait_for(
                f"{origin}/healthz to answer 200",
                lambda origin=origin: (r := answer(origin + "/healthz")) and r.status_code == 200,
            )
        step("both web processes healthy, workers seen")

        css = re.search(r'/static/[^"]+\.css', requests.get(WEB[0] + "/", timeout=10).text)
        static = requests.get(WEB[1] + css.group(0), headers={"Accept-Encoding": "gzip"})
        assert static.status_code == 200 and static.headers["Content-Encoding"] == "gzip"

        # A call's steps reach either process; the cookie of its first keeps its revision.
        call_sid, cookies = "CA" + secrets.token_hex(16), {}
        welcome = call_step(WEB[0], WEB[0], "/ivr/welcome", call_sid, cookies)
        assert "Thanks for calling the E T Phone Home Service" in welcome.text, welcome.text
        assert cookies == {"ivr_revision": f"1.{call_sid}"}, cookies
        # Answered before Django (airtng/webhooks_first.py): none of its middleware's headers.
        assert "X-Content-Type-Options" not in welcome.headers, welcome.headers
        planets = call_step(WEB[1], WEB[0], "/ivr/menu", call_sid, cookies, Digits="2")
        assert '<Gather action="/ivr/planets"' in planets.text, planets.text
        dial = call_step(WEB[0], WEB[0], "/ivr/planets", call_sid, cookies, Digits="2")
        assert "<Dial>+19295566487</Dial>" in dial.text, dial.text
        # Each process writes what it holds within CALL_LOG_WAIT_SECONDS of a quiet second.
        wait_for(
            "the call's three steps in the call log",
            lambda: (
                logged_steps(DATABASE_URL, call_sid)
                == [("/ivr/welcome", ""), ("/ivr/menu", "2"), ("/ivr/planets", "2")]
            ),
        )
        step("a call's three steps answered by both web processes, and logged")

        guest = Browser(WEB[0])
        logged_in = guest.post_form(
            "/accounts/login/",
            "/accounts/login/",
            {"username": GUEST[0], "password": GUEST[1]},
        )
        assert logged_in.status_code == 302, logged_in.status_code
        with psycopg.connect(DATABASE_URL) as connection:
            [listing] = connection.execute(
                "SELECT id FROM properties_property WHERE title = 'Cabin by the lake'"
            ).fetchone()
            before = connection.execute(
                "SELECT count(*) FROM messaging_message WHERE direction = 'out'"
            ).fetchone()[0]
        check_in = date.today() + timedelta(days=30)
        booked = guest.post_form(
            f"/reservations/request/{listing}/",
            f"/properties/{listing}/",
            {
                "check_in": check_in.isoformat(),
                "check_out": (check_in + timedelta(days=3)).isoformat(),
                "guests": "2",
                "message": "We would love to stay.",
            },
        )
        assert booked.status_code == 302, (booked.status_code, booked.text[:500])
        step("a guest booked on web.1")

        # A reply decides only a request whose SMS Twilio had taken: wait for its SID.
        wait_for(
            "the host's SMS about the request, taken by Twilio",
            lambda: any(
                to == HOST_PHONE and "Reply accept or reject" in body and sid
                for _, to, body, _, sid in outbound(DATABASE_URL)
            ),
        )
        reply = signed_sms(WEB[1], WEB[0], "accept")
        assert reply.status_code == 200, reply.status_code
        assert "You have successfully confirmed the reservation." in reply.text, reply.text
        step("the host accepted by a signed SMS webhook on web.2")

        wait_for(
            "the guest's confirmation SMS",
            lambda: any("was confirmed" in sms["Body"] for sms in fake.sent),
        )
        wait_for(
            "every SMS delivered (status callbacks)",
            lambda: (rows := outbound(DATABASE_URL)) and all(r[3] == "delivered" for r in rows),
        )
        time.sleep(3)  # a duplicate would show up here: a worker sending a message twice
        rows = outbound(DATABASE_URL)
        assert len(rows) > before, rows
        sent = sorted((sms["To"], sms["Body"]) for sms in fake.sent)
        recorded = sorted((to, body) for _, to, body, _, _ in rows)
        assert sent == recorded, f"sent {sent}\nrecorded {recorded}"
        assert len({sid for *_, sid in rows}) == len(rows)
        assert {m["sid"] for m in fake.messages} == {sid for *_, sid in rows}
        assert fake.violations == [], fake.violations
        for _, to, body, status, sid in rows:
            print(f"    {sid} {status} to {to}: {body.splitlines()[0][:70]}")
        step(f"{len(rows)} SMS recorded, each sent exactly once and delivered")
        passed = True
    finally:
        os.killpg(processes.pid, signal.SIGTERM)
        try:
            output = processes.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            os.killpg(processes.pid, signal.SIGKILL)
            output = processes.communicate()[0]
        if not passed:
            print(output)
        twilio.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)
        drop_database()
    print("scaled-out smoke test: 1 passed, 0 failed")


STARTED = time.monotonic()

if __name__ == "__main__":
    main()
