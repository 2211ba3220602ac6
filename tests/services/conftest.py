"""Shared service test data: a curator, two studies of different methods, and a supported
draft."""

import pytest

from ..factories import InsightFactory, ObservationFactory, StudyFactory, UserFactory


@pytest.fixture
def curator():
    """A user in the Curator role, named "curator"."""
    return UserFactory(username="curator", role="Curator")


@pytest.fixture
def studies():
    return (
        StudyFactory(title="Interviews", method="interview"),
        StudyFactory(title="Survey", method="survey"),
    )


@pytest.fixture
def supported(studies):
    """A draft insight backed by one quote from the interviews."""
    observation = ObservationFactory(study=studies[0], participant__code="P-1")
    return InsightFactory(statement="Supported", evidence=[{"observation": observation}])
