"""Logging in few steps: participants typed by code, publishing on the first save, and an
evidence picker that shows where each observation came from."""

from datetime import date

import pytest
from django.urls import reverse

from insights.models import Insight, Participant, Study

from ..factories import (
    InsightFactory,
    MetricObservationFactory,
    ObservationFactory,
    ParticipantFactory,
    StudyFactory,
)
from .forms import inline_management, study_form

pytestmark = pytest.mark.django_db


def new_study(**rows) -> dict:
    """The study add form with observation rows given as {"0-text": ...}."""
    return study_form(
        **{
            **inline_management("observations", 3),
            # Untouched rows send what they show, as a browser does.
            **{f"observations-{n}-kind": "quote" for n in range(3)},
            **{f"observations-{key}": value for key, value in rows.items()},
        }
    )


def test_a_new_participant_code_typed_in_a_row_is_created(admin_client):
    ParticipantFactory(code="P-001")
    payload = new_study(
        **{"0-kind": "quote", "0-text": "Не нашёл, где ввести код", "0-participant_code": "p-101"},
        **{"1-kind": "quote", "1-text": "Долго ждал СМС", "1-participant_code": "P-101 "},
        **{"2-kind": "quote", "2-text": "Всё понятно", "2-participant_code": "P-001"},
    )
    response = admin_client.post(reverse("admin:insights_study_add"), payload)
    assert response.status_code == 302
    study = Study.objects.get(title="Интервью об онбординге")
    codes = [o.participant.code for o in study.observations.order_by("pk")]
    assert codes == ["P-101", "P-101", "P-001"]
    assert Participant.objects.count() == 2


def test_a_bad_code_is_a_row_error_and_makes_nobody(admin_client):
    payload = new_study(
        **{"0-kind": "quote", "0-text": "Первая", "0-participant_code": "P-102"},
        **{"1-kind": "quote", "1-text": "Вторая", "1-participant_code": "Иван Петров"},
    )
    response = admin_client.post(reverse("admin:insights_study_add"), payload)
    assert response.status_code == 200
    assert "Use a pseudonymous code such as P-014" in response.content.decode()
    assert not Participant.objects.exists() and not Study.objects.exists()


def test_a_row_with_only_a_score_is_a_metric_reading(admin_client):
    payload = new_study(**{"0-kind": "quote", "0-metric": "nps", "0-score": "6"})
    assert admin_client.post(reverse("admin:insights_study_add"), payload).status_code == 302
    reading = Study.objects.get().observations.get()
    assert (reading.kind, reading.metric, reading.score) == ("metric", "nps", 6)


def test_rows_show_participant_codes(admin_client):
    study = StudyFactory()
    ObservationFactory(study=study, participant__code="P-555")
    page = admin_client.get(reverse("admin:insights_study_change", args=[study.pk]))
    assert 'value="P-555"' in page.content.decode()


def new_insight(*observations, **extra) -> dict:
    payload = {
        "statement": "Новички не находят, где ввести код из СМС",
        "details": "",
        "owner": "",
        "review_by": "",
        **inline_management("evidence", 2),
        **inline_management("links_out", 0),
        **{f"evidence-{n}-relation": "supports" for n in range(2)},
        **extra,
    }
    for n, observation in enumerate(observations):
        payload[f"evidence-{n}-observation"] = observation.pk
    return payload


def test_curators_publish_a_new_insight_with_its_first_save(admin_client):
    quote = ObservationFactory(text="Не нашёл, где ввести код")
    add_url = reverse("admin:insights_insight_add")
    assert "Save and publish" in admin_client.get(add_url).content.decode()
    response = admin_client.post(add_url, new_insight(quote, _publish="1"), follow=True)
    insight = Insight.objects.get()
    assert insight.status == "published" and insight.published_at is not None
    assert [e.observation for e in insight.evidence.all()] == [quote]
    assert "Published" in response.content.decode()


def test_publishing_on_the_first_save_still_needs_support(admin_client):
    response = admin_client.post(reverse("admin:insights_insight_add"), new_insight(_publish="1"))
    assert response.status_code == 200
    assert "Add at least one supporting observation before publishing." in (
        response.content.decode()
    )
    assert not Insight.objects.exists()


