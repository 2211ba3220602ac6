"""Observation rules: metric scales, unique external IDs, confidence kept current."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import search
from ..models import Insight, Observation, Participant, Tag
from .common import set_tags, validated_save
from .insights import insights_recompute_confidence


@transaction.atomic
def observation_save(
    *, observation: Observation, tags: Iterable[Tag] | None = None, user=None
) -> Observation:
    """Create or update an observation and re-grade the insights it backs.

    Its study or participant may have changed, and both count towards confidence.
    """
    if observation.pk is None and user is not None and observation.created_by_id is None:
        observation.created_by = user
    validated_save(observation)
    set_tags(observation, tags)
    search.index([observation])
    insights_recompute_confidence(
        insights=Insight.objects.filter(evidence__observation=observation)
    )
    return observation


def observation_create(*, tags: Iterable[Tag] = (), user=None, **fields) -> Observation:
    """Create an observation from field values (study, kind, text, participant, metric...)."""
    return observation_save(observation=Observation(**fields), tags=tags, user=user)


@transaction.atomic
def observation_delete(*, observation: Observation) -> None:
    """Delete an observation; one that backs an insight raises ProtectedError."""
    observation.delete()


class RowErrors(Exception):
    """Some rows of a bulk write are invalid; nothing was written.

    ``errors`` maps the row's index in the request to {field: [messages]}.
    """

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(f"{len(errors)} invalid rows")
        self.errors = errors


@dataclass
class BulkResult:
    created: list[Observation]
    updated: list[Observation]


# Fields a bulk row may set (besides participant_code and tags).
BULK_FIELDS = (
    "kind", "text", "observed_on", "source_url", "source_ref", "external_id", "metric", "score",
)  # fmt: skip


@transaction.atomic
def observations_bulk_upsert(
    *, study, rows: list[dict], user=None, dry_run: bool = False
) -> BulkResult:
    """Create or update many observations of one study, all or nothing.

    A row whose external_id the study already has updates that observation, so re-sending
    the same rows changes nothing twice. Every row is checked before anything is written;
    RowErrors lists each bad row's field messages. Rows are dicts of BULK_FIELDS plus
    optional "participant_code" and "tags" (a list of Tag objects, replacing the old ones).
    With ``dry_run`` it only checks, and reports what it would create and update.
    """
    external_ids = [row.get("external_id") for row in rows if row.get("external_id")]
    existing = {
        obs.external_id: obs
        for obs in Observation.objects.filter(study=study, external_id__in=external_ids)
    }
    codes = {row["participant_code"].strip().upper() for row in rows if row.get("participant_code")}
    participants = {p.code: p for p in Participant.objects.filter(code__in=codes)}
    errors: dict[int, dict[str, list[str]]] = {}
    seen_ids: dict[str, int] = {}
    observations: list[Observation] = []
    for index, row in enumerate(rows):
        row_errors: dict[str, list[str]] = {}
        external_id = row.get("external_id") or ""
        if external_id in seen_ids:
            row_errors["external_id"] = [
                _("Repeats the external ID of row %(row)d.") % {"row": seen_ids[external_id]}
            ]
        elif external_id:
            seen_ids[external_id] = index
        observation = existing.get(external_id) if external_id else None
        observation = observation or Observation(study=study, created_by=user)
        for name in BULK_FIELDS:
            if name in row:
                setattr(observation, name, row[name] if row[name] is not None else _empty(name))
        code = (row.get("participant_code") or "").strip().upper()
        if code and code not in participants:
            candidate = Participant(code=code)
            try:
                candidate.full_clean(validate_unique=False)
            except ValidationError as error:
                row_errors["participant"] = error.messages
            else:
                participants[code] = candidate
        try:
            # Relations are set by this function itself; uniqueness was checked above.
            observation.full_clean(
                exclude=["study", "participant", "created_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row_errors.setdefault(name, []).extend(messages)
        if row_errors:
            errors[index] = row_errors
        observations.append(observation)
    if errors:
        raise RowErrors(errors)
    if dry_run:
        return BulkResult(
            created=[obs for obs in observations if obs.pk is None],
            updated=[obs for obs in observations if obs.pk is not None],
        )

    Participant.objects.bulk_create([p for p in participants.values() if p.pk is None])
    for observation, row in zip(observations, rows, strict=True):
        code = (row.get("participant_code") or "").strip().upper()
        if "participant_code" in row:
            observation.participant = participants.get(code) if code else None
    created = [obs for obs in observations if obs.pk is None]
    updated = [obs for obs in observations if obs.pk is not None]
    now = timezone.now()
    for observation in updated:
        observation.updated_at = now  # bulk_update skips auto_now
    Observation.objects.bulk_create(created)
    if updated:
        Observation.objects.bulk_update(
            updated, [*BULK_FIELDS, "participant", "updated_at"], batch_size=500
        )
    _replace_tags(observations, rows)
    search.index_queryset(Observation.objects.filter(pk__in=[obs.pk for obs in observations]))
    insights_recompute_confidence(
        insights=Insight.objects.filter(evidence__observation__in=updated).distinct()
    )
    return BulkResult(created=created, updated=updated)


def _empty(name: str):
    """What a null in a bulk row means for a field: blank text, or no value."""
    return None if name in {"observed_on", "score"} else ""


def _replace_tags(observations: list[Observation], rows: list[dict]) -> None:
    through = Observation.tags.through
    tagged = [
        (obs, row["tags"]) for obs, row in zip(observations, rows, strict=True) if "tags" in row
    ]
    if not tagged:
        return
    through.objects.filter(observation_id__in=[obs.pk for obs, _ in tagged]).delete()
    through.objects.bulk_create(
        [through(observation_id=obs.pk, tag_id=tag.pk) for obs, tags in tagged for tag in tags],
        ignore_conflicts=True,
    )
