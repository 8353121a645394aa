"""How fast the home page answers with 10,000 listings, beside the same page with 200.

Two fresh databases, one with --small listings (the reference) and one with --large
(Airtng at size), each served by its own gunicorn (the same options, production settings).
Anonymous GETs of `/` (the first page: the 12 newest listings, and whether a page 2 follows), in
interleaved phases (small, large, small, large) so that the machine's drift cancels out.
Prints requests/s, p50/p99, errors, the large/small ratio and queries per request (Django's
test client, in-process, on each database), and whether the goal is met.

    uv run python bench/home_page.py [--requests N] [--concurrency C] [--database-url URL]
                                     [--small N] [--large N] [--time-limit SECONDS]

The load generator is this script: one thread per --concurrency, each with its own
keep-alive connection (requests), on the same CPUs as gunicorn.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import (  # noqa: E402
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
    run_django,
    run_phase,
    start_gunicorn,
    start_run,
    stop_all,
    wait_until_ready,
)

GOAL_RATIO = 0.8
HOSTS = 50
WARM_UP = 48
ROUNDS = 2


def child_seed(listings):
    """`listings` listings from a few hosts, created over the last days, a few withdrawn."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import User
    from properties.models import Property

    hosts = User.objects.bulk_create(
        User(email=f"host{n}@bench.example.com", first_name=f"Host{n}") for n in range(HOSTS)
    )
    now = timezone.now()
    made = Property.objects.bulk_create(
        (
            Property(
                host=hosts[n % HOSTS],
                title=f"Place {n}",
                description="A bench mark of a place.",
                location="Loadtest, NY",
                nightly_price=Decimal("100.00") + n % 50,
                max_guests=4,
                image_url=f"https://example.com/house{n % 10}.jpg",
                withdrawn_at=now if n % 20 == 0 else None,
            )
            for n in range(listings)
        ),
        batch_size=2000,
    )
    # auto_now_add stamps them all at once; spread them as listings really arrive.
    for n, listing in enumerate(made):
        listing.created_at = now - timedelta(minutes=n)
    Property.objects.bulk_update(made, ["created_at"], batch_size=2000)
    print(json.dumps({"listings": len(made)}))


def child_count_queries():
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    queries = QueryCounter()
    for label, path in (("GET / (page 1)", "/"), ("GET /?page=2", "/?page=2")):

        def get(path=path):
            answer = client.get(path)
            if answer.status_code != 200:
                sys.exit(f"{path}: HTTP {answer.status_code}")

        get()  # the first request of a process pays for what is cached after
        queries.count(label, get)
    queries.report()


CHILDREN = {
    "seed": lambda args: child_seed(args.listings),
    "count-queries": lambda args: child_count_queries(),
}


