"""How fast Airtng answers phone calls, beside Django answering one constant string.

Starts gunicorn on 127.0.0.1 twice, with the same options: the one-view app in bench/ceiling/
(a constant TwiML string: the framework's ceiling on this machine), and Airtng against a fresh
database. Each route's requests go in short turns with the ceiling's, so that both meet the
same drift of the machine, and the ratio is of their rates over all the turns; every turn
opens its connections afresh, so that no server keeps an uneven share of them between its two
workers for a whole run. A round's steps of the same calls share their CallSids, as a call's
steps do (the welcome's calls go on to the menus and the planets). Sends signed
Twilio-like POSTs to the ET Phone Home tree (/ivr/welcome, /ivr/menu with Digits=1 and 2) and
to /voice (an unknown caller, a verified guest, a host with a request waiting), and last
the ceiling in place of Airtng: how far apart two measures of one server fall in the run.
Prints requests/s, p50/p99 latency, errors, the rate as a fraction of the ceiling's, the CPU
the server's workers used per request (and the ceiling's over it), and queries per request
counted in-process through Airtng's WSGI application.

    uv run python bench/phone_calls.py [--requests N] [--concurrency C] [--database-url URL]
                                       [--time-limit SECONDS] [--call-log-batch N]

Every step is logged (ivr/call_log.py) as in production; `--call-log-batch 1` writes each step
on its own after its answer, to show what batching saves.

Every request goes to 127.0.0.1; every loop is bounded in count and time; every process
started here is stopped on the way out, and all of them after --time-limit seconds.
"""

import argparse
import http.client
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

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
    run_django,
    run_phase,
    start_gunicorn,
    start_run,
    stop,
    stop_all,
    wait_until_ready,
    workers_cpu_seconds,
)

PHASE_TIME_LIMIT = 30.0
# Requests per turn: a phase's requests are sent in turns of this many, each followed by as
# many of the ceiling's, so that both meet the same moments of the machine. Here one
# server's rate moves by a third from one fifth of a second to the next: many short turns
# average that out (the ceiling against itself, the table's last row, shows what is left).
TURN_REQUESTS = 125
# Unmeasured requests per route before measuring: each gunicorn thread's first request
# pays for imports, URL resolvers and the phone number metadata.
WARM_UP_PER_ROUTE = 24
GUEST = {"first_name": "Gus", "phone_number": "+12015552001"}
HOST = {"first_name": "Hannah", "phone_number": "+12015551001"}
STRANGER = "+12015554001"  # a valid number no account has


@dataclass
class CallPhase(Phase):
    client_cpu: float = 0.0  # seconds of this process's CPU, the load generator's
    server_cpu: float = 0.0  # seconds of CPU the server's workers used


@dataclass(frozen=True)
class Route:
    """One kind of call step: where it is posted, by whom, and what its TwiML must contain."""

    name: str
    path: str
    caller: str
    expect: str
    digits: str | None = None
    # The calls this step is taken in: routes naming the same calls share their CallSids
    # within a round, as a call's steps do; the first of them starts the calls.
    calls: str | None = None


