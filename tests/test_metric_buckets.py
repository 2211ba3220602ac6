"""One function puts an answer in its NPS or CSAT group; every figure and chart uses it."""

from decimal import Decimal

import pytest

from insights import charts
from insights.metrics import bucket, summarize

NPS_GROUPS = {**dict.fromkeys(range(7), "detractor"), 7: "passive", 8: "passive", 9: "promoter",
              10: "promoter"}  # fmt: skip


@pytest.mark.parametrize("score", range(11))
def test_nps_groups(score):
    assert bucket("nps", Decimal(score)) == NPS_GROUPS[score]


@pytest.mark.parametrize(("score", "group"), [(1, "unsatisfied"), (3, "unsatisfied"),
                                             (4, "satisfied"), (5, "satisfied")])  # fmt: skip
def test_csat_groups(score, group):
    assert bucket("csat", Decimal(score)) == group


def test_ces_has_no_groups():
    assert bucket("ces", Decimal(7)) == ""


def test_figures_and_chart_bars_agree_on_the_groups():
    scores = [Decimal(s) for s in (0, 6, 7, 8, 9, 10, 10)]
    summary = summarize("nps", scores)
    assert (summary.detractors, summary.passives, summary.promoters) == (2, 2, 3)
    bars = charts.distribution_bars(summary)
    by_group: dict[str, int] = {}
    for bar in bars:
        by_group[bar.group] = by_group.get(bar.group, 0) + bar.count
    assert by_group == {"detractor": 2, "passive": 2, "promoter": 3}
