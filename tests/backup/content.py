"""Emptying the repository between a backup and its restore, as a fresh installation is."""

from django.db import connection

from insights.defaults import DEFAULT_TAG_GROUP_SLUGS
from insights.models import RESEARCH_TABLES, InsightReview, TagGroup


def wipe_research_content() -> None:
    """Empty the repository; raw deletes, since the tag guard and PROTECT refuse ordinary ones.
    The default tag groups stay, as in a new installation."""
    for model in RESEARCH_TABLES:
        model.objects.all()._raw_delete(connection.alias)
    TagGroup.objects.exclude(slug__in=DEFAULT_TAG_GROUP_SLUGS).delete()


def research_counts() -> dict[str, int]:
    """Rows per table the backup carries (confirmation records are not in its format yet)."""
    carried = [model for model in RESEARCH_TABLES if model is not InsightReview]
    return {model.__name__: model.objects.count() for model in carried}
