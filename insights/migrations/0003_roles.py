"""Roles as groups: Viewer reads, Contributor logs research, Curator keeps it tidy and decides."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "taggroup", "tag", "tagalias", "participant", "study", "observation", "insight", "evidence",
    "insightlink", "decision", "decisionstatuschange",
]  # fmt: skip

VIEWER = [f"view_{model}" for model in MODELS]
CONTRIBUTOR = [
    *VIEWER,
    "add_study", "change_study",
    "add_observation", "change_observation",
    "add_participant", "change_participant",
    "add_insight", "change_insight",
    "add_evidence", "change_evidence", "delete_evidence",
    "add_insightlink", "change_insightlink", "delete_insightlink",
    "add_tag", "add_tagalias",
]  # fmt: skip
CURATOR = [
    *CONTRIBUTOR,
    "delete_study", "delete_observation", "delete_participant", "delete_insight",
    "publish_insight", "supersede_insight", "archive_insight",
    "change_tag", "delete_tag", "merge_tag", "change_tagalias", "delete_tagalias",
    "add_taggroup", "change_taggroup", "delete_taggroup",
    "add_decision", "change_decision", "delete_decision",
]  # fmt: skip

ROLES = {"Viewer": VIEWER, "Contributor": CONTRIBUTOR, "Curator": CURATOR}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now to assign them.
    app_config = apps.get_app_config("insights")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label="insights", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Missing permissions for role {role}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_default_tag_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
