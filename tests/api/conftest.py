"""Shared API test data: role clients and a small repository."""

import pytest

from insights.models import TagGroup
from insights.services import (
    insight_create,
    insight_publish,
    observation_create,
    participant_get_or_create,
    participant_save,
    study_create,
    tag_create,
)

from ..factories import api_client_for

ROLES = ["Viewer", "Contributor", "Curator"]


@pytest.fixture
def clients():
    return {role: api_client_for(role) for role in ROLES}


@pytest.fixture
def world() -> dict:
    """Tags, two studies, three quotes, a published insight with evidence and a draft."""
    theme = TagGroup.objects.get(slug="theme")
    segment = TagGroup.objects.get(slug="segment")
    onboarding = tag_create(name="Онбординг", group=theme, aliases=["onboarding"])
    kyc = tag_create(name="KYC", group=theme, parent=onboarding)
    premium = tag_create(name="Premium", group=segment)
    study = study_create(title="Интервью", method="interview", tags=[onboarding])
    other = study_create(title="NPS Q3", method="metric_survey")
    participants = []
    for n in range(3):
        participant = participant_get_or_create(code=f"P-{n:03}")
        if n == 0:
            participant_save(participant=participant, tags=[premium])
        participants.append(participant)
    quotes = [
        observation_create(study=study if n < 2 else other, text=f"Цитата {n} про онбординг",
                           participant=participants[n])
        for n in range(3)
    ]  # fmt: skip
    published = insight_create(
        statement="Онбординг слишком длинный",
        tags=[kyc],
        evidence=[{"observation": q} for q in quotes],
    )
    insight_publish(insight=published)
    draft = insight_create(statement="Черновик", tags=[onboarding])
    return {"onboarding": onboarding, "kyc": kyc, "premium": premium, "study": study,
            "other": other, "quotes": quotes, "published": published, "draft": draft}  # fmt: skip
