"""Reads that have a rule: the search's base queryset, lists the pages and the API share,
detail pages, similar insights and studies, tag usage and facets.

Writes live in insights.services; who may see what is decided by insights.access.
"""

from .insights import (
    InsightPage,
    by_ids,
    in_order,
    insight_api_list,
    insight_list,
    insight_page,
    similar_insights,
    studies_by_insight,
)
from .loop import LoopReport, LoopRow, loop_report
from .search import KnownAnswer, filter_labels, search_base, search_everything, what_we_know
from .studies import (
    decision_insights,
    similar_studies,
    studies_with_counts,
    study_insights,
    study_observations,
)
from .tags import (
    FacetGroup,
    FacetTag,
    TagPage,
    match_tags,
    resolve_tags,
    tag_counts_below,
    tag_facets,
    tag_page,
    tag_usage,
    tags_with_group,
    tags_with_usage,
    tags_with_usage_below,
    usage_subquery,
)

__all__ = [
    "FacetGroup",
    "FacetTag",
    "InsightPage",
    "KnownAnswer",
    "LoopReport",
    "LoopRow",
    "TagPage",
    "by_ids",
    "decision_insights",
    "filter_labels",
    "in_order",
    "insight_api_list",
    "insight_list",
    "insight_page",
    "loop_report",
    "match_tags",
    "resolve_tags",
    "search_base",
    "search_everything",
    "similar_insights",
    "similar_studies",
    "studies_by_insight",
    "studies_with_counts",
    "study_insights",
    "study_observations",
    "tag_counts_below",
    "tag_facets",
    "tag_page",
    "tag_usage",
    "tags_with_group",
    "tags_with_usage",
    "tags_with_usage_below",
    "usage_subquery",
    "what_we_know",
]
