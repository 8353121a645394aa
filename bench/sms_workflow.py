"""How fast Airtng takes bookings and host replies while Twilio is slow.

Starts gunicorn and one `manage.py db_worker` on 127.0.0.1 against a fresh database, with a
fake Twilio REST API (tests/fake_twilio.py) that answers after 0 ms and then after 250 ms.
Logged-in guests POST the booking form, then hosts' replies arrive as signed SMS webhooks.
Prints requests/s, p50/p99 latency and errors per phase, and queries per request counted
in-process with Django's test client.

    uv run python bench/sms_workflow.py [--requests N] [--concurrency C] [--database-url URL]
                                        [--twilio-delays MS,MS,...] [--time-limit SECONDS]

Sending happens in the worker, so neither rate should depend on Twilio's delay.
Every request goes to 127.0.0.1; every loop is bounded in count and time; every process
started here is stopped on the way out, and all of them after --time-limit seconds.
"""

import argparse
import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import (  # noqa: E402
    ACCOUNT_SID,
    AIRTNG_NUMBER,
    AUTH_TOKEN,
    GUNICORN_THREADS,
    GUNICORN_WORKERS,
    MEASURED_COLUMNS,
    REQUEST_TIMEOUT,
    Phase,
    QueryCounter,
    airtng_env,
    format_table,
    free_port,
    note,
    print_log_tail,
    query_lines,
    run_django,
    run_phase,
    signed_post,
    start,
    start_gunicorn,
    start_run,
    stop,
    stop_all,
    wait_until_ready,
)
from tests.fake_twilio import FakeTwilio, serve  # noqa: E402

TWILIO_DELAYS_MS = "0,250"
PASSWORD = "bench-password-for-guests-42"
HOSTS = 4
PROPERTIES_PER_HOST = 2
PHASE_TIME_LIMIT = 30.0
# reservations.services.request_limits: a guest asks one host at most this often a day.
MAX_REQUESTS_TO_A_HOST = 3
# Issue 16: each rate at 250 ms at least this share of its rate at 0 ms, and half the queries
# a booking and an accept cost before (16 and 26, BEGIN and COMMIT included on SQLite).
SLOW_TWILIO_MS = 250
RATE_RATIO_GOAL = 0.9
QUERY_GOALS = {
    "booking POST, host not yet texted (texts them)": 8,
    'host-reply webhook "accept" (texts guest and host)': 13,
}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- Load ------------------------------------------------------------------------------


@dataclass(kw_only=True)
class RoundPhase(Phase):
    round: int
    delay: float


