"""CACHE_URL=db://: API throttling counts live in a table every app server shares."""

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

from repository.settings import cache_from_url
from tests.factories import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_cache(settings, monkeypatch):
    settings.CACHES = {"default": cache_from_url("db://")}
    call_command("createcachetable", verbosity=0)
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/minute"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)


def test_throttling_counts_are_rows_another_server_reads(database_cache):
    api = api_client_for("Viewer")
    codes = [api.get("/api/v1/tag-groups/").status_code for _ in range(2)]
    # Another app server has a cache object of its own, with nothing in its memory.
    other_server = DatabaseCache("django_cache", {})
    history = other_server.get(f"throttle_user_{api.user.pk}")
    assert codes == [200, 200] and len(history) == 2
    assert api.get("/api/v1/tag-groups/").status_code == 429
