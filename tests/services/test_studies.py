"""Study services: readable slugs from titles, unique."""

import pytest

from insights.models import Study
from insights.services import study_create

pytestmark = pytest.mark.django_db


def test_study_slugs_come_from_titles_and_stay_unique():
    first = study_create(title="Интервью с клиентами", method="interview")
    second = study_create(title="Интервью с клиентами", method="interview")
    assert (first.slug, second.slug) == ("intervyu-s-klientami", "intervyu-s-klientami-2")
    assert Study.objects.count() == 2
