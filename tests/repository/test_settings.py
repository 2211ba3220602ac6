"""Production settings from the environment: `check --deploy` clean, the cache choices."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from repository.settings import cache_from_url

# Only what any shell has: the test run's own settings (DEBUG, test switches) stay out.
INHERITED = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL"}
PROJECT = Path(__file__).resolve().parent.parent.parent


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with production settings (DEBUG off) plus ``environment``."""
    env = {key: value for key, value in os.environ.items() if key in INHERITED}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="insights.example.com")
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {
            "LOG_FORMAT": "json",
            "CACHE_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/insights",
        },
    ],
    ids=["defaults", "scaled-out"],
)
def test_check_deploy_is_clean_with_production_settings(environment):
    checked = manage("check", "--deploy", "--fail-level", "WARNING", **environment)
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_a_wrong_log_format_stops_the_start_with_a_clear_message():
    checked = manage("check", LOG_FORMAT="yaml")
    assert checked.returncode != 0
    assert "LOG_FORMAT must be text or json" in checked.stderr


def test_cache_urls():
    assert cache_from_url("")["BACKEND"].endswith("LocMemCache")
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    database = cache_from_url("db://")
    assert database["BACKEND"].endswith("DatabaseCache")
    assert database["LOCATION"] == "django_cache"
    redis = cache_from_url("redis://cache.internal:6379/2")
    assert redis["BACKEND"].endswith("RedisCache")
    assert redis["LOCATION"] == "redis://cache.internal:6379/2"
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_from_url("memcached://127.0.0.1:11211")
