"""Write a complete, versioned JSON backup of the repository."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...backup import export_backup
from ...exports import write_file


class Command(BaseCommand):
    help = _(
        "Write a complete JSON backup of the repository: tag groups, tags, aliases, "
        "participants, studies, observations, insights, evidence, links, decisions and their "
        "status history, with ids and timestamps, and the users they name (no passwords, no "
        "e-mail addresses). Restore it with import_repository."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help=_(
                "File to write, or - for standard output. The file appears only once "
                "complete: a failed backup leaves no half-written file."
            ),
        )

    def handle(self, *args, path, **options):
        if path == "-":
            for chunk in export_backup():
                self.stdout.write(chunk, ending="")
            return
        try:
            write_file(path, export_backup())
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(_("Backup written to %(path)s.") % {"path": path}))
