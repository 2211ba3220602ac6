"""Observation rules: metric scales, unique external IDs, confidence kept current."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import privacy, search
from ..models import Insight, Observation, Participant, Tag
from .common import set_tags, validated_save
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
    validated_save(observation)
    set_tags(observation, tags)
    search.index([observation])
    insights_recompute_confidence(
        insights=Insight.objects.filter(evidence__observation=observation)
    )
    return observation


def observation_create(
    *, tags: Iterable[Tag] = (), user=None, scrub: bool = True, **fields
) -> Observation:
    """Create an observation from field values (study, kind, text, participant, metric...)."""
    return observation_save(observation=Observation(**fields), tags=tags, user=user, scrub=scrub)


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
    created: list[Observation] = field(default_factory=list)
    updated: list[Observation] = field(default_factory=list)
    # Rows whose content repeats an earlier row of the same import (no external ID): merged.
    repeated: int = 0
    # What happened to each row, in order: "create", "update" or "repeat".
    actions: list[str] = field(default_factory=list)


# Fields a bulk row may set (besides participant_code and tags).
BULK_FIELDS = (
    "kind", "text", "observed_on", "source_url", "source_ref", "external_id", "metric", "score",
)  # fmt: skip


@transaction.atomic
def observations_bulk_upsert(
    *,
    study,
    rows: list[dict],
    user=None,
    dry_run: bool = False,
    scrub: bool = True,
    written_from_pk: int | None = None,
) -> BulkResult:
    """Create or update many observations of one study, all or nothing.

    A row whose external_id the study already has updates that observation; a row without
    one updates the observation with the same content (see compute_content_hash). So
    re-sending the same rows changes nothing twice. Every row is checked before anything is
    written; RowErrors lists each bad row's field messages. Rows are dicts of BULK_FIELDS
    plus optional "participant_code" and "tags" (a list of Tag objects, replacing the old
    ones). Personal data is scrubbed unless ``scrub`` is off. With ``dry_run`` it only
    checks, and reports what it would create and update.

    An import that streams a large file calls this once per chunk inside one transaction,
    passing ``written_from_pk``: observations with a pk at or above it were written by its
    earlier chunks, so a repeated external ID is an error and repeated content is merged.
    """
    codes = {row["participant_code"].strip().upper() for row in rows if row.get("participant_code")}
    participants = {p.code: p for p in Participant.objects.filter(code__in=codes)}
    errors: dict[int, dict[str, list[str]]] = {}
    drafts: list[Observation] = []
    for index, row in enumerate(rows):
        draft, row_errors = _draft(study, row, participants, user=user, scrub=scrub)
        if row_errors:
            errors[index] = row_errors
        drafts.append(draft)

    existing_by_id, existing_by_hash = _existing(study, drafts)
    result = BulkResult()
    observations: list[Observation | None] = []
    seen_ids: dict[str, int] = {}
    seen_hashes: dict[str, Observation] = {}
    for index, (draft, row) in enumerate(zip(drafts, rows, strict=True)):
        if index in errors:
            observations.append(None)
            result.actions.append("reject")
            continue
        target = None
        if draft.external_id:
            if draft.external_id in seen_ids:
                errors.setdefault(index, {})["external_id"] = [
                    _("Repeats the external ID of row %(row)d.")
                    % {"row": seen_ids[draft.external_id]}
                ]
            seen_ids[draft.external_id] = index
            target = existing_by_id.get(draft.external_id)
            if target is not None and _written_by_this_import(target, written_from_pk):
                errors.setdefault(index, {})["external_id"] = [
                    _("Repeats the external ID of an earlier row.")
                ]
        else:
            target = seen_hashes.get(draft.content_hash) or existing_by_hash.get(draft.content_hash)
            if target is not None and (
                draft.content_hash in seen_hashes
                or _written_by_this_import(target, written_from_pk)
            ):
                result.repeated += 1
                result.actions.append("repeat")
                _merge_tags(target, row)
                observations.append(None)
                continue
        result.actions.append("update" if target is not None else "create")
        observation = _apply(target, draft, row) if target is not None else draft
        if not draft.external_id:
            seen_hashes[draft.content_hash] = observation
        observations.append(observation)
    if errors:
        raise RowErrors(dict(sorted(errors.items())))

    kept = [(obs, row) for obs, row in zip(observations, rows, strict=True) if obs is not None]
    result.created = [obs for obs, _row in kept if obs.pk is None]
    result.updated = [obs for obs, _row in kept if obs.pk is not None]
    if dry_run:
        return result

    Participant.objects.bulk_create([p for p in participants.values() if p.pk is None])
    for observation, row in kept:
        if "participant_code" in row or observation.pk is None:
            code = (row.get("participant_code") or "").strip().upper()
            observation.participant = participants.get(code) if code else None
    now = timezone.now()
    for observation in result.updated:
        observation.updated_at = now  # bulk_update skips auto_now
    Observation.objects.bulk_create(result.created, batch_size=500)
    if result.updated:
        Observation.objects.bulk_update(result.updated, UPDATED_FIELDS, batch_size=500)
    _replace_tags(kept)
    written = [obs.pk for obs, _row in kept]
    search.index_queryset(Observation.objects.filter(pk__in=written))
    insights_recompute_confidence(
        insights=Insight.objects.filter(evidence__observation__in=result.updated).distinct()
    )
    return result


UPDATED_FIELDS = [*BULK_FIELDS, "participant", "scrubbed_count", "content_hash", "updated_at"]


def _draft(study, row: dict, participants: dict, *, user, scrub: bool):
    """A new, validated Observation holding one row's values, and the row's errors."""
    row_errors: dict[str, list[str]] = {}
    draft = Observation(study=study, created_by=user)
    for name in BULK_FIELDS:
        if name in row:
            setattr(draft, name, row[name] if row[name] is not None else _empty(name))
    draft.external_id = (draft.external_id or "").strip()
    code = (row.get("participant_code") or "").strip().upper()
    if code and code not in participants:
        candidate = Participant(code=code)
        try:
            candidate.full_clean(validate_unique=False)
        except ValidationError as error:
            row_errors["participant"] = error.messages
        else:
            participants[code] = candidate
    if scrub:
        privacy.scrub_observation(draft)
    try:
        # Relations are set by the caller; uniqueness is checked against the whole batch.
        draft.full_clean(
            exclude=["study", "participant", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            row_errors.setdefault(name, []).extend(messages)
    if not row_errors:
        draft.content_hash = draft.compute_content_hash(participant_code=code)
    return draft, row_errors


def _existing(study, drafts: list[Observation]):
    """The study's observations these drafts match: by external ID, else by content."""
    ids = {draft.external_id for draft in drafts if draft.external_id}
    hashes = {draft.content_hash for draft in drafts if not draft.external_id}
    by_id = {
        obs.external_id: obs
        # Excluding blank IDs lets the database use the partial unique index on external IDs.
        for obs in Observation.objects.filter(study=study, external_id__in=ids)
        .exclude(external_id="")
        .select_related("participant")
    }
    by_hash: dict[str, Observation] = {}
    matches = Observation.objects.filter(
        study=study, external_id="", content_hash__in=hashes
    ).order_by("pk")
    for obs in matches.select_related("participant"):
        by_hash.setdefault(obs.content_hash, obs)
    return by_id, by_hash


