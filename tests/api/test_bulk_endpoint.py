"""REST API v1 bulk observations: idempotent, all or nothing, row errors, 5,000 rows."""

import pytest

from insights.models import Observation

pytestmark = pytest.mark.django_db


def test_bulk_import_is_idempotent_and_keeps_search_current(clients, world):
    contributor = clients["Contributor"]
    rows = [
        {"external_id": "srv-1", "kind": "survey_answer", "text": "Хочу тёмную тему",
         "participant": "S-001", "tags": ["premium"], "observed_on": "2026-03-01"},
        {"external_id": "srv-2", "kind": "metric", "metric": "nps", "score": 9},
        {"external_id": "srv-3", "kind": "metric", "metric": "nps", "score": 3,
         "text": "Приложение тормозит"},
    ]  # fmt: skip
    payload = {"study": world["other"].pk, "observations": rows}
    first = contributor.post("/api/v1/observations/bulk/", payload)
    assert first.status_code == 201 and first.json()["created"] == 3
    again = contributor.post("/api/v1/observations/bulk/", payload)
    assert again.status_code == 200
    assert again.json() == {"created": 0, "updated": 3, "ids": first.json()["ids"]}
    assert (
        Observation.objects.filter(study=world["other"], external_id__startswith="srv").count() == 3
    )
    found = contributor.get("/api/v1/observations/", {"q": "темная тема"}).json()["results"]
    assert [o["external_id"] for o in found] == ["srv-1"]
    assert found[0]["participant"] == "S-001"


def test_bulk_import_is_all_or_nothing_with_row_errors(clients, world):
    rows = [
        {"external_id": "ok-1", "text": "Нормальная строка"},
        {"external_id": "bad-1", "kind": "metric", "metric": "nps", "score": 12},
        {"external_id": "bad-2", "text": "x", "tags": ["no-such-tag"], "observed_on": "31.02.2026"},
        {"external_id": "ok-1", "text": "Повтор"},
    ]
    response = clients["Contributor"].post(
        "/api/v1/observations/bulk/", {"study": world["study"].pk, "observations": rows}
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["observations"]
    assert set(fields) == {"1", "2", "3"}
    assert "score" in fields["1"] and "observed_on" in fields["2"]
    assert "external_id" in fields["3"]
    assert not Observation.objects.filter(external_id="ok-1").exists()


def test_bulk_import_of_5000_rows(clients, world):
    rows = [
        {"external_id": f"n-{n}", "kind": "metric", "metric": "nps", "score": n % 11,
         "participant": f"R-{n % 300}"}
        for n in range(5000)
    ]  # fmt: skip
    response = clients["Contributor"].post(
        "/api/v1/observations/bulk/", {"study": world["other"].pk, "observations": rows}
    )
    assert response.status_code == 201, response.content[:500]
    assert response.json()["created"] == 5000
    too_many = clients["Contributor"].post(
        "/api/v1/observations/bulk/", {"study": world["other"].pk, "observations": [*rows, {}]}
    )
    assert too_many.status_code == 400


# --- bulk rows ------------------------------------------------------------------------------


def test_bulk_reports_every_rows_errors_with_a_non_object_row_and_unknown_keys(clients, world):
    rows = [
        {"external_id": "fine", "text": "Нормальная строка"},
        "not a row",
        {"external_id": "typo", "txt": "Опечатка в имени поля"},
        {"external_id": "bad", "kind": "metric", "metric": "nps", "score": 12},
    ]
    response = clients["Contributor"].post(
        "/api/v1/observations/bulk/", {"study": world["study"].pk, "observations": rows}
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["observations"]
    assert set(fields) == {"1", "2", "3"}
    assert fields["1"] == {
        "non_field_errors": ["Each row must be an object of observation fields."]
    }
    assert fields["2"] == {"txt": ["Unknown field: txt."]}
    assert "score" in fields["3"]
    assert not Observation.objects.filter(external_id="fine").exists()