CEILING = Route("ceiling", "/voice", STRANGER, "<Say")
# The ceiling measured against itself as Airtng's routes are: how far apart two measures of
# the same server fall in this run.
CEILING_AGAIN = Route("the ceiling against itself", "/voice", STRANGER, "<Say")
# The goal (issue 16): each of these at least GOAL times the ceiling's rate, in the same run.
GOAL = 0.8
REVISION_COOKIE = "ivr_revision"  # ivr/tree.py's; the script does not import Airtng
JAPANESE_STRANGER = "+819012345678"
TREE_ROUTES = [
    Route("en /ivr/welcome", "/ivr/welcome", STRANGER, '<Gather action="/ivr/menu"', calls="en"),
    Route("en /ivr/menu Digits=1", "/ivr/menu", STRANGER, "<Hangup", digits="1", calls="en"),
    Route(
        "en /ivr/menu Digits=2",
        "/ivr/menu",
        STRANGER,
        '<Gather action="/ivr/planets"',
        digits="2",
        calls="en",
    ),
    Route(
        "en /ivr/planets Digits=2",
        "/ivr/planets",
        STRANGER,
        "<Dial>+1929",
        digits="2",
        calls="en",
    ),
    Route(
        "ja /ivr/welcome from +81",
        "/ivr/welcome",
        JAPANESE_STRANGER,
        "<Redirect>/ivr/ja-welcome</Redirect>",
        calls="ja",
    ),
    Route(
        "ja /ivr/ja-welcome",
        "/ivr/ja-welcome",
        JAPANESE_STRANGER,
        '<Gather action="/ivr/ja-menu"',
        calls="ja",
    ),
    Route(
        "ja /ivr/ja-menu Digits=1",
        "/ivr/ja-menu",
        JAPANESE_STRANGER,
        "<Hangup",
        digits="1",
        calls="ja",
    ),
    Route(
        "ja /ivr/ja-menu Digits=2",
        "/ivr/ja-menu",
        JAPANESE_STRANGER,
        '<Gather action="/ivr/ja-planets"',
        digits="2",
        calls="ja",
    ),
    Route(
        "ja /ivr/ja-planets Digits=2",
        "/ivr/ja-planets",
        JAPANESE_STRANGER,
        "<Dial>+1929",
        digits="2",
        calls="ja",
    ),
]
VOICE_ROUTES = [
    Route("/voice unknown caller", "/voice", STRANGER, "<Say>Thanks for calling!</Say>"),
    Route("/voice verified guest", "/voice", GUEST["phone_number"], "Thanks for calling, Gus!"),
    Route("/voice host, a request", "/voice", HOST["phone_number"], "Gus asks to stay at"),
]
ROUTES = TREE_ROUTES + VOICE_ROUTES
# Goals other than the rate: a host's call with a request waiting costs at most 3 queries.
RATE_GOALS = {route.name for route in TREE_ROUTES} | {"/voice unknown caller"}
QUERY_GOALS = {"/voice host, a request": 3}


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


def call_jobs(base_url, route, count, label, revision=None):
    """Signed POSTs of `route`, one call each, encoded before the phase begins. With the
    tree's `revision`, a step after a call's entry sends the cookie its entry set, as Twilio
    does; nothing else of a cookie jar is run on the client, for either server."""
    jobs = []
    for i in range(count):
        call_sid = f"CA{label}{i:08d}".ljust(34, "0")
        params = call_params(route, call_sid)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(
                base_url + route.path, params
            ),
        }
        if revision is not None and route.digits:
            headers["Cookie"] = f"{REVISION_COOKIE}={revision}.{call_sid}"
        jobs.append(posted(base_url + route.path, urlencode(params).encode(), headers, route))
    return jobs


def posted(url, body, headers, route):
    def job(connection):
        return answered_as(route, *connection.post(url, body, headers))

    return job


class Connection:
    """One client thread's keep-alive HTTP/1.1 connection per server: the bytes of a request
    written, the answer read, and no more (no cookie jar, no redirects, no encoding), so that
    the load generator spends the same few microseconds on either server."""

    def __init__(self):
        self.open = {}

    def post(self, url, body, headers):
        """(Content-Type, status, text) of the answer to POSTing `body` to `url`."""
        parts = urlsplit(url)
        kept = self.open.pop(parts.netloc, None)
        # A kept connection the server closed while idle (gunicorn's keep-alive timeout,
        # between phases) is opened again once, as any HTTP client does.
        for connection in ([kept] if kept else []) + [None]:
            connection = connection or http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=REQUEST_TIMEOUT
            )
            try:
                connection.request("POST", parts.path, body, headers)
                answer = connection.getresponse()
                content = answer.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                if connection is kept and not isinstance(error, TimeoutError):
                    continue
                raise requests.ConnectionError(type(error).__name__) from error
            self.open[parts.netloc] = connection
            return answer.getheader("Content-Type", ""), answer.status, content.decode()
        raise AssertionError("unreachable")

    def close(self):
        for connection in self.open.values():
            connection.close()
        self.open.clear()


