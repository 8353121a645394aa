"""What every benchmark here needs: servers on 127.0.0.1, bounded load, a table, a watchdog.

A benchmark script puts this directory's parent on sys.path and imports `bench.harness`.
Every process started through `start()` is remembered, so `stop_all()` (or the watchdog,
when the time limit passes) can stop it.
"""

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_SID = "AC" + "be" * 16
AUTH_TOKEN = "bench-auth-token"
AIRTNG_NUMBER = "+15005550006"
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 4
REQUEST_TIMEOUT = 15.0
# Past the time limit the phases stop; this much later the watchdog kills what is left.
WATCHDOG_GRACE_SECONDS = 15

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


def workers_cpu_seconds(process) -> float:
    """CPU time (user and system) the worker processes of the server `process` have used, all
    their threads counted (Linux's /proc: a worker that has exited counts no more)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        with contextlib.suppress(FileNotFoundError):
            # The fields after the command's name, which may hold spaces: utime and stime.
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def stop_all():
    for process in list(started):
        stop(process)


def run_django(args, *, env, timeout=60):
    """Run `manage.py …` or a script's child mode to the end; return its stdout."""
    process = start([sys.executable, *args], env=env, log=subprocess.PIPE, stderr=None)
    try:
        output, _ = process.communicate(timeout=timeout)
    finally:
        stop(process)
    if process.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{output}")
    return output


_ports_given: set[int] = set()


def free_port():
    """A free port on 127.0.0.1; within BENCH_PORTS ("first-last") when it is set, for a
    machine whose users each keep to their own ports."""
    first, _sep, last = os.environ.get("BENCH_PORTS", "").partition("-")
    candidates = range(int(first), int(last) + 1) if first and last else [0]
    for port in candidates:
        if port in _ports_given:
            continue  # handed out already, perhaps not yet bound
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = sock.getsockname()[1]
            _ports_given.add(port)
            return port
    sys.exit(f"No free port in BENCH_PORTS={os.environ['BENCH_PORTS']}.")


def start_gunicorn(app, *, port, env, log):
    """`gunicorn <app>` on 127.0.0.1:<port>, with the same workers and threads for every app."""
    return start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(GUNICORN_WORKERS),
            "--threads",
            str(GUNICORN_THREADS),
            # Not ~/.gunicorn: nothing outside the run is touched.
            "--no-control-socket",
        ],
        env=env,
        log=log,
    )


def wait_until_ready(url, server, *, seconds=30):
    """Until a GET of `url` answers 200; exits if the server dies or takes too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up; see its log.")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # not listening yet, or still importing the app
        time.sleep(0.2)
    sys.exit("gunicorn did not answer in time.")


def airtng_env(*, base_url, database_url, media_root, **extra):
    """Airtng's production settings, pointed at this run's database and served at `base_url`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "airtng.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": base_url,
        "MEDIA_ROOT": str(media_root),
        "PYTHONUNBUFFERED": "1",
        # Airtng logs on stdout, where the children print their JSON: only what went wrong.
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def print_log_tail(path, lines=40):
    tail = Path(path).read_text().splitlines()[-lines:]
    print("\n".join(["The servers' last words:", *tail]), file=sys.stderr)


def start_watchdog(seconds, clean_up):
    """After `seconds`, stop every started process, run `clean_up` and exit with status 2."""

    def give_up():
        print(f"\nTime limit of {seconds:.0f} s reached; stopping.", file=sys.stderr)
        stop_all()
        clean_up()
        os._exit(2)

    watchdog = threading.Timer(seconds + WATCHDOG_GRACE_SECONDS, give_up)
    watchdog.daemon = True
    watchdog.start()
    return watchdog


# --- Databases -------------------------------------------------------------------------


class SQLiteDatabases:
    name = "SQLite"

    def __init__(self, workdir):
        self.workdir = Path(workdir)

    def create(self, label):
        (self.workdir / label).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.workdir / label / 'db.sqlite3'}"

    def drop_all(self):
        pass  # the temporary directory goes with them


