"""REST API errors: every status in the one format, in the request's language, and throttled."""

import json
import logging

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from insights.api import views
from insights.models import Observation
from insights.services import bulk as observation_services

from ..factories import api_client_for

pytestmark = pytest.mark.django_db


def russian(text: str) -> bool:
    return any("а" <= ch <= "я" for ch in text.lower())


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.mark.parametrize("path", ["/api/v1/insights/999999/", "/api/v1/insights/abc/",
                                  "/api/v1/tags/1.5/", "/api/v1/observations/%20/"])  # fmt: skip
def test_404_is_not_found_in_the_requests_language(world, path):
    response = api_client_for("Viewer").get(path, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "not_found" and russian(error["message"])
    assert "Insight" not in error["message"]


def test_a_draft_is_not_found_for_a_viewer_in_the_same_words(world):
    response = api_client_for("Viewer").get(f"/api/v1/insights/{world['draft'].pk}/")
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "Not found.", "fields": {}}


@pytest.mark.parametrize(
    "method, path, kwargs, status, code",
    [("put", "/api/v1/search/", {}, 405, "method_not_allowed"),
     ("get", "/api/v1/insights/", {"HTTP_ACCEPT": "text/html"}, 406, "not_acceptable"),
     ("post", "/api/v1/insights/", {"data": "statement=x", "content_type": "text/plain"}, 415,
      "unsupported_media_type"),
     ("post", "/api/v1/insights/", {"data": "{oops", "content_type": "application/json"}, 400,
      "parse_error")],
)  # fmt: skip
def test_protocol_errors_come_in_the_error_format(world, method, path, kwargs, status, code):
    response = getattr(api_client_for("Curator"), method)(path, HTTP_ACCEPT_LANGUAGE="ru", **kwargs)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = error_of(response)
    assert error["code"] == code
    if status != 400:  # DRF translates these; the JSON parser's own words are English
        assert russian(error["message"])


def test_throttled_requests_come_in_the_error_format_in_russian(world, monkeypatch, settings):
    settings.ANONYMOUS_READ = True
    monkeypatch.setattr(
        AnonRateThrottle,
        "THROTTLE_RATES",
        {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "1/minute"},
    )
    assert APIClient().get("/api/v1/insights/").status_code == 200
    response = APIClient().get("/api/v1/insights/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    error = error_of(response)
    assert error["code"] == "throttled" and russian(error["message"])


@pytest.mark.parametrize("credentials", ["Token wrong-key", "Token", None])
def test_requests_failing_authentication_count_against_the_anonymous_rate(
    world, monkeypatch, credentials
):
    monkeypatch.setattr(
        AnonRateThrottle,
        "THROTTLE_RATES",
        {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"},
    )
    client = APIClient()
    if credentials:
        client.credentials(HTTP_AUTHORIZATION=credentials)
    codes = [client.get("/api/v1/insights/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert error_of(client.get("/api/v1/insights/"))["code"] == "throttled"


def test_a_valid_token_is_not_held_back_by_the_anonymous_rate(world, monkeypatch):
    monkeypatch.setattr(
        AnonRateThrottle,
        "THROTTLE_RATES",
        {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "1/minute"},
    )
    for _ in range(2):
        APIClient().get("/api/v1/insights/")
    assert api_client_for("Viewer").get("/api/v1/insights/").status_code == 200


def test_unhandled_errors_answer_json_500_and_keep_the_logged_traceback(world, monkeypatch, caplog):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(views.TagGroupViewSet, "list", broken)
    client = api_client_for("Viewer")
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/tag-groups/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error" and russian(error["message"])
    assert "the disk is on fire" not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.status_code == 500 and "RuntimeError: the disk is on fire" in caplog.text


def test_unhandled_errors_still_reach_the_test_client_and_error_reporting(world, monkeypatch):
    monkeypatch.setattr(views.TagGroupViewSet, "list", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        api_client_for("Viewer").get("/api/v1/tag-groups/")


def long_rows(count: int) -> list[dict]:
    text = "Клиент пишет длинный отзыв о приложении и его онбординге. " * 9  # ~500 characters
    return [{"external_id": f"long-{n}", "kind": "survey_answer", "text": text[:500]}
            for n in range(count)]  # fmt: skip


def test_a_5000_row_bulk_import_of_long_texts_is_not_refused_for_its_size(world):
    body = json.dumps({"study": 0, "observations": long_rows(5000)})
    assert len(body.encode()) > 5 * 1024 * 1024
    response = api_client_for("Contributor").post(
        "/api/v1/observations/bulk/", body, content_type="application/json"
    )
    # Parsed: refused for the unknown study, not for its size.
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["study"]


def test_a_body_over_the_limit_is_413_in_the_error_format(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"study": world["study"].pk, "observations": long_rows(40)})
    response = api_client_for("Contributor").post(
        "/api/v1/observations/bulk/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_a_concurrent_identical_bulk_import_is_409_and_a_retry_succeeds(world, monkeypatch):
    client = api_client_for("Contributor")
    payload = {"study": world["study"].pk, "observations": long_rows(3)}
    assert client.post("/api/v1/observations/bulk/", payload).status_code == 201
    # The other request committed after this one looked for existing rows: the insert collides
    # with the unique external_id index.
    monkeypatch.setattr(observation_services, "_existing", lambda study, drafts: ({}, {}))
    response = client.post("/api/v1/observations/bulk/", payload)
    assert response.status_code == 409
    assert error_of(response)["code"] == "concurrent_import"
    monkeypatch.undo()
    retry = client.post("/api/v1/observations/bulk/", payload)
    assert retry.status_code == 200 and retry.json()["updated"] == 3
    assert Observation.objects.filter(external_id__startswith="long-").count() == 3


def test_a_single_create_that_loses_a_race_is_409_and_nothing_is_kept(world, monkeypatch):
    client = api_client_for("Contributor")
    payload = {"study": world["study"].pk, "text": "Ждал курьера", "external_id": "race-1"}
    save = Observation.save

    def after_another_writer(self, *args, **kwargs):
        # Another request inserts the same external ID after this one's checks passed.
        if self.pk is None:
            Observation.objects.bulk_create(
                [Observation(study_id=self.study_id, text="Другой", external_id="race-1")]
            )
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Observation, "save", after_another_writer)
    lost = client.post("/api/v1/observations/", payload)
    assert lost.status_code == 409
    assert error_of(lost)["code"] == "concurrent_write"
    assert Observation.objects.filter(external_id="race-1").count() == 0  # all rolled back
    monkeypatch.undo()
    assert client.post("/api/v1/observations/", payload).status_code == 201
