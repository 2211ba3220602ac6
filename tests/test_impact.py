"""Decision impact: the statistics against figures worked out by hand, and which answers count."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from insights import impact
from insights.services import decision_set_status

from .factories import DecisionFactory, MetricObservationFactory, ParticipantFactory, StudyFactory

SHIPPED = date(2026, 6, 1)


def counts(**by_score) -> Counter:
    """counts(s10=12, s3=18): 12 answers of 10 and 18 of 3."""
    return Counter({Decimal(key[1:]): n for key, n in by_score.items()})


# --- Statistics, worked out by hand -------------------------------------------------------------


def test_nps_difference_and_interval_by_hand():
    # Before: 40 answers, 12 promoters, 10 passives, 18 detractors: p = .30, d = .45, NPS −15;
    # an answer's variance .30 + .45 − (−.15)² = .7275, Var(NPS) = 10000 · .7275 / 40 = 181.875.
    # After: 50 answers, 25 / 15 / 10: p = .5, d = .2, NPS +30; .7 − .09 = .61, 10000 · .61 / 50
    # = 122. Difference +45, SE √303.875 = 17.4320, interval 45 ± 1.96 · 17.4320 = 10.83…79.17.
    result = impact.compare("nps", counts(s10=12, s8=10, s3=18), counts(s9=25, s7=15, s0=10))
    assert result.difference == pytest.approx(45.0)
    assert result.standard_error == pytest.approx(17.4320, abs=1e-4)
    assert result.low == pytest.approx(10.834, abs=1e-3)
    assert result.high == pytest.approx(79.166, abs=1e-3)
    assert result.df is None


def test_csat_difference_of_proportions_by_hand():
    # Before 24 of 40 satisfied (60%): 10000 · .6 · .4 / 40 = 60. After 40 of 50 (80%):
    # 10000 · .8 · .2 / 50 = 32. +20 points, SE √92 = 9.5917, 20 ± 18.7993.
    result = impact.compare("csat", counts(s5=24, s2=16), counts(s4=40, s1=10))
    assert result.difference == pytest.approx(20.0)
    assert result.standard_error == pytest.approx(9.5917, abs=1e-4)
    assert result.low == pytest.approx(1.2007, abs=1e-3)
    assert result.high == pytest.approx(38.7993, abs=1e-3)


def test_ces_welch_difference_of_means_by_hand():
    # Before: ten 3s and ten 5s: mean 4, s² = 20 / 19 = 1.05263, s²/n = .052632.
    # After: fifteen 4s and fifteen 6s: mean 5, s² = 30 / 29 = 1.03448, s²/n = .034483.
    # SE = √.087114 = .29515; Welch df = .087114² / (.052632²/19 + .034483²/29) = 40.63;
    # t(.975, 40.63) = 2.0201 (tables: 2.0211 at 40, 2.0003 at 60); 1 ± .5962.
    result = impact.compare("ces", counts(s3=10, s5=10), counts(s4=15, s6=15))
    assert result.difference == pytest.approx(1.0)
    assert result.standard_error == pytest.approx(0.29515, abs=1e-5)
    assert result.df == pytest.approx(40.63, abs=0.01)
    assert result.low == pytest.approx(0.4038, abs=1e-3)
    assert result.high == pytest.approx(1.5962, abs=1e-3)


@pytest.mark.parametrize(
    ("df", "table"), [(5, 2.5706), (10, 2.2281), (30, 2.0423), (60, 2.0003), (120, 1.9799)]
)
def test_t_quantile_matches_the_tables(df, table):
    assert impact.t_quantile(0.975, df) == pytest.approx(table, abs=5e-4)


def test_no_interval_without_answers_on_a_side():
    assert impact.compare("nps", Counter(), counts(s9=3)) is None
    # A sample variance needs two answers.
    assert impact.compare("ces", counts(s5=1), counts(s4=5)) is None


def test_identical_answers_give_a_zero_width_interval():
    result = impact.compare("ces", counts(s5=3), counts(s6=4))
    assert (result.difference, result.low, result.high) == (1.0, 1.0, 1.0)


# --- Which answers count ---------------------------------------------------------------------


def answers(day, scores, **fields):
    for score in scores:
        MetricObservationFactory(observed_on=day, score=score, **fields)


@pytest.fixture
def shipped(onboarding, premium):
    """A decision shipped on 1 June 2026 that targets NPS of premium customers in onboarding."""
    decision = DecisionFactory(
        target_metric="nps", target_tags=[onboarding, premium], shipped_on=SHIPPED
    )
    decision_set_status(decision=decision, status="shipped")
    return decision


@pytest.mark.django_db
def test_answers_in_the_windows_carrying_every_target_tag(shipped, onboarding, kyc, premium):
    both = [onboarding, premium]
    answers(SHIPPED - timedelta(days=90), [3, 3], tags=both)  # first day of the window
    answers(SHIPPED - timedelta(days=91), [10], tags=both)  # too early
    answers(SHIPPED, [10], tags=both)  # the ship day belongs to neither side
    answers(SHIPPED + timedelta(days=90), [10, 9, 7], tags=both)  # last day of the window
    answers(SHIPPED + timedelta(days=91), [0], tags=both)  # too late
    answers(SHIPPED + timedelta(days=5), [0], tags=[onboarding])  # not a premium customer
    # A child tag counts for its parent; the segment may sit on the participant.
    participant = ParticipantFactory(tags=[premium])
    answers(SHIPPED - timedelta(days=1), [9], tags=[kyc], participant=participant)
    # A study about onboarding lends its tag to every answer in it.
    answers(SHIPPED + timedelta(days=1), [8], tags=[premium], study=StudyFactory(tags=[onboarding]))
    answers(SHIPPED + timedelta(days=2), [1], tags=both, metric="csat")  # another metric

    result = impact.impact_of(shipped)
    before, after = result.before.summary, result.after.summary
    assert (before.base, before.promoters, before.passives, before.detractors) == (3, 1, 0, 2)
    assert (after.base, after.promoters, after.passives, after.detractors) == (4, 2, 2, 0)
    assert result.before.start == date(2026, 3, 3) and result.before.end == date(2026, 5, 31)
    assert result.after.start == date(2026, 6, 2) and result.after.end == date(2026, 8, 30)
    assert result.verdict == impact.TOO_FEW


@pytest.mark.django_db
def test_a_shorter_window_leaves_older_answers_out(shipped, onboarding, premium):
    answers(SHIPPED - timedelta(days=20), [9], tags=[onboarding, premium])
    answers(SHIPPED - timedelta(days=5), [3], tags=[onboarding, premium])
    assert impact.impact_of(shipped, window=30).before.summary.base == 2
    assert impact.impact_of(shipped, window=10).before.summary.base == 1


@pytest.mark.django_db
def test_verdicts_in_words(shipped, onboarding, premium):
    both = [onboarding, premium]
    answers(SHIPPED - timedelta(days=10), [3] * 18 + [8] * 10 + [10] * 12, tags=both)
    answers(SHIPPED + timedelta(days=10), [0] * 10 + [7] * 15 + [9] * 25, tags=both)
    with translation.override("en"):
        result = impact.impact_of(shipped, window=90)
        body = result.as_dict()
    # The hand-worked NPS example above: −15 → +30, interval 10.8…79.2.
    assert result.verdict == impact.ROSE
    assert (body["difference"], body["ci_low"], body["ci_high"]) == (45.0, 10.8, 79.2)
    assert body["before"]["value"] == -15.0 and body["after"]["value"] == 30.0
    assert "NPS rose by +45.0" in body["message"]
    assert "10.8 to +79.2" in body["message"]
    with translation.override("ru"):
        message = impact.impact_of(shipped).message
    assert "NPS вырос" in message
    assert "+45,0" in message and "+10,8" in message  # Russian writes a decimal comma


@pytest.mark.django_db
def test_too_few_answers_cannot_be_judged(shipped, onboarding, premium):
    answers(SHIPPED - timedelta(days=3), [9] * 29, tags=[onboarding, premium])
    answers(SHIPPED + timedelta(days=3), [0] * 40, tags=[onboarding, premium])
    result = impact.impact_of(shipped)
    assert result.verdict == impact.TOO_FEW
    assert result.comparison is not None  # the figures are still shown
    with translation.override("en"):
        assert result.message.startswith(
            "Cannot be judged yet: answers before shipping: 29, after: 40"
        )


@pytest.mark.django_db
def test_without_target_or_ship_date():
    assert impact.impact_of(DecisionFactory()).verdict == impact.NO_TARGET
    proposed = DecisionFactory(target_metric="csat")
    assert impact.impact_of(proposed).verdict == impact.NOT_SHIPPED


@pytest.mark.django_db
def test_shipping_dates_the_decision():
    decision = DecisionFactory(target_metric="nps")
    assert decision.shipped_on is None
    decision_set_status(decision=decision, status="shipped")
    assert decision.shipped_on == timezone.localdate()


@pytest.mark.django_db
def test_many_decisions_in_a_fixed_number_of_queries(onboarding, django_assert_max_num_queries):
    decisions = [
        DecisionFactory(target_metric=metric, target_tags=[onboarding], shipped_on=SHIPPED)
        for metric in ["nps", "csat", "ces"] * 25
    ]
    answers(SHIPPED - timedelta(days=1), [5], tags=[onboarding], metric="csat")
    # Tags, the tree, and two chunks of counts.
    with django_assert_max_num_queries(4):
        results = impact.impacts_for(decisions)
    assert results[decisions[1].pk].before.summary.base == 1
    assert results[decisions[0].pk].before.summary.base == 0


def test_parse_window():
    assert impact.parse_window(None) == 90
    assert impact.parse_window("30") == 30
    for wrong in ["0", "abc", "731", "-5"]:
        with pytest.raises(ValueError):
            impact.parse_window(wrong)
