"""quickstart sets up everything a first run needs, the cache table included."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from repository.settings import cache_from_url

pytestmark = pytest.mark.django_db


def test_quickstart_creates_the_cache_table_when_the_cache_is_the_database(settings):
    settings.CACHES = {"default": cache_from_url("db://")}
    assert "django_cache" not in connection.introspection.table_names()
    call_command("quickstart", "--no-server", stdout=io.StringIO())
    assert "django_cache" in connection.introspection.table_names()
    cache.set("throttle_user_1", [1.0], 60)
    assert cache.get("throttle_user_1") == [1.0]
