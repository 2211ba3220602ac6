"""Contributors and curators pick owners of studies, insights and decisions.

The admin's owner picker searches users, which needs the permission to view them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITING_ROLES = ("Contributor", "Curator")


def grant_view_user(apps, schema_editor):
    auth_config = apps.get_app_config("auth")
    auth_config.models_module = True
    create_permissions(auth_config, apps=apps, verbosity=0)
    auth_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    for group in Group.objects.filter(name__in=EDITING_ROLES):
        group.permissions.add(permission)


def revoke_view_user(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="auth", codename="view_user")
    for group in Group.objects.filter(name__in=EDITING_ROLES):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0009_archived_insight_keeps_successor"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant_view_user, revoke_view_user)]
