"""Where a change came from: the surface (admin, API, site, import, command) and the user.

The change history (django-simple-history) reads both when it writes a historical row. The
middleware sets them for every request; imports, background jobs and commands wrap their
work in ``history_surface(...)``. The innermost setting wins, so a file import started from
the admin is recorded as an import.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import models
from django.utils.translation import gettext_lazy as _


class Surface(models.TextChoices):
    ADMIN = "admin", _("admin")
    API = "api", _("API")
    SITE = "site", _("site")
    IMPORT = "import", _("import")
    COMMAND = "command", _("command")


_surface: ContextVar[str] = ContextVar("history_surface", default="")
_user: ContextVar = ContextVar("history_user", default=None)


def current_surface() -> str:
    return _surface.get()


def current_user():
    """The user set by history_surface(), when no request says who it is."""
    return _user.get()


@contextmanager
def history_surface(surface: str, *, user=None) -> Iterator[None]:
    """Record every change made inside as coming from ``surface`` (and ``user`` if given)."""
    surface_token = _surface.set(surface)
    user_token = _user.set(user) if user is not None else None
    try:
        yield
    finally:
        _surface.reset(surface_token)
        if user_token is not None:
            _user.reset(user_token)


def surface_of_path(path: str) -> str:
    if path.startswith("/admin/"):
        return Surface.ADMIN
    if path.startswith("/api/"):
        return Surface.API
    return Surface.SITE


class HistorySurfaceMiddleware:
    """Requests under /admin/ are admin changes, under /api/ API changes, others the site's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with history_surface(surface_of_path(request.path_info)):
            return self.get_response(request)


def command_surface(handle):
    """Decorates a management command's handle(): its changes come from the command line."""

    @wraps(handle)
    def wrapper(self, *args, **options):
        with history_surface(Surface.COMMAND):
            return handle(self, *args, **options)

    return wrapper
