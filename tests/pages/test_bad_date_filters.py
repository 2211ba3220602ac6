"""The search page and its exports with an impossible date: a message, never a server error."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

IMPOSSIBLE = ["2026-13-01", "2026-02-30", "2026-06-01T25:00:00Z"]
PARAMETERS = ["created_after", "created_before", "updated_after"]


@pytest.mark.parametrize("value", IMPOSSIBLE)
@pytest.mark.parametrize("name", PARAMETERS)
def test_the_search_page_renders_with_a_message_naming_the_filter(viewer_client, name, value):
    response = viewer_client.get(reverse("insights:search"), {name: value, "q": "чат"})
    assert response.status_code == 200
    html = response.content.decode()
    label = str(response.context["filterset"].form.fields[name].label)
    assert "Some filters could not be used" in html
    assert f"{label}: Enter a date" in html
    assert 'name="q"' in html  # the rest of the page is there to fix the search


def test_the_message_is_russian_for_a_russian_reader(viewer_client):
    response = viewer_client.get(
        reverse("insights:search"), {"created_after": "2026-02-30"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Некоторые фильтры не удалось применить" in html
    assert "Создан" in html and "Enter a date" not in html


@pytest.mark.parametrize("extension", ["csv", "json", "md"])
@pytest.mark.parametrize("name", PARAMETERS)
def test_the_page_export_is_a_plain_400_naming_the_filter(viewer_client, name, extension):
    response = viewer_client.get(f"/export/insights.{extension}", {name: "2026-13-01"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Enter a date" in body
    assert name in body
