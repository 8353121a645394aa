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
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.fake_twilio import FakeTwilio, serve  # noqa: E402

TWILIO_DELAYS_MS = "0,250"
ACCOUNT_SID = "AC" + "be" * 16
AUTH_TOKEN = "bench-auth-token"
PASSWORD = "bench-password-for-guests-42"
HOSTS = 4
PROPERTIES_PER_HOST = 2
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 4
REQUEST_TIMEOUT = 15.0
PHASE_TIME_LIMIT = 30.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

started: list[subprocess.Popen] = []
script_began = time.monotonic()


def note(text):
    print(f"[{time.monotonic() - script_began:5.1f} s] {text}", file=sys.stderr, flush=True)


# --- Processes -------------------------------------------------------------------------


def start(command, *, env, log, stderr=subprocess.STDOUT):
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=stderr, text=True, start_new_session=True
    )
    started.append(process)
    return process


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ValueError):  # the time limit may be stopping it too
        started.remove(process)


def stop_all():
    for process in list(started):
        stop(process)


def run_django(args, *, env, timeout=60):
    """Run `manage.py …` or this script's child mode to the end; return its stdout."""
    process = start([sys.executable, *args], env=env, log=subprocess.PIPE, stderr=None)
    try:
        output, _ = process.communicate(timeout=timeout)
    finally:
        stop(process)
    if process.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{output}")
    return output


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(base_url, server, *, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up; see its log.")
        try:
            if requests.get(base_url + "/accounts/login/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # not listening yet, or still importing the app
        time.sleep(0.2)
    sys.exit("gunicorn did not answer in time.")


# --- Databases -------------------------------------------------------------------------


class SQLiteDatabases:
    name = "SQLite"

    def __init__(self, workdir):
        self.workdir = workdir

    def create(self, label):
        return f"sqlite:///{self.workdir / label / 'db.sqlite3'}"

    def drop_all(self):
        pass  # the temporary directory goes with them


class PostgresDatabases:
    """One database per round, named after --database-url's; each dropped at the end."""

    name = "PostgreSQL"

    def __init__(self, url):
        self.url = urlsplit(url)
        self.created = []

    def admin(self):
        import psycopg

        maintenance = urlunsplit(self.url._replace(scheme="postgresql", path="/postgres", query=""))
        return psycopg.connect(maintenance, autocommit=True)

    def create(self, label):
        from psycopg import sql

        name = f"{self.url.path.lstrip('/')}_{label}".replace("-", "_")
        with self.admin() as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if exists.fetchone():
                sys.exit(f"Database {name} exists already; drop it or pick another URL.")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        return urlunsplit(self.url._replace(path=f"/{name}"))

    def drop_all(self):
        from psycopg import sql

        with self.admin() as connection:
            for name in self.created:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.created.clear()


# --- Load ------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    round: int
    delay: float
    latencies: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    seconds: float = 0.0

    def error(self, kind):
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def rate(self):
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p):
        if not self.latencies:
            return float("nan")  # printed as "nan": nothing was answered
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


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


def run_phase(phase, jobs, workers, *, deadline):
    """Send `jobs` (callables taking a worker's session) from one thread per worker."""
    lock = threading.Lock()
    pending = list(reversed(jobs))

    def drive(session):
        while time.monotonic() < deadline:
            with lock:
                if not pending:
                    return
                job = pending.pop()
            began = time.perf_counter()
            try:
                ok = job(session)
            except requests.RequestException as error:
                with lock:
                    phase.error(type(error).__name__)
                continue
            with lock:
                if ok is True:
                    phase.latencies.append(time.perf_counter() - began)
                else:
                    phase.error(ok)

    threads = [threading.Thread(target=drive, args=(session,)) for session in workers]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


def booking_jobs(base_url, properties, count):
    """Distinct one-night stays, so no two requests for a property share a night."""
    first_night = date.today() + timedelta(days=2)

    def book(property_pk, check_in):
        def job(browser):
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

    return [
        book(properties[i % len(properties)], first_night + timedelta(days=i // len(properties)))
        for i in range(count)
    ]


def reply_jobs(base_url, host_numbers, count, round_label):
    """Hosts answer "accept" (deciding their oldest request) and "maybe" (asking again)."""
    url = base_url + "/reservations/incoming"
    validator = RequestValidator(AUTH_TOKEN)

    def reply(i):
        params = {
            "MessageSid": f"SMbench{round_label}{i:08d}",
            "AccountSid": ACCOUNT_SID,
            "From": host_numbers[i % len(host_numbers)],
            "To": "+15005550006",
            "Body": "accept" if (i // len(host_numbers)) % 2 == 0 else "maybe",
        }
        signature = validator.compute_signature(url, params)

        def job(session):
            answer = session.post(
                url, params, headers={"X-Twilio-Signature": signature}, timeout=REQUEST_TIMEOUT
            )
            ok = answer.status_code == 200 and "<Response>" in answer.text
            return ok or f"HTTP {answer.status_code}"

        return job

    return [reply(i) for i in range(count)]


# --- One round: a fresh database and servers, with Twilio answering after `delay` ------


def run_round(*, number, delay, args, databases, twilio, twilio_url, workdir, deadline):
    label = f"r{number}_{round(delay * 1000)}ms"
    (workdir / label).mkdir()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "airtng.settings",
        "DATABASE_URL": databases.create(label),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_BASE_URL": twilio_url,
        "PUBLIC_BASE_URL": base_url,
        "MEDIA_ROOT": str(workdir / label / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    note(f"round {number}, Twilio delay {delay * 1000:.0f} ms: a fresh {databases.name} database")
    run_django(["manage.py", "migrate", "--no-input", "-v", "0"], env=env)
    data = json.loads(
        run_django([__file__, "--child", "seed", "--guests", str(args.concurrency)], env=env)
    )

    log = open(workdir / label / "servers.log", "w")  # noqa: SIM115 - closed below
    server = worker = None
    failed = False
    try:
        server = start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "airtng.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(GUNICORN_WORKERS),
                "--threads",
                str(GUNICORN_THREADS),
                "--no-control-socket",
            ],
            env=env,
            log=log,
        )
        worker = start([sys.executable, "manage.py", "db_worker"], env=env, log=log)
        wait_until_ready(base_url, server)
        note(f"gunicorn answers on {base_url}; logging in {args.concurrency} guests")

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

        threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(len(browsers))]
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
            Phase("booking POST", number, delay),
            booking_jobs(base_url, data["properties"], args.requests),
            browsers,
            deadline=phase_deadline,
        )
        note("host replies")
        phase_deadline = min(deadline, time.monotonic() + PHASE_TIME_LIMIT)
        replies = run_phase(
            Phase("host-reply webhook", number, delay),
            reply_jobs(base_url, data["host_numbers"], args.requests, label),
            [requests.Session() for _ in range(args.concurrency)],
            deadline=phase_deadline,
        )
        sms = {"sent": len(twilio.requests) - sms_before, "seconds": time.perf_counter() - began}
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
            lines = (workdir / label / "servers.log").read_text().splitlines()
            print("\n".join(["The servers' last words:", *lines[-40:]]), file=sys.stderr)

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
    """How many SMS were queued, and how many the worker has not yet handed to Twilio."""
    from airtng.messaging.models import Direction, Message, Status

    outbound = Message.objects.filter(direction=Direction.OUTBOUND)
    unsent = outbound.filter(status__in=[Status.PENDING, Status.SENDING])
    print(json.dumps({"queued": outbound.count(), "unsent": unsent.count()}))


def child_count_queries():
    """Queries of one request of each kind, through the whole middleware stack."""
    from decimal import Decimal

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from accounts.models import User
    from airtng.messaging.models import Direction, Message
    from airtng.messaging.models import Status as SmsStatus
    from airtng.messaging.services import deliver
    from airtng.twilio import public_url
    from properties.models import Property

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
    counts, statements = {}, {}

    def count(label, send):
        with CaptureQueriesContext(connection) as captured:
            send()
        counts[label] = len(captured)
        statements[label] = [query["sql"] for query in captured.captured_queries]

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
        url = public_url("/reservations/incoming")
        signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
        answer = twilio.post(
            "/reservations/incoming", params, headers={"X-Twilio-Signature": signature}
        )
        expect(answer, 200)

    count("booking POST, host not yet texted (texts them)", lambda: book(3))
    count("booking POST, host already texted", lambda: book(5))
    count('host-reply webhook "maybe"', lambda: reply("SMcounted1", "maybe"))
    count(
        'host-reply webhook "accept" (texts guest and host)', lambda: reply("SMcounted2", "accept")
    )
    count("host-reply webhook, a repeated MessageSid", lambda: reply("SMcounted2", "accept"))
    unsent = Message.objects.filter(
        direction=Direction.OUTBOUND, status=SmsStatus.PENDING, user=host
    ).latest("pk")
    count("worker: deliver() one SMS", lambda: deliver(unsent.pk))
    unsent.refresh_from_db()
    if unsent.status != SmsStatus.QUEUED:
        sys.exit(f"deliver() left the SMS {unsent.status}")
    if os.environ.get("BENCH_SHOW_SQL"):
        json.dump(statements, sys.stderr, indent=1)
    print(json.dumps(counts))


# --- Report ----------------------------------------------------------------------------


def table(phases, sms, queries, *, args, database):
    lines = [
        f"Airtng SMS workflow on {database}: gunicorn -w {GUNICORN_WORKERS} "
        f"--threads {GUNICORN_THREADS}, one db_worker, {args.requests} requests per phase, "
        f"{args.concurrency} concurrent clients, {os.cpu_count()} CPUs",
        "",
        f"{'phase':<20} {'round':>5} {'Twilio delay':>12} {'requests/s':>10} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'ok':>6} {'errors':>7}",
    ]
    for phase in sorted(phases, key=lambda phase: (phase.name, phase.round)):
        errors = ", ".join(f"{n} {kind}" for kind, n in phase.errors.items()) or "0"
        lines.append(
            f"{phase.name:<20} {phase.round:>5} {f'{phase.delay * 1000:.0f} ms':>12} "
            f"{phase.rate:>10.1f} "
            f"{phase.percentile(50):>8.1f} {phase.percentile(99):>8.1f} "
            f"{len(phase.latencies):>6} {errors:>7}"
        )
    lines += ["", "SMS, from the first booking to the last reply (one db_worker):"]
    for number, (delay, counts) in enumerate(sms, start=1):
        lines.append(
            f"  round {number}, Twilio delay {delay * 1000:>3.0f} ms: {counts['queued']} queued, "
            f"{counts['sent']} handed to Twilio ({counts['sent'] / counts['seconds']:.1f}/s), "
            f"{counts['unsent']} still unsent at the end"
        )
    if queries:
        lines += ["", "Queries per request (one of each, Django test client, same database):"]
        width = max(map(len, queries))
        lines += [f"  {label:<{width}} {n:>3}" for label, n in queries.items()]
    return "\n".join(lines)


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

    workdir = Path(tempfile.mkdtemp(prefix="airtng-bench-"))
    databases = (
        PostgresDatabases(args.database_url) if args.database_url else SQLiteDatabases(workdir)
    )
    deadline = time.monotonic() + args.time_limit

    def give_up():
        print(f"\nTime limit of {args.time_limit:.0f} s reached; stopping.", file=sys.stderr)
        stop_all()
        databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)
        os._exit(2)

    watchdog = threading.Timer(args.time_limit + 15, give_up)
    watchdog.daemon = True
    watchdog.start()
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
        databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(phases, sms, queries, args=args, database=databases.name))


CHILDREN = {
    "seed": lambda args: child_seed(args.guests),
    "sms-backlog": lambda args: child_sms_backlog(),
    "count-queries": lambda args: child_count_queries(),
}

if __name__ == "__main__":
    main()
