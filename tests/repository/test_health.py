"""/healthz and /readyz: open to load balancers, revealing nothing, cheap."""

import pytest
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

# /readyz checks every database the site is configured with, the replica alias included.
pytestmark = pytest.mark.django_db(databases=["default", "replica"])


@pytest.fixture
def replica_down():
    """The replica alias points at a database that does not exist until the test ends."""
    replica = connections["replica"]
    name = replica.settings_dict["NAME"]
    missing = "/nonexistent/replica.sqlite3" if replica.vendor == "sqlite" else "no_such_database"
    replica.settings_dict["NAME"] = missing
    replica.close()  # SQLite keeps an in-memory database open whatever close() is told
    yield
    replica.close()
    replica.settings_dict["NAME"] = name


def test_healthz_answers_anyone_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response and "Location" not in response


def test_readyz_is_ready_when_migrated_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_readyz_is_unavailable_while_a_migration_is_not_applied(client):
    MigrationRecorder.Migration.objects.filter(app="insights").order_by("-name")[:1].get().delete()
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"unavailable\n")


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_readyz_is_unavailable_when_a_database_does_not_answer(client, replica_down, caplog):
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"unavailable\n")
    assert "did not answer (OperationalError)" in caplog.text  # details stay in the log


def test_any_host_header_is_accepted_for_health_checks_only(client):
    assert client.get("/healthz", HTTP_HOST="10.0.3.17:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.3.17").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="10.0.3.17").status_code == 400


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_checks_are_not_redirected_to_https(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz/").status_code == 200
    redirected = client.get("/accounts/login/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")


def test_head_has_no_body_and_other_methods_are_refused(client):
    head = client.head("/readyz")
    assert (head.status_code, head.content) == (200, b"")
    assert client.post("/healthz").status_code == 405
    assert client.delete("/readyz").status_code == 405


def test_paths_that_only_look_alike_are_ordinary_pages(client):
    for path in ("/healthz-report", "/healthzz", "/api/healthz"):
        assert client.get(path).status_code == 404
