"""Make the Viewer, Contributor and Curator groups hold exactly the permissions of the matrix."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from ...access import sync_roles


class Command(BaseCommand):
    help = _(
        "Give the Viewer, Contributor and Curator groups exactly the permissions that "
        "insights/access.py defines (migrate does this too). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Change nothing; exit with an error if a role differs from the matrix."),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=_("Database alias."))

    def handle(self, *args, check, database, **options):
        changes = sync_roles(using=database, dry_run=check)
        for change in changes:
            if change.missing:
                raise CommandError(
                    _("Role %(role)s names unknown permissions: %(permissions)s.")
                    % {"role": change.role, "permissions": ", ".join(change.missing)}
                )
            if not change.changed:
                self.stdout.write(_("%(role)s: up to date.") % {"role": change.role})
                continue
            if change.created:
                self.stdout.write(_("%(role)s: group created.") % {"role": change.role})
            for verb, names in ((_("granted"), change.added), (_("revoked"), change.removed)):
                if names:
                    self.stdout.write(
                        _("%(role)s: %(verb)s %(permissions)s")
                        % {"role": change.role, "verb": verb, "permissions": ", ".join(names)}
                    )
        if check and any(change.changed for change in changes):
            raise CommandError(_("The roles differ from the matrix; run sync_roles to fix them."))
