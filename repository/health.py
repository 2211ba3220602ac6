"""Health checks for load balancers and orchestrators.

``/healthz``: the process answers (no database). ``/readyz``: every configured database answers
and every migration is applied; 503 otherwise. Both say only "ok" or "unavailable".

They are answered by a middleware that comes right after SecurityMiddleware (whose HTTPS
redirect exempts them through SECURE_REDIRECT_EXEMPT), before the host check, sessions, logins
and the request log: probes often use the pod's IP address as Host and plain HTTP, and should
cost nothing but the checks themselves. Accepting any Host is safe here because the answer is
a fixed word that builds no URL and is not cached (Cache-Control: no-store).
"""

import functools
import logging

from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpResponse, HttpResponseNotAllowed

logger = logging.getLogger(__name__)


def alive() -> bool:
    """The process is serving requests."""
    return True


@functools.cache
def expected_migrations() -> tuple[tuple[tuple[str, str], tuple], ...]:
    """Every migration on disk as (key, the keys it replaces), read once per process."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return tuple(
        (key, tuple(loader.replacements[key].replaces) if key in loader.replacements else ())
        for key in loader.graph.nodes
    )


def ready() -> bool:
    """Every database answers and has every migration applied (one query each)."""
    try:
        for alias in connections:
            if alias != "default":
                with connections[alias].cursor() as cursor:
                    cursor.execute("SELECT 1")
        applied = set(
            MigrationRecorder.Migration.objects.using("default").values_list("app", "name")
        )
    except DatabaseError as error:
        logger.warning("Not ready: a database did not answer (%s).", error.__class__.__name__)
        return False
    missing = [
        key
        for key, replaces in expected_migrations()
        if key not in applied and not (replaces and applied.issuperset(replaces))
    ]
    if missing:
        logger.warning("Not ready: %d migrations are not applied.", len(missing))
        return False
    return True


CHECKS = {"/healthz": alive, "/readyz": ready}


class HealthCheckMiddleware:
    """Answers GET and HEAD on the health paths; everything else goes on down the chain."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        check = CHECKS.get(request.path_info.rstrip("/") or "/")
        if check is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        healthy = check()
        body = "ok\n" if healthy else "unavailable\n"
        response = HttpResponse(
            "" if request.method == "HEAD" else body,
            status=200 if healthy else 503,
            content_type="text/plain; charset=utf-8",
        )
        response["Cache-Control"] = "no-store"
        return response
