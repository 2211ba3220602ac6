"""The strict check every API response goes through refuses what the schema does not say."""

import json

import pytest

from .schema_check import SchemaMismatch

pytestmark = pytest.mark.django_db


def test_every_response_of_a_test_client_is_checked(clients, world, schema_check):
    before = schema_check.checked
    clients["Viewer"].get("/api/v1/insights/")
    clients["Viewer"].get(f"/api/v1/studies/{world['study'].pk}/")
    assert schema_check.checked == before + 2


def test_a_study_without_a_report_url_matches_exactly_once(clients, world, schema_check):
    response = clients["Viewer"].get(f"/api/v1/studies/{world['study'].pk}/")
    study = response.json()
    assert study["report_url"] == ""

    def check(body, status=200, content_type="application/json"):
        path = f"/api/v1/studies/{world['study'].pk}/"
        schema_check.check("GET", path, status, content_type, json.dumps(body).encode())

    check(study)
    check({**study, "report_url": "https://example.com/report"})
    with pytest.raises(SchemaMismatch, match="report_url"):
        check({**study, "report_url": "not a link"})
    with pytest.raises(SchemaMismatch, match="unexpected"):
        check({**study, "secret": 1})
    with pytest.raises(SchemaMismatch, match="tags/0"):
        check({**study, "tags": ["onbording"]})  # tags are read as objects
    with pytest.raises(SchemaMismatch, match="not documented"):
        check(study, status=418)
    with pytest.raises(SchemaMismatch, match="media type"):
        check(study, content_type="text/html")


def test_an_observation_without_a_metric_reads_null(clients, world, schema_check):
    quote = world["quotes"][0]
    body = clients["Viewer"].get(f"/api/v1/observations/{quote.pk}/").json()
    assert body["metric"] is None
    with pytest.raises(SchemaMismatch, match="metric"):
        schema_check.check(
            "GET",
            f"/api/v1/observations/{quote.pk}/",
            200,
            "application/json",
            json.dumps({**body, "metric": ""}).encode(),
        )
