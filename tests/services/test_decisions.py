"""Decision services: every status change is recorded with its date."""

import pytest

from insights.models import DecisionStatusChange
from insights.services import decision_create, decision_set_status

pytestmark = pytest.mark.django_db


def test_decision_history_records_every_status_with_its_date(supported):
    decision = decision_create(title="Add chat", insights=[supported])
    decision_set_status(decision=decision, status="accepted", note="Agreed")
    decision_set_status(decision=decision, status="shipped")
    history = list(
        DecisionStatusChange.objects.filter(decision=decision).values_list(
            "from_status", "to_status", "note"
        )
    )
    assert history == [
        ("", "proposed", ""),
        ("proposed", "accepted", "Agreed"),
        ("accepted", "shipped", ""),
    ]
    assert decision.decided_on is not None
