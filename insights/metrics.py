"""NPS / CSAT / CES from metric observations, with the counts behind every number.

Formulas: NPS = % promoters (9–10) − % detractors (0–6), passives (7–8) count in
the base only; CSAT = share of 4–5 answers on the 1–5 scale, in %; CES = mean effort (1–7).
A base under MIN_RELIABLE_BASE answers is flagged: too small to trust.

The database counts answers per (metric, score); Python only sees those few rows, so a million
answers cost the same handful of queries as ten.

Which answers belong to a tag (tag pages, the NPS trend): an answer counts when the answer
itself, its participant, or its study carries the tag or a tag below it. Study tags say what
the whole study is about, so they apply to every answer in it, except segment tags: on a study
they only say which segments it covered, so a segment's answers are those whose observation or
participant carries it (the same rule as the segment split).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Value, When
from django.utils.translation import ngettext

from .models import Observation, Participant, Study, Tag, TagGroup
from .models.tag_tree import TagTree

MIN_RELIABLE_BASE = 30
STANDARD_METRICS = (Observation.Metric.NPS, Observation.Metric.CSAT, Observation.Metric.CES)
# Study tags of this group name covered segments, not a property of every answer (see above).
SEGMENT_GROUP_SLUG = "segment"
# Conditional counts per query in a segment split: well under SQLite's column limit.
SEGMENTS_PER_QUERY = 100

ScoreCounts = Mapping[Decimal, int]


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

    @property
    def small_base(self) -> bool:
        return 0 < self.base < MIN_RELIABLE_BASE


def small_base_warning(base: int) -> str | None:
    """The translated "too few answers" warning, or None when the base is empty or big enough."""
    if not base or base >= MIN_RELIABLE_BASE:
        return None
    return ngettext(
        "Only %(base)d answer: too few to trust (%(minimum)d or more recommended).",
        "Only %(base)d answers: too few to trust (%(minimum)d or more recommended).",
        base,
    ) % {"base": base, "minimum": MIN_RELIABLE_BASE}


PROMOTER, PASSIVE, DETRACTOR = "promoter", "passive", "detractor"
SATISFIED, UNSATISFIED = "satisfied", "unsatisfied"


def bucket(metric: str, score: Decimal) -> str:
    """The group an answer falls in: NPS promoter (9–10), passive (7–8) or detractor (0–6);
    CSAT satisfied (4–5) or unsatisfied (1–3); "" for a metric without groups (CES)."""
    if metric == Observation.Metric.NPS:
        return PROMOTER if score >= 9 else PASSIVE if score >= 7 else DETRACTOR
    if metric == Observation.Metric.CSAT:
        return SATISFIED if score >= 4 else UNSATISFIED
    return ""


def summarize_counts(metric: str, counts: ScoreCounts) -> MetricSummary:
    """One metric's figure and the counts behind it, from the number of answers per score."""
    counts = {score: n for score, n in counts.items() if n}
    base = sum(counts.values())
    distribution: dict[str, int] = {}
    for score in sorted(counts):
        key = format(score.normalize(), "f")
        distribution[key] = distribution.get(key, 0) + counts[score]
    summary = MetricSummary(
        metric=metric, base=base, distribution=distribution, warning=small_base_warning(base)
    )
    groups: Counter = Counter()
    for score, n in counts.items():
        groups[bucket(metric, score)] += n
    if metric == Observation.Metric.NPS:
        summary.promoters = groups[PROMOTER]
        summary.passives = groups[PASSIVE]
        summary.detractors = groups[DETRACTOR]
        if base:
            summary.value = round((summary.promoters - summary.detractors) * 100 / base, 1)
    elif metric == Observation.Metric.CSAT:
        summary.satisfied = groups[SATISFIED]
        if base:
            summary.value = round(summary.satisfied * 100 / base, 1)
    elif base:
        summary.value = round(float(sum(score * n for score, n in counts.items())) / base, 2)
    return summary


def summarize(metric: str, scores: list[Decimal]) -> MetricSummary:
    """One metric's figure and the counts behind it, from the raw scores."""
    return summarize_counts(metric, Counter(scores))


def _answers(observations: QuerySet, metrics: Iterable[str] = STANDARD_METRICS) -> QuerySet:
    # order_by(): an ordering would join the GROUP BY and split the counts.
    return observations.filter(metric__in=list(metrics)).order_by()


