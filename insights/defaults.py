"""What an empty repository starts with: the six tag groups that migration 0002 creates,
written out here because a migration is history, not a module to import. Their names are
translated through the catalogue."""

from django.utils.translation import gettext_noop

DEFAULT_TAG_GROUPS = [
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
DEFAULT_TAG_GROUP_SLUGS = frozenset(slug for slug, _name, _description in DEFAULT_TAG_GROUPS)


def ensure_default_tag_groups(apps, using: str) -> None:
    """Give a repository with no tag groups at all (a new or flushed database) the six
    defaults. One that has any is left alone, so a group a team deleted stays deleted."""
    TagGroup = apps.get_model("insights", "TagGroup")
    groups = TagGroup.objects.using(using)
    if groups.exists():
        return
    groups.bulk_create(
        TagGroup(slug=slug, name=name, description=description, position=position)
        for position, (slug, name, description) in enumerate(DEFAULT_TAG_GROUPS, start=1)
    )
