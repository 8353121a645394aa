"""How fast Airtng answers phone calls, beside Django answering one constant string.

Starts gunicorn on 127.0.0.1 three times, one after the other, with the same options: the
one-view app in bench/ceiling/ (a constant TwiML string: the framework's ceiling on this
machine), Airtng against a fresh database, and the ceiling again (the machine drifts; the
ratio is to the mean of the two). Sends signed Twilio-like POSTs to the ET Phone Home tree
(/ivr/welcome, /ivr/menu with Digits=1 and 2) and to /voice (an unknown caller, a verified
guest, a host with a request waiting). Prints requests/s, p50/p99 latency, errors, the rate
as a fraction of the ceiling's, and queries per request counted in-process with Django's
test client.

    uv run python bench/phone_calls.py [--requests N] [--concurrency C] [--database-url URL]
                                       [--time-limit SECONDS]

Every request goes to 127.0.0.1; every loop is bounded in count and time; every process
started here is stopped on the way out, and all of them after --time-limit seconds.
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
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
    Phase,
    QueryCounter,
    airtng_env,
    databases_for,
    format_table,
    free_port,
    note,
    print_log_tail,
    remove_workdir,
    run_django,
    run_phase,
    signed_post,
    start_gunicorn,
    start_watchdog,
    stop,
    stop_all,
    wait_until_ready,
)

PHASE_TIME_LIMIT = 30.0
# Unmeasured requests per route before measuring: each gunicorn thread's first request
# pays for imports, URL resolvers and the phone number metadata.
WARM_UP_PER_ROUTE = 24
GUEST = {"first_name": "Gus", "phone_number": "+12015552001"}
HOST = {"first_name": "Hannah", "phone_number": "+12015551001"}
STRANGER = "+12015554001"  # a valid number no account has


@dataclass
class CallPhase(Phase):
    client_cpu: float = 0.0  # seconds of this process's CPU, the load generator's


@dataclass(frozen=True)
class Route:
    """One kind of call step: where it is posted, by whom, and what its TwiML must contain."""

    name: str
    path: str
    caller: str
    expect: str
    digits: str | None = None


CEILING_BEFORE = Route("ceiling, before", "/voice", STRANGER, "<Say")
CEILING_AFTER = Route("ceiling, after", "/voice", STRANGER, "<Say")
ROUTES = [
    Route("/ivr/welcome", "/ivr/welcome", STRANGER, '<Gather action="/ivr/menu"'),
    Route("/ivr/menu Digits=1", "/ivr/menu", STRANGER, "<Hangup", digits="1"),
    Route("/ivr/menu Digits=2", "/ivr/menu", STRANGER, '<Gather action="/ivr/planets"', digits="2"),
    Route("/voice unknown caller", "/voice", STRANGER, "<Say>Thanks for calling!</Say>"),
    Route("/voice verified guest", "/voice", GUEST["phone_number"], "Thanks for calling, Gus!"),
    Route("/voice host, a request", "/voice", HOST["phone_number"], "Gus asks to stay at"),
]


def call_params(route, call_sid):
    """What Twilio posts about an inbound call to Airtng's number."""
    params = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress" if route.digits else "ringing",
        "Direction": "inbound",
        "From": route.caller,
        "Caller": route.caller,
        "To": AIRTNG_NUMBER,
        "Called": AIRTNG_NUMBER,
        # The carrier vouches for the caller's number, so a host hears their request.
        "StirVerstat": "TN-Validation-Passed-A",
    }
    if route.digits:
        params["Digits"] = route.digits
    return params


def answered_as(route, content_type, status, text):
    """True when the answer is the route's TwiML, or what was wrong with it."""
    if status != 200:
        return f"HTTP {status}"
    if not content_type.startswith("text/xml") or route.expect not in text:
        return "unexpected TwiML"
    return True


