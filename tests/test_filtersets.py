"""The shared FilterSets: tags (all/any, parents, aliases), facets and every insight filter."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone
from django_filters.utils import translate_validation

from insights.filtersets import InsightFilterSet, ObservationFilterSet, StudyFilterSet
from insights.models import Insight, Observation, Study
from insights.selectors import tag_facets

from .factories import (
    DecisionFactory,
    EvidenceFactory,
    InsightFactory,
    MetricObservationFactory,
    ObservationFactory,
    StudyFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def run(params: str, queryset=None, filterset_class=InsightFilterSet):
    filterset = filterset_class(QueryDict(params), queryset=queryset or Insight.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset


def statements(params: str) -> set[str]:
    return {insight.statement for insight in run(params).qs}


@pytest.fixture
def tags(onboarding, kyc):
    return {"onboarding": onboarding, "kyc": kyc, "chat": TagFactory(name="Чат", group="channel")}


@pytest.fixture
def insights(tags):
    return {
        "onb": InsightFactory(statement="Onboarding too long", tags=[tags["onboarding"]]),
        "kyc": InsightFactory(statement="Document check fails", tags=[tags["kyc"]]),
        "chat": InsightFactory(statement="Chat preferred", tags=[tags["chat"]]),
        "both": InsightFactory(
            statement="Chat during onboarding", tags=[tags["onboarding"], tags["chat"]]
        ),
    }


def test_one_tag_includes_its_children(insights, tags):
    assert statements(f"tag={tags['onboarding'].slug}") == {
        "Onboarding too long",
        "Document check fails",
        "Chat during onboarding",
    }


def test_several_tags_all_must_match_by_default(insights, tags):
    params = f"tag={tags['onboarding'].slug}&tag={tags['chat'].slug}"
    assert statements(params) == {"Chat during onboarding"}


def test_tag_mode_any_matches_either(insights, tags):
    params = f"tag={tags['kyc'].slug}&tag={tags['chat'].slug}&tag_mode=any"
    assert statements(params) == {
        "Document check fails",
        "Chat preferred",
        "Chat during onboarding",
    }


def test_alias_and_name_work_like_the_slug(insights, tags):
    by_slug = statements(f"tag={tags['onboarding'].slug}")
    assert statements("tag=onboarding") == by_slug
    assert statements("tag=ОНБОРДИНГ") == by_slug


def test_unknown_tag_is_a_clear_error(insights):
    filterset = InsightFilterSet(QueryDict("tag=nope"), queryset=Insight.objects.all())
    assert not filterset.is_valid()
    assert "nope" in str(filterset.errors["tag"])


def test_tag_group(insights):
    assert statements("tag_group=channel") == {"Chat preferred", "Chat during onboarding"}


def test_words_and_tags_combine(insights, tags):
    assert statements(f"q=chat&tag={tags['onboarding'].slug}") == {"Chat during onboarding"}


@pytest.fixture
def evidence_world():
    interview = StudyFactory(title="Interviews", method="interview", slug="interviews")
    survey = StudyFactory(title="Survey", method="survey")
    a = ObservationFactory(study=interview, text="I prefer chat", participant=None)
    b = ObservationFactory(study=survey, text="Chat is faster", participant=None)
    published = InsightFactory(
        statement="Chat preferred", evidence=[{"observation": a}], published=True
    )
    draft = InsightFactory(statement="Chat is faster than phone", evidence=[{"observation": b}])
    EvidenceFactory(insight=draft, observation=a)
    return {"interview": interview, "survey": survey, "published": published, "draft": draft}


def test_status_confidence_study_and_method(evidence_world):
    interview = evidence_world["interview"]
    assert statements("status=published") == {"Chat preferred"}
    assert statements("status=draft&status=published") == {
        "Chat preferred",
        "Chat is faster than phone",
    }
    assert statements("confidence=medium") == {"Chat is faster than phone"}
    assert statements(f"study={interview.pk}") == {"Chat preferred", "Chat is faster than phone"}
    assert statements("study=interviews") == {"Chat preferred", "Chat is faster than phone"}
    assert statements("method=survey") == {"Chat is faster than phone"}


def test_owner_dates_and_decisions(evidence_world):
    owner = UserFactory(username="anna")
    insight = evidence_world["published"]
    insight.owner = owner
    insight.save()
    DecisionFactory(title="Add chat", insights=[insight])
    assert statements("owner=anna") == {"Chat preferred"}
    assert statements(f"owner={owner.pk}") == {"Chat preferred"}
    assert statements("has_decisions=true") == {"Chat preferred"}
    assert statements("has_decisions=false") == {"Chat is faster than phone"}
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert statements(f"created_after={tomorrow}") == set()
    assert len(statements(f"created_before={tomorrow}")) == 2
    assert len(statements("updated_after=2020-01-01T00:00:00Z")) == 2


@pytest.mark.parametrize(
    "params, field",
    [
        ("updated_after=yesterday", "updated_after"),
        ("status=bogus", "status"),
        ("confidence=certain", "confidence"),
        ("ordering=-password", "ordering"),
    ],
)
def test_bad_values_are_field_errors(params, field):
    filterset = InsightFilterSet(QueryDict(params), queryset=Insight.objects.all())
    assert not filterset.is_valid()
    assert field in filterset.errors


def test_ordering_by_confidence_and_relevance(evidence_world):
    ordered = [i.statement for i in run("ordering=-confidence").qs]
    assert ordered == ["Chat is faster than phone", "Chat preferred"]
    filterset = run("q=chat")
    assert filterset.current_ordering == "relevance"
    assert run("").current_ordering == "-updated_at"


def test_facets_count_the_current_results(insights, tags):
    results = run(f"tag={tags['chat'].slug}").qs
    facets = tag_facets(results, {tags["chat"].pk})
    counts = {item.tag.name: item.count for group in facets for item in group.tags}
    assert counts == {"Чат": 2, "Онбординг": 1}
    selected = [item.tag.name for group in facets for item in group.tags if item.selected]
    assert selected == ["Чат"]


def test_facets_use_two_queries_whatever_the_size(tags, django_assert_num_queries):
    for n in range(30):
        InsightFactory(statement=f"Insight {n}", tags=[tags["chat"], tags["onboarding"]])
    with django_assert_num_queries(2):
        tag_facets(Insight.objects.all())


def test_study_and_observation_filtersets(tags):
    study = StudyFactory(title="Chat study", method="interview", tags=[tags["chat"]])
    StudyFactory(title="Other", method="survey")
    ObservationFactory(
        study=study, text="Hello chat", kind="quote", tags=[tags["kyc"]], participant=None
    )
    MetricObservationFactory(study=study, metric="nps", score=9)
    studies = run("method=interview", Study.objects.all(), StudyFilterSet).qs
    assert [s.title for s in studies] == ["Chat study"]
    observations = run(
        f"study={study.slug}&tag={tags['onboarding'].slug}",
        Observation.objects.all(),
        ObservationFilterSet,
    ).qs
    assert [o.text for o in observations] == ["Hello chat"]
    metrics = run("metric=nps", Observation.objects.all(), ObservationFilterSet).qs
    assert [o.score_display for o in metrics] == ["9"]


def test_an_unknown_tag_that_looks_like_a_format_string_is_a_plain_error():
    form_data = QueryDict("tag=User+%23%25%28index%29d&tag=%25s")
    filterset = InsightFilterSet(form_data, queryset=Insight.objects.all())
    assert not filterset.is_valid()
    # What the API's filter backend does with the errors (it used to raise TypeError here).
    detail = translate_validation(filterset.errors).detail
    assert "User #%(index)d" in str(detail["tag"][0])