def live_revision(base_url):
    """The revision number the tree's entry pins a call to, from its Set-Cookie."""
    route = TREE_ROUTES[0]
    params = call_params(route, "CA" + "r" * 32)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(base_url + route.path, params)
    parts = urlsplit(base_url)
    client = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
    try:
        client.request(
            "POST",
            route.path,
            urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        cookie = client.getresponse().getheader("Set-Cookie", "")
    finally:
        client.close()
    value = cookie.partition(f"{REVISION_COOKIE}=")[2].partition(".")[0]
    if not value.isdigit():
        sys.exit(f"The tree's entry set no revision cookie: {cookie!r}")
    return int(value)


# --- Serving both apps and measuring their routes, interleaved -------------------------


@dataclass
class Server:
    app: str
    base_url: str
    process: object
    log_path: Path


def serve(app, *, env, port, workdir, ready_path, logs):
    log_path = workdir / f"{app}-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed by the caller
    logs.append(log)
    base_url = f"http://127.0.0.1:{port}"
    process = start_gunicorn(app, port=port, env=env, log=log)
    wait_until_ready(base_url + ready_path, process)
    note(f"{app} answers on {base_url}")
    return Server(app, base_url, process, log_path)


def measure(ceiling, airtng, routes, *, args, deadline):
    """Rounds of every route, each in turns of (a route of Airtng's, then the ceiling):
    {route name: [(Airtng's turn, the ceiling's)]}. CEILING_AGAIN's turns are the ceiling's."""
    sessions = [Connection() for _ in range(args.concurrency)]
    measured = {route.name: [] for route in routes}
    revision = live_revision(airtng.base_url)
    try:
        warm_up = [
            *call_jobs(ceiling.base_url, CEILING, WARM_UP_PER_ROUTE, "w"),
            *(
                job
                for route in routes
                for job in call_jobs(airtng.base_url, route, WARM_UP_PER_ROUTE, "w", revision)
            ),
        ]
        note("warming up")
        run_phase(CallPhase("warm-up"), warm_up, sessions, deadline=deadline)
        for round_number in range(args.rounds):
            for number, route in enumerate(routes):
                if time.monotonic() > deadline:
                    note(f"time limit reached; round {round_number + 1} stopped at {route.name}")
                    return measured
                note(f"round {round_number + 1}: {route.name}")
                # A round's steps of the same calls share their CallSids; the ceiling's are new.
                label = f"{round_number}{route.calls or f'x{number}'}"
                measured_server = ceiling if route is CEILING_AGAIN else airtng
                servers = ((measured_server, route), (ceiling, CEILING))
                jobs = [
                    call_jobs(
                        server.base_url,
                        target,
                        args.requests,
                        f"{label}{server.app}",
                        revision if server is airtng else None,
                    )
                    for server, target in servers
                ]
                for start in range(0, args.requests, TURN_REQUESTS):
                    pair = []
                    for (server, target), server_jobs in zip(servers, jobs, strict=True):
                        # New connections each turn: which of the server's workers accepts
                        # each one is chance, and a worker that kept three of the four for
                        # a whole run left the other idle and the rate a fifth lower.
                        for session in sessions:
                            session.close()
                        cpu_before = time.process_time()
                        server_cpu_before = workers_cpu_seconds(server.process)
                        phase = run_phase(
                            CallPhase(target.name),
                            server_jobs[start : start + TURN_REQUESTS],
                            sessions,
                            deadline=min(deadline, time.monotonic() + PHASE_TIME_LIMIT),
                        )
                        phase.server_cpu = workers_cpu_seconds(server.process) - server_cpu_before
                        phase.client_cpu = time.process_time() - cpu_before
                        pair.append(phase)
                    measured[route.name].append(tuple(pair))
    finally:
        for session in sessions:
            session.close()
    return measured


def merged(phases, name):
    """One phase of all of `phases`: their latencies, errors and wall time added up."""
    total = CallPhase(name)
    for phase in phases:
        total.latencies += phase.latencies
        total.seconds += phase.seconds
        total.client_cpu += phase.client_cpu
        total.server_cpu += phase.server_cpu
        for kind, count in phase.errors.items():
            total.errors[kind] = total.errors.get(kind, 0) + count
    return total


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


def signed_environ(route, params):
    """The WSGI environ of Twilio's signed POST of `params` to `route` (add `wsgi.input`),
    and its body. Run where Django is set up."""
    from airtng.twilio import signature, twilio_url

    body = urlencode(params).encode()
    url = twilio_url(route.path)
    host = url.split("/")[2]
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": route.path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": host.split(":")[0],
        "SERVER_PORT": host.split(":")[1],
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "HTTP_X_TWILIO_SIGNATURE": signature(url, params),
    }
    return environ, body


