"""The loop report's counts and median days to a decision, worked out by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from insights.selectors import loop_report

from ..factories import (
    DecisionFactory,
    published_insight,
)

pytestmark = pytest.mark.django_db


def test_median_days_from_publishing_to_the_first_decision(onboarding, kyc):
    today = timezone.localdate()
    first, second, third = (published_insight(f"Инсайт {n}", [kyc]) for n in range(3))
    published_insight("Без решения", [onboarding])
    # 10 days (the later decision does not count), 20 days, and a decision dated before the
    # insight was published: 0 days. Median of 0, 10, 20 = 10.
    DecisionFactory(insights=[first], decided_on=today + timedelta(days=10), status="accepted")
    DecisionFactory(insights=[first], decided_on=today + timedelta(days=30), status="shipped")
    DecisionFactory(insights=[second], decided_on=today + timedelta(days=20), status="rejected")
    DecisionFactory(insights=[third], decided_on=today - timedelta(days=5), status="accepted")
    report = loop_report()
    assert report.window == 90
    total = report.total
    assert (total.insights, total.with_decisions, total.with_shipped) == (4, 3, 1)
    assert total.median_days == 10
    rows = {row.tag.name: row for row in report.rows}
    assert (rows["KYC"].insights, rows["KYC"].with_decisions, rows["KYC"].median_days) == (3, 3, 10)
    assert rows["Онбординг"].insights == 4 and rows["Онбординг"].with_decisions == 3
    assert total.measured == []


def test_an_even_count_takes_the_middle_of_two(kyc):
    today = timezone.localdate()
    for days in (3, 8):
        DecisionFactory(
            insights=[published_insight(f"Через {days}", [kyc])],
            decided_on=today + timedelta(days=days),
            status="accepted",
        )
    assert loop_report(window=30).total.median_days == 5.5
