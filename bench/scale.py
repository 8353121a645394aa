"""The booking POST and the host-reply webhook with 1,000,000 reservations, beside 1,000.

PostgreSQL only. Two fresh databases with the same 20,000 users (5,000 hosts, 15,000
guests) and 10,000 listings, one with --small reservations (the reference) and one with
--large (Airtng at size), each with one SMS per reservation; seeded in SQL
(INSERT … SELECT generate_series), then ANALYZEd. Each is served by its own gunicorn
(production settings). Interleaved phases (small, large, small, large): logged-in guests
POST the booking form (each booking a different host), then each booked host accepts with
a signed SMS to /reservations/incoming. Prints requests/s, p50/p99, the large/small ratio
of p99, queries per request, and `EXPLAIN ANALYZE` of every query of both paths on the large
database (--explain FILE writes them as Markdown), flagging any sequential scan.

    uv run python bench/scale.py --database-url postgres://postgres@127.0.0.1:5432/airtng_bench
                                 [--requests N] [--concurrency C] [--small N] [--large N]
                                 [--explain FILE] [--time-limit SECONDS]

The load generator is this script: one thread per --concurrency, Python requests with a
keep-alive connection each, on the same CPUs as gunicorn and PostgreSQL.
"""

import argparse
import json
import os
import re
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import (  # noqa: E402
    ACCOUNT_SID,
    AIRTNG_NUMBER,
    GUNICORN_THREADS,
    GUNICORN_WORKERS,
    MEASURED_COLUMNS,
    REQUEST_TIMEOUT,
    Phase,
    airtng_env,
    format_table,
    free_port,
    note,
    percentile,
    print_log_tail,
    run_django,
    run_phase,
    signed_post,
    start_gunicorn,
    start_run,
    stop_all,
    wait_until_ready,
)
from bench.sms_workflow import PASSWORD, log_in  # noqa: E402

GOAL_P99_RATIO = 1.5
USERS = 20_000
HOSTS = 5_000  # users 1..5000 host two listings each; the others are guests
LISTINGS = 10_000
ROUNDS = 2
# Tables whose sequential scan is no concern: a handful of rows whatever the size.
SMALL_TABLES = {"django_content_type", "django_site", "ivr_menu", "ivr_key"}


# --- Child modes, with Django set up -----------------------------------------------------

SEED = """
INSERT INTO accounts_user (id, password, is_superuser, first_name, last_name, is_staff,
    is_active, date_joined, email, phone_number, phone_verified, email_confirmed, decide_by,
    language)
SELECT n, %(password)s, false, 'Person' || n, '', false, true, now() - interval '3 years',
    'user' || n || '@bench.example.com', '+1201' || (2000000 + n), true, true, 'sms', 'en'
FROM generate_series(1, %(users)s) AS n;

INSERT INTO properties_property (id, title, description, location, nightly_price, max_guests,
    image_url, created_at, host_id, withdrawn_at)
SELECT n, 'Place ' || n, 'A bench mark of a place.', 'Loadtest, NY', 100 + n %% 50, 4,
    'https://example.com/house.jpg', now() - interval '3 years' + n * interval '1 minute',
    1 + (n - 1) %% %(hosts)s, NULL
FROM generate_series(1, %(listings)s) AS n;

-- Past stays, 100 a listing at 1,000,000: a week apart, two nights each, all decided.
INSERT INTO reservations_reservation (id, check_in, check_out, guests, message, status,
    decided_via, created_at, decided_at, guest_id, property_id, reminded_at)
SELECT n, s.check_in, s.check_in + 2, 2, 'A seeded stay.',
    (ARRAY['confirmed','confirmed','confirmed','confirmed','confirmed','rejected',
           'cancelled','expired','declined','rejected'])[1 + n %% 10],
    (ARRAY['sms','web','phone','sms','admin','sms','','','',''])[1 + n %% 10],
    s.created_at, s.created_at + interval '1 hour',
    %(hosts)s + 1 + (n::bigint * 7919) %% (%(users)s - %(hosts)s),
    1 + n %% %(listings)s, NULL
FROM generate_series(1, %(reservations)s) AS n,
    -- Requested over the last 800 days, as evenly: the last day's are 1/800 of them.
    LATERAL (SELECT current_date - 800 + 7 * (n / %(listings)s) AS check_in,
        now() - (n %% 800) * interval '1 day' - (n %% 86399) * interval '1 second'
        AS created_at) AS s;

-- One SMS a reservation: the guest's "request sent", or the host's reply to it.
INSERT INTO messaging_message (direction, "to", from_number, body, status, sid, error_message,
    attempts, reply, created_at, updated_at, reservation_id, user_id, accepted_at,
    redacted_body, attempted_at, duplicate_sids)
SELECT CASE WHEN r.id %% 2 = 0 THEN 'out' ELSE 'in' END,
    CASE WHEN r.id %% 2 = 0 THEN g.phone_number ELSE %(airtng)s END,
    CASE WHEN r.id %% 2 = 0 THEN %(airtng)s ELSE h.phone_number END,
    'A seeded SMS.', CASE WHEN r.id %% 2 = 0 THEN 'delivered' ELSE 'received' END,
    'SMseed' || r.id, '', 1, '', r.created_at, r.created_at, r.id,
    CASE WHEN r.id %% 2 = 0 THEN g.id ELSE h.id END, r.created_at, '', r.created_at, '[]'
FROM reservations_reservation r
JOIN accounts_user g ON g.id = r.guest_id
JOIN properties_property p ON p.id = r.property_id
JOIN accounts_user h ON h.id = p.host_id;
"""


