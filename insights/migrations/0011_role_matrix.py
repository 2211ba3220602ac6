"""The role groups follow the matrix in insights.access from here on.

Migrations 0003, 0006, 0008 and 0010 granted the roles piece by piece; this applies the one
matrix. Later changes to it are applied after every migrate (see InsightsConfig.ready) and by
``manage.py sync_roles``.
"""

from django.db import migrations


def apply_matrix(apps, schema_editor):
    from insights.access import sync_roles

    sync_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0010_owners_visible_to_editors"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(apply_matrix, migrations.RunPython.noop)]