def child_count_queries():
    """Queries of one call step of each kind, through Airtng's WSGI application as gunicorn
    calls it, each sent twice and counted the second time: with production's settings a
    process reads the tree's stamp at most once a second, so a step in between reads nothing.

    Run with the servers stopped, on the same database; none of these steps writes.
    """
    import io

    from airtng.wsgi import application

    queries = QueryCounter()
    for route in ROUTES:
        environ, body = signed_environ(route, call_params(route, "CA" + "c" * 32))

        def send(route=route, environ=environ, body=body):
            started = []
            answer = application(
                {**environ, "wsgi.input": io.BytesIO(body)},
                lambda status, headers: started.append((status, dict(headers))),
            )
            text = b"".join(answer).decode()
            answer.close()
            status, headers = started[0]
            ok = answered_as(route, headers["Content-Type"], int(status.split()[0]), text)
            if ok is not True:
                sys.exit(f"{route.name}: {ok}\n{text}")

        send()
        queries.count(route.name, send)
    queries.report()


def child_steps():
    """Microseconds of CPU per request, in this process, for each step of the lean path:
    the same step the way it was before and the way it is now, side by side.

    Prints JSON rows: [what, before µs, now µs].
    """
    import io
    import timeit

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db.models import Prefetch
    from django.http import QueryDict
    from django.test import RequestFactory, override_settings
    from django.utils import translation
    from django.utils.translation import gettext
    from phonenumber_field.phonenumber import to_python
    from twilio.request_validator import RequestValidator

    from accounts.languages import owner_language
    from accounts.models import User
    from airtng.messaging.countries import valid_number
    from airtng.twilio import (
        form_fields,
        has_nul_bytes,
        has_valid_signature,
        simulator_key,
        twilio_url,
        twiml_document,
        without_nul_bytes,
    )
    from airtng.webhooks_first import answer_webhooks_first
    from ivr import services
    from ivr.models import Menu, Option
    from ivr.spoken import SpokenResponse
    from ivr.tree import published_tree
    from ivr.voice_line import thanks_for_calling
    from ivr.webhooks_first import answerer_for

    route = TREE_ROUTES[1]  # /ivr/menu Digits=1
    params = call_params(route, "CA" + "s" * 32)
    environ, body = signed_environ(route, params)
    url = twilio_url(route.path)

    def per_request(function, number=300):
        function()
        return min(timeit.repeat(function, number=number, repeat=5)) / number * 1e6

    def through(app):
        def send():
            answers = []
            app({**environ, "wsgi.input": io.BytesIO(body)}, lambda *a: answers.append(a[0]))
            assert answers == ["200 OK"], answers

        return send

    rows = []
    full_stack = [m for m in settings.MIDDLEWARE if m != "airtng.webhooks.answer_twilio_webhooks"]
    with override_settings(MIDDLEWARE=full_stack):
        whole = per_request(through(WSGIHandler()))
    lean = per_request(through(WSGIHandler()))
    rows.append(["/ivr/menu Digits=1, WSGI app (before: every middleware)", whole, lean])
    first = per_request(through(answer_webhooks_first(WSGIHandler(), answerer_for)))
    rows.append(["/ivr/menu Digits=1, before Django (before: lean middleware)", lean, first])

    request = RequestFactory().post(
        route.path,
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": environ["HTTP_X_TWILIO_SIGNATURE"]},
        SERVER_NAME=environ["SERVER_NAME"],
        SERVER_PORT=environ["SERVER_PORT"],
    )
    request.POST  # noqa: B018 - parsed once, as both checks find it

    def twilios_check():
        keys = [simulator_key(), settings.TWILIO_AUTH_TOKEN]
        sent = request.headers["X-Twilio-Signature"]
        return any(RequestValidator(key).validate(url, request.POST, sent) for key in keys)

    rows.append(
        [
            "signature (before: twilio's validator, per key)",
            per_request(twilios_check),
            per_request(lambda: has_valid_signature(request)),
        ]
    )
    rows.append(
        [
            "NUL bytes (before: GET and POST copied)",
            per_request(lambda: (without_nul_bytes(request.GET), without_nul_bytes(request.POST))),
            per_request(lambda: has_nul_bytes(request)),
        ]
    )
    rows.append(
        [
            "parsing the body (before: QueryDict)",
            per_request(lambda: QueryDict(body)),
            per_request(lambda: form_fields(body)),
        ]
    )

    def tree_from_the_database():
        options = Option.objects.select_related("target_menu")
        menu = (
            Menu.objects.filter(choice_slug="menu")
            .select_related("main_menu")
            .prefetch_related(Prefetch("options", queryset=options))
            .first()
        )
        return twiml_document(services.answer(menu, "1"))

    rows.append(
        [
            "the tree's answer (before: read and written per call)",
            per_request(tree_from_the_database),
            per_request(lambda: published_tree().choices["menu"].answer_for("1")),
        ]
    )

    def validated_by_phonenumbers():
        number = to_python(STRANGER)
        return number.is_valid() and number.as_e164

    rows.append(
        [
            "the caller's number validated",
            per_request(validated_by_phonenumbers),
            per_request(lambda: valid_number(STRANGER)),
        ]
    )
    rows.append(
        [
            "/voice: does anyone own the number (before: the ORM)",
            per_request(
                lambda: User.objects.filter(phone_number=STRANGER, phone_verified=True).first()
            ),
            per_request(lambda: owner_language(STRANGER)),
        ]
    )
    rows.append(
        [
            "/voice: a number's owner, when there is one (before: the ORM)",
            per_request(
                lambda: User.objects.filter(
                    phone_number=GUEST["phone_number"], phone_verified=True
                ).first()
            ),
            per_request(lambda: User.objects.with_verified_number(GUEST["phone_number"])),
        ]
    )

    def greeting_written():
        with translation.override("en"):
            response = SpokenResponse()
            response.say(gettext("Thanks for calling!"))
            return twiml_document(response)

    rows.append(
        [
            "/voice: an unknown caller's TwiML (before: written per call)",
            per_request(greeting_written),
            per_request(lambda: thanks_for_calling("en")),
        ]
    )
    rows.extend(call_log_rows(request, per_request))
    print(json.dumps(rows))


