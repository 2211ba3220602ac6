"""A database that applied only some of the migrations the squashed one replaces.

Django then neither runs the squashed migration nor the old steps (they are no longer in the
repository), so ``migrate`` would report nothing to do over an incomplete schema. This check,
which ``migrate`` runs first, stops it and says what to do instead.
"""

from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _


@checks.register(checks.Tags.database)
def replaced_migrations_applied_in_full(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        loader = MigrationLoader(connections[alias])
        for (app, _name), migration in loader.replacements.items():
            if app != "insights":
                continue
            applied = [key for key in migration.replaces if key in loader.applied_migrations]
            if applied and len(applied) < len(migration.replaces):
                errors.append(
                    checks.Error(
                        _("This database stopped at migration insights.%(step)s.")
                        % {"step": applied[-1][1]},
                        hint=_(
                            "Install the last release that still has the separate migrations "
                            "(up to %(last)s), run migrate with it, then upgrade to this one."
                        )
                        % {"last": migration.replaces[-1][1]},
                        id="insights.E001",
                    )
                )
    return errors
