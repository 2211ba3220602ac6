"""What code serving a request may need to know wherever it runs: the request's id and user,
and whether it has written to the database yet (for the replica router).

The context lives in a context variable, so it is per thread (gunicorn's threaded workers) and
per task; it is set by RequestContextMiddleware and cleared when Django finishes the response,
after its own last log line about the request.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.signals import request_finished
from django.utils.functional import empty

if TYPE_CHECKING:
    from django.http import HttpRequest

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a proxy is kept when it cannot break a log line or a header: UUIDs, hex trace ids,
# "Root=1-..."-style ids without the "=" and such.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

access_log = logging.getLogger("repository.requests")


@dataclass
class RequestContext:
    request_id: str
    request: "HttpRequest"
    wrote: bool = False

    @property
    def user_id(self) -> int | None:
        """The signed-in user's id once something has looked the user up; never a query."""
        user = self.request.__dict__.get("user")
        # AuthenticationMiddleware sets a lazy object; evaluating it here could run a query
        # from inside a logging call, so only a user someone already loaded counts.
        wrapped = getattr(user, "_wrapped", None)
        if wrapped is not None:
            user = None if wrapped is empty else wrapped
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return user.pk


_current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def current() -> RequestContext | None:
    """The context of the request being served by this thread, or None outside requests."""
    return _current.get()


def request_id_for(request) -> str:
    """The proxy's X-Request-ID when it is sane, otherwise a new random id."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Gives each request an id (returned as X-Request-ID) and logs one line when it is answered.

    The line holds the method, the path without its query string (search words stay out of
    the logs), the status and the duration.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(request_id=request_id_for(request), request=request)
        _current.set(context)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = context.request_id
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        access_log.info(
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


def _forget_request(**kwargs) -> None:
    _current.set(None)


request_finished.connect(_forget_request, dispatch_uid="repository.request_context")
