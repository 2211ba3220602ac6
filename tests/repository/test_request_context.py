"""Request ids: kept from a proxy when sane, generated otherwise, returned as X-Request-ID."""

import logging
import re

import pytest

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_a_request_without_an_id_gets_a_new_one(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "incoming",
    ["3f2a9c1e-7b4d-4e8f-9a6b-1c2d3e4f5a6b", "req_01HZX.abc:42", "a" * 128],
)
def test_a_sane_id_from_the_proxy_is_kept(client, incoming):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "a" * 129, 'x" injected="1', "line\nbreak", "-leading-dash", "пример", "a b"],
)
def test_an_unsafe_id_is_replaced(client, incoming):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=incoming)
    assert GENERATED.fullmatch(response["X-Request-ID"])


def test_every_answer_carries_the_id_errors_and_redirects_too(client):
    assert "X-Request-ID" in client.get("/")  # redirect to the login page
    assert "X-Request-ID" in client.get("/no/such/page/")
    assert "X-Request-ID" in client.get("/api/v1/insights/")  # 401


def test_one_line_per_request_without_the_query_string(client, caplog):
    client.force_login(user_with_role("reader", "Viewer"))
    caplog.set_level(logging.INFO, logger="repository.requests")
    response = client.get("/", {"q": "ипотека для Ивановой"})
    (record,) = [r for r in caplog.records if r.name == "repository.requests"]
    assert (record.method, record.path, record.status) == ("GET", "/", 200)
    assert record.duration_ms >= 0
    assert record.getMessage().startswith("GET / 200 ")
    assert "Ивановой" not in caplog.text and "q=" not in caplog.text
    assert response.status_code == 200
