"""Writing many observations of one study at once: the one path the API's bulk endpoint, file
imports and the demo share.

Rows are checked in full before anything is written (tags, participant codes, field rules,
repeated IDs), and every problem is reported by row index and field. Then they are written in
a few set-based statements, with scrubbing, fingerprints, the search index and confidence kept
as for a single write.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import privacy, search
from ..history import current_surface, current_user
from ..models import Insight, Observation, Participant, Tag, TagGroup
from ..models.history import write_versions
from ..selectors import match_tags
from ..text import normalize_name
from .conflicts import WrittenIds, retry_on_conflict
from .insights import insights_recompute_confidence
from .tags import tag_create

# Fields a bulk row may set (besides participant_code and tags).
BULK_FIELDS = (
    "kind", "text", "observed_on", "source_url", "source_ref", "external_id", "metric", "score",
)  # fmt: skip
UPDATED_FIELDS = [
    *BULK_FIELDS, "participant", "scrubbed_count", "content_hash", "content_key", "updated_at",
]  # fmt: skip

# Row index -> field -> messages.
ErrorsByRow = dict[int, dict[str, list[str]]]


class RowErrors(Exception):
    """Some rows of a bulk write are invalid; nothing was written.

    ``errors`` maps the row's index to {field: [messages]}.
    """

    def __init__(self, errors: ErrorsByRow):
        super().__init__(f"{len(errors)} invalid rows")
        self.errors = errors


def add_error(errors: ErrorsByRow, index: int, name: str, messages: Iterable[str]) -> None:
    errors.setdefault(index, {}).setdefault(name, []).extend(messages)


class TagResolver:
    """Tag names, slugs or aliases -> tags, for many rows at once.

    Each batch costs three lookups for the values not seen before, whatever the number of rows;
    what was found is remembered across batches (a streamed import). Unknown values are errors,
    or new tags in ``create_in``.
    """

    def __init__(self, *, create_in: TagGroup | None = None):
        self.create_in = create_in
        self.known: dict[str, Tag | None] = {}
        self.created: list[str] = []
        self._failures: dict[str, list[str]] = {}
        self._new_by_name: dict[str, Tag] = {}

    def resolve(self, rows: Sequence[dict], errors: ErrorsByRow) -> None:
        """Replace each row's "tags" (names, or Tag objects) by the tags they name; unknown
        names become errors of the row's "tags" field."""
        wanted = {
            name
            for row in rows
            for name in row.get("tags") or ()
            if isinstance(name, str) and name not in self.known
        }
        if wanted:
            self._look_up(wanted)
        for index, row in enumerate(rows):
            if "tags" not in row:
                continue
            tags, problems = [], []
            for value in row["tags"] or ():
                tag = value if isinstance(value, Tag) else self.known.get(value)
                if tag is None:
                    problems.extend(
                        self._failures.get(value) or [_("Unknown tag “%(tag)s”.") % {"tag": value}]
                    )
                elif tag not in tags:
                    tags.append(tag)
            row["tags"] = tags
            if problems:
                add_error(errors, index, "tags", problems)

    def _look_up(self, values: set[str]) -> None:
        found = match_tags(values)
        for value in sorted(values):
            self.known[value] = found.get(value) or self._create(value)

    def _create(self, name: str) -> Tag | None:
        if self.create_in is None:
            return None
        # "Раздражение" and "раздражение" in one file are one new tag.
        key = normalize_name(name)
        if key in self._new_by_name:
            return self._new_by_name[key]
        try:
            tag = tag_create(name=name, group=self.create_in)
        except (ValidationError, IntegrityError) as error:
            # Another import may have created it since this one looked: use that tag.
            if found := match_tags({name}).get(name):
                self._new_by_name[key] = found
                return found
            if isinstance(error, IntegrityError):
                raise
            self._failures[name] = error.messages
            return None
        self.created.append(tag.name)
        self._new_by_name[key] = tag
        return tag


@dataclass
class BulkResult:
    created: list[Observation] = field(default_factory=list)
    updated: list[Observation] = field(default_factory=list)
    # Rows whose content repeats an earlier row of the same import (no external ID): merged.
    repeated: int = 0
    # What happened to each row, in order: "create", "update", "repeat" or "reject".
    actions: list[str] = field(default_factory=list)
    errors: ErrorsByRow = field(default_factory=dict)

    @property
    def created_count(self) -> int:
        return len(self.created)

    @property
    def updated_count(self) -> int:
        return len(self.updated)

    @property
    def ids(self) -> list[int]:
        """The ids of what was written: created first, then updated."""
        return [observation.pk for observation in self.created + self.updated]


