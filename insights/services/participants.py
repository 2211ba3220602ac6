"""Participant rules: pseudonymous codes only; consent that expires unlinks the evidence."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import search
from ..models import Insight, Observation, Participant, Tag
from .common import set_tags, validated_save
from .insights import insights_recompute_confidence


@transaction.atomic
def participant_save(*, participant: Participant, tags: Iterable[Tag] | None = None):
    """Create or update a participant and its segment tags."""
    participant.code = participant.code.strip().upper()
    validated_save(participant)
    set_tags(participant, tags)
    return participant


@transaction.atomic
def participant_delete(*, participant: Participant) -> None:
    """Delete a participant; their observations stay as evidence without a participant.

    Confidence counts distinct participants, so the insights those observations back are
    re-graded, and the observations are re-indexed and re-fingerprinted.
    """
    observations = list(Observation.objects.filter(participant=participant))
    insights = Insight.objects.filter(evidence__observation__in=observations).distinct()
    insight_ids = list(insights.values_list("pk", flat=True))
    participant.delete()
    now = timezone.now()
    for observation in observations:
        observation.participant = None
        observation.content_hash = observation.compute_content_hash(participant_code="")
        observation.content_key = None  # its new content may be another observation's
        observation.updated_at = now
    Observation.objects.bulk_update(observations, ["content_hash", "content_key", "updated_at"])
    search.index(observations)
    insights_recompute_confidence(insights=Insight.objects.filter(pk__in=insight_ids))


def participant_get_or_create(*, code: str) -> Participant:
    """The participant with this code, created on first use (imports, quick logging).

    When another request creates the same code at the same moment, its participant is used.
    """
    code = code.strip().upper()
    if existing := Participant.objects.filter(code=code).first():
        return existing
    try:
        with transaction.atomic():
            return participant_save(participant=Participant(code=code))
    except (IntegrityError, ValidationError):
        # Created meanwhile by another writer (the unique code), or a code that is not valid.
        if existing := Participant.objects.filter(code=code).first():
            return existing
        raise


CONSENT_MODES = ("anonymise", "remove")
# No 0/O or 1/I: codes are read aloud and copied by hand.
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class ConsentExpiryResult:
    """What participants_expire_consent did (or, in a dry run, would do).

    Old codes are listed, but never which new code replaced which: that link is what
    anonymising removes.
    """

    mode: str
    dry_run: bool
    codes: list[str] = field(default_factory=list)
    observations: int = 0
    insights: int = 0

    @property
    def participants(self) -> int:
        return len(self.codes)


@transaction.atomic
def participants_expire_consent(
    *, today: date, mode: str = "anonymise", dry_run: bool = False
) -> ConsentExpiryResult:
    """Unlink the evidence of participants whose consent expired before ``today``.

    ``anonymise`` moves each one's observations to a new participant with a random code that
    keeps the segment tags (no notes, no consent date), so insights keep their confidence;
    ``remove`` leaves the observations without a participant. Either way the evidence stays,
    the old participant is deleted, the search index and confidence are updated, all or
    nothing. ``dry_run`` only counts.
    """
    if mode not in CONSENT_MODES:
        raise ValueError(f"mode must be one of {CONSENT_MODES}, not {mode!r}")
    expired = list(
        Participant.objects.select_for_update()
        .filter(consent_expires_on__lt=today)
        .prefetch_related("tags")
        .order_by("code")
    )
    observations = list(
        Observation.objects.filter(participant__in=expired).select_related("participant")
    )
    insights = list(Insight.objects.filter(evidence__observation__in=observations).distinct())
    result = ConsentExpiryResult(
        mode=mode,
        dry_run=dry_run,
        codes=[participant.code for participant in expired],
        observations=len(observations),
        insights=len(insights),
    )
    if dry_run or not expired:
        return result

    replacements: dict[int, Participant | None] = {}
    for participant in expired:
        replacements[participant.pk] = (
            participant_save(
                participant=Participant(code=_anonymous_code()), tags=participant.tags.all()
            )
            if mode == "anonymise"
            else None
        )
    now = timezone.now()
    for observation in observations:
        observation.participant = replacements[observation.participant_id]
        # The fingerprint includes the participant's code; keep it true to the stored row.
        observation.content_hash = observation.compute_content_hash()
        observation.content_key = None
        observation.updated_at = now  # API clients syncing by updated_at see the change
    Observation.objects.bulk_update(
        observations,
        ["participant", "content_hash", "content_key", "updated_at"],
        batch_size=500,
    )
    Participant.objects.filter(pk__in=[participant.pk for participant in expired]).delete()
    search.index_queryset(Observation.objects.filter(pk__in=[obs.pk for obs in observations]))
    insights_recompute_confidence(insights=insights)
    return result


def _anonymous_code() -> str:
    """A fresh code such as ANON-7F3K2Q that no participant has."""
    while True:
        code = "ANON-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if not Participant.objects.filter(code=code).exists():
            return code
