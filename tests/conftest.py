"""Suite-wide fixtures, and the settings of the property-based tests."""

import os

import pytest
from django.core.cache import cache
from django.db import connection
from hypothesis import settings

# Property-based tests: a bounded number of examples, chosen the same way on every run, so
# the suite stays fast and CI never fails on luck. HYPOTHESIS_PROFILE=thorough explores more.
settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None, database=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _skip_postgres_only(request):
    """Tests marked requires_postgres need PostgreSQL features; SQLite skips them."""
    if request.node.get_closest_marker("requires_postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """API throttling counts requests in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def viewer_client(client):
    """A browser session of a Viewer."""
    from .factories import user_with_role

    client.force_login(user_with_role("viewer", "Viewer"))
    return client


@pytest.fixture
def contributor_client(client):
    """A browser session of a Contributor."""
    from .factories import user_with_role

    client.force_login(user_with_role("contributor", "Contributor"))
    return client
