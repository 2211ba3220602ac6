"""Shared API test data: role clients and a small repository; every response is checked."""

import pytest
from django.test import Client

from ..factories import (
    InsightFactory,
    ObservationFactory,
    ParticipantFactory,
    StudyFactory,
    api_client_for,
)
from .schema_check import ResponseChecker

ROLES = ["Viewer", "Contributor", "Curator"]


@pytest.fixture(scope="session")
def schema_check(django_db_blocker) -> ResponseChecker:
    """A strict checker of responses against the schema the API serves."""
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return ResponseChecker(response.json())


@pytest.fixture(autouse=True)
def _responses_match_the_schema(monkeypatch, schema_check):
    """Every response an API test gets (any test client) must be one the schema documents."""
    send = Client.request

    def request(self, **environ):
        response = send(self, **environ)
        if response.streaming:
            body = b"".join(response.streaming_content)
            response.streaming_content = [body]  # the test still reads it
        else:
            body = response.content
        schema_check.check(
            environ["REQUEST_METHOD"],
            environ["PATH_INFO"],
            response.status_code,
            response.get("Content-Type", ""),
            body,
        )
        return response

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture
def clients():
    return {role: api_client_for(role) for role in ROLES}


@pytest.fixture
def world(onboarding, kyc, premium) -> dict:
    """Tags, two studies, three quotes, a published insight with evidence and a draft."""
    study = StudyFactory(title="Интервью", tags=[onboarding])
    other = StudyFactory(title="NPS Q3", method="metric_survey")
    participants = [
        ParticipantFactory(code="P-000", tags=[premium]),
        ParticipantFactory(code="P-001"),
        ParticipantFactory(code="P-002"),
    ]
    quotes = [
        ObservationFactory(study=study if n < 2 else other, text=f"Цитата {n} про онбординг",
                           participant=participants[n])
        for n in range(3)
    ]  # fmt: skip
    published = InsightFactory(
        statement="Онбординг слишком длинный",
        tags=[kyc],
        evidence=[{"observation": q} for q in quotes],
        published=True,
    )
    draft = InsightFactory(statement="Черновик", tags=[onboarding])
    return {"onboarding": onboarding, "kyc": kyc, "premium": premium, "study": study,
            "other": other, "quotes": quotes, "published": published, "draft": draft}  # fmt: skip