@transaction.atomic
def observations_bulk_upsert(
    *,
    study,
    rows: list[dict],
    user=None,
    dry_run: bool = False,
    scrub: bool = True,
    tags: TagResolver | None = None,
    errors: ErrorsByRow | None = None,
    keep_valid_rows: bool = False,
    written: WrittenIds | None = None,
) -> BulkResult:
    """Create or update many observations of one study, all or nothing.

    A row whose external_id the study already has updates that observation; a row without one
    updates the observation with the same content (see compute_content_hash). So re-sending the
    same rows changes nothing twice. Rows are dicts of BULK_FIELDS plus optional
    "participant_code" and "tags" (names, slugs, aliases or Tag objects, replacing the old
    ones). ``errors`` are problems the caller already found while reading the rows; every row
    is checked and RowErrors lists every problem of every row. Personal data is scrubbed
    unless ``scrub`` is off. With ``dry_run`` it only checks and reports what it would do.

    A streamed import calls this once per chunk inside one transaction with
    ``keep_valid_rows``: the rows that are fine are written (so later chunks see them) and the
    problems come back in ``result.errors`` instead of being raised; ``written`` holds what
    its earlier chunks wrote, so a repeated external ID is an error and repeated content is
    merged.

    Another writer may insert the same rows between this one's reading and its writing: the
    database's unique constraints (external ID, content fingerprint, participant code) stop
    the second insert, and the rows are read again and updated instead. WriteConflict is
    raised when that keeps happening; nothing of this call is written then.
    """
    known = {index: dict(problems) for index, problems in (errors or {}).items()}
    (tags or TagResolver()).resolve(rows, known)

    def attempt() -> BulkResult:
        errors = {index: dict(problems) for index, problems in known.items()}
        return _upsert(
            study, rows, errors, user=user, dry_run=dry_run, scrub=scrub,
            keep_valid_rows=keep_valid_rows, written=written,
        )  # fmt: skip

    result = retry_on_conflict(attempt)
    if written is not None:
        for observation in result.created:
            written.add(observation.pk)
    return result


def _upsert(study, rows, errors, *, user, dry_run, scrub, keep_valid_rows, written) -> BulkResult:
    """One attempt at the bulk write: read what exists, match the rows, write them."""
    participants = _participants(rows)
    # A row that could not be read, or names unknown tags, reports that and nothing more.
    unreadable = set(errors)
    drafts = [
        None
        if index in unreadable
        else _draft(study, row, index, participants, errors, user=user, scrub=scrub)
        for index, row in enumerate(rows)
    ]
    result = BulkResult(errors=errors)
    observations = _match(study, drafts, rows, written, result)
    if result.errors and not keep_valid_rows:
        raise RowErrors(dict(sorted(result.errors.items())))
    result.errors = dict(sorted(result.errors.items()))
    kept = [(obs, row) for obs, row in zip(observations, rows, strict=True) if obs is not None]
    result.created = [obs for obs, _row in kept if obs.pk is None]
    result.updated = [obs for obs, _row in kept if obs.pk is not None]
    if not dry_run:
        _write(kept, result, participants, user=user)
    return result


def _participants(rows: list[dict]) -> dict[str, Participant]:
    """The participants the rows name, by code: those that exist (one query)."""
    codes = {row["participant_code"].strip().upper() for row in rows if row.get("participant_code")}
    return {p.code: p for p in Participant.objects.filter(code__in=codes)}