def child_seed(reservations):
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            SEED,
            {
                "password": make_password(PASSWORD),
                "users": USERS,
                "hosts": HOSTS,
                "listings": LISTINGS,
                "reservations": reservations,
                "airtng": AIRTNG_NUMBER,
            },
        )
        for table in ("accounts_user", "properties_property", "reservations_reservation"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM reservations_reservation")
        (count,) = cursor.fetchone()
    print(json.dumps({"reservations": count, "seconds": time.perf_counter() - began}))


def child_deliver_offers():
    """The worker's stand-in: Twilio took every SMS still waiting (a reply needs its offer's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE messaging_message SET status = 'queued', sid = 'SMbench' || id, "
            "accepted_at = now() - interval '1 second' WHERE status = 'pending'"
        )
        print(json.dumps({"offers": cursor.rowcount}))


class Explainer:
    """Every statement a request runs, first under EXPLAIN ANALYZE (undone), then for real."""

    SKIP = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)\b", re.IGNORECASE)

    def __init__(self):
        self.plans = []

    def __call__(self, execute, sql, params, many, context):
        from django.db import connection

        if not many and not self.SKIP.match(sql):
            cursor = context["cursor"].cursor  # the driver's own: no wrapper again
            if connection.in_atomic_block:
                begin, end = "SAVEPOINT bench_explain", "ROLLBACK TO SAVEPOINT bench_explain"
            else:
                begin, end = "BEGIN", "ROLLBACK"
            plan = self.explain(cursor, begin, end, sql, params)
            entry = {"sql": cursor.mogrify(sql, params), "plan": plan}
            if has_seq_scan(plan):
                # The planner scans a small table whole; would it use an index if it had to?
                entry["forced"] = self.explain(
                    cursor, begin, end, sql, params, setup="SET LOCAL enable_seqscan = off"
                )
            self.plans.append(entry)
        return execute(sql, params, many, context)

    @staticmethod
    def explain(cursor, begin, end, sql, params, setup=None):
        cursor.execute(begin)
        try:
            if setup:
                cursor.execute(setup)
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute(end)


def unindexed(entry):
    """Tables a query must scan whole: no index serves it even with sequential scans off."""
    return has_seq_scan(entry.get("forced", entry["plan"]))


def child_explain():
    """One booking POST and one host's accept, on the large database, each query explained."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from twilio.request_validator import RequestValidator

    from accounts.models import User
    from airtng.twilio import twilio_url
    from properties.models import Property

    setup_test_environment()
    guest = User.objects.get(pk=USERS)
    listing = Property.objects.get(pk=LISTINGS)
    browser, twilio = Client(), Client()
    browser.force_login(guest)
    check_in = date.today() + timedelta(days=400)
    paths = {}

    def book():
        return browser.post(
            f"/reservations/request/{listing.pk}/",
            {
                "check_in": check_in,
                "check_out": check_in + timedelta(days=2),
                "guests": 2,
                "message": "Explained.",
            },
        )

    def accept():
        params = {
            "MessageSid": "SMexplained",
            "AccountSid": ACCOUNT_SID,
            "From": str(listing.host.phone_number),
            "To": AIRTNG_NUMBER,
            "Body": "accept",
        }
        url = twilio_url("/reservations/incoming")
        signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
        return twilio.post(
            "/reservations/incoming", params, headers={"X-Twilio-Signature": signature}
        )

    for label, send, status in (("booking POST", book, 302), ("host-reply webhook", accept, 200)):
        explainer = Explainer()
        with connection.execute_wrapper(explainer):
            answer = send()
        if answer.status_code != status:
            sys.exit(f"{label}: HTTP {answer.status_code}")
        paths[label] = explainer.plans
        if label == "booking POST":
            child_deliver_offers_quietly()
    print(json.dumps(paths))


def child_deliver_offers_quietly():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE messaging_message SET status = 'queued', sid = 'SMbench' || id, "
            "accepted_at = now() - interval '1 second' WHERE status = 'pending'"
        )


