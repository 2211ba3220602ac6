"""Log lines as JSON or text, with the request id and user id, and no personal data."""

import io
import json
import logging
import sys

import pytest

from repository.logs import JsonFormatter, RequestContextFilter, TextFormatter, logging_config
from tests.factories import api_client_for, user_with_role


def record(message="Saved %s", args=("x",), **extra) -> logging.LogRecord:
    made = logging.LogRecord("insights.test", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_json_line_has_the_fields_and_keeps_cyrillic():
    line = JsonFormatter().format(record("Тег %s объединён", ("Онбординг",), request_id="r1"))
    entry = json.loads(line)
    assert entry["message"] == "Тег Онбординг объединён" and "Онбординг" in line
    assert (entry["level"], entry["logger"], entry["request_id"]) == (
        "WARNING",
        "insights.test",
        "r1",
    )
    assert entry["time"].endswith("+00:00") and "user_id" not in entry


def test_json_line_leaves_out_the_request_object_django_attaches():
    class Request:
        META = {"HTTP_AUTHORIZATION": "Token s3cr3t", "HTTP_COOKIE": "sessionid=abc"}

        def __repr__(self):
            return f"<Request {self.META}>"

    line = JsonFormatter().format(record(request=Request(), status_code=404, user_id=7))
    entry = json.loads(line)
    assert (entry["status"], entry["user_id"]) == (404, 7)
    assert "s3cr3t" not in line and "sessionid" not in line


def test_json_line_includes_the_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        failed = record(exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(failed))
    assert "Traceback" in entry["exception"] and "ValueError: broken" in entry["exception"]


def test_text_line_shows_the_ids_only_when_there_are_some():
    formatter = TextFormatter()
    assert formatter.format(record(request_id="r1", user_id=7)).endswith(
        "WARNING insights.test: Saved x [request=r1 user=7]"
    )
    assert formatter.format(record(request_id="r2", user_id=None)).endswith("[request=r2]")
    assert formatter.format(record()).endswith("insights.test: Saved x")


def test_logging_config_switches_the_formatter():
    assert logging_config(json_lines=True, level="INFO")["handlers"]["console"]["formatter"] == (
        "json"
    )
    text = logging_config(json_lines=False, level="WARNING")
    assert text["handlers"]["console"]["formatter"] == "text"
    assert text["root"]["level"] == "WARNING"


@pytest.fixture
def json_log():
    """What the site's JSON handler writes while requests are served, as parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    requests = logging.getLogger("repository.requests")
    level = requests.level
    root.addHandler(handler)
    requests.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    requests.setLevel(level)


@pytest.mark.django_db
def test_every_line_of_an_api_request_has_its_ids_and_no_secrets(json_log):
    api = api_client_for("Viewer", username="api-reader")
    api.user.email = "ivanova@example.com"
    api.user.save()
    key = api._credentials["HTTP_AUTHORIZATION"].split()[1]
    found = api.get("/api/v1/insights/", {"q": "ипотека Ивановой"})
    missing = api.get("/api/v1/no-such-endpoint/", {"email": "ivanova@example.com"})
    lines = json_log()
    assert (found.status_code, missing.status_code) == (200, 404)
    by_request = {found["X-Request-ID"]: [], missing["X-Request-ID"]: []}
    for entry in lines:
        by_request[entry["request_id"]].append(entry)
    # Django's "Not Found" warning is logged after the middleware returned: it has the id too.
    assert [e["logger"] for e in by_request[missing["X-Request-ID"]]] == [
        "repository.requests",
        "django.request",
    ]
    # The token is read by the API views; the unknown endpoint never looks at it.
    assert [e["user_id"] for e in by_request[found["X-Request-ID"]]] == [api.user.pk]
    text = "\n".join(json.dumps(entry, ensure_ascii=False) for entry in lines)
    for secret in (key, "ivanova", "Ивановой", "Authorization", "q="):
        assert secret not in text


@pytest.mark.django_db
def test_page_lines_have_the_session_user_and_anonymous_ones_none(client, json_log):
    client.get("/")  # redirected to the login page
    user = user_with_role("reader", "Viewer")
    client.force_login(user)
    client.get("/tags/")
    anonymous, signed_in = json_log()
    assert (anonymous["status"], signed_in["status"]) == (302, 200)
    assert "user_id" not in anonymous
    assert signed_in["user_id"] == user.pk and signed_in["path"] == "/tags/"