def call_jobs(base_url, route, count, label):
    def check(answer):
        return answered_as(
            route, answer.headers.get("Content-Type", ""), answer.status_code, answer.text
        )

    return [
        signed_post(
            base_url + route.path, call_params(route, f"CA{label}{i:08d}".ljust(34, "0")), check
        )
        for i in range(count)
    ]


# --- Serving one app and measuring its routes --------------------------------------------


def measure(app, routes, *, env, port, args, workdir, deadline, ready_path):
    """Serve `app` with gunicorn, warm it up, and run one phase per route in turn."""
    if time.monotonic() > deadline:
        note(f"time limit reached; {app} not started")
        return []
    base_url = f"http://127.0.0.1:{port}"
    log_path = workdir / f"{app}-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    server, phases, failed = None, [], False
    sessions = [requests.Session() for _ in range(args.concurrency)]
    try:
        server = start_gunicorn(app, port=port, env=env, log=log)
        wait_until_ready(base_url + ready_path, server)
        note(f"{app} answers on {base_url}; warming up")
        warm_up = [
            job for route in routes for job in call_jobs(base_url, route, WARM_UP_PER_ROUTE, "w")
        ]
        run_phase(CallPhase("warm-up"), warm_up, sessions, deadline=deadline)
        for number, route in enumerate(routes):
            if time.monotonic() > deadline:
                note(f"time limit reached; {route.name} not measured")
                break
            note(route.name)
            jobs = call_jobs(base_url, route, args.requests, f"{port}x{number}")
            cpu_before = time.process_time()
            phase = run_phase(
                CallPhase(route.name),
                jobs,
                sessions,
                deadline=min(deadline, time.monotonic() + PHASE_TIME_LIMIT),
            )
            phase.client_cpu = time.process_time() - cpu_before
            phases.append(phase)
    except BaseException:
        failed = True
        raise
    finally:
        note(f"stopping {app}")
        for session in sessions:
            session.close()
        if server:
            stop(server)
        log.close()
        if failed or any(phase.errors for phase in phases):
            print_log_tail(log_path)
    return phases


# --- Child modes, run in a subprocess with Django set up --------------------------------


def child_seed():
    """A verified guest, and a host whose property the guest asked for: one request waiting."""
    from decimal import Decimal

    from accounts.models import User
    from properties.models import Property
    from reservations.services import outstanding_request, request_stay

    guest = User.objects.create(email="gus@bench.example.com", phone_verified=True, **GUEST)
    host = User.objects.create(email="hannah@bench.example.com", phone_verified=True, **HOST)
    cabin = Property.objects.create(
        host=host,
        title="Cabin by the lake",
        description="A bench mark of a place.",
        location="Loadtest, NY",
        nightly_price=Decimal("100.00"),
        max_guests=4,
        image_url="https://example.com/house.jpg",
    )
    check_in = date.today() + timedelta(days=7)
    request_stay(
        guest=guest,
        property=cabin,
        check_in=check_in,
        check_out=check_in + timedelta(days=3),
        guests=2,
        message="We would love to stay.",
    )
    if outstanding_request(host) is None:
        sys.exit("The host was not texted about the request.")


def child_count_queries():
    """Queries of one call step of each kind, through the whole middleware stack.

    Run with the server stopped, on the same database; none of these steps writes.
    """
    from urllib.parse import urlencode

    from django.test import Client
    from django.test.utils import setup_test_environment

    from airtng.twilio import signature, twilio_url

    setup_test_environment()
    client = Client()
    queries = QueryCounter()
    for route in ROUTES:
        params = call_params(route, "CA" + "c" * 32)
        headers = {"X-Twilio-Signature": signature(twilio_url(route.path), params)}

        def send(route=route, params=params, headers=headers):
            answer = client.post(
                route.path,
                urlencode(params),
                content_type="application/x-www-form-urlencoded",
                headers=headers,
            )
            ok = answered_as(
                route, answer["Content-Type"], answer.status_code, answer.content.decode()
            )
            if ok is not True:
                sys.exit(f"{route.name}: {ok}\n{answer.content.decode()}")

        queries.count(route.name, send)
    queries.report()