class Browser(requests.Session):
    """A guest's browser. Production cookies are Secure; this one sends them over http."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def csrf_token(response):
    match = CSRF_INPUT.search(response.text)
    if not match:
        raise RuntimeError(f"no CSRF token in {response.url} ({response.status_code})")
    return match.group(1)


def log_in(base_url, email, property_pk):
    browser = Browser()
    browser.headers["Origin"] = base_url
    page = browser.get(base_url + "/accounts/login/", timeout=REQUEST_TIMEOUT)
    answer = browser.post(
        base_url + "/accounts/login/",
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"{email} could not log in ({answer.status_code})")
    # Logging in rotates the CSRF token; the property page carries the new one.
    page = browser.get(f"{base_url}/properties/{property_pk}/", timeout=REQUEST_TIMEOUT)
    browser.csrf = csrf_token(page)
    return browser


def guests_needed(count, concurrency):
    """Enough guests that none asks one host more often than a day allows, one per thread."""
    per_guest = HOSTS * MAX_REQUESTS_TO_A_HOST
    return max(concurrency, -(-count // per_guest))


def booking_jobs(base_url, properties, browsers, count):
    """Distinct one-night stays, so no two requests for a property share a night.

    Request i is guest i's (round-robin), to host (round + guest), so that each guest asks
    each host at most MAX_REQUESTS_TO_A_HOST times. A job uses its guest's browser, not the
    thread's; a lock per guest keeps two threads from sharing one at a time.
    """
    first_night = date.today() + timedelta(days=2)
    guests = len(browsers)
    locks = [threading.Lock() for _ in browsers]
    nights = {}

    def book(guest, property_pk, check_in):
        def job(_thread_session):
            with locks[guest]:
                return post(browsers[guest])

        def post(browser):
            answer = browser.post(
                f"{base_url}/reservations/request/{property_pk}/",
                {
                    "csrfmiddlewaretoken": browser.csrf,
                    "check_in": check_in.isoformat(),
                    "check_out": (check_in + timedelta(days=1)).isoformat(),
                    "guests": "2",
                    "message": "We would love to stay.",
                },
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            return answer.status_code == 302 or f"HTTP {answer.status_code}"

        return job

    jobs = []
    for i in range(count):
        guest, lap = i % guests, i // guests
        host = (lap + guest) % HOSTS
        property_pk = properties[host * PROPERTIES_PER_HOST + (lap // HOSTS) % PROPERTIES_PER_HOST]
        night = nights[property_pk] = nights.get(property_pk, -1) + 1
        jobs.append(book(guest, property_pk, first_night + timedelta(days=night)))
    return jobs


def accepts(i, hosts):
    """Whether reply i says "accept": each host alternates, a round of accepts then of "maybe"."""
    return (i // hosts) % 2 == 0


def reply_jobs(base_url, host_numbers, count, round_label):
    """Hosts answer "accept" (deciding their oldest request) and "maybe" (asking again)."""

    def answered_with_twiml(answer):
        ok = answer.status_code == 200 and "<Response>" in answer.text
        return ok or f"HTTP {answer.status_code}"

    def reply(i):
        params = {
            "MessageSid": f"SMbench{round_label}{i:08d}",
            "AccountSid": ACCOUNT_SID,
            "From": host_numbers[i % len(host_numbers)],
            "To": AIRTNG_NUMBER,
            "Body": "accept" if accepts(i, len(host_numbers)) else "maybe",
        }
        return signed_post(base_url + "/reservations/incoming", params, answered_with_twiml)

    return [reply(i) for i in range(count)]


def wait_for_sms(twilio, count, deadline):
    """Seconds waited until the fake Twilio had taken `count` SMS, or the deadline passed."""
    began = time.perf_counter()
    while len(twilio.sent) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    # Twilio has answered; the worker records when, a moment later.
    time.sleep(0.5)
    return time.perf_counter() - began


# --- One round: a fresh database and servers, with Twilio answering after `delay` ------


def run_round(*, number, delay, args, databases, twilio, twilio_url, workdir, deadline):
    label = f"r{number}_{round(delay * 1000)}ms"
    (workdir / label).mkdir()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = airtng_env(
        base_url=base_url,
        database_url=databases.create(label),
        media_root=workdir / label / "media",
        TWILIO_API_BASE_URL=twilio_url,
        STATIC_ROOT=str(workdir / label / "static"),
    )
    note(f"round {number}, Twilio delay {delay * 1000:.0f} ms: a fresh {databases.name} database")
    run_django(["manage.py", "migrate", "--no-input", "-v", "0"], env=env)
    # Pages name static files by their hash, as in production: collected first.
    run_django(["manage.py", "collectstatic", "--no-input", "-v", "0"], env=env)
    guests = guests_needed(args.requests, args.concurrency)
    data = json.loads(run_django([__file__, "--child", "seed", "--guests", str(guests)], env=env))

    log = open(workdir / label / "servers.log", "w")  # noqa: SIM115 - closed below
    server = worker = None
    failed = False
    try:
        server = start_gunicorn("airtng.wsgi", port=port, env=env, log=log)
        worker = start([sys.executable, "manage.py", "db_worker"], env=env, log=log)
        wait_until_ready(base_url + "/accounts/login/", server)
        note(f"gunicorn answers on {base_url}; logging in {guests} guests")

        twilio.delay = delay
        browsers = [None] * len(data["guests"])

        def sign_in(i):
            for attempt in (1, 2):  # setting up, not measured: one reset connection is forgiven
                try:
                    browsers[i] = log_in(base_url, data["guests"][i], data["properties"][0])
                    return
                except requests.ConnectionError:
                    if attempt == 2:
                        raise

        signing_in = list(range(len(browsers)))
        threads = [
            threading.Thread(target=lambda part: [sign_in(i) for i in part], args=(part,))
            for part in (signing_in[t :: args.concurrency] for t in range(args.concurrency))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if None in browsers:
            sys.exit("A guest could not log in; see the traceback above.")

        note("booking")
        sms_before, began = len(twilio.requests), time.perf_counter()
        phase_deadline = min(deadline, time.monotonic() + PHASE_TIME_LIMIT)
        bookings = run_phase(
            RoundPhase("booking POST", round=number, delay=delay),
            booking_jobs(base_url, data["properties"], browsers, args.requests),
            [None] * args.concurrency,
            deadline=phase_deadline,
        )
        # A reply decides only a request whose SMS Twilio has taken: the hosts answer once
        # the worker has handed Twilio what the bookings queued (each booking's "request
        # sent" to its guest, and one offer per host), or the phase's time is up.
        note("waiting for the worker to send what the bookings queued")
        expected = sms_before + len(bookings.latencies) + HOSTS
        waited = wait_for_sms(twilio, expected, min(deadline, time.monotonic() + PHASE_TIME_LIMIT))
        note(f"host replies (after {waited:.1f} s)")
        phase_deadline = min(deadline, time.monotonic() + PHASE_TIME_LIMIT)
        replies = run_phase(
            RoundPhase("host-reply webhook", round=number, delay=delay),
            reply_jobs(base_url, data["host_numbers"], args.requests, label),
            [requests.Session() for _ in range(args.concurrency)],
            deadline=phase_deadline,
        )
        sms = {
            "sent": len(twilio.requests) - sms_before,
            "seconds": time.perf_counter() - began,
            "waited": waited,
            "caught_up": len(twilio.sent) >= expected,
            "accepts": sum(
                1 for i in range(args.requests) if accepts(i, len(data["host_numbers"]))
            ),
        }
    except BaseException:
        failed = True
        raise
    finally:
        note("stopping gunicorn and the worker")
        for process in (worker, server):
            if process:
                stop(process)
        log.close()
        if failed or bookings.errors or replies.errors:
            print_log_tail(workdir / label / "servers.log")

    sms.update(json.loads(run_django([__file__, "--child", "sms-backlog"], env=env)))
    queries = None
    if number == 1:
        # With the servers stopped, nothing but the counted request touches the rows.
        note("counting queries per request")
        queries = json.loads(run_django([__file__, "--child", "count-queries"], env=env))
    return [bookings, replies], sms, queries


# --- Child modes, run in a subprocess with Django set up --------------------------------


def child_seed(guests):
    """Hosts with verified phones and their properties, and guests; prints what was made."""
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from properties.models import Property

    password = make_password(PASSWORD)  # hashed once: every account shares it

    def person(role, n):
        return User(
            email=f"{role}{n}@bench.example.com",
            first_name=f"{role.title()}{n}",
            phone_number=f"+1201555{(1000 if role == 'host' else 2000) + n:04d}",
            phone_verified=True,
            password=password,
        )

    hosts = User.objects.bulk_create([person("host", n) for n in range(HOSTS)])
    guests = User.objects.bulk_create([person("guest", n) for n in range(guests)])
    properties = Property.objects.bulk_create(
        Property(
            host=host,
            title=f"{host.first_name}'s place {n}",
            description="A bench mark of a place.",
            location="Loadtest, NY",
            nightly_price=Decimal("100.00"),
            max_guests=4,
            image_url="https://example.com/house.jpg",
        )
        for host in hosts
        for n in range(PROPERTIES_PER_HOST)
    )
    print(
        json.dumps(
            {
                "host_numbers": [str(host.phone_number) for host in hosts],
                "guests": [guest.email for guest in guests],
                "properties": [listing.pk for listing in properties],
            }
        )
    )


def child_sms_backlog():
    """How many SMS were queued, how many the worker has not yet handed to Twilio, and how
    many requests the replies decided."""
    from airtng.messaging.models import Direction, Message, Status
    from reservations.models import Reservation

    outbound = Message.objects.filter(direction=Direction.OUTBOUND)
    unsent = outbound.filter(status__in=[Status.PENDING, Status.SENDING])
    decided = Reservation.objects.filter(decided_via=Reservation.Channel.SMS)
    print(
        json.dumps(
            {"queued": outbound.count(), "unsent": unsent.count(), "decided": decided.count()}
        )
    )


def child_count_queries():
    """Queries of one request of each kind, through the whole middleware stack."""
    from decimal import Decimal

    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from airtng.messaging.models import Direction, Message
    from airtng.messaging.models import Status as SmsStatus
    from airtng.messaging.services import deliver
    from airtng.twilio import twilio_url
    from properties.models import Property
    from reservations.models import Reservation
    from reservations.services import expire_overdue_requests

    setup_test_environment()
    host = User.objects.create(
        email="counted-host@bench.example.com",
        first_name="Counted",
        phone_number="+12015553001",
        phone_verified=True,
    )
    guest = User.objects.create(
        email="counted-guest@bench.example.com",
        first_name="Guest",
        phone_number="+12015553002",
        phone_verified=True,
    )
    listing = Property.objects.create(
        host=host,
        title="Counted cabin",
        description="Counted.",
        location="Here",
        nightly_price=Decimal("100.00"),
        max_guests=4,
    )
    browser, twilio = Client(), Client()
    browser.force_login(guest)
    queries = QueryCounter()
    count = queries.count

    def expect(response, status):
        if response.status_code != status:
            sys.exit(f"{response.request['PATH_INFO']}: HTTP {response.status_code}")

    def book(days):
        check_in = date.today() + timedelta(days=days)
        answer = browser.post(
            f"/reservations/request/{listing.pk}/",
            {
                "check_in": check_in,
                "check_out": check_in + timedelta(days=1),
                "guests": 2,
                "message": "Counted.",
            },
        )
        expect(answer, 302)

    def reply(sid, body):
        params = {"MessageSid": sid, "From": str(host.phone_number), "Body": body}
        url = twilio_url("/reservations/incoming")
        signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
        answer = twilio.post(
            "/reservations/incoming", params, headers={"X-Twilio-Signature": signature}
        )
        expect(answer, 200)

    def unsent_to(user):
        return Message.objects.filter(
            direction=Direction.OUTBOUND, status=SmsStatus.PENDING, user=user
        ).latest("pk")

    count("booking POST, host not yet texted (texts them)", lambda: book(3))
    count("booking POST, host already texted", lambda: book(5))
    # A reply decides only a request whose SMS Twilio has taken.
    deliver(unsent_to(host).pk)
    count('host-reply webhook "maybe"', lambda: reply("SMcounted1", "maybe"))
    count(
        'host-reply webhook "accept" (texts guest and host)', lambda: reply("SMcounted2", "accept")
    )
    count("host-reply webhook, a repeated MessageSid", lambda: reply("SMcounted2", "accept"))
    unsent = unsent_to(host)
    count("worker: deliver() one SMS", lambda: deliver(unsent.pk))
    unsent.refresh_from_db()
    if unsent.status != SmsStatus.QUEUED:
        sys.exit(f"deliver() left the SMS {unsent.status}")
    waiting = Reservation.objects.get(property=listing, status=Reservation.Status.PENDING)
    # The load phases' requests expire first, uncounted: older, they are overdue sooner.
    expire_overdue_requests(now=waiting.answer_by - timedelta(microseconds=1))
    after_the_window = waiting.answer_by + timedelta(seconds=1)
    count(
        "sweep: one request expires (texts guest)",
        lambda: expire_overdue_requests(now=after_the_window),
    )
    waiting.refresh_from_db()
    if waiting.status != Reservation.Status.EXPIRED:
        sys.exit(f"the sweep left the request {waiting.status}")
    queries.report()


# --- Report ----------------------------------------------------------------------------


def table(phases, sms, queries, *, args, database):
    columns = [("phase", 20), ("round", 5), ("Twilio delay", 12), *MEASURED_COLUMNS]
    rows = [
        [phase.name, str(phase.round), f"{phase.delay * 1000:.0f} ms", *phase.cells()]
        for phase in sorted(phases, key=lambda phase: (phase.name, phase.round))
    ]
    lines = [
        f"Airtng SMS workflow on {database}: gunicorn -w {GUNICORN_WORKERS} "
        f"--threads {GUNICORN_THREADS}, one db_worker, {args.requests} requests per phase, "
        f"{args.concurrency} concurrent clients, {os.cpu_count()} CPUs",
        "",
        format_table(columns, rows),
        "",
        "SMS, from the first booking to the last reply (one db_worker):",
    ]
    for number, (delay, counts) in enumerate(sms, start=1):
        lines.append(
            f"  round {number}, Twilio delay {delay * 1000:>3.0f} ms: {counts['queued']} queued, "
            f"{counts['sent']} handed to Twilio ({counts['sent'] / counts['seconds']:.1f}/s), "
            f"{counts['unsent']} still unsent at the end"
        )
    lines += ["", "Host replies: the hosts answer once the worker sent what the bookings queued:"]
    for number, (delay, counts) in enumerate(sms, start=1):
        caught_up = "" if counts["caught_up"] else " (not all sent: the wait timed out)"
        lines.append(
            f"  round {number}, Twilio delay {delay * 1000:>3.0f} ms: replies began after "
            f"{counts['waited']:.1f} s{caught_up}; {counts['decided']} of "
            f'{counts["accepts"]} "accept" decided a request'
        )
    lines.append(
        "  (a reply decides only a request whose SMS Twilio had taken; the others get the help "
        "text)"
    )
    if queries:
        title = "Queries per request (one of each, Django test client, same database):"
        lines += query_lines(queries, title)
    return "\n".join(lines + goal_lines(phases, queries))


def goal_lines(phases, queries):
    """Each rate at 250 ms over its rate at 0 ms (means over rounds), and the query budgets."""
    lines = ["", "Goals (issue 16):"]
    for name in sorted({phase.name for phase in phases}):

        def mean_rate(delay_ms, name=name):
            rates = [
                phase.rate
                for phase in phases
                if phase.name == name and round(phase.delay * 1000) == delay_ms
            ]
            return sum(rates) / len(rates) if rates else None

        fast, slow = mean_rate(0), mean_rate(SLOW_TWILIO_MS)
        if not fast or slow is None:
            lines.append(f"  {name}: needs a round at 0 ms and one at {SLOW_TWILIO_MS} ms")
            continue
        ratio = slow / fast
        met = "met" if ratio >= RATE_RATIO_GOAL else "NOT met"
        lines.append(
            f"  {name}: {slow:.1f}/s at {SLOW_TWILIO_MS} ms vs {fast:.1f}/s at 0 ms = "
            f"{ratio:.2f}x (goal >= {RATE_RATIO_GOAL}x): {met}"
        )
    for label, budget in QUERY_GOALS.items():
        if queries and label in queries:
            met = "met" if queries[label] <= budget else "NOT met"
            lines.append(f"  {label}: {queries[label]} queries (goal <= {budget}): {met}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="per phase (default 500)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL; a database per round is created beside it and dropped "
        "(default: SQLite in a temporary directory)",
    )
    parser.add_argument(
        "--twilio-delays",
        default=TWILIO_DELAYS_MS,
        help=f"Twilio's delay in ms for each round, in order (default {TWILIO_DELAYS_MS})",
    )
    parser.add_argument(
        "--time-limit", type=float, default=120, help="stop everything after this (s)"
    )
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--guests", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.requests = max(1, min(args.requests, 5000))
    args.concurrency = max(1, min(args.concurrency, 64))
    delays = [max(0, min(int(ms), 5000)) / 1000 for ms in args.twilio_delays.split(",")][:6]

    if args.child:
        import django

        django.setup()
        return CHILDREN[args.child](args)

    workdir, databases, deadline, watchdog, clean_up = start_run(
        prefix="airtng-bench-", database_url=args.database_url, time_limit=args.time_limit
    )
    twilio = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    twilio_server = serve(twilio)
    phases, sms, queries = [], [], None
    try:
        for number, delay in enumerate(delays, start=1):
            if time.monotonic() > deadline:
                note(f"time limit reached; no round {number}")
                break
            round_phases, round_sms, round_queries = run_round(
                number=number,
                delay=delay,
                args=args,
                databases=databases,
                twilio=twilio,
                twilio_url=twilio_server.url,
                workdir=workdir,
                deadline=deadline,
            )
            phases += round_phases
            sms.append((delay, round_sms))
            queries = queries or round_queries
    finally:
        watchdog.cancel()
        stop_all()
        twilio_server.shutdown()
        clean_up()
    print(table(phases, sms, queries, args=args, database=databases.name))


CHILDREN = {
    "seed": lambda args: child_seed(args.guests),
    "sms-backlog": lambda args: child_sms_backlog(),
    "count-queries": lambda args: child_count_queries(),
}

if __name__ == "__main__":
    main()