CHILDREN = {
    "seed": lambda args: child_seed(args.reservations),
    "deliver-offers": lambda args: child_deliver_offers(),
    "explain": lambda args: child_explain(),
}


# --- Load --------------------------------------------------------------------------------


def booking_jobs(base_url, browsers, count, round_number):
    """Request i by guest i % C, for listing (round, i): a different host for each."""
    locks = [threading.Lock() for _ in browsers]
    check_in = date.today() + timedelta(days=30 + 7 * round_number)

    def job_for(i):
        guest = i % len(browsers)
        listing = 1 + (round_number * count + i) % HOSTS  # hosts 1..5000 own listings 1..5000

        def job(_session):
            with locks[guest]:
                answer = browsers[guest].post(
                    f"{base_url}/reservations/request/{listing}/",
                    {
                        "csrfmiddlewaretoken": browsers[guest].csrf,
                        "check_in": check_in.isoformat(),
                        "check_out": (check_in + timedelta(days=2)).isoformat(),
                        "guests": "2",
                        "message": "We would love to stay.",
                    },
                    allow_redirects=False,
                    timeout=REQUEST_TIMEOUT,
                )
            return answer.status_code == 302 or f"HTTP {answer.status_code}"

        return job, listing

    return [job_for(i) for i in range(count)]


def reply_jobs(base_url, hosts, label):
    def answered(answer):
        ok = answer.status_code == 200 and "<Response>" in answer.text
        return ok or f"HTTP {answer.status_code}"

    return [
        signed_post(
            base_url + "/reservations/incoming",
            {
                "MessageSid": f"SMbench{label}{host:08d}",
                "AccountSid": ACCOUNT_SID,
                "From": f"+1201{2000000 + host}",
                "To": AIRTNG_NUMBER,
                "Body": "accept",
            },
            answered,
        )
        for host in hosts
    ]


def has_seq_scan(plan):
    tables = re.findall(r"Seq Scan on (\w+)", plan)
    return [table for table in tables if table not in SMALL_TABLES]


def shorten(sql):
    """The statement without its long column lists, which say nothing about the plan."""
    if sql.startswith("SELECT "):
        depth = 0
        for i, char in enumerate(sql):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and sql.startswith(" FROM ", i):
                return sql if i < 80 else "SELECT …" + sql[i:]
    sql = re.sub(r"^(INSERT INTO \S+) \(.*?\) VALUES \(.*\)", r"\1 (…) VALUES (…)", sql, flags=re.S)
    return re.sub(r"^(UPDATE \S+ SET) .{80,}? WHERE ", r"\1 … WHERE ", sql, flags=re.S)


