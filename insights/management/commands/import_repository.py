"""Restore a JSON backup made by export_repository into an empty repository."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...backup import BackupError, load_backup, restore_backup
from ...history import command_surface


class Command(BaseCommand):
    help = _(
        "Restore a backup made by export_repository into an empty repository (a fresh "
        "database after migrate). Every row or none is written; ids and timestamps are kept; "
        "users missing here are created inactive, without a usable password; the search index "
        "is rebuilt."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("Backup file to read."))

    @command_surface
    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8-sig") as file:
                data = load_backup(file)
            summary = restore_backup(data)
        except OSError as error:
            raise CommandError(
                _("Could not read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        except BackupError as error:
            raise CommandError(f"{path}: {error}") from error
        for warning in summary.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if options["verbosity"] > 0:
            counts = ", ".join(f"{key}: {count}" for key, count in summary.counts.items())
            self.stdout.write(
                self.style.SUCCESS(_("Backup restored (%(counts)s).") % {"counts": counts})
            )
            if summary.created_users:
                self.stdout.write(
                    _(
                        "Created %(count)d inactive users without passwords (%(users)s); "
                        "activate them and set passwords in the admin to let them sign in."
                    )
                    % {
                        "count": len(summary.created_users),
                        "users": ", ".join(summary.created_users),
                    }
                )
