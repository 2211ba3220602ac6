"""Observation services: a changed observation or study method re-grades what it backs."""

import pytest

from insights.services import observation_save, participant_get_or_create, study_save

from ..factories import InsightFactory, ObservationFactory

pytestmark = pytest.mark.django_db


def test_changing_an_observation_or_a_study_method_regrades(studies):
    interviews, survey = studies
    a = ObservationFactory(study=interviews, participant__code="P-1")
    b = ObservationFactory(study=interviews, participant__code="P-1")
    insight = InsightFactory(statement="A", evidence=[{"observation": a}, {"observation": b}])
    insight.refresh_from_db()
    assert insight.confidence == "low"  # one participant, one study
    b.participant = participant_get_or_create(code="P-2")
    observation_save(observation=b)
    insight.refresh_from_db()
    assert insight.confidence == "medium"
    b.study = survey
    observation_save(observation=b)
    insight.refresh_from_db()
    assert insight.study_count == 2 and insight.methods == ["interview", "survey"]
    survey.method = "usability_test"
    study_save(study=survey)
    insight.refresh_from_db()
    assert insight.methods == ["interview", "usability_test"]
