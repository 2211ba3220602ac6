"""The loop report: did anyone act on the research, how fast, and did it move the metric?

Per tag (an insight counts for its tags and every tag above them), over published insights
only, so every role reads the same figures: how many insights there are, how many led to a
decision, how many to a shipped one, the median days from publishing an insight to its first
decision, and the decisions behind them whose impact can be judged, with the result.

A decision is dated by its decided_on, or by when it was recorded while it is still undecided;
a decision recorded before the insight was published counts as 0 days. A fixed number of
queries whatever the number of tags, insights and decisions.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from django.utils import timezone

from ..impact import Impact, default_window, impacts_for
from ..models import Decision, Insight, Tag
from ..models.tag_tree import TagTree


@dataclass
class LoopRow:
    """One tag's line of the report (tag None: every published insight)."""

    tag: Tag | None
    insights: int = 0
    with_decisions: int = 0
    with_shipped: int = 0
    median_days: float | None = None
    measured: list[Impact] = field(default_factory=list)

    def as_dict(self) -> dict:
        tag = self.tag
        return {
            "tag": {"id": tag.pk, "slug": tag.slug, "name": tag.name, "group": tag.group.slug}
            if tag
            else None,
            "insights": self.insights,
            "with_decisions": self.with_decisions,
            "with_shipped_decisions": self.with_shipped,
            "median_days_to_decision": self.median_days,
            "measured_decisions": [
                {"title": impact.decision.title, **impact.as_dict()} for impact in self.measured
            ],
        }


@dataclass
class LoopReport:
    total: LoopRow
    rows: list[LoopRow]
    window: int


def _row(tag, insight_ids, decisions_of, first_decision, published, impacts) -> LoopRow:
    row = LoopRow(tag=tag, insights=len(insight_ids))
    days = []
    decision_ids: set[int] = set()
    for insight_id in insight_ids:
        decided = decisions_of.get(insight_id)
        if not decided:
            continue
        row.with_decisions += 1
        decision_ids |= decided.keys()
        if Decision.Status.SHIPPED in decided.values():
            row.with_shipped += 1
        # An insight without a publishing date (restored from old data) has no delay to count.
        if published[insight_id] is not None:
            days.append(max(0, (first_decision[insight_id] - published[insight_id]).days))
    row.median_days = float(median(days)) if days else None
    row.measured = sorted(
        (impacts[pk] for pk in decision_ids if pk in impacts and impacts[pk].judged),
        key=lambda impact: (impact.shipped_on, impact.decision.pk),
        reverse=True,
    )
    return row


def loop_report(*, window: int | None = None) -> LoopReport:
    """The report over published insights (six queries plus the impact's few)."""
    window = window or default_window()
    published = {
        pk: timezone.localtime(at).date() if at else None
        for pk, at in Insight.objects.filter(status=Insight.Status.PUBLISHED)
        .order_by()
        .values_list("pk", "published_at")
    }
    links = (
        Decision.insights.through.objects.filter(insight__status=Insight.Status.PUBLISHED)
        .order_by()
        .values_list("insight_id", "decision_id", "decision__status")
    )
    decisions_of: dict[int, dict[int, str]] = defaultdict(dict)
    for insight_id, decision_id, status in links:
        decisions_of[insight_id][decision_id] = status
    all_ids = {pk for decided in decisions_of.values() for pk in decided}
    decisions = list(Decision.objects.filter(pk__in=all_ids).only(
        "pk", "title", "status", "decided_on", "created_at", "target_metric", "shipped_on"
    ))  # fmt: skip
    dated = {d.pk: d.decided_on or timezone.localtime(d.created_at).date() for d in decisions}
    first_decision = {
        insight_id: min(dated[pk] for pk in decided) for insight_id, decided in decisions_of.items()
    }
    impacts = impacts_for([d for d in decisions if d.target_metric and d.shipped_on], window=window)
    tags = {tag.pk: tag for tag in Tag.objects.select_related("group")}
    tree = TagTree.of(tags.values())
    by_tag: dict[int, set[int]] = defaultdict(set)
    for insight_id, tag_id in (
        Insight.tags.through.objects.filter(insight__status=Insight.Status.PUBLISHED)
        .order_by()
        .values_list("insight_id", "tag_id")
    ):
        for pk in [tag_id, *tree.ancestors(tag_id)]:
            by_tag[pk].add(insight_id)
    args = (decisions_of, first_decision, published, impacts)
    rows = [_row(tags[pk], ids, *args) for pk, ids in by_tag.items()]
    rows.sort(key=lambda r: (r.tag.group.position, r.tag.group.name, r.tag.name.casefold()))
    return LoopReport(
        total=_row(None, set(published), *args),
        rows=rows,
        window=window,
    )
