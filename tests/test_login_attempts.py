"""Repeated failed logins lock that login out for a while, on the site and in the admin."""

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import F

from repository.settings import env_lockout_parameters

from .factories import api_client_for, user_with_role

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOGINS = ["/accounts/login/", "/admin/login/"]


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Every failed login hashes a password; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def researcher():
    return user_with_role("researcher", "Viewer", password=PASSWORD, is_staff=True)


def fail(client, login: str, times: int, username: str = "researcher", **headers) -> list:
    return [
        client.post(login, {"username": username, "password": f"wrong {n}"}, **headers)
        for n in range(times)
    ]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("login", LOGINS)
def test_the_right_password_no_longer_works_after_the_failure_limit(
    client, settings, researcher, login
):
    responses = fail(client, login, settings.AXES_FAILURE_LIMIT)
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    response = client.post(login, {"username": "researcher", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert not logged_in(client)


def test_forty_wrong_passwords_are_not_all_answered_with_the_login_form(
    client, settings, researcher
):
    allowed = settings.AXES_FAILURE_LIMIT - 1
    codes = [r.status_code for r in fail(client, "/accounts/login/", 40)]
    assert codes == [200] * allowed + [429] * (40 - allowed)


def test_the_site_lockout_page_is_a_page_of_the_site_in_english_and_russian(
    client, settings, researcher
):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    response = fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)[-1]
    page = response.content.decode()
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "Too many failed logins" in page
    assert "Logging in as <strong>researcher</strong> is paused for 15 minutes." in page
    assert 'class="site-header"' in page and 'href="/accounts/login/"' in page

    russian = client.post(
        "/accounts/login/",
        {"username": "researcher", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="ru",
    ).content.decode()
    assert '<html lang="ru">' in russian
    assert "Слишком много неудачных попыток входа" in russian
    assert "Вход как <strong>researcher</strong> приостановлен на 15 минут." in russian


def test_the_admin_lockout_page_has_the_admin_look(client, settings, researcher):
    response = fail(client, "/admin/login/", settings.AXES_FAILURE_LIMIT, HTTP_ACCEPT_LANGUAGE="ru")
    page = response[-1].content.decode()
    assert "admin/locked_out.html" in [t.name for t in response[-1].templates]
    assert 'id="site-name"' in page and "admin/css/login.css" in page
    assert "Слишком много неудачных попыток входа" in page
    assert 'href="/admin/login/"' in page


def test_the_lockout_holds_for_one_username_from_one_address(client, settings, researcher):
    user_with_role("colleague", "Viewer", password=PASSWORD)
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)

    # The same person elsewhere, and a colleague behind the same address, still get in.
    client.post(
        "/accounts/login/",
        {"username": "researcher", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert logged_in(client)
    client.logout()
    client.post("/accounts/login/", {"username": "colleague", "password": PASSWORD})
    assert logged_in(client)


def test_a_forged_forwarded_for_header_does_not_start_a_fresh_count(client, settings, researcher):
    responses = [
        client.post(
            "/accounts/login/",
            {"username": "researcher", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert responses[-1].status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_proxy_the_address_it_forwards_is_the_one_locked(client, settings, researcher):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    fail(
        client,
        "/accounts/login/",
        settings.AXES_FAILURE_LIMIT,
        HTTP_X_FORWARDED_FOR="forged, 198.51.100.9",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.9"]
    client.post(
        "/accounts/login/",
        {"username": "researcher", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert logged_in(client)


def test_logging_in_works_again_after_the_cool_off(client, settings, researcher):
    fail(client, "/admin/login/", settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = client.post("/admin/login/", {"username": "researcher", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in(client)


def test_a_superuser_lifts_a_lockout_in_the_admin(client, admin_client, settings, researcher):
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get()
    listing = admin_client.get("/admin/axes/accessattempt/").content.decode()
    assert "researcher" in listing
    admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    client.post("/accounts/login/", {"username": "researcher", "password": PASSWORD})
    assert logged_in(client)


def test_the_reset_command_lifts_a_lockout(client, settings, researcher):
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)
    call_command("axes_reset_username", "researcher", stdout=io.StringIO())
    client.post("/accounts/login/", {"username": "researcher", "password": PASSWORD})
    assert logged_in(client)


def test_a_successful_login_clears_the_earlier_failures(client, settings, researcher):
    below_limit = settings.AXES_FAILURE_LIMIT - 1
    fail(client, "/accounts/login/", below_limit)
    client.post("/accounts/login/", {"username": "researcher", "password": PASSWORD})
    assert logged_in(client)
    client.logout()
    assert [r.status_code for r in fail(client, "/accounts/login/", below_limit)] == [
        200
    ] * below_limit


def test_a_locked_login_leaves_api_tokens_working(client, settings):
    api = api_client_for("Viewer", username="researcher")
    api.user.set_password(PASSWORD)
    api.user.save()
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)
    assert api.get("/api/v1/tag-groups/").status_code == 200


def test_a_lower_failure_limit_locks_sooner(client, settings, researcher):
    settings.AXES_FAILURE_LIMIT = 2
    assert [r.status_code for r in fail(client, "/accounts/login/", 2)] == [200, 429]


@pytest.mark.parametrize(
    "value, parameters",
    [
        ("", [["username", "ip_address"]]),
        ("username+ip_address", [["username", "ip_address"]]),
        ("username, ip_address", ["username", "ip_address"]),
        ("ip_address", ["ip_address"]),
    ],
)
def test_what_is_locked_is_read_from_login_lockout_by(monkeypatch, value, parameters):
    monkeypatch.setenv("LOGIN_LOCKOUT_BY", value)
    assert env_lockout_parameters("LOGIN_LOCKOUT_BY", "username+ip_address") == parameters


def test_an_unknown_lockout_field_is_refused_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("LOGIN_LOCKOUT_BY", "username+cookie")
    with pytest.raises(ImproperlyConfigured, match="LOGIN_LOCKOUT_BY names 'username\\+cookie'"):
        env_lockout_parameters("LOGIN_LOCKOUT_BY", "username+ip_address")
