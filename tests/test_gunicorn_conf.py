"""gunicorn.conf.py serving the site with production settings, as a load balancer sees it."""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Only what any shell has: the test run's own settings (DEBUG, test switches) stay out.
INHERITED = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL"}
PROJECT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production(tmp_path):
    """Environment of a production start on a fresh (not yet migrated) SQLite database."""
    env = {key: value for key, value in os.environ.items() if key in INHERITED}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="insights.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        BEHIND_HTTPS_PROXY="true",
    )
    return env


@pytest.fixture
def server(production, tmp_path):
    """Gunicorn on a free port of 127.0.0.1; yields (port, path of its log)."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [GUNICORN, "repository.wsgi", "--bind", f"127.0.0.1:{port}"],
            cwd=PROJECT,
            env=production,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while get(port, "/healthz")[0] != 200:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield port, log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def get(port: int, path: str, host="insights.example.com", method="GET", https=False):
    """(status, headers, body); (None, {}, b"") while nothing listens. ``https``: as sent on
    by a proxy that terminated HTTPS."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host, **({"X-Forwarded-Proto": "https"} if https else {})}
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except ConnectionError:
        return None, {}, b""
    finally:
        connection.close()


def test_probes_over_plain_http_with_any_host_while_pages_go_to_https(server, production):
    port, log = server
    assert get(port, "/healthz", host="10.42.0.17:8000")[::2] == (200, b"ok\n")
    assert get(port, "/readyz", host="10.42.0.17")[::2] == (503, b"unavailable\n")
    status, headers, _body = get(port, "/tags/?q=private")
    assert status == 301 and headers["Location"] == "https://insights.example.com/tags/?q=private"
    status, headers, _body = get(port, "/tags/?q=private", https=True)
    assert status == 302 and headers["Location"].startswith("/accounts/login/")
    assert get(port, "/healthz", method="HEAD")[::2] == (200, b"")

    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT, env=production
    )
    assert migrated.returncode == 0
    assert get(port, "/readyz")[::2] == (200, b"ok\n")

    lines = [json.loads(line) for line in log.read_text().splitlines()]
    messages = [entry["message"] for entry in lines]
    assert any(message.startswith("Booting worker") for message in messages)
    assert "Not ready: a database did not answer (OperationalError)." in messages
    (redirect,) = [entry for entry in lines if entry.get("path") == "/tags/"]
    assert redirect["request_id"] == headers["X-Request-ID"] and redirect["status"] == 302
    assert "private" not in log.read_text()  # no query strings, no gunicorn access log
    assert not [entry for entry in lines if "no-body response" in entry["message"]]
