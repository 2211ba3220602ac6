"""Shared service test data: two studies of different methods, and a supported draft."""

import pytest

from ..factories import InsightFactory, ObservationFactory, StudyFactory


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
