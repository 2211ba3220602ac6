"""Every role may manage its own API tokens (the admin shows a user only their own)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TOKEN_PERMISSIONS = ["view_apitoken", "add_apitoken", "delete_apitoken"]
ROLES = ["Viewer", "Contributor", "Curator"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("insights")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="insights", codename__in=TOKEN_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="insights", codename__in=TOKEN_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("insights", "0005_api_tokens")]

    operations = [migrations.RunPython(grant, revoke)]
