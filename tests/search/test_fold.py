"""Case and ё/е folding for fields that have no search document, on both databases."""

import pytest

from insights.models import Decision, Participant
from insights.search.fold import fold

from ..factories import DecisionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_fold_lowers_every_alphabet_and_reads_yo_as_ye():
    assert fold("ЁЛКА Onboarding") == "елка onboarding"
    assert fold(None) is None


def test_the_database_folds_cyrillic_case_and_yo():
    DecisionFactory(title="Перенести Ёлку в ОНБОРДИНГ")
    DecisionFactory(title="Другое")
    found = Decision.objects.filter(title__folded__contains=fold("елку в онбординг"))
    assert [d.title for d in found] == ["Перенести Ёлку в ОНБОРДИНГ"]


def test_folding_matches_participant_codes_in_any_case():
    ParticipantFactory(code="P-014")
    assert Participant.objects.filter(code__folded__contains="p-01").count() == 1
    assert Participant.objects.filter(code__folded__contains="x").count() == 0