class PostgresDatabases:
    """Databases named after --database-url's, `<name>_<label>`; each dropped at the end."""

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


def databases_for(database_url, workdir):
    return PostgresDatabases(database_url) if database_url else SQLiteDatabases(workdir)


def remove_workdir(workdir):
    shutil.rmtree(workdir, ignore_errors=True)


def start_run(*, prefix, database_url, time_limit):
    """A run's temporary directory and databases, removed by `clean_up` and by the watchdog
    once `time_limit` has passed: (workdir, databases, deadline, watchdog, clean_up)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    databases = databases_for(database_url, workdir)

    def clean_up():
        databases.drop_all()
        remove_workdir(workdir)

    watchdog = start_watchdog(time_limit, clean_up)
    return workdir, databases, time.monotonic() + time_limit, watchdog, clean_up


# --- Load ------------------------------------------------------------------------------


def percentile(latencies, p):
    """The p-th percentile of `latencies` (seconds), in ms; nan when nothing was answered."""
    if not latencies:
        return float("nan")
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


@dataclass
class Phase:
    """The answered requests' latencies (s), the rest counted by kind, and the wall time."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def error(self, kind):
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def rate(self):
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p):
        return percentile(self.latencies, p)

    def cells(self):
        """requests/s, p50 ms, p99 ms, ok, errors: the columns every table here has."""
        errors = ", ".join(f"{n} {kind}" for kind, n in self.errors.items()) or "0"
        return [
            f"{self.rate:.1f}",
            f"{self.percentile(50):.1f}",
            f"{self.percentile(99):.1f}",
            str(len(self.latencies)),
            errors,
        ]


MEASURED_COLUMNS = [("requests/s", 10), ("p50 ms", 8), ("p99 ms", 8), ("ok", 6), ("errors", 7)]


def run_phase(phase, jobs, sessions, *, deadline):
    """Send `jobs` from one thread per session until they are done or `deadline` passes.

    A job takes the thread's session and returns True when the answer was right, or a
    short description of what was wrong.
    """
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

    threads = [threading.Thread(target=drive, args=(session,)) for session in sessions]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


def signed_post(url, params, check):
    """A job: POST `params` to `url` signed as Twilio would; `check(answer)` judges the answer."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)

    def job(session):
        answer = session.post(
            url, params, headers={"X-Twilio-Signature": signature}, timeout=REQUEST_TIMEOUT
        )
        return check(answer)

    return job


# --- Report ----------------------------------------------------------------------------


def format_table(columns, rows):
    """`columns` as (header, minimum width); the first column is left-aligned, the rest right."""
    widths = [
        max([width, len(header)] + [len(row[i]) for row in rows])
        for i, (header, width) in enumerate(columns)
    ]

    def line(cells):
        first, *rest = zip(cells, widths, strict=True)
        return " ".join([f"{first[0]:<{first[1]}}", *(f"{cell:>{width}}" for cell, width in rest)])

    return "\n".join([line([header for header, _ in columns]), *map(line, rows)])


class QueryCounter:
    """Queries of one request at a time, inside CaptureQueriesContext, for a child process.

    BENCH_SHOW_SQL=1 prints the statements to stderr.
    """

    def __init__(self):
        self.counts, self.statements = {}, {}

    def count(self, label, send):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            send()
        self.counts[label] = len(captured)
        self.statements[label] = [query["sql"] for query in captured.captured_queries]

    def report(self):
        """Prints the counts as JSON on stdout, for the parent to read."""
        if os.environ.get("BENCH_SHOW_SQL"):
            json.dump(self.statements, sys.stderr, indent=1)
        print(json.dumps(self.counts))


def query_lines(queries, title):
    width = max(map(len, queries))
    return ["", title, *(f"  {label:<{width}} {n:>3}" for label, n in queries.items())]
