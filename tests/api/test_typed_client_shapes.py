"""Shapes typed clients rely on: JSON bodies only, plain cursors, null metrics, text exports."""

from urllib.parse import parse_qs, urlsplit

import pytest

from ..factories import InsightFactory

pytestmark = pytest.mark.django_db


def test_a_form_body_is_refused_as_an_unsupported_media_type(clients, world):
    response = clients["Contributor"].post(
        "/api/v1/studies/", {"title": "Форма", "method": "survey"}, format="multipart"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_the_next_cursor_is_the_cursor_of_the_next_link(clients, world):
    curator = clients["Curator"]
    for n in range(3):
        InsightFactory(statement=f"Инсайт {n}")
    first = curator.get("/api/v1/insights/", {"page_size": 2}).json()
    assert first["previous"] is None and first["previous_cursor"] is None
    assert parse_qs(urlsplit(first["next"]).query)["cursor"] == [first["next_cursor"]]
    by_cursor = curator.get(
        "/api/v1/insights/", {"page_size": 2, "cursor": first["next_cursor"]}
    ).json()
    assert by_cursor == curator.get(first["next"]).json()
    assert by_cursor["previous_cursor"] is not None
    back = curator.get(
        "/api/v1/insights/", {"page_size": 2, "cursor": by_cursor["previous_cursor"]}
    )
    assert [row["id"] for row in back.json()["results"]] == [row["id"] for row in first["results"]]


@pytest.mark.parametrize("empty", [None, ""])
def test_an_empty_metric_is_written_as_null_or_blank_and_read_as_null(clients, world, empty):
    contributor = clients["Contributor"]
    created = contributor.post(
        "/api/v1/observations/",
        {"study": world["study"].pk, "text": "Без метрики", "metric": empty},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["metric"] is None
    metric = contributor.patch(
        f"/api/v1/observations/{created.json()['id']}/", {"metric": "nps", "score": 9}
    )
    assert metric.json()["metric"] == "nps"


def test_bulk_rows_take_a_null_metric(clients, world):
    response = clients["Contributor"].post(
        "/api/v1/observations/bulk/",
        {
            "study": world["study"].pk,
            "observations": [{"external_id": "r1", "text": "Ответ", "metric": None}],
        },
    )
    assert response.status_code == 201, response.json()
    observation = clients["Contributor"].get(f"/api/v1/observations/{response.json()['ids'][0]}/")
    assert observation.json()["metric"] is None


@pytest.mark.parametrize(
    ("path", "media_type"), [("csv", "text/csv"), ("markdown", "text/markdown")]
)
def test_each_text_export_has_its_own_operation(clients, world, path, media_type):
    curator = clients["Curator"]
    own = curator.get(f"/api/v1/insights/export/{path}/", {"tag": "onboarding"})
    assert own.status_code == 200
    assert own["Content-Type"].startswith(media_type)
    by_parameter = curator.get("/api/v1/insights/export/", {"tag": "onboarding", "file": path})
    body = b"".join(own.streaming_content).decode()
    assert body == b"".join(by_parameter.streaming_content).decode()
    assert "Онбординг слишком длинный" in body
