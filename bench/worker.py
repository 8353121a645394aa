"""How many SMS per second `manage.py db_worker` hands to a Twilio that answers after 100 ms.

Starts db_worker processes on PostgreSQL against a fake Twilio REST API (tests/fake_twilio.py)
answering every SMS after --twilio-delay ms. Rounds, interleaved (reference, Airtng,
reference, Airtng): the reference is the worker one task at a time (`--threads 1`, as
django-tasks-db runs them), Airtng the worker as it runs by default (WORKER_THREADS). Each
round queues --messages SMS with the workers already waiting, and counts the SMS/s from
Twilio's first request to its last; every message must reach Twilio exactly once. Then a
burst: --bookings requests for stays (request_stay, from four threads) with the default
workers running, timed until every SMS they queued has reached Twilio.

    uv run python bench/worker.py --database-url postgres://postgres@127.0.0.1:5432/airtng_bench
                                  [--messages N] [--workers W] [--bookings N] [--time-limit S]

The load generator is the fake Twilio's threaded HTTP server in this process, on the same
CPUs; the workers' own Twilio client is the real twilio package.
"""

import argparse
import collections
import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import (  # noqa: E402
    ACCOUNT_SID,
    AUTH_TOKEN,
    QueryCounter,
    airtng_env,
    format_table,
    free_port,
    note,
    percentile,
    print_log_tail,
    query_lines,
    run_django,
    start,
    start_run,
    stop,
    stop_all,
)
from tests.fake_twilio import FakeTwilio, serve  # noqa: E402

GOAL_RATE = 50.0  # SMS/s with 4 workers, Twilio at 100 ms
GOAL_BURST_SECONDS = 60.0
HOSTS = 100
GUESTS = 400
BOOKING_THREADS = 4


# --- Child modes, with Django set up -----------------------------------------------------


def child_queue(label, count):
    """Queue `count` SMS, each body naming it, in one transaction: the workers start at once."""
    from django.db import transaction

    from airtng.messaging.services import queue_sms

    with transaction.atomic():
        for i in range(count):
            queue_sms(to=f"+1201555{i % 10000:04d}", body=f"bench {label} #{i}")
    print(json.dumps({"queued": count}))


def child_outcome(label):
    """The round's messages: their statuses, SIDs and send times (attempt to Twilio's answer)."""
    from airtng.messaging.models import Message

    rows = Message.objects.filter(body__startswith=f"bench {label} #")
    statuses = collections.Counter(rows.values_list("status", flat=True))
    sids = list(rows.exclude(sid=None).values_list("sid", flat=True))
    sends = [
        (accepted - attempted).total_seconds()
        for attempted, accepted in rows.exclude(accepted_at=None).values_list(
            "attempted_at", "accepted_at"
        )
    ]
    attempts = collections.Counter(rows.values_list("attempts", flat=True))
    print(
        json.dumps(
            {
                "statuses": statuses,
                "sids": len(sids),
                "distinct_sids": len(set(sids)),
                "attempts": attempts,
                "send_p50": percentile(sends, 50),
                "send_p99": percentile(sends, 99),
            }
        )
    )


def child_seed_people():
    """Hosts with one listing each and guests, all with verified US numbers."""
    from decimal import Decimal

    from accounts.models import User
    from properties.models import Property

    def person(role, n):
        return User(
            email=f"{role}{n}@bench.example.com",
            first_name=f"{role.title()}{n}",
            phone_number=f"+1201{(3 if role == 'host' else 4)}{n:06d}",
            phone_verified=True,
        )

    hosts = User.objects.bulk_create([person("host", n) for n in range(HOSTS)])
    User.objects.bulk_create([person("guest", n) for n in range(GUESTS)])
    Property.objects.bulk_create(
        Property(
            host=host,
            title=f"{host.first_name}'s place",
            description="A bench mark of a place.",
            location="Loadtest, NY",
            nightly_price=Decimal("100.00"),
            max_guests=4,
        )
        for host in hosts
    )
    print("{}")


