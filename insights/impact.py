"""Did a decision move its metric? The answers before and after its ship date, compared.

A decision targets a metric (NPS, CSAT or CES) and tags (the affected customers or journey
stage). Its answers are the observations of that metric that belong to every target tag by the
tag rule of insights.metrics (answer, participant or study carries it, child tags included),
dated (observed_on) within ``window`` days before the ship date or within ``window`` days after
it. The ship day itself belongs to neither side: on that day customers met either version.

The difference after − before gets a 95% confidence interval:
- NPS: each answer scores +1 (promoter), 0 (passive) or −1 (detractor); its variance is
  p + d − (p − d)², so Var(NPS) = 100² · (p + d − (p − d)²) / n per side, the two sides' variances
  add, and the interval is the difference ± 1.96 · √(sum).
- CSAT: a difference of proportions, Var = 100² · p(1 − p) / n per side, ± 1.96 · √(sum).
- CES: a difference of means (Welch): Var = s² / n per side with the sample variance s², the
  t quantile at the Welch–Satterthwaite degrees of freedom.
With fewer than MIN_RELIABLE_BASE answers on either side the result cannot be judged yet.

Every decision's counts come from one query per DECISIONS_PER_QUERY decisions (conditional
counts per (metric, score)), so the loop report costs the same few queries for any number.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import NormalDist

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .charts import format_value
from .metrics import MIN_RELIABLE_BASE, MetricSummary, summarize_counts, tag_filter
from .models import Decision, Observation, Tag
from .models.tag_tree import TagTree

Z95 = NormalDist().inv_cdf(0.975)  # 1.959964...
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 7, 730
DECISIONS_PER_QUERY = 50

# Verdicts: the first three say why there is no result, the last three what the result is.
NO_TARGET, NOT_SHIPPED, TOO_FEW = "no_target", "not_shipped", "too_few_answers"
ROSE, FELL, NO_CLEAR_CHANGE = "rose", "fell", "no_clear_change"
JUDGED = (ROSE, FELL, NO_CLEAR_CHANGE)


def default_window() -> int:
    """Days on each side of the ship date (settings.IMPACT_WINDOW_DAYS, 90 by default)."""
    return getattr(settings, "IMPACT_WINDOW_DAYS", 90)


# Statistics ---------------------------------------------------------------------------------


def t_quantile(probability: float, df: float) -> float:
    """Student's t quantile, by the Cornish–Fisher expansion of the normal quantile
    (error below 0.001 from 5 degrees of freedom on; a result is only judged from 29)."""
    z = NormalDist().inv_cdf(probability)
    if math.isinf(df):
        return z
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * df**4)
    )


@dataclass
class Comparison:
    """after − before, its standard error and 95% interval (df: Welch's, for CES only)."""

    difference: float
    standard_error: float
    low: float
    high: float
    df: float | None = None


def _variance_of_value(metric: str, counts: Counter) -> tuple[float, float] | None:
    """(the figure, the variance of the figure) of one side, or None when it has none."""
    n = sum(counts.values())
    if metric == Observation.Metric.NPS:
        if not n:
            return None
        p = sum(k for score, k in counts.items() if score >= 9) / n
        d = sum(k for score, k in counts.items() if score <= 6) / n
        return 100 * (p - d), 100**2 * (p + d - (p - d) ** 2) / n
    if metric == Observation.Metric.CSAT:
        if not n:
            return None
        p = sum(k for score, k in counts.items() if score >= 4) / n
        return 100 * p, 100**2 * p * (1 - p) / n
    if n < 2:  # a sample variance needs two answers
        return None
    mean = sum(float(score) * k for score, k in counts.items()) / n
    s2 = sum(k * (float(score) - mean) ** 2 for score, k in counts.items()) / (n - 1)
    return mean, s2 / n


def compare(metric: str, before: Counter, after: Counter) -> Comparison | None:
    """The difference of the metric after − before with its 95% interval; None without
    enough answers on a side (one for NPS and CSAT, two for CES)."""
    first, second = _variance_of_value(metric, before), _variance_of_value(metric, after)
    if first is None or second is None:
        return None
    (value1, var1), (value2, var2) = first, second
    difference = value2 - value1
    se = math.sqrt(var1 + var2)
    df = None
    quantile = Z95
    if metric == Observation.Metric.CES and se > 0:
        n1, n2 = sum(before.values()), sum(after.values())
        df = (var1 + var2) ** 2 / (var1**2 / (n1 - 1) + var2**2 / (n2 - 1))
        quantile = t_quantile(0.975, df)
    return Comparison(difference, se, difference - quantile * se, difference + quantile * se, df)


# One decision's impact ----------------------------------------------------------------------


@dataclass
class Side:
    """The answers of one window: its dates (inclusive) and the metric's figures."""

    start: date
    end: date
    summary: MetricSummary

    @property
    def display(self) -> str:
        """The figure as people read it (NPS +32, CSAT 81.5%, CES 5.25)."""
        return format_value(self.summary.metric, self.summary.value)

    def as_dict(self) -> dict:
        summary = self.summary.as_dict()
        summary.pop("warning", None)
        summary.pop("metric", None)
        return {"start": self.start, "end": self.end, **summary}


@dataclass
class Impact:
    """What a decision's target metric did after it shipped, in figures and in words."""

    decision: Decision
    window: int
    metric: str = ""
    tags: list[Tag] = field(default_factory=list)
    shipped_on: date | None = None
    before: Side | None = None
    after: Side | None = None
    comparison: Comparison | None = None
    verdict: str = NO_TARGET
    after_window_open: bool = False

    @property
    def judged(self) -> bool:
        return self.verdict in JUDGED

    @property
    def digits(self) -> int:
        return 2 if self.metric == Observation.Metric.CES else 1

    def rounded(self, value: float | None) -> float | None:
        return None if value is None else round(value, self.digits)

    def signed(self, value: float) -> str:
        """A difference as people write it, in the reader's language: +12.3, −4.0, 0
        (+12,3 in Russian)."""
        size = round(abs(value), self.digits)
        text = number_format(size, self.digits)
        return text if size == 0 else ("+" if value > 0 else "−") + text

    @property
    def message(self) -> str:
        """The result in words, in the reader's language."""
        figures = {"metric": self.metric.upper(), "minimum": MIN_RELIABLE_BASE}
        if self.verdict == NO_TARGET:
            return _("No target metric is set, so there is nothing to measure yet.")
        if self.verdict == NOT_SHIPPED:
            return _("The impact is measured once the decision has shipped.")
        if self.verdict == TOO_FEW:
            return _(
                "Cannot be judged yet: answers before shipping: %(before)d, after: %(after)d; "
                "each side needs at least %(minimum)d."
            ) % {**figures, "before": self.before.summary.base, "after": self.after.summary.base}
        figures.update(
            difference=self.signed(self.comparison.difference),
            low=self.signed(self.comparison.low),
            high=self.signed(self.comparison.high),
        )
        if self.verdict == ROSE:
            text = _(
                "%(metric)s rose by %(difference)s (95%% confidence interval %(low)s to "
                "%(high)s): a real change, not chance."
            )
        elif self.verdict == FELL:
            text = _(
                "%(metric)s fell by %(difference)s (95%% confidence interval %(low)s to "
                "%(high)s): a real change, not chance."
            )
        else:
            text = _(
                "No clear change in %(metric)s: %(difference)s, but the 95%% confidence "
                "interval (%(low)s to %(high)s) includes zero."
            )
        return text % figures

    @property
    def verdict_label(self) -> str:
        """The verdict in two or three words, for tables."""
        return {
            NO_TARGET: _("No target metric"),
            NOT_SHIPPED: _("Not shipped yet"),
            TOO_FEW: _("Cannot be judged yet"),
            ROSE: _("Rose"),
            FELL: _("Fell"),
            NO_CLEAR_CHANGE: _("No clear change"),
        }[self.verdict]

    @property
    def difference_display(self) -> str:
        return self.signed(self.comparison.difference) if self.comparison else "—"

    @property
    def interval_display(self) -> str:
        if not self.comparison:
            return "—"
        return f"{self.signed(self.comparison.low)} … {self.signed(self.comparison.high)}"

    @property
    def open_window_note(self) -> str:
        if not (self.after_window_open and self.after):
            return ""
        return _("The after window is still open (until %(date)s): more answers will come.") % {
            "date": self.after.end.isoformat()
        }

    def as_dict(self) -> dict:
        comparison = self.comparison
        return {
            "decision": self.decision.pk,
            "metric": self.metric or None,
            "tags": [
                {"id": tag.pk, "slug": tag.slug, "name": tag.name, "group": tag.group.slug}
                for tag in self.tags
            ],
            "shipped_on": self.shipped_on,
            "window_days": self.window,
            "before": self.before.as_dict() if self.before else None,
            "after": self.after.as_dict() if self.after else None,
            "difference": self.rounded(comparison.difference) if comparison else None,
            "standard_error": self.rounded(comparison.standard_error) if comparison else None,
            "ci_low": self.rounded(comparison.low) if comparison else None,
            "ci_high": self.rounded(comparison.high) if comparison else None,
            "degrees_of_freedom": round(comparison.df, 1) if comparison and comparison.df else None,
            "min_base": MIN_RELIABLE_BASE,
            "verdict": self.verdict,
            "message": self.message,
            "after_window_open": self.after_window_open,
        }


def _windows(shipped_on: date, window: int) -> tuple[tuple[date, date], tuple[date, date]]:
    return (
        (shipped_on - timedelta(days=window), shipped_on - timedelta(days=1)),
        (shipped_on + timedelta(days=1), shipped_on + timedelta(days=window)),
    )


def _answers_of(impact: Impact, tree: TagTree) -> Q:
    condition = Q(metric=impact.metric)
    for tag in impact.tags:
        condition &= tag_filter(tag, tag_ids=tree.below(tag.pk))
    return condition


def _count(impacts: list[Impact]) -> dict[int, tuple[Counter, Counter]]:
    """decision id -> (before, after) answers per score; one query per chunk of decisions."""
    tree = TagTree.load() if any(impact.tags for impact in impacts) else TagTree(())
    counts: dict[int, tuple[Counter, Counter]] = defaultdict(lambda: (Counter(), Counter()))
    for start in range(0, len(impacts), DECISIONS_PER_QUERY):
        chunk = impacts[start : start + DECISIONS_PER_QUERY]
        columns, days = {}, []
        for impact in chunk:
            answers = _answers_of(impact, tree)
            windows = _windows(impact.shipped_on, impact.window)
            days += [windows[0][0], windows[1][1]]
            for prefix, (first, last) in zip("ba", windows, strict=True):
                dated = Q(observed_on__gte=first, observed_on__lte=last)
                columns[f"{prefix}{impact.decision.pk}"] = Count("pk", filter=answers & dated)
        # The outer filter lets the database skip answers no decision of the chunk can use.
        rows = (
            Observation.objects.filter(
                metric__in={impact.metric for impact in chunk},
                observed_on__gte=min(days),
                observed_on__lte=max(days),
            )
            .order_by()
            .values("metric", "score")
            .annotate(**columns)
        )
        for row in rows:
            for impact in chunk:
                if row["metric"] != impact.metric:
                    continue
                before, after = counts[impact.decision.pk]
                before[Decimal(row["score"])] += row[f"b{impact.decision.pk}"]
                after[Decimal(row["score"])] += row[f"a{impact.decision.pk}"]
    return counts


def _target_tags(decisions: list[Decision]) -> dict[int, list[Tag]]:
    """decision id -> its target tags (with their group), in one query."""
    links = (
        Decision.target_tags.through.objects.filter(decision_id__in=[d.pk for d in decisions])
        .select_related("tag__group")
        .order_by("tag__group__position", "tag__name")
    )
    tags: dict[int, list[Tag]] = defaultdict(list)
    for link in links:
        tags[link.decision_id].append(link.tag)
    return tags


def impacts_for(
    decisions: Iterable[Decision], *, window: int | None = None, today: date | None = None
) -> dict[int, Impact]:
    """decision id -> Impact, for any number of decisions in a few queries."""
    window = window or default_window()
    today = today or timezone.localdate()
    decisions = list(decisions)
    if not decisions:
        return {}
    tags = _target_tags(decisions)
    result: dict[int, Impact] = {}
    for decision in decisions:
        impact = Impact(
            decision=decision,
            window=window,
            metric=decision.target_metric,
            tags=tags.get(decision.pk, []),
            shipped_on=decision.shipped_on,
        )
        if decision.target_metric and decision.shipped_on is None:
            impact.verdict = NOT_SHIPPED
        result[decision.pk] = impact
    measured = [i for i in result.values() if i.metric and i.shipped_on is not None]
    counts = _count(measured)
    for impact in measured:
        before, after = counts[impact.decision.pk]
        (start1, end1), (start2, end2) = _windows(impact.shipped_on, window)
        impact.before = Side(start1, end1, summarize_counts(impact.metric, before))
        impact.after = Side(start2, end2, summarize_counts(impact.metric, after))
        impact.after_window_open = end2 >= today
        impact.comparison = compare(impact.metric, before, after)
        impact.verdict = _verdict(impact)
    return result


def _verdict(impact: Impact) -> str:
    bases = (impact.before.summary.base, impact.after.summary.base)
    if min(bases) < MIN_RELIABLE_BASE or impact.comparison is None:
        return TOO_FEW
    if impact.comparison.low > 0:
        return ROSE
    if impact.comparison.high < 0:
        return FELL
    return NO_CLEAR_CHANGE


def impact_of(decision: Decision, *, window: int | None = None) -> Impact:
    """One decision's impact (three queries)."""
    return impacts_for([decision], window=window)[decision.pk]


def parse_window(value: str | None) -> int:
    """The ?window= days, or the default when absent; ValueError with a message when wrong."""
    if value in (None, ""):
        return default_window()
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = None
    if days is None or not MIN_WINDOW_DAYS <= days <= MAX_WINDOW_DAYS:
        raise ValueError(
            _("Give the window as a whole number of days from %(low)d to %(high)d.")
            % {"low": MIN_WINDOW_DAYS, "high": MAX_WINDOW_DAYS}
        )
    return days
