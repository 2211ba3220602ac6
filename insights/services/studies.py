"""Study rules: readable unique slugs, date order, confidence kept current on method changes."""

from collections.abc import Iterable

from django.db import transaction

from .. import search
from ..models import Insight, Study, Tag
from ..text import unique_slug
from .common import previous_values, set_tags, validated_save
from .insights import insights_recompute_confidence


@transaction.atomic
def study_save(*, study: Study, tags: Iterable[Tag] | None = None) -> Study:
    """Create or update a study; a method change re-grades the insights its evidence backs."""
    before = previous_values(study, "method")
    if not study.slug:
        study.slug = unique_slug(Study, study.title, instance_pk=study.pk, max_length=80)
    validated_save(study)
    set_tags(study, tags)
    search.index([study])
    if before and before["method"] != study.method:
        insights_recompute_confidence(
            insights=Insight.objects.filter(evidence__observation__study=study).distinct()
        )
    return study


def study_create(*, tags: Iterable[Tag] = (), **fields) -> Study:
    """Create a study from field values (title, method, status, dates, owner...)."""
    return study_save(study=Study(**fields), tags=tags)


@transaction.atomic
def study_archive(*, study: Study) -> Study:
    """Archive a study: it stays with its observations and evidence, out of the active lists."""
    study.status = Study.Status.ARCHIVED
    return study_save(study=study)