def call_log_rows(request, per_request):
    """What the call log costs a step: queued while answering, written later in batches.

    Each "before" is the step written on its own, as if the log wrote every step as it is
    answered; "now" is the same step in a batch of CALL_LOG_BATCH, per step.
    """
    from django.conf import settings
    from django.db import transaction

    from airtng.twilio import twiml
    from ivr import call_log
    from ivr.models import Call

    answer = twiml(b"<Response><Hangup/></Response>")

    def read():
        return call_log.step_of(
            request.POST, url=request.get_full_path(), query={}, answer=answer.content
        )

    step = read()
    batch = settings.CALL_LOG_BATCH
    numbers = iter(range(10**9))

    def steps(count):
        return [step._replace(sid=f"CAbench{next(numbers):026d}") for _ in range(count)]

    def written(count):
        def write():
            call_log.write_steps(steps(count))

        return write

    with transaction.atomic():
        alone = per_request(written(1), number=100)
        batched = per_request(written(batch), number=4) / batch
        transaction.set_rollback(True)
    Call.objects.filter(sid__startswith="CAbench").delete()
    return [
        [
            "call log: the step read from the request (while answering)",
            0.0,
            per_request(read),
        ],
        [f"call log: a new call's step written (alone / in a batch of {batch})", alone, batched],
    ]