def child_burst(count):
    """`count` requests for one-night stays through request_stay, from a few threads."""
    from datetime import date, timedelta

    from django.db import connection

    from accounts.models import User
    from properties.models import Property
    from reservations.services import request_stay

    guests = list(User.objects.filter(email__startswith="guest").order_by("pk"))
    listings = list(Property.objects.select_related("host").order_by("pk"))
    first_night = date.today() + timedelta(days=2)
    failures = []
    from airtng.messaging.models import Direction, Message

    outbound = Message.objects.filter(direction=Direction.OUTBOUND)
    before = outbound.count()

    def book(numbers):
        try:
            for i in numbers:
                # Guest i % GUESTS asks host i % HOSTS at most ceil(count / GUESTS) times.
                night = first_night + timedelta(days=i // len(listings))
                request_stay(
                    guest=guests[i % len(guests)],
                    property=listings[i % len(listings)],
                    check_in=night,
                    check_out=night + timedelta(days=1),
                    guests=2,
                    message="A burst of bookings.",
                )
        except Exception as error:  # noqa: BLE001 - reported to the parent
            failures.append(repr(error))
        finally:
            connection.close()

    began = time.perf_counter()
    threads = [
        threading.Thread(target=book, args=(range(t, count, BOOKING_THREADS),))
        for t in range(BOOKING_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queued = outbound.count() - before
    print(
        json.dumps({"seconds": time.perf_counter() - began, "failures": failures, "queued": queued})
    )


def child_count_queries():
    from airtng.messaging.models import Message
    from airtng.messaging.services import deliver, queue_sms

    message = queue_sms(to="+12015559999", body="counted")
    queries = QueryCounter()
    queries.count("deliver() one SMS", lambda: deliver(message.pk))
    if Message.objects.get(pk=message.pk).sid is None:
        sys.exit("deliver() did not send the counted SMS")
    queries.report()


CHILDREN = {
    "queue": lambda args: child_queue(args.label, args.messages),
    "outcome": lambda args: child_outcome(args.label),
    "seed-people": lambda args: child_seed_people(),
    "burst": lambda args: child_burst(args.bookings),
    "count-queries": lambda args: child_count_queries(),
}


# --- Rounds ------------------------------------------------------------------------------


def watch(twilio, count, deadline):
    """Times of Twilio's first and `count`-th request (None if it never came)."""
    first = last = None
    while time.monotonic() < deadline:
        seen = len(twilio.requests)
        now = time.perf_counter()
        if seen and first is None:
            first = now
        if seen >= count:
            last = now
            break
        time.sleep(0.005)
    return first, last


def start_workers(n, threads, *, env, log):
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"]
    if threads:
        command += ["--threads", str(threads)]
    return [start(command, env=env, log=log) for _ in range(n)]


def wait_until_listening(workers, twilio, env, seconds=60):
    """Until every worker is polling the database, and a probe SMS has been sent (its round
    is not timed). A worker's start here takes from one second to several (where Python
    writes no bytecode, it compiles Django at every start): a round must not time it."""
    twilio.requests.clear()
    run_django([__file__, "--child", "queue", "--label", "probe", "--messages", "1"], env=env)
    database_port = urlsplit(env["DATABASE_URL"]).port or 5432
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (
        twilio.requests and all(connected(worker.pid, database_port) for worker in workers)
    ):
        if any(worker.poll() is not None for worker in workers):
            sys.exit("a db_worker exited; see its log")
        time.sleep(0.05)


def connected(pid, port) -> bool:
    """Whether process `pid` holds a TCP connection to `port` (Linux's /proc)."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            sockets.add(os.readlink(fd))
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rpartition(":")[2], 16)
            if remote_port == port and f"socket:[{fields[9]}]" in sockets:
                return True
    return False


def run_round(*, name, threads, args, env, twilio, workdir, deadline):
    label = name.replace(" ", "_").replace(",", "")
    log = open(workdir / f"{label}.log", "w")  # noqa: SIM115 - closed below
    workers = start_workers(args.workers, threads, env=env, log=log)
    try:
        wait_until_listening(workers, twilio, env)
        twilio.requests.clear()
        twilio.messages.clear()
        note(f"{name}: queueing {args.messages} SMS for {args.workers} workers")
        run_django(
            [__file__, "--child", "queue", "--label", label, "--messages", str(args.messages)],
            env=env,
        )
        first, last = watch(twilio, args.messages, deadline)
        time.sleep(0.5)  # the workers record Twilio's answers
    finally:
        for worker in workers:
            stop(worker)
        log.close()
    bodies = collections.Counter(request["form"]["Body"] for request in twilio.requests)
    outcome = json.loads(run_django([__file__, "--child", "outcome", "--label", label], env=env))
    sent = len(twilio.requests)
    rate = (sent - 1) / (last - first) if first and last and last > first else float("nan")
    twice = sum(1 for n in bodies.values() if n > 1)
    if last is None:
        print_log_tail(workdir / f"{label}.log")
    return {
        "name": name,
        "threads": threads or "default (4)",
        "rate": rate,
        "sent": sent,
        "twice": twice,
        "all_once": sent == args.messages and twice == 0 and len(bodies) == args.messages,
        **outcome,
    }


def run_burst(*, args, env, twilio, workdir, deadline):
    run_django([__file__, "--child", "seed-people"], env=env)
    log = open(workdir / "burst.log", "w")  # noqa: SIM115 - closed below
    workers = start_workers(args.workers, None, env=env, log=log)
    try:
        wait_until_listening(workers, twilio, env)
        twilio.requests.clear()
        twilio.messages.clear()
        note(f"a burst of {args.bookings} bookings")
        began = time.perf_counter()
        booked = json.loads(
            run_django(
                [__file__, "--child", "burst", "--bookings", str(args.bookings)],
                env=env,
                timeout=max(60, deadline - time.monotonic()),
            )
        )
        expected = booked["queued"]
        _, last = watch(twilio, expected, deadline)
        texted = (last - began) if last else float("nan")
    finally:
        for worker in workers:
            stop(worker)
        log.close()
    bodies = collections.Counter(
        (request["form"]["To"], request["form"]["Body"]) for request in twilio.requests
    )
    return {
        **booked,
        "expected": expected,
        "sent": len(twilio.requests),
        "twice": sum(1 for n in bodies.values() if n > 1),
        "texted_seconds": texted,
    }


# --- Report ------------------------------------------------------------------------------


def report(rounds, burst, queries, *, args):
    load = os.getloadavg()
    columns = [
        ("round", 22),
        ("threads", 11),
        ("SMS/s", 7),
        ("send p50 ms", 11),
        ("send p99 ms", 11),
        ("sent", 5),
        ("twice", 5),
        ("exactly once", 12),
    ]
    rows = [
        [
            r["name"],
            str(r["threads"]),
            f"{r['rate']:.1f}",
            f"{r['send_p50']:.0f}",
            f"{r['send_p99']:.0f}",
            str(r["sent"]),
            str(r["twice"]),
            "yes" if r["all_once"] else "NO",
        ]
        for r in rounds
    ]

    def mean(kind):
        rates = [r["rate"] for r in rounds if r["name"].startswith(kind) and r["rate"] == r["rate"]]
        return sum(rates) / len(rates) if rates else float("nan")

    airtng, reference = mean("Airtng"), mean("reference")
    once = all(r["all_once"] for r in rounds)
    lines = [
        f"db_worker on PostgreSQL: {args.workers} worker processes, {args.messages} SMS per "
        f"round, fake Twilio answering after {args.twilio_delay} ms, {os.cpu_count()} CPUs, "
        f"load average {load[0]:.1f}",
        "Load generator: the fake Twilio (tests/fake_twilio.py, a threaded HTTP server in the "
        "bench process); the workers use the real twilio client.",
        "",
        format_table(columns, rows),
        "",
        f"Airtng {airtng:.1f} SMS/s, reference (one task at a time) {reference:.1f} SMS/s: "
        f"ratio {airtng / reference:.2f}",
        f"goal: {args.workers} workers send >= {GOAL_RATE:.0f} SMS/s, each exactly once: "
        + ("met" if airtng >= GOAL_RATE and once else "NOT met"),
    ]
    if burst:
        met = (
            burst["texted_seconds"] < GOAL_BURST_SECONDS
            and burst["sent"] >= burst["expected"]
            and not burst["twice"]
            and not burst["failures"]
        )
        lines += [
            "",
            f"burst: {args.bookings} bookings (request_stay, {BOOKING_THREADS} threads) took "
            f"{burst['seconds']:.1f} s and queued {burst['expected']} SMS; all handed to Twilio "
            f"{burst['texted_seconds']:.1f} s after the first booking ({burst['sent']} sent, "
            f"{burst['twice']} twice, {len(burst['failures'])} bookings refused)",
            f"goal: a burst of {args.bookings} bookings fully texted in under "
            f"{GOAL_BURST_SECONDS:.0f} s: " + ("met" if met else "NOT met"),
        ]
        if burst["failures"]:
            lines.append(f"  first refusal: {burst['failures'][0]}")
    if queries:
        lines += query_lines(queries, "Queries per SMS (Django's CaptureQueriesContext):")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL (required)")
    parser.add_argument("--messages", type=int, default=1000, help="SMS per round (1000)")
    parser.add_argument("--workers", type=int, default=4, help="db_worker processes (4)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each kind (2)")
    parser.add_argument("--bookings", type=int, default=1000, help="the burst; 0: none")
    parser.add_argument("--twilio-delay", type=int, default=100, help="ms (100)")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds (300)")
    # Child modes.
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, help="as the other scripts: --messages")
    parser.add_argument("--concurrency", type=int, help="ignored: --workers")
    args = parser.parse_args()
    if args.requests:
        args.messages = args.requests
    args.messages = max(1, min(args.messages, 20000))
    args.bookings = max(0, min(args.bookings, 5000))
    args.workers = max(1, min(args.workers, 16))

    if args.child:
        import django

        django.setup()
        return CHILDREN[args.child](args)

    if not (args.database_url or "").startswith(("postgres://", "postgresql://")):
        parser.error("--database-url postgres://… is required: the workers need PostgreSQL")
    workdir, databases, deadline, watchdog, clean_up = start_run(
        prefix="airtng-bench-worker-", database_url=args.database_url, time_limit=args.time_limit
    )
    twilio = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, delay=args.twilio_delay / 1000)
    twilio_server = serve(twilio)
    rounds, burst, queries = [], None, None
    try:
        env = airtng_env(
            base_url=f"http://127.0.0.1:{free_port()}",
            database_url=databases.create("worker"),
            media_root=workdir / "media",
            TWILIO_API_BASE_URL=twilio_server.url,
        )
        run_django(["manage.py", "migrate", "--no-input", "-v", "0"], env=env)
        queries = json.loads(run_django([__file__, "--child", "count-queries"], env=env))
        for n in range(1, args.rounds + 1):
            for name, threads in ((f"reference, round {n}", 1), (f"Airtng, round {n}", None)):
                if time.monotonic() > deadline:
                    break
                rounds.append(
                    run_round(
                        name=name,
                        threads=threads,
                        args=args,
                        env=env,
                        twilio=twilio,
                        workdir=workdir,
                        deadline=deadline,
                    )
                )
        if args.bookings and time.monotonic() < deadline:
            burst = run_burst(args=args, env=env, twilio=twilio, workdir=workdir, deadline=deadline)
    finally:
        watchdog.cancel()
        stop_all()
        twilio_server.shutdown()
        clean_up()
    print(report(rounds, burst, queries, args=args))


if __name__ == "__main__":
    main()