def _written_by_this_import(observation: Observation, written_from_pk: int | None) -> bool:
    return written_from_pk is not None and observation.pk >= written_from_pk


def _apply(target: Observation, draft: Observation, row: dict) -> Observation:
    """Copy the fields a row gives onto the observation it updates."""
    for name in BULK_FIELDS:
        if name in row:
            setattr(target, name, getattr(draft, name))
    privacy.count_scrubbed(target)
    target.content_hash = draft.content_hash
    return target


def _merge_tags(observation: Observation, row: dict) -> None:
    """A repeated row may add tags to the observation an earlier row created."""
    if "tags" in row:
        observation._extra_tags = [*getattr(observation, "_extra_tags", []), *row["tags"]]


def _empty(name: str):
    """What a null in a bulk row means for a field: blank text, or no value."""
    return None if name in {"observed_on", "score"} else ""


def _replace_tags(kept: list[tuple[Observation, dict]]) -> None:
    through = Observation.tags.through
    tagged = [
        (obs, [*row["tags"], *getattr(obs, "_extra_tags", [])])
        for obs, row in kept
        if "tags" in row
    ]
    if not tagged:
        return
    through.objects.filter(observation_id__in=[obs.pk for obs, _tags in tagged]).delete()
    through.objects.bulk_create(
        [through(observation_id=obs.pk, tag_id=tag.pk) for obs, tags in tagged for tag in tags],
        ignore_conflicts=True,
    )
