"""The API's JSON readers refuse values nested without end: a 400 or 404, never a 500."""

import base64

import pytest

from ..factories import api_client_for

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def error_of(response) -> dict:
    return response.json()["error"]


@pytest.mark.parametrize("depth", [40, 100_000])
def test_a_deeply_nested_body_is_a_parse_error(world, depth):
    body = f'{{"study": {world["study"].pk}, "observations": {nested(depth)}}}'
    response = api_client_for("Contributor").post(
        "/api/v1/observations/bulk/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"
    assert "more than 32 levels deep" in error_of(response)["message"]


def test_the_parse_error_is_in_the_requests_language(world):
    response = api_client_for("Contributor").post(
        "/api/v1/insights/",
        f'{{"statement": "x", "tags": {nested(5_000)}}}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    assert "глубже 32 уровней" in error_of(response)["message"]


def test_a_body_of_ordinary_depth_is_still_read(world):
    response = api_client_for("Contributor").post(
        "/api/v1/observations/bulk/",
        {"study": world["study"].pk, "observations": [{"text": "Обычная цитата"}]},
        format="json",
    )
    assert response.status_code == 201


def test_a_deeply_nested_cursor_is_not_found(world):
    cursor = base64.urlsafe_b64encode(nested(2_000).encode()).decode().rstrip("=")
    response = api_client_for("Viewer").get("/api/v1/insights/", {"cursor": cursor})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