def test_contributors_are_not_offered_publishing(client, sign_in_staff):
    sign_in_staff("Contributor")
    quote = ObservationFactory()
    add_url = reverse("admin:insights_insight_add")
    assert "Save and publish" not in client.get(add_url).content.decode()
    assert client.post(add_url, new_insight(quote, _publish="1")).status_code == 302
    assert Insight.objects.get().status == "draft"


def picker(client, term: str = "", insight: Insight | None = None, field: str = "observation"):
    params = {
        "app_label": "insights",
        "model_name": "evidence",
        "field_name": field,
        "term": term,
    }
    if insight is not None:
        params["insight"] = insight.pk
    return client.get(reverse("admin:insights_observation_evidence_picker"), params)


def test_the_picker_labels_observations_with_study_participant_and_date(admin_client):
    study = StudyFactory(title="Онбординг Q2")
    ObservationFactory(
        study=study, text="Код из СМС не пришёл", participant__code="P-101",
        observed_on=date(2026, 6, 1),
    )  # fmt: skip
    MetricObservationFactory(study=study, score=6, observed_on=date(2026, 6, 2))
    admin_client.cookies["django_language"] = "ru"
    labels = sorted(row["text"] for row in picker(admin_client, "онбординг").json()["results"])
    assert labels == [
        "Онбординг Q2 · 2 июня 2026 г. — NPS: 6",
        "Онбординг Q2 · P-101 · 1 июня 2026 г. — Код из СМС не пришёл",
    ]


def test_the_picker_hides_what_the_insight_already_has(admin_client):
    linked, other = ObservationFactory(text="Кешбэк пришёл"), ObservationFactory(text="Кешбэк мал")
    insight = InsightFactory(evidence=[{"observation": linked}])
    ids = [int(row["id"]) for row in picker(admin_client, "кешбэк", insight).json()["results"]]
    assert ids == [other.pk]
    everything = [int(row["id"]) for row in picker(admin_client, "кешбэк").json()["results"]]
    assert sorted(everything) == sorted([linked.pk, other.pk])


def test_the_change_page_asks_the_picker_for_this_insight(admin_client):
    quote = ObservationFactory(text="Кешбэк пришёл", participant__code="P-777")
    insight = InsightFactory(evidence=[{"observation": quote}])
    html = admin_client.get(reverse("admin:insights_insight_change", args=[insight.pk]))
    text = html.content.decode()
    assert f"evidence-picker/?insight={insight.pk}" in text
    assert "P-777" in text and quote.study.title in text  # the chosen row's label too


def test_the_picker_serves_evidence_rows_only(admin_client):
    assert picker(admin_client, field="insight").status_code == 403


def test_the_picker_leaves_out_nothing_for_an_insight_the_user_may_not_see(client, sign_in_staff):
    sign_in_staff("Viewer")
    linked = ObservationFactory(text="Кешбэк пришёл")
    draft = InsightFactory(evidence=[{"observation": linked}])
    ids = [int(row["id"]) for row in picker(client, "кешбэк", draft).json()["results"]]
    assert ids == [linked.pk]


def test_the_picker_costs_the_same_few_queries_for_a_full_page(
    admin_client, django_assert_max_num_queries
):
    for n in range(30):
        ObservationFactory(text=f"Кешбэк {n}", participant__code=f"P-{n + 200}")
    with django_assert_max_num_queries(8):
        results = picker(admin_client, "кешбэк").json()["results"]
    assert len(results) == 20


def test_an_insight_page_costs_the_same_few_queries_for_any_amount_of_evidence(
    admin_client, django_assert_max_num_queries
):
    study = StudyFactory()
    quotes = [
        ObservationFactory(study=study, text=f"Цитата {n}", participant__code=f"P-{n + 400}")
        for n in range(30)
    ]
    insight = InsightFactory(evidence=[{"observation": quote} for quote in quotes])
    with django_assert_max_num_queries(10):
        page = admin_client.get(reverse("admin:insights_insight_change", args=[insight.pk]))
    assert "P-429" in page.content.decode()
