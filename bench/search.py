"""A search by dates with 10,000 listings and 1,000,000 reservations, beside the home page.

PostgreSQL only. One fresh database seeded as bench/scale.py seeds it (20,000 users, 10,000
listings, --reservations past stays with one SMS each, in SQL), then made to look searched:
the listings get places of eight cities (one in eight titled in Japanese) folded for search,
and each listing's last twelve stays move to the coming weeks, a week apart, so that half
the listings (those whose stays are confirmed) have booked nights in every week searched.
One gunicorn (production settings) serves interleaved phases: the unfiltered home page
(the reference), a search by dates and guests, and a search by place, dates and guests.
Prints requests/s, p50/p99, the p99 ratio of each search to the home page's, queries per
request (Django's test client), and `EXPLAIN ANALYZE` of the search's queries
(--explain FILE writes them as Markdown).

    uv run python bench/search.py --database-url postgres://postgres@127.0.0.1:5432/airtng_bench
                                  [--requests N] [--concurrency C] [--reservations N]
                                  [--explain FILE] [--time-limit SECONDS]

The load generator is this script: one thread per --concurrency, Python requests with a
keep-alive connection each, on the same CPUs as gunicorn and PostgreSQL.
"""

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import scale  # noqa: E402
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
    percentile,
    print_log_tail,
    run_django,
    run_phase,
    start_gunicorn,
    start_run,
    stop_all,
    wait_until_ready,
)

GOAL_P99_RATIO = 2.0
ROUNDS = 2
WARM_UP = 48
# The weeks searched: where the moved stays are (days from today).
FIRST_DAY, LAST_DAY = 14, 90
STAYS_MOVED = 12  # a listing's last stays, a week apart from FIRST_DAY on

PLACES = [
    "Kyōto, Japan",
    "Tokyo, Japan",
    "Lisbon, Portugal",
    "São Paulo, Brazil",
    "Lake Placid, NY",
    "Zürich, Switzerland",
    "Montréal, Canada",
    "Loadtest, NY",
]

MAKE_IT_SEARCHED = """
UPDATE properties_property
SET location = (%(places)s::text[])[1 + id %% 8],
    title = CASE WHEN id %% 8 = 1 THEN '東京の部屋 ' || id ELSE title END;

-- Listing p's stays are rows p - 1 + 10,000 k (bench/scale.py): the last twelve k of each
-- listing move to one week each, so no two of a listing's confirmed stays overlap.
UPDATE reservations_reservation
SET check_in = current_date + (%(first_day)s + 7 * (id / %(listings)s - %(last_k)s))::int,
    check_out = current_date + (%(first_day)s + 7 * (id / %(listings)s - %(last_k)s))::int + 2
WHERE id / %(listings)s > %(last_k)s;
"""


# --- Child modes, with Django set up -----------------------------------------------------


def child_make_it_searched(reservations):
    from django.db import connection, transaction

    from properties.models import Property
    from properties.search_text import listing_search_text

    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        places, stays = MAKE_IT_SEARCHED.split(";", 1)
        cursor.execute(places, {"places": PLACES})
        cursor.execute(
            stays,
            {
                "first_day": FIRST_DAY,
                "listings": scale.LISTINGS,
                # The first of the moved weeks is FIRST_DAY + 7 days from today.
                "last_k": reservations // scale.LISTINGS - STAYS_MOVED,
            },
        )
        moved = cursor.rowcount
        # Raw SQL skips Property.save(), which folds the text search reads.
        listings = list(Property.objects.only("title", "location"))
        for listing in listings:
            listing.search_text = listing_search_text(
                title=listing.title, location=listing.location
            )
        Property.objects.bulk_update(listings, ["search_text"], batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE properties_property")
        cursor.execute("VACUUM ANALYZE reservations_reservation")
    print(json.dumps({"moved": moved, "moved_seconds": time.perf_counter() - began}))


def search_path(n, *, where=None):
    """The n-th search: 2 to 5 nights from a day in the weeks with stays, 1 to 4 guests."""
    check_in = date.today() + timedelta(days=FIRST_DAY + n % (LAST_DAY - FIRST_DAY))
    params = {
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2 + n % 4)).isoformat(),
        "guests": 1 + n % 4,
    }
    if where:
        params = {"where": where, **params}
    return "/?" + urlencode(params)


