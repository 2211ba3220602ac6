"""Metric scores travel as JSON numbers: 9, not "9.000"; a custom metric may be fractional."""

import json

import pytest

from ..factories import InsightFactory, MetricObservationFactory, StudyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sent", [9, "9", 9.0, "9.000"])
def test_a_score_sent_in_any_spelling_comes_back_as_a_whole_number(clients, sent):
    study = StudyFactory(method="metric_survey")
    response = clients["Contributor"].post(
        "/api/v1/observations/",
        {"study": study.pk, "kind": "metric", "metric": "nps", "score": sent},
    )
    assert response.status_code == 201, response.content
    assert json.loads(response.content)["score"] == 9
    assert b'"score":9,' in response.content  # a number, not a string or 9.0
    listed = clients["Viewer"].get("/api/v1/observations/").json()["results"]
    assert [row["score"] for row in listed] == [9]


def test_a_custom_metric_keeps_its_fraction_and_text_has_no_score(clients):
    study = StudyFactory(method="metric_survey")
    response = clients["Contributor"].post(
        "/api/v1/observations/",
        {"study": study.pk, "kind": "metric", "metric": "custom", "score": "4.35"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 4.35
    quote = clients["Contributor"].post(
        "/api/v1/observations/", {"study": study.pk, "kind": "quote", "text": "Хорошо"}
    )
    assert quote.json()["score"] is None


def test_embedded_evidence_and_bulk_import_use_numbers(clients):
    reading = MetricObservationFactory(metric="csat", score=5)
    insight = InsightFactory(evidence=[{"observation": reading}], published=True)
    body = clients["Viewer"].get(f"/api/v1/insights/{insight.pk}/", {"expand": "evidence"}).json()
    assert body["evidence"][0]["observation"]["score"] == 5
    assert isinstance(body["evidence"][0]["observation"]["score"], int)
    response = clients["Contributor"].post(
        "/api/v1/observations/bulk/",
        {
            "study": reading.study.pk,
            "observations": [{"kind": "metric", "metric": "ces", "score": "6", "text": ""}],
        },
    )
    assert response.status_code in (200, 201), response.content
    (new_id,) = response.json()["ids"]
    assert clients["Viewer"].get(f"/api/v1/observations/{new_id}/").json()["score"] == 6
