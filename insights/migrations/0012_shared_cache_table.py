"""The table of the database cache that every worker process shares (API rate limits).

`createcachetable` makes the tables of every database cache in CACHES and leaves existing ones
alone, so `migrate` is all an installation or an upgrade needs.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("insights", "0011_role_matrix")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
