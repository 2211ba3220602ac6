"""The demo closes the loop: one shipped decision moved NPS measurably, one cannot be judged."""

import pytest
from django.core.management import call_command

from insights.demo.loop import FREEZE_DECISION, KYC_DECISION
from insights.impact import ROSE, TOO_FEW, impact_of
from insights.models import Decision
from insights.selectors import loop_report

pytestmark = pytest.mark.django_db


def test_demo_has_a_measurable_and_an_unjudged_decision():
    call_command("load_demo", verbosity=0)
    measured = impact_of(Decision.objects.get(title=KYC_DECISION))
    assert measured.verdict == ROSE
    assert measured.before.summary.base >= 30 and measured.after.summary.base >= 30
    assert measured.comparison.low > 0
    unjudged = impact_of(Decision.objects.get(title=FREEZE_DECISION))
    assert unjudged.verdict == TOO_FEW
    report = loop_report()
    assert [i.decision.title for i in report.total.measured] == [KYC_DECISION]
    assert report.total.with_shipped >= 2
    # Loading again adds no second set of answers or targets.
    call_command("load_demo", verbosity=0)
    assert impact_of(Decision.objects.get(title=KYC_DECISION)).after.summary.base == (
        measured.after.summary.base
    )
