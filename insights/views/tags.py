"""Tags by group with usage counts, and each tag's page with its metrics."""

from django.shortcuts import get_object_or_404, render

from .. import charts
from ..metrics import MIN_RELIABLE_BASE, metrics_for_tag
from ..models import Follow, Observation, Tag, TagGroup
from ..models.tag_tree import TagTree
from ..selectors import tag_page, tags_with_usage_below
from .common import member_required
from .metrics import metric_panels, trend_points


def _tag_tree(tags: list[Tag]) -> list[tuple[Tag, int]]:
    """Tags in display order with their depth: each parent followed by its children."""
    by_pk = {tag.pk: tag for tag in tags}
    order = TagTree.of(tags).depth_first(key=lambda pk: by_pk[pk].name.lower())
    return [(by_pk[pk], depth) for pk, depth in order]


@member_required
def tag_list(request):
    """Every tag by group, with aliases, parents and usage counts that include the tags below
    (what following the tag finds); insights are counted only if the reader may see them."""
    tags = tags_with_usage_below(request.user)
    groups = []
    for group in TagGroup.objects.all():
        members = [tag for tag in tags if tag.group_id == group.pk]
        groups.append({"group": group, "tags": _tag_tree(members)})
    return render(request, "insights/tag_list.html", {"groups": groups})


@member_required
def tag_detail(request, slug: str):
    """A tag's insights, observations and studies (its child tags included), and its metrics."""
    tag = get_object_or_404(
        Tag.objects.select_related("group", "parent").prefetch_related("aliases", "children"),
        slug=slug,
    )
    page = tag_page(request.user, tag)
    insights, observations = page.insights, page.observations
    summaries = metrics_for_tag(tag, tag_ids=page.tag_ids)
    points = trend_points(tag, page.tag_ids) if summaries[Observation.Metric.NPS].base else []
    limit = 50
    context = {
        "tag": tag,
        "is_following": Follow.objects.filter(user=request.user, tag=tag).exists(),
        "insights": insights[:limit],
        "insight_count": insights.count(),
        "observations": observations[:limit],
        "observation_count": observations.count(),
        "studies": page.studies,
        "limit": limit,
        "metric_panels": metric_panels(summaries, with_charts=False),
        "trend_points": points,
        "trend_chart": charts.trend_svg(points) if points else "",
        "min_base": MIN_RELIABLE_BASE,
    }
    return render(request, "insights/tag_detail.html", context)
