"""Insight services: confidence kept current by evidence changes, publishing, superseding,
archiving and links."""

import pytest
from django.core.exceptions import ValidationError

from insights.models import Evidence, Insight, InsightLink
from insights.services import (
    evidence_add,
    evidence_delete,
    evidence_save,
    insight_archive,
    insight_link_add,
    insight_publish,
    insight_save,
    insight_supersede,
)

from ..factories import DecisionFactory, InsightFactory, ObservationFactory, TagFactory

pytestmark = pytest.mark.django_db


# --- Confidence kept current through the services --------------------------------------


def test_adding_evidence_raises_the_grade_step_by_step(studies):
    interviews, survey = studies
    insight = InsightFactory(statement="Users prefer chat")
    steps = [
        (ObservationFactory(study=interviews, participant__code="P-1"), "low"),
        (ObservationFactory(study=interviews, participant__code="P-2"), "medium"),
        (ObservationFactory(study=survey, participant__code="P-3"), "high"),
    ]
    for observation, grade in steps:
        evidence_add(insight=insight, observation=observation)
        insight.refresh_from_db()
        assert insight.confidence == grade
    assert (insight.supporting_count, insight.participant_count, insight.study_count) == (3, 3, 2)
    assert insight.methods == ["interview", "survey"]


def test_contradictions_and_removals_lower_the_grade(studies):
    interviews, survey = studies
    observations = [
        ObservationFactory(study=interviews, participant__code="P-1"),
        ObservationFactory(study=interviews, participant__code="P-2"),
        ObservationFactory(study=survey, participant__code="P-3"),
    ]
    insight = InsightFactory(statement="A", evidence=[{"observation": o} for o in observations])
    contradiction = evidence_add(
        insight=insight,
        observation=ObservationFactory(study=survey, participant__code="P-4"),
        relation="contradicts",
    )
    insight.refresh_from_db()
    assert (insight.confidence, insight.contradicting_count) == ("medium", 1)
    evidence_delete(evidence=contradiction)
    insight.refresh_from_db()
    assert insight.confidence == "high"
    first = insight.evidence.get(observation=observations[0])
    first.relation = "contradicts"
    evidence_save(evidence=first)
    insight.refresh_from_db()
    assert (insight.supporting_count, insight.contradicting_count, insight.confidence) == (
        2,
        1,
        "medium",
    )


# --- Publishing, superseding, archiving -----------------------------------------------------


def test_publishing_needs_a_supporting_observation(supported, studies):
    bare = InsightFactory(statement="Bare")
    with pytest.raises(ValidationError, match="supporting observation"):
        insight_publish(insight=bare)
    evidence_add(
        insight=bare,
        observation=ObservationFactory(study=studies[0], participant__code="P-9"),
        relation="contradicts",
    )
    with pytest.raises(ValidationError):
        insight_publish(insight=bare)  # contradicting evidence does not count
    insight_publish(insight=supported)
    assert supported.status == "published" and supported.published_at is not None


def test_a_published_insight_keeps_at_least_one_supporting_observation(supported):
    insight_publish(insight=supported)
    evidence = supported.evidence.get()
    with pytest.raises(ValidationError):
        evidence_delete(evidence=evidence)
    evidence.relation = "contradicts"
    with pytest.raises(ValidationError):
        evidence_save(evidence=evidence)
    assert Evidence.objects.get(pk=evidence.pk).relation == "supports"


def test_status_changes_only_through_the_actions(supported):
    supported.status = "published"
    with pytest.raises(ValidationError):
        insight_save(insight=supported)
    assert Insight.objects.get(pk=supported.pk).status == "draft"


def test_superseding_sets_the_successor_and_refuses_self_and_cycles(supported):
    # Only a published finding may succeed another.
    evidence = [{"observation": supported.evidence.get().observation}]
    b = InsightFactory(statement="B", evidence=evidence, published=True)
    c = InsightFactory(statement="C", evidence=evidence, published=True)
    with pytest.raises(ValidationError):
        insight_supersede(insight=supported, successor=supported)
    insight_supersede(insight=supported, successor=b)
    insight_supersede(insight=b, successor=c)
    assert (supported.status, supported.superseded_by) == ("superseded", b)
    with pytest.raises(ValidationError, match="cycle"):
        insight_supersede(insight=c, successor=supported)  # c -> a -> b -> c
    c.refresh_from_db()
    assert c.status == "published"


def test_a_draft_cannot_succeed_another_insight(supported):
    with pytest.raises(ValidationError, match="publish it first"):
        insight_supersede(insight=supported, successor=InsightFactory(statement="Draft"))


def test_an_archived_insight_cannot_replace_another(supported):
    archived = insight_archive(insight=InsightFactory(statement="Old"))
    with pytest.raises(ValidationError):
        insight_supersede(insight=supported, successor=archived)


def test_archiving_keeps_everything_linked(supported):
    tag = TagFactory(name="Чат", group="channel")
    supported.tags.add(tag)
    other = InsightFactory(statement="Other")
    insight_link_add(from_insight=supported, to_insight=other)
    decision = DecisionFactory(title="Do it", insights=[supported])
    insight_archive(insight=supported)
    assert supported.status == "archived"
    assert supported.evidence.count() == 1 and list(supported.tags.all()) == [tag]
    assert InsightLink.objects.filter(from_insight=supported).exists()
    assert list(decision.insights.all()) == [supported]
    insight_publish(insight=supported)  # and can come back
    assert supported.status == "published"


def test_links_are_one_per_pair_in_either_direction(supported):
    other = InsightFactory(statement="Other")
    insight_link_add(from_insight=supported, to_insight=other)
    with pytest.raises(ValidationError):
        insight_link_add(from_insight=other, to_insight=supported, kind="contradicts")


def test_archiving_a_superseded_insight_keeps_its_successor(supported):
    successor = InsightFactory(
        statement="Newer",
        evidence=[{"observation": supported.evidence.get().observation}],
        published=True,
    )
    insight_supersede(insight=supported, successor=successor)
    insight_archive(insight=supported)
    supported.refresh_from_db()
    assert (supported.status, supported.superseded_by) == ("archived", successor)
    with pytest.raises(ValidationError, match="superseded"):
        insight_publish(insight=supported)
