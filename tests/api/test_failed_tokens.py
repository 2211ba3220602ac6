"""Made-up API tokens are throttled at the anonymous rate by the whole server, not per worker."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient

BASE_DIR = Path(settings.BASE_DIR)
RATE = 10  # API_THROTTLE_ANON of the server under test, per minute
WORKERS = 3


@pytest.fixture
def server_database_url(tmp_path, django_db_setup, django_db_blocker):
    """A database a separate server process can open: the test database on PostgreSQL.

    SQLite's test database lives in this process's memory, so the server gets a migrated file.
    """
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        credentials = urllib.parse.quote(db["USER"] or "")
        if db["PASSWORD"]:
            credentials += ":" + urllib.parse.quote(db["PASSWORD"])
        yield f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        with django_db_blocker.unblock():
            caches["shared"].clear()  # the server committed its counts
            # Opened outside any test's database access, so nothing else closes it, and an
            # open session keeps the test database from being dropped at the end of the run.
            connection.close()
        return
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=BASE_DIR,
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": url},
        check=True,
        timeout=120,
    )
    yield url


@pytest.fixture
def server(tmp_path, server_database_url):
    """gunicorn with several worker processes and production settings; yields its base URL."""
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "throttling-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": server_database_url,
        "API_THROTTLE_ANON": f"{RATE}/minute",
        "LOG_LEVEL": "ERROR",
        "DATABASE_CONN_MAX_AGE": "0",  # no session of the server outlives its request
    }
    # Plain gunicorn settings: the project's gunicorn.conf.py sends gunicorn's own log lines
    # through the application's logging, which this test cannot read for "Listening at".
    config = tmp_path / "gunicorn.conf.py"
    config.write_text("")
    command = [sys.executable, "-m", "gunicorn", "repository.wsgi", "--bind", "127.0.0.1:0"]
    command += ["--config", str(config), "--workers", str(WORKERS)]
    command += ["--log-level", "info", "--log-file", str(log)]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            text = log.read_text() if log.exists() else ""
            address = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
            if address and text.count("Booting worker") >= WORKERS:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"gunicorn did not start:\n{log.read_text() if log.exists() else ''}")
        yield address.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def get(url: str, token: str) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.load(error)


def test_made_up_tokens_are_throttled_across_worker_processes(server):
    answers = [get(f"{server}/api/v1/insights/", f"made-up-{n}") for n in range(3 * RATE)]
    codes = [status for status, _headers, _body in answers]
    assert codes == [401] * RATE + [429] * (2 * RATE)
    _status, headers, body = answers[-1]
    assert body["error"]["code"] == "throttled"
    assert 0 < int(headers["Retry-After"]) <= 60


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_dodge_the_rate(monkeypatch):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(
        AnonRateThrottle,
        "THROTTLE_RATES",
        {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"},
    )
    client = APIClient()
    codes = [
        client.get(
            "/api/v1/insights/",
            HTTP_AUTHORIZATION=f"Token made-up-{n}",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 429, 429]