CHILDREN = {"seed": child_seed, "count-queries": child_count_queries, "steps": child_steps}


# --- Report ----------------------------------------------------------------------------


def goal_of(name, ratio, queries):
    """ "goal met", "not met", or "" for a route with no goal."""
    checks = []
    if name in RATE_GOALS:
        checks.append(ratio >= GOAL)
    if name in QUERY_GOALS and isinstance(queries, int):
        checks.append(queries <= QUERY_GOALS[name])
    if not checks:
        return ""
    return "goal met" if all(checks) else "not met"


def table(measured, queries, *, args, database, load):
    columns = [
        ("phase", 28),
        *MEASURED_COLUMNS,
        ("ceiling/s", 9),
        ("ratio", 5),
        ("server µs", 9),
        ("cpu ratio", 9),
        ("queries", 7),
        ("goal", 8),
    ]
    rows, client_cpu, ceilings = [], [], []
    for name, pairs in measured.items():
        if not pairs:
            continue
        airtng = merged([pair[0] for pair in pairs], name)
        ceiling = merged([pair[1] for pair in pairs], "ceiling")
        ceilings.append(ceiling)
        ratio = airtng.rate / ceiling.rate if ceiling.rate else 0.0
        count = queries.get(name, "-")
        rows.append(
            [
                name,
                *airtng.cells(),
                f"{ceiling.rate:.1f}",
                f"{ratio:.2f}",
                f"{server_cpu_per_request(airtng):.0f}",
                f"{cpu_ratio(airtng, ceiling):.2f}",
                str(count),
                goal_of(name, ratio, count),
            ]
        )
        if airtng.latencies:
            client_cpu.append(airtng.client_cpu / len(airtng.latencies) * 1000)
    all_ceilings = merged(ceilings, "ceiling")
    met = sum(row[-1] == "goal met" for row in rows)
    goals = sum(bool(row[-1]) for row in rows)
    return "\n".join(
        [
            f"Airtng phone calls on {database}: gunicorn -w {GUNICORN_WORKERS} "
            f"--threads {GUNICORN_THREADS}, {args.rounds} rounds of {args.requests} signed POSTs "
            f"per phase, {args.concurrency} concurrent clients, {os.cpu_count()} CPUs, "
            f"load average {load[0]:.1f} before and {load[1]:.1f} after; the call log written "
            + (
                f"{args.call_log_batch} steps at a time"
                if args.call_log_batch
                else "in production's batches (CALL_LOG_BATCH; the table below says how many)"
            ),
            f"Load generator: this script, http.client (no cookie jar), {args.concurrency} "
            "threads with a keep-alive connection each, on the same CPUs; it used "
            f"{min(client_cpu, default=0):.1f}-{max(client_cpu, default=0):.1f} ms of CPU per "
            "request.",
            "",
            format_table(columns, rows),
            "",
            f"ratio: requests/s over the ceiling's, each phase in turns of "
            f"{min(TURN_REQUESTS, args.requests)} requests of Airtng's then as many of the "
            "ceiling's (bench/ceiling/, "
            f"{all_ceilings.rate:.1f} requests/s over all, p50 "
            f"{all_ceilings.percentile(50):.1f} ms, p99 {all_ceilings.percentile(99):.1f} ms).",
            "server µs: CPU the server's workers used per request, its call log included; "
            "cpu ratio: the ceiling's over Airtng's (the ceiling's "
            f"{server_cpu_per_request(all_ceilings):.0f} µs over all), the rate ratio a server "
            "with the CPUs to itself would reach.",
            "queries: the second of two requests of each kind through Airtng's WSGI app, "
            "same database, production settings.",
            f"goal: ratio >= {GOAL} for every phone tree step and /voice unknown caller; "
            f"at most {QUERY_GOALS['/voice host, a request']} queries for a host's call. "
            f"{met} of {goals} met.",
        ]
    )


