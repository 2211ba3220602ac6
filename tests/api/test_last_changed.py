"""Who changed an insight last, and when: in the API and on the insight's page."""

import pytest
from django.test import Client

from insights.models import Insight, Observation

from ..factories import InsightFactory, ObservationFactory, StudyFactory, api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return api_client_for("Curator", "kurator")


def test_an_api_edit_is_recorded_as_the_api_and_shown_as_the_last_change(curator):
    insight = InsightFactory(statement="Клиенты хотят чат")
    response = curator.patch(
        f"/api/v1/insights/{insight.pk}/", {"details": "Из интервью"}, format="json"
    )
    assert response.status_code == 200
    latest = insight.history.first()
    assert (latest.history_surface, latest.history_user) == ("api", curator.user)
    body = curator.get(f"/api/v1/insights/{insight.pk}/").json()
    assert body["last_changed"]["by"] == "kurator"
    assert body["last_changed"]["at"].startswith(latest.history_date.date().isoformat())
    assert response.json()["last_changed"]["by"] == "kurator"


def test_the_bulk_endpoint_records_api_versions(curator):
    study = StudyFactory()
    response = curator.post(
        "/api/v1/observations/bulk/",
        {"study": study.pk, "observations": [{"text": "Долго ждал", "external_id": "t-1"}]},
        format="json",
    )
    assert response.status_code in {200, 201}, response.content
    (version,) = Observation.history.filter(study_id=study.pk)
    assert (version.history_surface, version.history_user) == ("api", curator.user)


def test_the_list_shows_each_last_change_with_bounded_queries(
    curator, django_assert_max_num_queries
):
    for n in range(30):
        insight = InsightFactory(statement=f"Инсайт {n}")
        insight.history.update(history_user=curator.user)
    with django_assert_max_num_queries(12):
        small = curator.get("/api/v1/insights/?page_size=5")
    with django_assert_max_num_queries(12):
        large = curator.get("/api/v1/insights/?page_size=30")
    assert len(large.json()["results"]) == 30 > len(small.json()["results"])
    assert {item["last_changed"]["by"] for item in large.json()["results"]} == {"kurator"}


def test_an_insight_without_a_user_says_only_when(curator):
    insight = InsightFactory()
    body = curator.get(f"/api/v1/insights/{insight.pk}/").json()
    assert body["last_changed"]["by"] is None and body["last_changed"]["at"]


def test_the_insight_page_says_who_changed_it_last(curator, django_assert_max_num_queries):
    insight = InsightFactory(
        statement="Клиенты хотят чат", evidence=[{"observation": ObservationFactory()}]
    )
    Insight.history.filter(id=insight.pk).update(history_user=curator.user)
    browser = Client()
    browser.force_login(curator.user)
    response = browser.get(insight.get_absolute_url())
    assert response.status_code == 200
    assert "Last changed by kurator" in response.content.decode()
