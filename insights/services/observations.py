"""Observation rules: metric scales, unique external IDs, confidence kept current."""

from collections.abc import Iterable

from django.db import transaction

from .. import privacy, search
from ..models import Insight, Observation, Tag
from .common import previous_values, set_tags, validated_save
from .insights import insights_recompute_confidence


@transaction.atomic
def observation_save(
    *,
    observation: Observation,
    tags: Iterable[Tag] | None = None,
    user=None,
    scrub: bool = True,
) -> Observation:
    """Create or update an observation and re-grade the insights it backs.

    Personal data in its text and source is replaced by placeholders unless ``scrub`` is off.
    Its study or participant may have changed, and both count towards confidence.
    """
    if observation.pk is None and user is not None and observation.created_by_id is None:
        observation.created_by = user
    if scrub:
        privacy.scrub_observation(observation)
    privacy.count_scrubbed(observation)
    observation.content_hash = observation.compute_content_hash()
    _keep_content_key(observation)
    validated_save(observation)
    set_tags(observation, tags)
    search.index([observation])
    insights_recompute_confidence(
        insights=Insight.objects.filter(evidence__observation=observation)
    )
    return observation


def _keep_content_key(observation: Observation) -> None:
    """An observation keeps the fingerprint imports match on only while its content, study and
    lack of an external ID stay as they were; imports find it by its content otherwise."""
    if observation.content_key is None:
        return
    before = previous_values(observation, "study_id", "content_hash")
    unchanged = before == {
        "study_id": observation.study_id,
        "content_hash": observation.content_hash,
    }
    if not unchanged or observation.external_id:
        observation.content_key = None


def observation_create(
    *, tags: Iterable[Tag] = (), user=None, scrub: bool = True, **fields
) -> Observation:
    """Create an observation from field values (study, kind, text, participant, metric...)."""
    return observation_save(observation=Observation(**fields), tags=tags, user=user, scrub=scrub)


@transaction.atomic
def observation_delete(*, observation: Observation) -> None:
    """Delete an observation; one that backs an insight raises ProtectedError."""
    observation.delete()
