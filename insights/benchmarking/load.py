"""Throughput: gunicorn with two workers on 127.0.0.1, and a bounded number of client threads
asking for the insight list with keep-alive connections for a fixed time.

The clients run in this process on the same machine, so they take some of its CPU from the
server: the figure is a lower bound of what the server alone could do.
"""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings

from . import report

PROJECT = Path(settings.BASE_DIR) if hasattr(settings, "BASE_DIR") else Path.cwd()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(port: int, workers: int) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    env.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        # The benchmark's one client would hit the per-user limit at once.
        API_THROTTLE_USER="100000000/minute",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
    )
    return env


def _wait(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped before it was ready")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn was not ready within 60 s")


def _client(port, path, key, deadline, latencies, errors, lock):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {key}", "Host": "127.0.0.1"}
    mine, failed = [], 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failed += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine.append(time.perf_counter() - started)
    connection.close()
    with lock:
        latencies.extend(mine)
        errors.append(failed)


def throughput(key: str, *, path="/api/v1/insights/", clients=20, seconds=20, workers=2) -> dict:
    """Requests per second of gunicorn (``workers`` processes) under ``clients`` threads."""
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "repository.wsgi", "-c",
         "gunicorn.conf.py"],
        cwd=PROJECT,
        env=_environment(port, workers),
    )  # fmt: skip
    try:
        _wait(port, server)
        latencies: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(
                target=_client, args=(port, path, key, deadline, latencies, errors, lock)
            )
            for _ in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    figures = report.timing(latencies)
    figures["throughput_rps"] = round(len(latencies) / elapsed, 1)
    return {
        "name": "gunicorn_throughput",
        "label": f"gunicorn, {workers} workers, GET {path}, {clients} clients, {seconds} s",
        "requests": len(latencies),
        "errors": sum(errors),
        **figures,
        "target": ("throughput_rps", 300),
        "note": f"{sum(errors)} errors",
    }
