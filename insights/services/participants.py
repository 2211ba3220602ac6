"""Participant rules: pseudonymous codes only."""

from collections.abc import Iterable

from django.db import transaction

from ..models import Participant, Tag
from .common import set_tags, validated_save


@transaction.atomic
def participant_save(*, participant: Participant, tags: Iterable[Tag] | None = None):
    """Create or update a participant and its segment tags."""
    participant.code = participant.code.strip().upper()
    validated_save(participant)
    set_tags(participant, tags)
    return participant


def participant_get_or_create(*, code: str) -> Participant:
    """The participant with this code, created on first use (imports, quick logging)."""
    existing = Participant.objects.filter(code=code.strip().upper()).first()
    return existing or participant_save(participant=Participant(code=code))
