"""Service rules: confidence on its boundaries, publishing, superseding, archiving, tag
merges that move every kind of use, and decision history."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from insights.confidence import EvidenceSummary
from insights.models import (
    DecisionStatusChange,
    Evidence,
    Insight,
    InsightLink,
    Participant,
    Study,
    Tag,
    TagAlias,
    TagGroup,
)
from insights.services import (
    decision_create,
    decision_set_status,
    evidence_add,
    evidence_delete,
    evidence_save,
    insight_archive,
    insight_create,
    insight_link_add,
    insight_publish,
    insight_save,
    insight_supersede,
    observation_create,
    observation_save,
    participant_get_or_create,
    study_create,
    study_save,
    tag_create,
    tag_merge,
    tag_save,
)

pytestmark = pytest.mark.django_db


# --- Confidence grades on their boundaries (pure rule) ------------------------------------


@pytest.mark.parametrize(
    "supporting, contradicting, participants, studies, grade",
    [
        (3, 0, 3, 2, "high"),  # the minimum for high
        (4, 1, 3, 2, "high"),  # 1 contradiction is under a third of 4
        (3, 1, 3, 2, "medium"),  # 1 is not under a third of 3
        (6, 2, 3, 2, "medium"),  # 2 is exactly a third of 6: not under it
        (3, 0, 2, 2, "medium"),  # only 2 participants
        (3, 0, 3, 1, "medium"),  # only 1 study
        (2, 0, 2, 1, "medium"),  # 2 observations from 2 participants
        (2, 0, 1, 2, "medium"),  # ...or from 2 studies
        (2, 0, 1, 1, "low"),  # same participant, same study
        (1, 0, 1, 1, "low"),
        (0, 3, 0, 0, "low"),
        (5, 0, 0, 1, "low"),  # no participants and one study
    ],
)
def test_grade_boundaries(supporting, contradicting, participants, studies, grade):
    summary = EvidenceSummary(supporting, contradicting, participants, studies, ())
    assert summary.grade() == grade


def test_explanation_in_english_and_russian():
    summary = EvidenceSummary(4, 1, 3, 2, ("interview", "survey"))
    expected = (
        "4 observations from 3 participants in 2 studies (in-depth interview, survey); "
        "1 contradicting"
    )
    assert summary.explain() == expected
    with override("ru"):
        assert summary.explain() == (
            "4 наблюдения от 3 участников в 2 исследованиях (глубинное интервью, опрос); "
            "1 опровергает"
        )
    assert EvidenceSummary(1, 0, 1, 1, ("interview",)).explain() == (
        "1 observation from 1 participant in 1 study (in-depth interview)"
    )
    assert EvidenceSummary().explain() == "No supporting observations yet"


# --- Confidence kept current through the services --------------------------------------


@pytest.fixture
def studies():
    return (
        study_create(title="Interviews", method="interview"),
        study_create(title="Survey", method="survey"),
    )


def quote(study, code, text="quote"):
    return observation_create(
        study=study, text=text, participant=participant_get_or_create(code=code)
    )


def test_adding_evidence_raises_the_grade_step_by_step(studies):
    interviews, survey = studies
    insight = insight_create(statement="Users prefer chat")
    steps = [
        (quote(interviews, "P-1"), "low"),
        (quote(interviews, "P-2"), "medium"),
        (quote(survey, "P-3"), "high"),
    ]
    for observation, grade in steps:
        evidence_add(insight=insight, observation=observation)
        insight.refresh_from_db()
        assert insight.confidence == grade
    assert (insight.supporting_count, insight.participant_count, insight.study_count) == (3, 3, 2)
    assert insight.methods == ["interview", "survey"]


def test_contradictions_and_removals_lower_the_grade(studies):
    interviews, survey = studies
    observations = [quote(interviews, "P-1"), quote(interviews, "P-2"), quote(survey, "P-3")]
    insight = insight_create(statement="A", evidence=[{"observation": o} for o in observations])
    contradiction = evidence_add(
        insight=insight, observation=quote(survey, "P-4"), relation="contradicts"
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


def test_changing_an_observation_or_a_study_method_regrades(studies):
    interviews, survey = studies
    a, b = quote(interviews, "P-1"), quote(interviews, "P-1")
    insight = insight_create(statement="A", evidence=[{"observation": a}, {"observation": b}])
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


# --- Publishing, superseding, archiving -----------------------------------------------------


@pytest.fixture
def supported(studies):
    observation = quote(studies[0], "P-1")
    return insight_create(statement="Supported", evidence=[{"observation": observation}])


def test_publishing_needs_a_supporting_observation(supported, studies):
    bare = insight_create(statement="Bare")
    with pytest.raises(ValidationError, match="supporting observation"):
        insight_publish(insight=bare)
    evidence_add(insight=bare, observation=quote(studies[0], "P-9"), relation="contradicts")
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


def published(statement: str, observation) -> Insight:
    """A published insight: only a published finding may succeed another."""
    insight = insight_create(statement=statement, evidence=[{"observation": observation}])
    return insight_publish(insight=insight)


def test_superseding_sets_the_successor_and_refuses_self_and_cycles(supported):
    evidence = supported.evidence.get().observation
    b, c = published("B", evidence), published("C", evidence)
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
        insight_supersede(insight=supported, successor=insight_create(statement="Draft"))


def test_an_archived_insight_cannot_replace_another(supported):
    archived = insight_archive(insight=insight_create(statement="Old"))
    with pytest.raises(ValidationError):
        insight_supersede(insight=supported, successor=archived)


def test_archiving_keeps_everything_linked(supported):
    tag = tag_create(name="Чат", group=TagGroup.objects.get(slug="channel"))
    supported.tags.add(tag)
    other = insight_create(statement="Other")
    insight_link_add(from_insight=supported, to_insight=other)
    decision = decision_create(title="Do it", insights=[supported])
    insight_archive(insight=supported)
    assert supported.status == "archived"
    assert supported.evidence.count() == 1 and list(supported.tags.all()) == [tag]
    assert InsightLink.objects.filter(from_insight=supported).exists()
    assert list(decision.insights.all()) == [supported]
    insight_publish(insight=supported)  # and can come back
    assert supported.status == "published"


def test_links_are_one_per_pair_in_either_direction(supported):
    other = insight_create(statement="Other")
    insight_link_add(from_insight=supported, to_insight=other)
    with pytest.raises(ValidationError):
        insight_link_add(from_insight=other, to_insight=supported, kind="contradicts")


# --- Tag merge ---------------------------------------------------------------------------


@pytest.fixture
def tagged(studies):
    theme = TagGroup.objects.get(slug="theme")
    source = tag_create(name="Онбординг", group=theme, aliases=["onboarding"])
    target = tag_create(name="Первый опыт", group=theme)
    child = tag_create(name="KYC", group=theme, parent=source)
    study = studies[0]
    study.tags.add(source, target)  # carries both: must end with the target once
    observation = observation_create(study=study, text="q", tags=[source])
    insight = insight_create(statement="A", tags=[source])
    participant = participant_get_or_create(code="P-1")
    participant.tags.add(source)
    return locals()


def test_merge_moves_every_use_names_aliases_and_children(tagged):
    source, target = tagged["source"], tagged["target"]
    plans = tag_merge(sources=[source], target=target)
    assert (plans[0].studies, plans[0].observations, plans[0].insights, plans[0].participants) == (
        1,
        1,
        1,
        1,
    )
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert list(tagged["study"].tags.all()) == [target]
    assert list(tagged["observation"].tags.all()) == [target]
    assert list(tagged["insight"].tags.all()) == [target]
    assert list(Participant.objects.get(code="P-1").tags.all()) == [target]
    assert set(TagAlias.objects.filter(tag=target).values_list("name", flat=True)) == {
        "Онбординг",
        "onboarding",
    }
    tagged["child"].refresh_from_db()
    assert tagged["child"].parent == target


def test_merge_refuses_itself_and_descendants(tagged):
    with pytest.raises(ValidationError):
        tag_merge(sources=[tagged["source"]], target=tagged["source"])
    with pytest.raises(ValidationError):
        tag_merge(sources=[tagged["source"]], target=tagged["child"])


def test_merge_is_all_or_nothing(tagged):
    source, target, child = tagged["source"], tagged["target"], tagged["child"]
    # The second source fails (it is the target's... parent's child: a descendant case).
    with pytest.raises(ValidationError):
        tag_merge(sources=[child, target], target=target)
    assert Tag.objects.filter(pk=child.pk).exists()
    assert list(Tag.objects.get(pk=child.pk).aliases.all()) == []
    assert source.studies.count() == 1


# --- Decisions and studies ----------------------------------------------------------------


def test_decision_history_records_every_status_with_its_date(supported):
    decision = decision_create(title="Add chat", insights=[supported])
    decision_set_status(decision=decision, status="accepted", note="Agreed")
    decision_set_status(decision=decision, status="shipped")
    history = list(
        DecisionStatusChange.objects.filter(decision=decision).values_list(
            "from_status", "to_status", "note"
        )
    )
    assert history == [
        ("", "proposed", ""),
        ("proposed", "accepted", "Agreed"),
        ("accepted", "shipped", ""),
    ]
    assert decision.decided_on is not None


def test_study_slugs_come_from_titles_and_stay_unique():
    first = study_create(title="Интервью с клиентами", method="interview")
    second = study_create(title="Интервью с клиентами", method="interview")
    assert (first.slug, second.slug) == ("intervyu-s-klientami", "intervyu-s-klientami-2")
    assert Study.objects.count() == 2


def test_archiving_a_superseded_insight_keeps_its_successor(supported):
    successor = published("Newer", supported.evidence.get().observation)
    insight_supersede(insight=supported, successor=successor)
    insight_archive(insight=supported)
    supported.refresh_from_db()
    assert (supported.status, supported.superseded_by) == ("archived", successor)
    with pytest.raises(ValidationError, match="superseded"):
        insight_publish(insight=supported)


def test_moving_a_parent_tag_to_another_group_moves_the_tags_below_it():
    theme, emotion = TagGroup.objects.get(slug="theme"), TagGroup.objects.get(slug="emotion")
    parent = tag_create(name="Доверие", group=theme)
    child = tag_create(name="Доверие к банку", group=theme, parent=parent)
    grandchild = tag_create(name="Доверие к поддержке", group=theme, parent=child)
    parent.group = emotion
    tag_save(tag=parent)
    assert {t.group for t in Tag.objects.filter(pk__in=[child.pk, grandchild.pk])} == {emotion}
    child.refresh_from_db()
    child.full_clean()  # still a valid tree
