"""Set up a working repository with demo data and start the development server, with a
background worker beside it for the jobs it queues (large admin imports)."""

import secrets
import signal
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _(
        "Migrate the database, load the demo data, create a demo superuser if there is none, "
        "and start the development server with a background worker beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help=_("Address and port to serve on.")
        )
        parser.add_argument(
            "--no-server", action="store_true", help=_("Set everything up but do not serve.")
        )
        parser.add_argument("--username", default="demo", help=_("Login of the demo superuser."))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_("Do not start a background worker (run manage.py db_worker yourself)."),
        )

    def handle(self, *args, addrport, no_server, username, no_worker, **options):
        verbosity = options["verbosity"]
        self.stdout.write(_("Applying database migrations…"))
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        # A no-op unless CACHE_URL=db:// (the table that shares throttling counts).
        call_command("createcachetable", verbosity=max(verbosity - 1, 0))
        self.stdout.write(_("Loading demo data…"))
        call_command("load_demo", verbosity=verbosity)
        self._ensure_superuser(username)
        if no_server:
            return
        worker = None if no_worker else self._start_worker()
        self.stdout.write(
            self.style.SUCCESS(_("Open http://%(addrport)s/ and log in.") % {"addrport": addrport})
        )
        # A plain `kill` (SIGTERM) ends the server through the `finally` below, as Ctrl-C does,
        # so the worker does not outlive it.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            # No autoreloader: it would run migrations and the demo load again in a child.
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()

    def _start_worker(self) -> subprocess.Popen:
        """The process that runs queued jobs, as `manage.py db_worker` does in production."""
        self.stdout.write(_("Starting a background worker (manage.py db_worker)…"))
        manage = str(settings.BASE_DIR / "manage.py")
        return subprocess.Popen(
            [sys.executable, manage, "db_worker", "--no-reload", "--verbosity", "0"]
        )

    def _ensure_superuser(self, username: str) -> None:
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                _(
                    "A superuser already exists; log in with it "
                    "(reset a password with: python manage.py changepassword %(username)s)."
                )
                % {"username": users.objects.filter(is_superuser=True).first().get_username()}
            )
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo superuser created. Login: %(username)s  Password: %(password)s")
                % {"username": username, "password": password}
            )
        )
