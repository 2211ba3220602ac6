"""The journey map and fresh insights through the API: the grid as JSON, the needs_review
filter and field, and the curators' confirm action; every response matches the schema."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insights.models import InsightReview
from insights.services import insight_save

from ..factories import InsightFactory, ObservationFactory, TagFactory, api_client_for

pytestmark = pytest.mark.django_db


def _overdue(insight):
    insight.review_by = timezone.localdate() - timedelta(days=3)
    return insight_save(insight=insight)


def test_the_journey_map_as_json(clients, journey_world):
    response = clients["Viewer"].get("/api/v1/journey/")
    assert response.status_code == 200
    body = response.json()
    assert body["stages_group"]["slug"] == "journey-stage"
    assert body["columns_group"]["slug"] == "segment"
    assert [row["stage"]["name"] for row in body["rows"]] == [
        "Знакомство",
        "Покупка",
        "Поддержка клиентов",
    ]
    assert [column["name"] for column in body["columns"]] == ["Новые клиенты", "Постоянные клиенты"]
    purchase = body["rows"][1]["cells"][0]
    assert purchase["column"] == journey_world["new"].slug
    assert purchase["count"] == 2
    assert purchase["top_insight"]["id"] == journey_world["medium"].pk
    assert purchase["nps"]["base"] == 3 and purchase["nps"]["value"] == 33.3
    assert purchase["small_base"] is True
    assert journey_world["stages"]["Покупка"].slug in purchase["search_url"]
    empty = body["rows"][0]["cells"][1]
    assert (empty["count"], empty["top_insight"], empty["nps"]) == (0, None, None)


def test_columns_from_another_group_and_a_400_for_an_unknown_one(clients, journey_world):
    TagFactory(name="Сайт", group="channel")
    body = clients["Viewer"].get("/api/v1/journey/", {"columns": "channel"}).json()
    assert [column["name"] for column in body["columns"]] == ["Сайт"]
    response = clients["Viewer"].get("/api/v1/journey/", {"columns": "nope"})
    assert response.status_code == 400
    assert "columns" in str(response.json())


def test_the_journey_map_needs_a_role(journey_world):
    assert api_client_for(None).get("/api/v1/journey/").status_code == 403


def test_journey_queries_are_bounded(clients, journey_world):
    client = clients["Viewer"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/journey/").status_code == 200
        return len(queries)

    count()  # the first request also records the token's use
    before = count()
    for n in range(5):
        InsightFactory(
            tags=[
                TagFactory(name=f"Этап {n}", group="journey-stage"),
                TagFactory(name=f"Сегмент {n}", group="segment"),
            ],
            evidence=[{"observation": ObservationFactory()}],
            published=True,
        )
    assert count() <= before


def test_needs_review_filter_and_field(clients, journey_world):
    overdue = _overdue(journey_world["low"])
    client = clients["Viewer"]
    due = client.get("/api/v1/insights/", {"needs_review": "true"}).json()["results"]
    assert [item["id"] for item in due] == [overdue.pk]
    assert due[0]["needs_review"] is True
    fresh = client.get("/api/v1/insights/", {"needs_review": "false"}).json()["results"]
    assert overdue.pk not in {item["id"] for item in fresh}
    assert all(item["needs_review"] is False for item in fresh)
    assert client.get("/api/v1/insights/", {"needs_review": "maybe"}).status_code == 400


def test_needs_review_list_queries_are_bounded(clients, journey_world):
    client = clients["Viewer"]
    _overdue(journey_world["low"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/insights/", {"needs_review": "true"}).status_code == 200
        return len(queries)

    count()  # the first request also records the token's use
    before = count()
    for _n in range(4):
        _overdue(InsightFactory(evidence=[{"observation": ObservationFactory()}], published=True))
    assert count() <= before


def test_a_curator_confirms_through_the_api(clients, journey_world):
    insight = _overdue(journey_world["low"])
    url = f"/api/v1/insights/{insight.pk}/confirm/"
    assert clients["Viewer"].post(url, {}, format="json").status_code == 403
    assert clients["Contributor"].post(url, {}, format="json").status_code == 403
    response = clients["Curator"].post(url, {"note": "Проверено"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["needs_review"] is False
    assert body["reviewed_by"] == clients["Curator"].user.username
    assert body["review_by"] > timezone.localdate().isoformat()
    entry = InsightReview.objects.get(insight=insight)
    assert (entry.kind, entry.note) == (InsightReview.Kind.CONFIRMED, "Проверено")


def test_confirming_a_draft_is_a_400(clients, journey_world):
    url = f"/api/v1/insights/{journey_world['draft'].pk}/confirm/"
    response = clients["Curator"].post(url, {}, format="json")
    assert response.status_code == 400
    assert not InsightReview.objects.exists()
