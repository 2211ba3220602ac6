"""Pasted observations go through the bulk path: all or nothing, problems located by line."""

from datetime import date

import pytest

from insights.models import Observation, Participant, Study
from insights.services import observations_paste

from ..factories import ParticipantFactory, TagFactory

pytestmark = pytest.mark.django_db

TABLE = (
    "Текст\tРеспондент\tДата\tТеги\tNPS\n"
    "Не нашёл, где ввести код\tP-101\t01.06.2026\tОнбординг\t\n"
    "Кешбэк пришёл через неделю\tp-101\t2026-06-01\tКешбэк; Онбординг\t\n"
    "\tP-101\t01.06.2026\t\t6\n"
)


@pytest.fixture
def tags(onboarding):
    return {"onboarding": onboarding, "cashback": TagFactory(name="Кешбэк")}


def test_a_pasted_table_becomes_observations_participants_and_tags(study, tags):
    result = observations_paste(study=study, text=TABLE)
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    quote, cashback, score = study.observations.order_by("pk")
    assert quote.participant.code == "P-101" and quote.observed_on == date(2026, 6, 1)
    assert list(quote.tags.all()) == [tags["onboarding"]]
    assert set(cashback.tags.all()) == {tags["onboarding"], tags["cashback"]}
    assert (score.kind, score.metric, score.score, score.text) == ("metric", "nps", 6, "")
    assert Participant.objects.filter(code="P-101").count() == 1


def test_pasting_the_same_rows_again_updates_instead_of_duplicating(study, tags):
    observations_paste(study=study, text=TABLE)
    again = observations_paste(study=study, text=TABLE)
    assert (again.created, again.updated) == (0, 3)
    assert study.observations.count() == 3


def test_problems_are_listed_by_line_and_nothing_is_written(study, tags):
    ParticipantFactory(code="P-001")
    text = TABLE + "Ещё\tP-001\t31.02.2026\tНет такого тега\t11\n"
    result = observations_paste(study=study, text=text)
    found = {(p.location, p.field) for p in result.errors}
    assert found == {("line 5", "date"), ("line 5", "tags")}
    assert not Observation.objects.exists()
    assert list(Participant.objects.values_list("code", flat=True)) == ["P-001"]


def test_a_bad_score_is_reported_once_the_row_reads(study):
    result = observations_paste(study=study, text="Текст\tNPS\nПлохо\t11\n")
    assert [(p.location, p.field) for p in result.errors] == [("line 2", "score")]


def test_a_study_not_saved_yet_can_be_checked(tags):
    unsaved = Study(title="Новое", method="interview")
    result = observations_paste(study=unsaved, text=TABLE, dry_run=True)
    assert (result.created, result.errors) == (3, [])
    assert not Observation.objects.exists() and not Participant.objects.exists()
    bad = observations_paste(study=unsaved, text="Текст\tТеги\nА\tНет такого\n", dry_run=True)
    assert [(p.location, p.field) for p in bad.errors] == [("line 2", "tags")]


def test_plain_lines_are_quotes(study):
    result = observations_paste(study=study, text="Первая цитата\nВторая цитата\n")
    assert result.created == 2
    assert set(study.observations.values_list("kind", flat=True)) == {"quote"}
