"""Versions keep the object's links from now on; the latest version of each existing object
gets the links it has at the upgrade, so the next change can say what changed in them and
a revert to it brings them back. Older versions stay without links (not recorded)."""

from django.db import migrations
from django.db.models import Max

# The tracked models with links, and their link fields (see models.history.link_fields).
LINKED = {
    "study": ("tags",),
    "observation": ("tags",),
    "insight": ("tags",),
    "decision": ("insights", "target_tags"),
}
BATCH = 1000


def record_current_links(apps, schema_editor):
    for name, fields in LINKED.items():
        model = apps.get_model("insights", name)
        history = apps.get_model("insights", f"historical{name}")
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            _record(model, history, fields, pks[start : start + BATCH])


def _record(model, history, fields, pks):
    links = {pk: {field: [] for field in fields} for pk in pks}
    for name in fields:
        field = model._meta.get_field(name)
        rows = field.remote_field.through.objects.filter(
            **{f"{field.m2m_column_name()}__in": pks}
        ).values_list(field.m2m_column_name(), field.m2m_reverse_name())
        for owner, linked in rows:
            links[owner][name].append(linked)
    latest = history.objects.filter(id__in=pks).values("id").annotate(last=Max("history_id"))
    versions = list(
        history.objects.filter(
            history_id__in=[row["last"] for row in latest], history_links__isnull=True
        ).exclude(history_type="-")
    )
    for version in versions:
        version.history_links = links[version.id]
    history.objects.bulk_update(versions, ["history_links"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_squashed_0020")]

    operations = [migrations.RunPython(record_current_links, migrations.RunPython.noop)]
