"""A decision's target (metric and tags) and ship date, set from the admin through the service."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ..factories import DecisionFactory

pytestmark = pytest.mark.django_db


def test_curator_sets_the_target_and_shipping_dates_it(client, sign_in_staff, onboarding, premium):
    sign_in_staff("Curator")
    decision = DecisionFactory(title="Упростить онбординг")
    payload = {
        "title": decision.title,
        "description": "",
        "status": "shipped",
        "decided_on": "",
        "shipped_on": "",
        "owner": "",
        "external_url": "",
        "outcome": "",
        "target_metric": "nps",
        "target_tags": [onboarding.pk, premium.pk],
        "status_changes-TOTAL_FORMS": "1",
        "status_changes-INITIAL_FORMS": "1",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:insights_decision_change", args=[decision.pk]), payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    decision.refresh_from_db()
    assert decision.target_metric == "nps"
    assert set(decision.target_tags.all()) == {onboarding, premium}
    assert decision.shipped_on == timezone.localdate()
    assert decision.status_changes.last().to_status == "shipped"
