"""Schemathesis: generated requests against the generated schema, as a Curator.

No 5xx, and every response (status, content type, body) matches what the schema documents.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from insights.services import api_token_create
from repository.wsgi import application

from ..factories import InsightFactory, ObservationFactory, StudyFactory, UserFactory

CHECKS = [
    schemathesis.checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def curator_headers(onboarding):
    user = UserFactory(username="schemathesis", role="Curator")
    _token, key = api_token_create(user=user, name="schemathesis")
    # A little data so that detail, list and action endpoints have something to return.
    study = StudyFactory(title="Интервью", tags=[onboarding])
    observation = ObservationFactory(
        study=study, text="Цитата", tags=[onboarding], participant=None
    )
    InsightFactory(statement="Инсайт", tags=[onboarding], evidence=[{"observation": observation}])
    return {"Authorization": f"Token {key}"}


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Keep the test's database connection open across WSGI calls.

    Schemathesis calls the WSGI application directly, so Django's request signals close "old"
    connections, which on PostgreSQL closes the connection holding the test's transaction.
    Django's own test client disconnects the same handler for the same reason.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded at collection (Django is set up by then; the schema view reads no data).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_matches_its_schema(case, curator_headers):
    case.call_and_validate(headers=curator_headers, checks=CHECKS)