PLACE_SEARCHED = ["kyoto", "TOKYO", "東京", "sao paulo", "zurich"]

PATHS = {
    "home page": lambda n: "/",
    "search by dates": search_path,
    "search by place and dates": lambda n: search_path(
        n, where=PLACE_SEARCHED[n % len(PLACE_SEARCHED)]
    ),
}


def child_count_queries():
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    queries = QueryCounter()
    examples = {
        "GET / (page 1)": "/",
        "GET /?page=2": "/?page=2",
        "search by dates": search_path(3),
        "search by dates, page 2": search_path(3) + "&page=2",
        "search by place and dates": search_path(3, where="kyoto"),
        "search by dates, by price": search_path(3) + "&sort=price",
    }
    for label, path in examples.items():

        def get(path=path):
            answer = client.get(path)
            if answer.status_code != 200:
                sys.exit(f"{path}: HTTP {answer.status_code}")

        get()  # the first request of a process pays for what is cached after
        queries.count(label, get)
    queries.report()


def child_explain():
    """Every statement of two searches (by dates; by place and dates), under EXPLAIN ANALYZE."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    paths = {}
    for label, path in (
        ("search by dates", search_path(3)),
        ("search by place and dates", search_path(3, where="kyoto")),
    ):
        client.get(path)
        explainer = scale.Explainer()
        with connection.execute_wrapper(explainer):
            answer = client.get(path)
        if answer.status_code != 200:
            sys.exit(f"{path}: HTTP {answer.status_code}")
        paths[f"{label} (`{path}`)"] = explainer.plans
    print(json.dumps(paths))


CHILDREN = {
    "seed": lambda args: scale.child_seed(args.reservations),
    "make-it-searched": lambda args: child_make_it_searched(args.reservations),
    "count-queries": lambda args: child_count_queries(),
    "explain": lambda args: child_explain(),
}


# --- Load --------------------------------------------------------------------------------


def page_jobs(base_url, path_of, count, offset):
    def job_for(n):
        path = path_of(offset + n)

        def job(session):
            answer = session.get(base_url + path, timeout=REQUEST_TIMEOUT)
            if answer.status_code != 200:
                return f"HTTP {answer.status_code}"
            return 'class="listing"' in answer.text or "no listing on the page"

        return job

    return [job_for(n) for n in range(count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL (required)")
    parser.add_argument("--requests", type=int, default=1000, help="per phase (1000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (8)")
    parser.add_argument("--reservations", type=int, default=1_000_000, help="(1000000)")
    parser.add_argument("--explain", help="write the plans to this Markdown file")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds (600)")
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.requests = max(1, min(args.requests, 10_000))
    args.concurrency = max(1, min(args.concurrency, 32))
    args.reservations = max(1, min(args.reservations, 5_000_000))

    if args.child:
        import django

        django.setup()
        return CHILDREN[args.child](args)

    if not (args.database_url or "").startswith(("postgres://", "postgresql://")):
        parser.error("--database-url postgres://… is required: the scale is PostgreSQL's")
    workdir, databases, deadline, watchdog, clean_up = start_run(
        prefix="airtng-bench-search-", database_url=args.database_url, time_limit=args.time_limit
    )
    load_before = os.getloadavg()
    phases, queries, paths, seeded = [], {}, None, {}
    log = open(workdir / "servers.log", "w")  # noqa: SIM115 - closed below
    try:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = airtng_env(
            base_url=base_url,
            database_url=databases.create(f"search_{args.reservations}"),
            media_root=workdir / "media",
            STATIC_ROOT=str(workdir / "static"),
        )
        note(f"migrate, and seed {args.reservations:,} reservations in SQL (bench/scale.py)")
        run_django(["manage.py", "migrate", "--no-input", "-v", "0"], env=env)
        run_django(["manage.py", "collectstatic", "--no-input", "-v", "0"], env=env)
        child = [__file__, "--reservations", str(args.reservations), "--child"]
        seeded = json.loads(
            run_django([*child, "seed"], env=env, timeout=max(60, deadline - time.monotonic()))
        )
        note(f"seeded in {seeded['seconds']:.0f} s; places, and stays in the coming weeks")
        seeded.update(json.loads(run_django([*child, "make-it-searched"], env=env, timeout=300)))
        queries = json.loads(run_django([*child, "count-queries"], env=env))
        paths = json.loads(run_django([*child, "explain"], env=env))
        server = start_gunicorn("airtng.wsgi", port=port, env=env, log=log)
        wait_until_ready(base_url + "/", server)
        sessions = [requests.Session() for _ in range(args.concurrency)]
        for path_of in PATHS.values():
            run_phase(
                Phase("warm-up"),
                page_jobs(base_url, path_of, WARM_UP, 0),
                sessions,
                deadline=deadline,
            )
        for number in range(1, ROUNDS + 1):
            for name, path_of in PATHS.items():
                if time.monotonic() > deadline:
                    break
                note(f"round {number}: {name}")
                jobs = page_jobs(base_url, path_of, args.requests, number * args.requests)
                phases.append(
                    run_phase(Phase(f"{name}, round {number}"), jobs, sessions, deadline=deadline)
                )
        if any(phase.errors for phase in phases):
            log.flush()
            print_log_tail(workdir / "servers.log")
    finally:
        watchdog.cancel()
        stop_all()
        log.close()
        clean_up()
    print(report(phases, queries, paths, seeded, args=args, load=(load_before, os.getloadavg())))
    if args.explain and paths:
        Path(args.explain).write_text(scale.explain_markdown(paths, args.reservations))


def report(phases, queries, paths, seeded, *, args, load):
    def of(name):
        return [phase for phase in phases if phase.name.startswith(f"{name}, round")]

    def pooled(name):
        return [s for phase in of(name) for s in phase.latencies]

    def rate(name):
        rates = [phase.rate for phase in of(name)]
        return sum(rates) / len(rates) if rates else float("nan")

    lines = [
        f"Searching at scale, PostgreSQL: gunicorn -w {GUNICORN_WORKERS} --threads "
        f"{GUNICORN_THREADS}, {args.requests} GETs per phase, {args.concurrency} concurrent "
        f"clients, {os.cpu_count()} CPUs, load average {load[0][0]:.1f} before and "
        f"{load[1][0]:.1f} after",
        f"{scale.LISTINGS:,} listings, {seeded.get('reservations', 0):,} reservations (seeded in "
        f"{seeded.get('seconds', 0):.0f} s; {seeded.get('moved', 0):,} moved to the coming weeks "
        f"in {seeded.get('moved_seconds', 0):.0f} s)",
        "Load generator: this script (Python requests, one keep-alive connection per thread).",
        "",
        format_table([("phase", 36), *MEASURED_COLUMNS], [[p.name, *p.cells()] for p in phases]),
        "",
    ]
    reference = percentile(pooled("home page"), 99)
    met = True
    for name in PATHS:
        latencies = pooled(name)
        p99 = percentile(latencies, 99)
        line = (
            f"{name}: {rate(name):.1f} requests/s, p50 {percentile(latencies, 50):.1f} ms, "
            f"p99 {p99:.1f} ms"
        )
        if name != "home page":
            ratio = p99 / reference if reference else float("nan")
            met = met and ratio <= GOAL_P99_RATIO
            line += f", {ratio:.2f}x the home page's p99"
        lines.append(line)
    lines += ["", "Queries per request (Django's test client, the same database):"]
    lines += [f"  {label:<28} {n:>3}" for label, n in queries.items()]
    search_counts = {n for label, n in queries.items() if label.startswith("search")}
    lines += [
        "",
        f"goal: each search's p99 <= {GOAL_P99_RATIO}x the unfiltered home page's: "
        + ("met" if met and phases else "NOT met"),
        "goal: a search costs as many queries as the home page, on any page: "
        + ("met" if search_counts == {queries.get("GET / (page 1)")} else "NOT met"),
    ]
    unindexed = [
        f"{label} query {n}"
        for label, plans in (paths or {}).items()
        for n, entry in enumerate(plans, start=1)
        if scale.unindexed(entry)
    ]
    lines.append(
        "goal: every query of a search uses an index: "
        + ("met" if paths and not unindexed else f"NOT met ({'; '.join(unindexed)})")
    )
    for label, plans in (paths or {}).items():
        lines += ["", f"EXPLAIN ANALYZE, {label}:"]
        for n, entry in enumerate(plans, start=1):
            lines += [f"  {n}. {scale.shorten(entry['sql'])}"]
            lines += [f"     {line}" for line in entry["plan"].splitlines()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
