"""The six tag groups every repository starts with (names translated through the catalogue)."""

from django.db import migrations
from django.utils.translation import gettext_noop

DEFAULT_GROUPS = [
    ("theme", gettext_noop("Theme"), gettext_noop("What the finding is about.")),
    ("product-area", gettext_noop("Product area"), gettext_noop("Part of the product.")),
    (
        "journey-stage",
        gettext_noop("Journey stage"),
        gettext_noop("Stage of the customer journey."),
    ),
    ("segment", gettext_noop("Segment"), gettext_noop("Who the evidence comes from.")),
    ("emotion", gettext_noop("Emotion"), gettext_noop("How customers feel.")),
    ("channel", gettext_noop("Channel"), gettext_noop("Touchpoint: app, web, chat, phone...")),
]


def create_groups(apps, schema_editor):
    TagGroup = apps.get_model("insights", "TagGroup")
    for position, (slug, name, description) in enumerate(DEFAULT_GROUPS, start=1):
        TagGroup.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


def remove_groups(apps, schema_editor):
    TagGroup = apps.get_model("insights", "TagGroup")
    TagGroup.objects.filter(slug__in=[slug for slug, _, _ in DEFAULT_GROUPS], tags=None).delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