def explain_markdown(paths, reservations):
    lines = [f"`EXPLAIN ANALYZE` on PostgreSQL with {reservations:,} reservations", ""]
    for label, plans in paths.items():
        lines += [f"#### {label}: {len(plans)} queries", ""]
        for n, entry in enumerate(plans, start=1):
            scans = unindexed(entry)
            if scans:
                flag = f" — **no index: sequential scan on {', '.join(scans)}**"
            elif "forced" in entry:
                flag = " — the planner scans a small table whole; with sequential scans off:"
            else:
                flag = ""
            lines += [
                f"{n}.{flag}",
                "   ```sql",
                *(f"   {line}" for line in shorten(entry["sql"]).splitlines()),
                "   ```",
                "   ```",
                *(f"   {line}" for line in entry["plan"].splitlines()),
                "   ```",
            ]
            if "forced" in entry:
                lines += [
                    "   ```",
                    *(f"   {line}" for line in entry["forced"].splitlines()),
                    "   ```",
                ]
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL (required)")
    parser.add_argument("--requests", type=int, default=300, help="per phase (300)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (4)")
    parser.add_argument("--small", type=int, default=1000, help="reservations, reference")
    parser.add_argument("--large", type=int, default=1_000_000, help="reservations, Airtng")
    parser.add_argument("--explain", help="write the plans to this Markdown file")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds (600)")
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--reservations", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.requests = max(1, min(args.requests, HOSTS // ROUNDS))
    args.concurrency = max(1, min(args.concurrency, 32))
    args.large = max(1, min(args.large, 5_000_000))

    if args.child:
        import django

        django.setup()
        return CHILDREN[args.child](args)

    if not (args.database_url or "").startswith(("postgres://", "postgresql://")):
        parser.error("--database-url postgres://… is required: the scale is PostgreSQL's")
    workdir, databases, deadline, watchdog, clean_up = start_run(
        prefix="airtng-bench-scale-", database_url=args.database_url, time_limit=args.time_limit
    )
    load_before = os.getloadavg()[0]
    sizes = {"reference": args.small, "Airtng": args.large}
    envs, servers, phases, seeded, counts = {}, {}, [], {}, {}
    paths = None
    log = open(workdir / "servers.log", "w")  # noqa: SIM115 - closed below
    try:
        for name, reservations in sizes.items():
            port = free_port()
            env = envs[name] = airtng_env(
                base_url=f"http://127.0.0.1:{port}",
                database_url=databases.create(f"scale_{reservations}"),
                media_root=workdir / "media",
                STATIC_ROOT=str(workdir / "static"),
            )
            note(f"{name}: migrate, and seed {reservations:,} reservations in SQL")
            run_django(["manage.py", "migrate", "--no-input", "-v", "0"], env=env)
            if name == "reference":
                run_django(["manage.py", "collectstatic", "--no-input", "-v", "0"], env=env)
            seeded[name] = json.loads(
                run_django(
                    [__file__, "--child", "seed", "--reservations", str(reservations)],
                    env=env,
                    timeout=max(60, deadline - time.monotonic()),
                )
            )
            note(f"{name}: seeded in {seeded[name]['seconds']:.0f} s")
        note("EXPLAIN ANALYZE of one booking and one accept, on the large database")
        paths = json.loads(run_django([__file__, "--child", "explain"], env=envs["Airtng"]))
        for name in sizes:
            counts[name] = None
        for name, env in envs.items():
            base_url = env["PUBLIC_BASE_URL"]
            port = int(base_url.rsplit(":", 1)[1])
            server = start_gunicorn("airtng.wsgi", port=port, env=env, log=log)
            wait_until_ready(base_url + "/accounts/login/", server)
            # Guests USERS - c: far from the explained booking's guest (USERS).
            servers[name] = [
                log_in(base_url, f"user{USERS - 1 - c}@bench.example.com", 1)
                for c in range(args.concurrency)
            ]
        sessions = [requests.Session() for _ in range(args.concurrency)]
        for number in range(ROUNDS):
            booked = {}
            for name, browsers in servers.items():
                if time.monotonic() > deadline:
                    break
                note(f"round {number + 1}: {name}, booking")
                for browser in browsers:  # gunicorn closes idle keep-alive connections
                    browser.get(envs[name]["PUBLIC_BASE_URL"] + "/healthz", timeout=REQUEST_TIMEOUT)
                jobs = booking_jobs(envs[name]["PUBLIC_BASE_URL"], browsers, args.requests, number)
                booked[name] = [listing for _, listing in jobs]
                phases.append(
                    run_phase(
                        Phase(f"booking POST, {name}, round {number + 1}"),
                        [job for job, _ in jobs],
                        [None] * args.concurrency,
                        deadline=deadline,
                    )
                )
            for name in booked:
                run_django([__file__, "--child", "deliver-offers"], env=envs[name])
            for name in booked:
                if time.monotonic() > deadline:
                    break
                note(f"round {number + 1}: {name}, host replies")
                phases.append(
                    run_phase(
                        Phase(f"host-reply webhook, {name}, round {number + 1}"),
                        # Listing n's host is user n (n <= HOSTS).
                        reply_jobs(envs[name]["PUBLIC_BASE_URL"], booked[name], f"r{number}"),
                        sessions,
                        deadline=deadline,
                    )
                )
        if any(phase.errors for phase in phases):
            log.flush()
            print_log_tail(workdir / "servers.log")
    finally:
        watchdog.cancel()
        stop_all()
        log.close()
        clean_up()
    report = table(phases, paths, sizes, seeded, args=args, load=(load_before, os.getloadavg()))
    print(report)
    if args.explain and paths:
        Path(args.explain).write_text(explain_markdown(paths, args.large))


