"""Shared admin test data: staff users in a role."""

import pytest

from ..factories import UserFactory


@pytest.fixture
def sign_in_staff(client):
    """Signs the test's ``client`` in as a new staff user in a role, and returns the user."""

    def sign_in(role: str, username: str | None = None):
        user = UserFactory(username=username or role.lower(), role=role, is_staff=True)
        client.force_login(user)
        return user

    return sign_in
