"""The migration that adds ship dates dates the decisions already shipped from their history."""

from datetime import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from insights.models import Decision, DecisionStatusChange

from ..factories import DecisionFactory
from . import load_migration

pytestmark = pytest.mark.django_db


def test_shipped_decisions_take_their_first_ship_date():
    shipped = DecisionFactory(status="shipped")
    proposed = DecisionFactory()
    changes = DecisionStatusChange.objects.filter(decision=shipped, to_status="shipped")
    changes.update(changed_at=timezone.make_aware(datetime(2026, 3, 5, 12)))
    # Shipped again later (after a step back): the first ship counts.
    DecisionStatusChange.objects.create(
        decision=shipped,
        from_status="in_progress",
        to_status="shipped",
        changed_at=timezone.make_aware(datetime(2026, 4, 9, 12)),
    )
    Decision.objects.update(shipped_on=None)
    load_migration("decision_impact_target").date_shipped_decisions(apps, None)
    shipped.refresh_from_db()
    proposed.refresh_from_db()
    assert shipped.shipped_on.isoformat() == "2026-03-05"
    assert proposed.shipped_on is None