def table(phases, paths, sizes, seeded, *, args, load):
    def pooled(path, name):
        return [
            s
            for phase in phases
            if phase.name.startswith(f"{path}, {name},")
            for s in phase.latencies
        ]

    def rate(path, name):
        rates = [phase.rate for phase in phases if phase.name.startswith(f"{path}, {name},")]
        return sum(rates) / len(rates) if rates else float("nan")

    rows = [[phase.name, *phase.cells()] for phase in phases]
    lines = [
        f"Booking and host reply at scale, PostgreSQL: gunicorn -w {GUNICORN_WORKERS} --threads "
        f"{GUNICORN_THREADS}, {args.requests} requests per phase, {args.concurrency} concurrent "
        f"clients, {os.cpu_count()} CPUs, load average {load[0]:.1f} before and "
        f"{load[1][0]:.1f} after",
        f"{USERS:,} users ({HOSTS:,} hosts), {LISTINGS:,} listings; reservations: "
        + ", ".join(
            f"{name} {sizes[name]:,} (seeded in {seeded[name]['seconds']:.0f} s)" for name in seeded
        ),
        "Load generator: this script (Python requests, one keep-alive connection per thread).",
        "",
        format_table([("phase", 38), *MEASURED_COLUMNS], rows),
        "",
    ]
    met = True
    for path in ("booking POST", "host-reply webhook"):
        large, small = pooled(path, "Airtng"), pooled(path, "reference")
        p99_large, p99_small = percentile(large, 99), percentile(small, 99)
        ratio = p99_large / p99_small if small else float("nan")
        met = met and ratio <= GOAL_P99_RATIO
        queries = len(paths[path]) if paths else "?"
        lines.append(
            f"{path}: p99 {p99_large:.1f} ms with {sizes['Airtng']:,} reservations "
            f"(p50 {percentile(large, 50):.1f}, {rate(path, 'Airtng'):.1f}/s), "
            f"{p99_small:.1f} ms with {sizes['reference']:,} (p50 {percentile(small, 50):.1f}, "
            f"{rate(path, 'reference'):.1f}/s): ratio {ratio:.2f}; {queries} queries"
        )
    scans = {
        path: [n for n, entry in enumerate(plans, start=1) if unindexed(entry)]
        for path, plans in (paths or {}).items()
    }
    indexed = bool(paths) and not any(scans.values())
    lines += [
        "",
        f"goal: p99 with {sizes['Airtng']:,} reservations <= {GOAL_P99_RATIO}x the p99 with "
        f"{sizes['reference']:,}: " + ("met" if met else "NOT met"),
        "goal: every query on both paths uses an index: "
        + (
            "met"
            if indexed
            else "NOT met ("
            + "; ".join(f"{path}: queries {ns} scan a table" for path, ns in scans.items() if ns)
            + ")"
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
