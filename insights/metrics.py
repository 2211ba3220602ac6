"""NPS / CSAT / CES from metric observations, with the counts behind every number.

Formulas (DOMAIN.md): NPS = % promoters (9–10) − % detractors (0–6), passives (7–8) count in
the base only; CSAT = share of 4–5 answers on the 1–5 scale, in %; CES = mean effort (1–7).
A base under MIN_RELIABLE_BASE answers is flagged: too small to trust.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import ngettext

from .models import Observation, Tag, TagGroup

MIN_RELIABLE_BASE = 30


@dataclass
class MetricSummary:
    metric: str
    base: int = 0
    value: float | None = None
    promoters: int | None = None
    passives: int | None = None
    detractors: int | None = None
    satisfied: int | None = None
    distribution: dict[str, int] = field(default_factory=dict)
    warning: str | None = None

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}


def _distribution(scores: list[Decimal]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for score in scores:
        counts[format(score.normalize(), "f")] += 1
    return dict(sorted(counts.items(), key=lambda item: Decimal(item[0])))


def summarize(metric: str, scores: list[Decimal]) -> MetricSummary:
    """One metric's figure and the counts behind it."""
    base = len(scores)
    summary = MetricSummary(metric=metric, base=base, distribution=_distribution(scores))
    if base and base < MIN_RELIABLE_BASE:
        summary.warning = ngettext(
            "Only %(base)d answer: too few to trust (%(minimum)d or more recommended).",
            "Only %(base)d answers: too few to trust (%(minimum)d or more recommended).",
            base,
        ) % {"base": base, "minimum": MIN_RELIABLE_BASE}
    if metric == Observation.Metric.NPS:
        summary.promoters = sum(1 for s in scores if s >= 9)
        summary.detractors = sum(1 for s in scores if s <= 6)
        summary.passives = base - summary.promoters - summary.detractors
        if base:
            summary.value = round((summary.promoters - summary.detractors) * 100 / base, 1)
    elif metric == Observation.Metric.CSAT:
        summary.satisfied = sum(1 for s in scores if s >= 4)
        if base:
            summary.value = round(summary.satisfied * 100 / base, 1)
    elif base:
        summary.value = round(float(sum(scores)) / base, 2)
    return summary


STANDARD_METRICS = (Observation.Metric.NPS, Observation.Metric.CSAT, Observation.Metric.CES)


def metrics_for(observations: QuerySet) -> dict[str, MetricSummary]:
    """NPS, CSAT and CES for a set of observations (one query)."""
    scores: dict[str, list[Decimal]] = defaultdict(list)
    rows = observations.filter(metric__in=STANDARD_METRICS).values_list("metric", "score")
    for metric, score in rows:
        scores[metric].append(score)
    return {metric: summarize(metric, scores[metric]) for metric in STANDARD_METRICS}


def metrics_by_segment(observations: QuerySet, group: TagGroup) -> list[dict]:
    """The same figures split by the segment tags (of the observation or its participant) of
    one tag group; an answer with several such tags counts in each, one with none in "none"."""
    rows = list(
        observations.filter(metric__in=STANDARD_METRICS).values_list("pk", "metric", "score")
    )
    ids = [pk for pk, _, _ in rows]
    segments: dict[int, set[int]] = defaultdict(set)
    direct = Observation.tags.through.objects.filter(observation_id__in=ids, tag__group=group)
    for observation_id, tag_id in direct.values_list("observation_id", "tag_id"):
        segments[observation_id].add(tag_id)
    via_participant = Observation.objects.filter(
        pk__in=ids, participant__tags__group=group
    ).values_list("pk", "participant__tags")
    for observation_id, tag_id in via_participant:
        segments[observation_id].add(tag_id)
    scores: dict[int | None, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for pk, metric, score in rows:
        for tag_id in segments.get(pk) or {None}:
            scores[tag_id][metric].append(score)
    tags = Tag.objects.in_bulk([tag_id for tag_id in scores if tag_id is not None])
    result = []
    for tag_id, by_metric in scores.items():
        tag = tags.get(tag_id)
        result.append(
            {
                "segment": {"slug": tag.slug, "name": tag.name} if tag else None,
                "metrics": {
                    metric: summarize(metric, by_metric[metric]).as_dict()
                    for metric in STANDARD_METRICS
                },
            }
        )
    result.sort(key=lambda item: (item["segment"] is None, (item["segment"] or {}).get("name", "")))
    return result