def server_cpu_per_request(phase):
    return phase.server_cpu / len(phase.latencies) * 1e6 if phase.latencies else 0.0


def cpu_ratio(airtng, ceiling):
    cost = server_cpu_per_request(airtng)
    return server_cpu_per_request(ceiling) / cost if cost else 0.0


def steps_table(steps):
    rows = [
        [what, f"{before:.1f}", f"{now:.1f}", f"{before - now:.1f}"] for what, before, now in steps
    ]
    return "\n".join(
        [
            "Each step of the lean path, µs of CPU per request in one process (min of 5 runs):",
            "",
            format_table([("step", 56), ("before", 8), ("now", 8), ("saved", 8)], rows),
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="per phase (default 500)")
    parser.add_argument("--rounds", type=int, default=2, help="of every route (default 2)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL URL; a database is created beside it and dropped "
        "(default: SQLite in a temporary directory)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=120, help="stop everything after this (s)"
    )
    parser.add_argument(
        "--call-log-batch",
        type=int,
        help="steps the call log writes at a time (default: production's, 200)",
    )
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.requests = max(1, min(args.requests, 5000))
    args.concurrency = max(1, min(args.concurrency, 64))
    args.rounds = max(1, min(args.rounds, 10))

    if args.child:
        import django

        django.setup()
        return CHILDREN[args.child]()

    workdir, databases, deadline, watchdog, clean_up = start_run(
        prefix="airtng-bench-", database_url=args.database_url, time_limit=args.time_limit
    )
    load_before = os.getloadavg()[0]
    try:
        port = free_port()
        env = airtng_env(
            base_url=f"http://127.0.0.1:{port}",
            database_url=databases.create("phone_calls"),
            media_root=workdir / "media",
            STATIC_ROOT=str(workdir / "static"),
            **({"CALL_LOG_BATCH": str(args.call_log_batch)} if args.call_log_batch else {}),
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
        logs, servers = [], []
        try:
            servers.append(
                serve(
                    "bench.ceiling.wsgi",
                    env=ceiling_env,
                    port=free_port(),
                    workdir=workdir,
                    ready_path="/voice",
                    logs=logs,
                )
            )
            servers.append(
                serve(
                    "airtng.wsgi",
                    env=env,
                    port=port,
                    workdir=workdir,
                    ready_path="/accounts/login/",
                    logs=logs,
                )
            )
            measured = measure(*servers, [*ROUTES, CEILING_AGAIN], args=args, deadline=deadline)
        finally:
            note("stopping the servers")
            for server in servers:
                stop(server.process)
            for log in logs:
                log.close()
        if any(phase.errors for pairs in measured.values() for pair in pairs for phase in pair):
            for server in servers:
                print_log_tail(server.log_path)
        load_after = os.getloadavg()[0]
        note("counting queries per request")
        queries = json.loads(run_django([__file__, "--child", "count-queries"], env=env))
        note("timing each step in one process")
        steps = json.loads(run_django([__file__, "--child", "steps"], env=env))
    finally:
        watchdog.cancel()
        stop_all()
        clean_up()
    print(
        table(
            measured,
            queries,
            args=args,
            database=databases.name,
            load=(load_before, load_after),
        )
    )
    print()
    print(steps_table(steps))


if __name__ == "__main__":
    main()
