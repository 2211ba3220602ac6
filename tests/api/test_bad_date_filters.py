"""API filters with an impossible date answer 400 naming the parameter, never 500."""

import pytest

from ..factories import api_client_for

pytestmark = pytest.mark.django_db

IMPOSSIBLE = ["2026-13-01", "2026-02-30", "2026-06-01T25:00:00Z"]

ENDPOINTS = {
    "/api/v1/insights/": ["created_after", "created_before", "updated_after"],
    "/api/v1/insights/export/": ["created_after", "created_before", "updated_after"],
    "/api/v1/studies/": ["started_after", "started_before", "updated_after"],
    "/api/v1/observations/": ["observed_after", "observed_before", "updated_after"],
}
CASES = [(path, name) for path, names in ENDPOINTS.items() for name in names]


@pytest.mark.parametrize("value", IMPOSSIBLE)
@pytest.mark.parametrize("path, name", CASES)
def test_an_impossible_date_is_400_naming_the_parameter(world, path, name, value):
    response = api_client_for("Curator").get(path, {name: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [name]
    assert "valid date" in error["fields"][name][0] or "Enter a date" in error["fields"][name][0]


def test_the_message_is_in_the_requests_language(world):
    response = api_client_for("Viewer").get(
        "/api/v1/insights/", {"created_before": "2026-13-01"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["created_before"][0]
    assert "дат" in message.lower()


def test_a_real_date_next_to_it_still_works(world):
    response = api_client_for("Viewer").get(
        "/api/v1/insights/", {"created_after": "2020-02-29", "updated_after": "2020-01-01T23:00Z"}
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [world["published"].pk]