def _draft(study, row: dict, index: int, participants: dict, errors: ErrorsByRow, *, user, scrub):
    """A new, validated Observation holding one row's values; its problems go to ``errors``."""
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
            add_error(errors, index, "participant", error.messages)
        else:
            participants[code] = candidate
    if scrub:
        privacy.scrub_observation(draft)
    try:
        # Relations are set when writing; uniqueness is checked against the whole batch.
        draft.full_clean(
            exclude=["study", "participant", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            add_error(errors, index, name, messages)
    if index not in errors:
        draft.content_hash = draft.compute_content_hash(participant_code=code)
        # Content is what identifies a row without an external ID: the database keeps it unique.
        draft.content_key = None if draft.external_id else draft.content_hash
    return draft


def _match(study, drafts, rows, written: WrittenIds | None, result: BulkResult) -> list:
    """What each valid row becomes: a new observation, an existing one it updates, or None
    (rejected, or repeating an earlier row). Records actions and repeated-ID errors."""
    errors = result.errors
    valid = [draft for index, draft in enumerate(drafts) if index not in errors]
    existing_by_id, existing_by_hash = _existing(study, valid)
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
                message = _("Repeats the external ID of row %(row)d.") % {
                    "row": seen_ids[draft.external_id]
                }
                add_error(errors, index, "external_id", [message])
            seen_ids[draft.external_id] = index
            target = existing_by_id.get(draft.external_id)
            if target is not None and _written_by_this_import(target, written):
                add_error(
                    errors, index, "external_id", [_("Repeats the external ID of an earlier row.")]
                )
            if index in errors:
                observations.append(None)
                result.actions.append("reject")
                continue
        else:
            target = seen_hashes.get(draft.content_hash) or existing_by_hash.get(draft.content_hash)
            if target is not None and (
                draft.content_hash in seen_hashes or _written_by_this_import(target, written)
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
    return observations


def _existing(study, drafts: list[Observation]):
    """The study's observations these drafts match: by external ID, else by content."""
    if study.pk is None:
        return {}, {}  # a study being created (a dry run checks its rows) has none yet
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
        # The observation that holds the fingerprint, else the oldest with this content (one
        # entered by hand): the update then makes it the holder.
        if obs.content_key:
            by_hash[obs.content_hash] = obs
        else:
            by_hash.setdefault(obs.content_hash, obs)
    return by_id, by_hash


def _written_by_this_import(observation: Observation, written: WrittenIds | None) -> bool:
    return written is not None and observation.pk in written


def _apply(target: Observation, draft: Observation, row: dict) -> Observation:
    """Copy the fields a row gives onto the observation it updates."""
    for name in BULK_FIELDS:
        if name in row:
            setattr(target, name, getattr(draft, name))
    privacy.count_scrubbed(target)
    target.content_hash = draft.content_hash
    target.content_key = draft.content_key
    return target


def _merge_tags(observation: Observation, row: dict) -> None:
    """A repeated row may add tags to the observation an earlier row created."""
    if "tags" in row:
        observation._extra_tags = [*getattr(observation, "_extra_tags", []), *row["tags"]]


def _empty(name: str):
    """What a null in a bulk row means for a field: blank text, or no value."""
    return None if name in {"observed_on", "score"} else ""


def _write(
    kept: list[tuple[Observation, dict]], result: BulkResult, participants: dict, *, user
) -> None:
    """Insert and update the rows in a few statements, then their history, tags, index and
    grades."""
    _create_participants(participants)
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
    _write_history(result, user=user, now=now)  # after the tags: each version keeps them
    search.index_queryset(Observation.objects.filter(pk__in=[obs.pk for obs, _row in kept]))
    insights_recompute_confidence(
        insights=Insight.objects.filter(evidence__observation__in=result.updated).distinct()
    )


def _create_participants(participants: dict[str, Participant]) -> None:
    """Insert the new participants; a code another writer has just created is reused."""
    new = {code: p for code, p in participants.items() if p.pk is None}
    if not new:
        return
    Participant.objects.bulk_create(new.values(), ignore_conflicts=True)
    for participant in Participant.objects.filter(code__in=new):
        participants[participant.code] = participant
    if missing := [code for code, participant in participants.items() if participant.pk is None]:
        raise IntegrityError(f"participants not created: {missing[:5]}")


def _write_history(result: BulkResult, *, user, now) -> None:
    """One version per row, copied by the database in a statement per batch of 500 rows (not
    a query per row); who and from where come from the request or history_surface()."""
    user = user or current_user()
    for rows, history_type in ((result.created, "+"), (result.updated, "~")):
        if rows:
            write_versions(
                Observation,
                [obs.pk for obs in rows],
                history_type=history_type,
                user_id=getattr(user, "pk", None),
                surface=current_surface(),
                date=now,
            )


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