def home_jobs(base_url, count):
    def job(session):
        answer = session.get(base_url + "/", timeout=REQUEST_TIMEOUT)
        if answer.status_code != 200:
            return f"HTTP {answer.status_code}"
        return 'class="listing"' in answer.text or "no listing on the page"

    return [job] * count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per phase (1000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (8)")
    parser.add_argument("--database-url", help="PostgreSQL instead of SQLite")
    parser.add_argument("--small", type=int, default=200, help="listings, reference (200)")
    parser.add_argument("--large", type=int, default=10000, help="listings, Airtng (10000)")
    parser.add_argument("--time-limit", type=float, default=240, help="seconds (240)")
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--listings", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.requests = max(1, min(args.requests, 10000))
    args.concurrency = max(1, min(args.concurrency, 64))

    if args.child:
        import django

        django.setup()
        return CHILDREN[args.child](args)

    workdir, databases, deadline, watchdog, clean_up = start_run(
        prefix="airtng-bench-home-", database_url=args.database_url, time_limit=args.time_limit
    )
    load_before = os.getloadavg()[0]
    sizes = {"reference": args.small, "Airtng": args.large}
    servers, phases, queries = {}, [], {}
    log = open(workdir / "servers.log", "w")  # noqa: SIM115 - closed below
    try:
        for name, listings in sizes.items():
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            env = airtng_env(
                base_url=base_url,
                database_url=databases.create(f"home_{listings}"),
                media_root=workdir / "media",
                STATIC_ROOT=str(workdir / "static"),
            )
            note(f"{name}: a fresh {databases.name} database with {listings} listings")
            run_django(["manage.py", "migrate", "--no-input", "-v", "0"], env=env)
            if name == "reference":
                run_django(["manage.py", "collectstatic", "--no-input", "-v", "0"], env=env)
            run_django(
                [__file__, "--child", "seed", "--listings", str(listings)], env=env, timeout=300
            )
            queries[name] = json.loads(run_django([__file__, "--child", "count-queries"], env=env))
            server = start_gunicorn("airtng.wsgi", port=port, env=env, log=log)
            wait_until_ready(base_url + "/", server)
            servers[name] = base_url
        sessions = [requests.Session() for _ in range(args.concurrency)]
        for base_url in servers.values():
            run_phase(Phase("warm-up"), home_jobs(base_url, WARM_UP), sessions, deadline=deadline)
        for number in range(1, ROUNDS + 1):
            for name, base_url in servers.items():
                if time.monotonic() > deadline:
                    break
                note(f"round {number}: {name}")
                phase = Phase(f"{name}, {sizes[name]} listings, round {number}")
                phases.append(
                    run_phase(
                        phase, home_jobs(base_url, args.requests), sessions, deadline=deadline
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
    print(report(phases, queries, sizes, args=args, load=(load_before, os.getloadavg()[0])))


def report(phases, queries, sizes, *, args, load):
    def mean_rate(name):
        rates = [phase.rate for phase in phases if phase.name.startswith(name)]
        return sum(rates) / len(rates) if rates else float("nan")

    def pooled(name, p):
        from bench.harness import percentile

        latencies = [s for phase in phases if phase.name.startswith(name) for s in phase.latencies]
        return percentile(latencies, p)

    airtng, reference = mean_rate("Airtng"), mean_rate("reference")
    ratio = airtng / reference if reference else float("nan")
    same_queries = queries["Airtng"] == queries["reference"]
    rows = [[phase.name, *phase.cells()] for phase in phases]
    lines = [
        f"The home page (anonymous GET /): gunicorn -w {GUNICORN_WORKERS} --threads "
        f"{GUNICORN_THREADS}, {args.requests} GETs per phase, {args.concurrency} concurrent "
        f"clients, {os.cpu_count()} CPUs, load average {load[0]:.1f} before and "
        f"{load[1]:.1f} after",
        "Load generator: this script (Python requests, one keep-alive connection per thread).",
        "",
        format_table([("phase", 34), *MEASURED_COLUMNS], rows),
        "",
        f"Airtng ({sizes['Airtng']} listings): {airtng:.1f} requests/s, p50 "
        f"{pooled('Airtng', 50):.1f} ms, p99 {pooled('Airtng', 99):.1f} ms",
        f"reference ({sizes['reference']} listings): {reference:.1f} requests/s, p50 "
        f"{pooled('reference', 50):.1f} ms, p99 {pooled('reference', 99):.1f} ms",
        f"ratio {ratio:.2f}",
        "",
        "Queries per request (Django's test client, each database):",
    ]
    for label in queries["Airtng"]:
        lines.append(
            f"  {label:<16} {queries['Airtng'][label]:>3} with {sizes['Airtng']} listings, "
            f"{queries['reference'].get(label, '-'):>3} with {sizes['reference']}"
        )
    lines += [
        "",
        f"goal: with {sizes['Airtng']} listings >= {GOAL_RATIO}x the rate with "
        f"{sizes['reference']}, with the same query count: "
        + ("met" if ratio >= GOAL_RATIO and same_queries else "NOT met"),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
