"""Shared API test data: role clients and a small repository."""

import pytest

from ..factories import (
    InsightFactory,
    ObservationFactory,
    ParticipantFactory,
    StudyFactory,
    api_client_for,
)

ROLES = ["Viewer", "Contributor", "Curator"]


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