CHILDREN = {"seed": child_seed, "count-queries": child_count_queries}


# --- Report ----------------------------------------------------------------------------


def table(phases, queries, *, args, database, load):
    columns = [("phase", 24), *MEASURED_COLUMNS, ("vs ceiling", 10), ("queries", 7)]
    ceilings = [phase.rate for phase in phases if phase.name.startswith("ceiling")]
    ceiling = sum(ceilings) / len(ceilings) if ceilings else 0.0
    rows = [
        [
            phase.name,
            *phase.cells(),
            f"{phase.rate / ceiling:.2f}" if ceiling else "-",
            str(queries.get(phase.name, "-")),
        ]
        for phase in phases
    ]
    client_cpu = ", ".join(
        f"{phase.client_cpu / len(phase.latencies) * 1000:.1f}"
        for phase in phases
        if phase.latencies
    )
    return "\n".join(
        [
            f"Airtng phone calls on {database}: gunicorn -w {GUNICORN_WORKERS} "
            f"--threads {GUNICORN_THREADS}, {args.requests} signed POSTs per phase, "
            f"{args.concurrency} concurrent clients, {os.cpu_count()} CPUs, "
            f"load average {load[0]:.1f} before and {load[1]:.1f} after",
            "",
            format_table(columns, rows),
            "",
            "vs ceiling: requests/s divided by the mean of the ceiling phases'.",
            "queries: one request of each kind through Django's test client, same database.",
            f"The load generator (this process, on the same CPUs) used {client_cpu} ms of CPU",
            "per request, phase by phase.",
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per phase (default 1000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL; a database is created beside it and dropped "
        "(default: SQLite in a temporary directory)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=120, help="stop everything after this (s)"
    )
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.requests = max(1, min(args.requests, 5000))
    args.concurrency = max(1, min(args.concurrency, 64))

    if args.child:
        import django

        django.setup()
        return CHILDREN[args.child]()

    workdir = Path(tempfile.mkdtemp(prefix="airtng-bench-"))
    databases = databases_for(args.database_url, workdir)
    deadline = time.monotonic() + args.time_limit

    def clean_up():
        databases.drop_all()
        remove_workdir(workdir)

    watchdog = start_watchdog(args.time_limit, clean_up)
    load_before = os.getloadavg()[0]
    try:
        port = free_port()
        env = airtng_env(
            base_url=f"http://127.0.0.1:{port}",
            database_url=databases.create("phone_calls"),
            media_root=workdir / "media",
            STATIC_ROOT=str(workdir / "static"),
        )
        note(f"a fresh {databases.name} database, with the ET Phone Home tree")
        run_django(["manage.py", "migrate", "--no-input", "-v", "0"], env=env)
        # Pages name static files by their hash, as in production: collected first.
        run_django(["manage.py", "collectstatic", "--no-input", "-v", "0"], env=env)
        run_django([__file__, "--child", "seed"], env=env)

        ceiling_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.ceiling.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PYTHONUNBUFFERED": "1",
        }
        ceiling = {
            "app": "bench.ceiling.wsgi",
            "env": ceiling_env,
            "args": args,
            "workdir": workdir,
            "deadline": deadline,
            "ready_path": "/voice",
        }
        phases = measure(routes=[CEILING_BEFORE], port=free_port(), **ceiling)
        phases += measure(
            "airtng.wsgi",
            ROUTES,
            env=env,
            port=port,
            args=args,
            workdir=workdir,
            deadline=deadline,
            ready_path="/accounts/login/",
        )
        phases += measure(routes=[CEILING_AFTER], port=free_port(), **ceiling)
        load_after = os.getloadavg()[0]
        note("counting queries per request")
        queries = json.loads(run_django([__file__, "--child", "count-queries"], env=env))
    finally:
        watchdog.cancel()
        stop_all()
        clean_up()
    print(
        table(
            phases,
            queries,
            args=args,
            database=databases.name,
            load=(load_before, load_after),
        )
    )


if __name__ == "__main__":
    main()
