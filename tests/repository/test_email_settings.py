"""EMAIL_URL names the whole mail transport in one variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from repository.settings import email_from_url


def test_smtp_with_starttls_and_quoted_password():
    found = email_from_url("smtp://digest%40example.com:p%40ss@mail.example.com:587")
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "digest@example.com",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_smtps_plain_port_25_and_development_backends():
    assert email_from_url("smtps://mail.example.com")["EMAIL_PORT"] == 465
    assert email_from_url("smtps://mail.example.com")["EMAIL_USE_SSL"] is True
    assert email_from_url("smtp://relay:25")["EMAIL_USE_TLS"] is False
    assert email_from_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_from_url("locmem://")["EMAIL_BACKEND"].endswith("locmem.EmailBackend")


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured):
        email_from_url("sendmail://localhost")
