"""The metric sections of the study and tag pages: figures, charts, splits and trends."""

from itertools import groupby

from .. import charts
from ..metrics import (
    MIN_RELIABLE_BASE,
    MetricSummary,
    metrics_by_segment,
    metrics_for,
    nps_trend,
    tags_with_nps,
)
from ..models import Observation, Study, Tag, TagGroup
from ..models.tag_tree import TagTree


def metric_panels(summaries: dict[str, MetricSummary], *, with_charts: bool) -> list[dict]:
    """Each metric that has answers: its figure, the counts behind it and its chart."""
    return [
        {
            "metric": metric,
            "label": Observation.Metric(metric).label,
            "summary": summary,
            "value": charts.format_value(metric, summary.value),
            "chart": charts.distribution_svg(summary) if with_charts else "",
            "bars": charts.distribution_bars(summary) if with_charts else [],
        }
        for metric, summary in summaries.items()
        if summary.base
    ]


def _segment_rows(segments: list[dict], metrics: list[str]) -> list[dict]:
    """metrics_by_segment() output as table rows: figures formatted, small bases flagged."""
    return [
        {
            "segment": item["segment"],
            "cells": [
                {
                    **item["metrics"][metric],
                    "metric": metric,
                    "display": charts.format_value(metric, item["metrics"][metric].get("value")),
                    "small": 0 < item["metrics"][metric]["base"] < MIN_RELIABLE_BASE,
                }
                for metric in metrics
            ],
        }
        for item in segments
    ]


def _trend_tag_choices(nps_tag_ids: set[int]) -> tuple[list[Tag], list[tuple]]:
    """Tags with NPS answers, and the same grouped by tag group for a <select>."""
    tags = list(
        Tag.objects.filter(pk__in=nps_tag_ids)
        .select_related("group")
        .order_by("group__position", "group__name", "name")
    )
    grouped = [(group, list(members)) for group, members in groupby(tags, key=lambda t: t.group)]
    return tags, grouped


def trend_points(tag: Tag, tag_ids) -> list:
    """nps_trend() with each point's NPS formatted for the page (+32, not 32.0)."""
    points = nps_trend(tag, tag_ids=tag_ids)
    for point in points:
        point.display = charts.format_value(Observation.Metric.NPS, point.value)
    return points


def study_metrics(request, study: Study) -> dict:
    """The study page's metrics section: figures, charts, segment split and the NPS trend."""
    panels = metric_panels(metrics_for(study.observations.all()), with_charts=True)
    if not panels:
        return {"metric_panels": []}
    groups = list(TagGroup.objects.all())
    split_group = next((g for g in groups if g.slug == request.GET.get("split_by")), None)
    measured = [panel["metric"] for panel in panels]
    segments = (
        _segment_rows(metrics_by_segment(study.observations.all(), split_group), measured)
        if split_group
        else []
    )
    tree = TagTree.load()
    nps_tag_ids = tags_with_nps(tree)
    trend_tags, trend_choices = _trend_tag_choices(nps_tag_ids)
    by_slug = {tag.slug: tag for tag in trend_tags}
    by_pk = {tag.pk: tag for tag in trend_tags}
    # Default: the study's own first tag that has NPS answers somewhere.
    trend_tag = by_slug.get(request.GET.get("trend_tag", "")) or next(
        (by_pk[tag.pk] for tag in study.tags.all() if tag.pk in by_pk), None
    )
    points = trend_points(trend_tag, tree.below(trend_tag.pk)) if trend_tag else []
    return {
        "metric_panels": panels,
        "measured": measured,
        "split_groups": groups,
        "split_group": split_group,
        "segment_rows": segments,
        "trend_choices": trend_choices,
        "trend_tag": trend_tag,
        "trend_points": points,
        "trend_chart": charts.trend_svg(points, highlight=study.pk) if points else "",
        "trend_has_study": any(point.study.pk == study.pk for point in points),
        "min_base": MIN_RELIABLE_BASE,
    }
