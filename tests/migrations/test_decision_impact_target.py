"""The migration that adds ship dates dates the decisions already shipped from their history."""

import importlib
from datetime import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

import insights.migrations
from insights.models import Decision, DecisionStatusChange

from ..factories import DecisionFactory

pytestmark = pytest.mark.django_db


def migration():
    # Found by name, not number: migrations are renumbered when branches meet.
    folder = Path(insights.migrations.__file__).parent
    [path] = folder.glob("*_decision_impact_target.py")
    return importlib.import_module(f"insights.migrations.{path.stem}")


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
    migration().date_shipped_decisions(apps, None)
    shipped.refresh_from_db()
    proposed.refresh_from_db()
    assert shipped.shipped_on.isoformat() == "2026-03-05"
    assert proposed.shipped_on is None
