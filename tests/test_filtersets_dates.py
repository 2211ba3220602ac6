"""Every date filter of every FilterSet refuses an impossible date with a message, not a crash."""

import pytest
from django import forms
from django.http import QueryDict

from insights.filtersets import (
    DateOrDateTimeField,
    InsightFilterSet,
    ObservationFilterSet,
    StudyFilterSet,
    TagFilterSet,
)
from insights.models import Insight, Observation, Study, Tag

pytestmark = pytest.mark.django_db

FILTERSETS = {
    InsightFilterSet: Insight,
    StudyFilterSet: Study,
    ObservationFilterSet: Observation,
    TagFilterSet: Tag,
}

# Each has the shape of a date or a date-time, but names no real moment.
IMPOSSIBLE = [
    "2026-13-01",
    "2026-02-30",
    "2026-00-10",
    "0000-01-01",
    "2026-06-01T25:00:00Z",
    "2026-06-01T10:61:00",
    "2026-06-01T10:00:00+25:00",
    "0001-01-01T00:00:00+01:00",  # before the first moment a datetime can hold, in UTC
    "9999-12-31T23:30:00-01:00",  # after the last one
]


def date_parameters() -> list[tuple[type, str]]:
    """(FilterSet, parameter) for every filter that reads a date, found by its form field."""
    found = []
    for filterset_class in FILTERSETS:
        for name, declared in filterset_class.base_filters.items():
            if issubclass(declared.field_class, forms.DateField | DateOrDateTimeField):
                found.append((filterset_class, name))
    return found


def test_every_listed_date_parameter_is_found():
    names = {(cls.__name__, name) for cls, name in date_parameters()}
    assert {
        ("InsightFilterSet", "created_after"),
        ("InsightFilterSet", "created_before"),
        ("InsightFilterSet", "updated_after"),
        ("StudyFilterSet", "started_after"),
        ("StudyFilterSet", "started_before"),
        ("StudyFilterSet", "updated_after"),
        ("ObservationFilterSet", "observed_after"),
        ("ObservationFilterSet", "observed_before"),
        ("ObservationFilterSet", "updated_after"),
    } <= names


@pytest.mark.parametrize("value", IMPOSSIBLE)
@pytest.mark.parametrize(
    "filterset_class, name", date_parameters(), ids=lambda p: getattr(p, "__name__", p)
)
def test_an_impossible_date_is_a_form_error_on_its_parameter(filterset_class, name, value):
    queryset = FILTERSETS[filterset_class].objects.all()
    filterset = filterset_class(QueryDict(f"{name}={value.replace('+', '%2B')}"), queryset=queryset)
    assert not filterset.is_valid()
    assert list(filterset.errors) == [name]
    assert "date" in filterset.errors[name][0]


@pytest.mark.parametrize("value", ["2026-02-28", "2026-06-01T23:59:59Z", "2026-06-01 10:00"])
def test_real_dates_still_filter(value):
    params = QueryDict(f"created_after={value}")
    filterset = InsightFilterSet(params, queryset=Insight.objects.all())
    assert filterset.is_valid(), filterset.errors
