"""Suite-wide fixtures."""

import pytest
from django.core.cache import cache
from django.db import connection


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