def score_counts(observations: QuerySet) -> dict[str, Counter]:
    """metric -> Counter(score -> answers), counted by the database in one query."""
    counts: dict[str, Counter] = defaultdict(Counter)
    rows = _answers(observations).values("metric", "score").annotate(n=Count("pk"))
    for row in rows:
        counts[row["metric"]][row["score"]] += row["n"]
    return counts


def metrics_for(observations: QuerySet) -> dict[str, MetricSummary]:
    """NPS, CSAT and CES for a set of observations (one query)."""
    counts = score_counts(observations)
    return {metric: summarize_counts(metric, counts[metric]) for metric in STANDARD_METRICS}


def _carrying(tag_ids: Iterable[int], *, study_tag_ids: Iterable[int] = ()) -> Q:
    """Observations carrying one of the tags directly or via their participant (or study)."""
    tag_ids = list(tag_ids)
    condition = Q(pk__in=Observation.objects.carrying(tag_ids)) | Q(
        participant_id__in=Participant.objects.carrying(tag_ids)
    )
    study_tag_ids = list(study_tag_ids)
    if study_tag_ids:
        condition |= Q(study_id__in=Study.objects.carrying(study_tag_ids))
    return condition


def _participants_of(observations: QuerySet) -> QuerySet:
    return Participant.objects.filter(pk__in=observations.values("participant_id"))


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def metrics_by_segment(observations: QuerySet, group: TagGroup) -> list[dict]:
    """The same figures split by the segment tags (of the observation or its participant) of
    one tag group; an answer with several such tags counts in each, one with none in "none".

    Two queries for up to SEGMENTS_PER_QUERY segments: the tags in use, then one count per
    (metric, score) for each of them.
    """
    answers = _answers(observations)
    segments = sorted(
        Tag.objects.filter(group=group).filter(
            Q(
                pk__in=Observation.objects.filter(pk__in=answers.values("pk"))
                .tag_links()
                .values("tag_id")
            )
            | Q(pk__in=_participants_of(answers).tag_links().values("tag_id"))
        ),
        key=lambda tag: (tag.name, tag.pk),
    )
    # (tag id or None) -> metric -> Counter(score -> answers)
    counts: dict[int | None, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    untagged = ~_carrying([tag.pk for tag in segments]) if segments else None
    for number, chunk in enumerate(list(_chunks(segments, SEGMENTS_PER_QUERY)) or [[]]):
        columns = {f"t{tag.pk}": Count("pk", filter=_carrying([tag.pk])) for tag in chunk}
        if number == 0:
            columns["untagged"] = Count("pk", filter=untagged)
        for row in answers.values("metric", "score").annotate(**columns):
            for tag in chunk:
                counts[tag.pk][row["metric"]][row["score"]] += row[f"t{tag.pk}"]
            if "untagged" in row:
                counts[None][row["metric"]][row["score"]] += row["untagged"]
    result = []
    for tag in [*segments, None]:
        by_metric = counts.get(tag.pk if tag else None)
        if not by_metric or not any(sum(c.values()) for c in by_metric.values()):
            continue
        result.append(
            {
                "segment": {"slug": tag.slug, "name": tag.name} if tag else None,
                "metrics": {
                    metric: summarize_counts(metric, by_metric[metric]).as_dict()
                    for metric in STANDARD_METRICS
                },
            }
        )
    return result


def tag_filter(tag: Tag, *, tag_ids: Iterable[int] | None = None) -> Q:
    """Observations that belong to the tag (see the module docstring for the rule)."""
    if tag_ids is None:
        tag_ids = TagTree.load().below(tag.pk)
    tag_ids = list(tag_ids)
    is_segment = tag.group.slug == SEGMENT_GROUP_SLUG
    return _carrying(tag_ids, study_tag_ids=() if is_segment else tag_ids)


def observations_for_tag(tag: Tag, *, tag_ids: Iterable[int] | None = None) -> QuerySet:
    """The observations a tag's figures are computed from; tag_ids: the tag and its children."""
    return Observation.objects.filter(tag_filter(tag, tag_ids=tag_ids))


def metrics_for_tag(tag: Tag, *, tag_ids: Iterable[int] | None = None) -> dict[str, MetricSummary]:
    """NPS, CSAT and CES of every answer about a tag or a tag below it."""
    return metrics_for(observations_for_tag(tag, tag_ids=tag_ids))


@dataclass
class TrendPoint:
    """One study's NPS for a tag: a point of the trend line."""

    study: Study
    date: date | None
    value: float | None
    base: int
    promoters: int
    passives: int
    detractors: int

    @property
    def small_base(self) -> bool:
        return self.base < MIN_RELIABLE_BASE

    def as_dict(self) -> dict:
        return {
            "study": {"id": self.study.pk, "slug": self.study.slug, "title": self.study.title},
            "date": self.date.isoformat() if self.date else None,
            "nps": self.value,
            "base": self.base,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "small_base": self.small_base,
        }


def nps_trend(tag: Tag, *, tag_ids: Iterable[int] | None = None) -> list[TrendPoint]:
    """NPS per study for a tag, oldest first (studies without any date last); two queries.

    A study's date is when it finished, else when it started, else its first dated answer.
    """
    rows = (
        _answers(observations_for_tag(tag, tag_ids=tag_ids), [Observation.Metric.NPS])
        .values("study_id", "score")
        .annotate(n=Count("pk"), first=Min("observed_on"))
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    first_seen: dict[int, date] = {}
    for row in rows:
        counts[row["study_id"]][row["score"]] += row["n"]
        if row["first"] and (
            row["study_id"] not in first_seen or row["first"] < first_seen[row["study_id"]]
        ):
            first_seen[row["study_id"]] = row["first"]
    if not counts:
        return []
    studies = Study.objects.only("pk", "slug", "title", "started_on", "finished_on").in_bulk(
        list(counts)
    )
    points = []
    for study_id, by_score in counts.items():
        study = studies[study_id]
        summary = summarize_counts(Observation.Metric.NPS, by_score)
        points.append(
            TrendPoint(
                study=study,
                date=study.finished_on or study.started_on or first_seen.get(study_id),
                value=summary.value,
                base=summary.base,
                promoters=summary.promoters,
                passives=summary.passives,
                detractors=summary.detractors,
            )
        )
    points.sort(key=lambda p: (p.date is None, p.date or date.min, p.study.title, p.study.pk))
    return points


def tags_with_nps(tree: TagTree | None = None) -> set[int]:
    """Ids of the tags that have NPS answers by the tag rule, parents included (two queries)."""
    if tree is None:
        tree = TagTree.load()
    nps = Observation.objects.filter(metric=Observation.Metric.NPS).order_by()
    direct = nps.tag_links().values_list("tag_id")
    via_participant = _participants_of(nps).tag_links().values_list("tag_id")
    via_study = (
        Study.objects.filter(pk__in=nps.values("study_id"))
        .tag_links()
        .exclude(tag__group__slug=SEGMENT_GROUP_SLUG)
        .values_list("tag_id")
    )
    used = {tag_id for (tag_id,) in direct.union(via_participant, via_study)}
    return {tag_id for tag_id, below in tree.closure().items() if below & used}


def nps_by_cell(rows: list[Tag], columns: list[Tag], tree: TagTree) -> dict[tuple, MetricSummary]:
    """NPS of the answers that belong to both a row tag and a column tag (each with the tags
    below it, by the rule of ``tag_filter``): (row id, column id) -> summary, cells with
    answers only. Tags need their group loaded.

    One query for any grid: each answer is flagged with the rows and columns it belongs to,
    and the database counts answers per (score, flags); Python adds the flags up per cell.
    """
    if not rows or not columns:
        return {}

    def flag(tag: Tag):
        condition = tag_filter(tag, tag_ids=tree.below(tag.pk))
        return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())

    row_flags = {f"r{tag.pk}": flag(tag) for tag in rows}
    column_flags = {f"c{tag.pk}": flag(tag) for tag in columns}
    answers = _answers(Observation.objects.all(), [Observation.Metric.NPS])
    grouped = (
        answers.annotate(**row_flags, **column_flags)
        .values("score", *row_flags, *column_flags)
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for record in grouped:
        in_rows = [tag.pk for tag in rows if record[f"r{tag.pk}"]]
        in_columns = [tag.pk for tag in columns if record[f"c{tag.pk}"]]
        for row_id in in_rows:
            for column_id in in_columns:
                counts[row_id, column_id][record["score"]] += record["n"]
    return {
        cell: summarize_counts(Observation.Metric.NPS, by_score)
        for cell, by_score in counts.items()
    }
