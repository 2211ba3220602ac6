"""Load test: gunicorn on 127.0.0.1 with production settings, 50 simulated users for 60 s.

    .venv/bin/pip install -r requirements-load.txt
    createdb insights_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/insights_load \\
        .venv/bin/python tests/bench/load_test.py [--users 50] [--seconds 60] [--cache db://]

It migrates the database, loads the demo data, creates the simulated users (Contributors
named load-user-NN, each with a session and an API token) and five "Load test" studies that
their bulk writes go to, so use a database of its own. Then it starts gunicorn
(gunicorn.conf.py) on a free port, runs tests/bench/locustfile.py headless against it, prints
requests per second, p50/p95/p99 and the errors, stops the server and exits non-zero on any
error. Not part of the test suite (pytest collects test_*.py only).

API throttling stays on as in production (API_THROTTLE_USER, default 1200/minute per user):
each simulated user has an account of its own and pauses between requests, so it stays far
below its limit, and a 429 counts as an error.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--cache", default="db://", help="CACHE_URL of the servers")
    parser.add_argument(
        "--think-time",
        default="0.5-2",
        help="seconds a user pauses between requests, as MIN-MAX (default 0.5-2)",
    )
    return parser.parse_args()


def server_environment(cache: str) -> dict:
    """Production settings (DEBUG off) on plain HTTP: the proxy that would terminate HTTPS
    is not part of the test."""
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        CACHE_URL=cache,
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    return env


def prepare(users: int, think_time: tuple[float, float]) -> dict:
    """Demo data, the simulated users and what they will ask for (runs in this process)."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore

    from insights.models import Insight, Study, Tag
    from insights.services import api_token_create, study_create

    for command, options in [
        ("migrate", {"interactive": False}),
        ("createcachetable", {}),
        ("collectstatic", {"interactive": False}),
        ("load_demo", {}),
    ]:
        call_command(command, verbosity=0, **options)
    contributors = Group.objects.get(name="Contributor")
    studies = [
        Study.objects.filter(title=f"Load test {n}").first()
        or study_create(title=f"Load test {n}", method="metric_survey")
        for n in range(1, 6)
    ]
    accounts = []
    for n in range(1, users + 1):
        user, _created = User.objects.get_or_create(username=f"load-user-{n:02}")
        user.groups.add(contributors)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        _token, key = api_token_create(user=user, name="load test")
        accounts.append(
            {
                "username": user.username,
                "session": session.session_key,
                "token": key,
                "study_id": studies[n % len(studies)].pk,
            }
        )
    tagged = Tag.objects.filter(insights__isnull=False).distinct()
    research = Study.objects.exclude(title__startswith="Load test")
    return {
        "run": secrets.token_hex(3),  # external ids of this run's bulk writes are new
        "users": accounts,
        "think_time": think_time,
        "insights": list(Insight.objects.values_list("pk", flat=True)),
        "tags": list(tagged.values_list("slug", flat=True)),
        "studies": list(research.values_list("slug", flat=True)),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("gunicorn was not ready within 60 s")


def main() -> int:
    options = arguments()
    locust = BIN / "locust"
    if not locust.exists():
        sys.exit("locust is missing: .venv/bin/pip install -r requirements-load.txt")
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://")):
        print("warning: DATABASE_URL is not PostgreSQL; SQLite locks under concurrent writes")
    low, high = (float(part) for part in options.think_time.split("-"))
    env = server_environment(options.cache)
    os.environ.pop("DEBUG", None)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "repository.settings")
    sys.path.insert(0, str(PROJECT))
    print("Preparing the database (migrate, demo data, users)…", flush=True)
    setup = prepare(options.users, (low, high))

    with tempfile.TemporaryDirectory() as folder:
        users_file = Path(folder) / "users.json"
        users_file.write_text(json.dumps(setup), encoding="utf-8")
        summary_file = Path(folder) / "summary.txt"
        port = free_port()
        server = subprocess.Popen(
            [BIN / "gunicorn", "repository.wsgi", "--bind", f"127.0.0.1:{port}"],
            cwd=PROJECT,
            env=env,
        )
        try:
            wait_until_ready(port, server)
            print(
                f"Running {options.users} users for {options.seconds} s against "
                f"http://127.0.0.1:{port} (cache {options.cache})…",
                flush=True,
            )
            run = subprocess.run(
                [
                    locust,
                    "-f", PROJECT / "tests" / "bench" / "locustfile.py",
                    "--headless", "--only-summary",
                    "--users", str(options.users),
                    "--spawn-rate", str(max(options.users // 5, 1)),
                    "--run-time", f"{options.seconds}s",
                    "--stop-timeout", "30",
                    "--host", f"http://127.0.0.1:{port}",
                ],
                cwd=PROJECT,
                env={
                    **os.environ,
                    "LOAD_TEST_USERS": str(users_file),
                    "LOAD_TEST_SUMMARY": str(summary_file),
                },
            )  # fmt: skip
            if summary_file.exists():
                print(f"\n=== {options.users} users, {options.seconds} s, cache {options.cache}")
                print(summary_file.read_text(encoding="utf-8"), end="")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
