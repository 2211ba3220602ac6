"""Gunicorn settings for production: `gunicorn repository.wsgi` reads this file from the project
folder (or pass `-c gunicorn.conf.py`). Each value can be changed by an environment variable;
see README.md ("Production").
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from repository.logs import logging_config


def cores() -> int:
    """CPUs this process may run on (a container's cpuset, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Pages and API calls wait on PostgreSQL much of the time: a few threads per process keep the
# cores busy, and a thread waiting on an idle keep-alive connection costs nothing.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cores() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A bulk import of 5,000 observations or a full export can take a while.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than a load balancer's idle timeout (often 60 s), or it may send a request on a
# connection gunicorn is closing and answer the client with a 502.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Workers are replaced now and then, so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The heartbeat file on disk can stall workers in containers whose /tmp is an overlay.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No runtime control socket: it lives at one path per user and several servers would clash.
control_socket_disable = True

# Gunicorn's access log would print query strings (search words); the application logs one
# line per request without them (LOG_LEVEL=INFO), with its request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = logging_config(
    json_lines=os.environ.get("LOG_FORMAT", "text").strip().lower() == "json",
    level=loglevel.upper(),
    loggers={
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
)
