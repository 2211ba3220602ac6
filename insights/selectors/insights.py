"""Reads about insights: the lists the pages and the API share, one insight's page, similar
insights."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from .. import access, search
from ..models import Decision, Evidence, Insight, InsightLink, InsightReview, Tag
from .history import with_last_change
from .tags import tags_with_group


def insight_list(user, insights: QuerySet | None = None) -> QuerySet:
    """The insights ``user`` may see (of ``insights``), with the owner and tags every list
    shows fetched in a fixed number of queries. The search page, the API and "what do we
    already know?" all start here."""
    return (
        access.visible_insights(user, insights)
        .select_related("owner", "reviewed_by")
        .prefetch_related(tags_with_group())
    )


def insight_api_list(user, *, expand_evidence: bool = False) -> QuerySet:
    """insight_list() with what the API's representation reads: evidence ids (or, expanded,
    the observations with study and participant) and decision ids."""
    evidence = Evidence.objects.order_by("relation", "pk")
    if expand_evidence:
        evidence = evidence.select_related("observation__study", "observation__participant")
    return with_last_change(insight_list(user)).prefetch_related(
        Prefetch("evidence", queryset=evidence),
        Prefetch("decisions", queryset=Decision.objects.only("pk")),
    )


def in_order(queryset: QuerySet, ranked: list) -> list:
    """``ranked``'s rows fetched again from ``queryset`` (with its prefetches), same order."""
    fetched = queryset.in_bulk([item.pk for item in ranked])
    return [fetched[item.pk] for item in ranked if item.pk in fetched]


def by_ids(queryset: QuerySet, ids: list[int]) -> list:
    """The rows of ``queryset`` (with its prefetches) with these ids, in this order."""
    fetched = queryset.in_bulk(ids)
    return [fetched[pk] for pk in ids if pk in fetched]


def studies_by_insight(insight_ids: list[int]) -> dict[int, list[dict]]:
    """The studies each insight's evidence comes from, by title, in one query."""
    rows = (
        Evidence.objects.filter(insight_id__in=insight_ids)
        .values("insight_id", "observation__study__slug", "observation__study__title")
        .distinct()
        .order_by("observation__study__title")
    )
    studies: dict[int, list[dict]] = {}
    for row in rows:
        studies.setdefault(row["insight_id"], []).append(
            {"slug": row["observation__study__slug"], "title": row["observation__study__title"]}
        )
    return studies


@dataclass
class InsightPage:
    """What an insight's page shows to one reader."""

    insight: Insight
    supporting: list[Evidence]
    contradicting: list[Evidence]
    links: list[dict]
    decisions: list[Decision]
    successor: Insight | None
    predecessors: list[Insight]
    show_evidence: bool
    reviews: list[InsightReview]


def insight_page(user, pk: int) -> InsightPage:
    """One insight with its evidence, links, decisions, successor and predecessors, each as
    far as ``user`` may see them; Insight.DoesNotExist when the insight is not visible."""
    insight = with_last_change(insight_list(user)).select_related("superseded_by").get(pk=pk)
    visible = access.visible_insights(user)
    show_evidence = access.can_see_evidence(user)
    evidence = []
    if show_evidence:
        evidence = list(
            insight.evidence.select_related("observation__study", "observation__participant")
            .prefetch_related(Prefetch("observation__tags", queryset=Tag.objects.order_by("name")))
            .order_by("-observation__observed_on", "pk")
        )
    links = [
        {"kind": link.get_kind_display(), "insight": link.to_insight}
        for link in InsightLink.objects.filter(
            from_insight=insight, to_insight__in=visible
        ).select_related("to_insight")
    ] + [
        {"kind": link.get_kind_display(), "insight": link.from_insight, "incoming": True}
        for link in InsightLink.objects.filter(
            to_insight=insight, from_insight__in=visible
        ).select_related("from_insight")
    ]
    successor = insight.superseded_by
    if successor is not None and not access.may_see_insight(user, successor):
        successor = None
    return InsightPage(
        insight=insight,
        supporting=[e for e in evidence if e.relation == Evidence.Relation.SUPPORTS],
        contradicting=[e for e in evidence if e.relation == Evidence.Relation.CONTRADICTS],
        links=links,
        decisions=list(insight.decisions.order_by("-decided_on")) if show_evidence else [],
        successor=successor,
        predecessors=list(visible.filter(superseded_by=insight)),
        show_evidence=show_evidence,
        reviews=list(insight.reviews.select_related("user")[:20]) if show_evidence else [],
    )


# How much shared text and shared tags count towards similarity (they add up to 1).
TEXT_WEIGHT, TAG_WEIGHT = 0.6, 0.4
SIMILAR_CANDIDATES = 50


@dataclass
class SimilarInsight:
    insight: Insight
    score: float


def similar_insights(insight: Insight, visible: QuerySet, limit: int = 10) -> list[SimilarInsight]:
    """Other insights of ``visible`` ranked by text similarity plus the share of tags in
    common, best first."""
    others = visible.exclude(pk=insight.pk)
    question = search.parse_question(f"{insight.statement} {insight.details}")
    by_text = {
        other.pk: (other, other.search_rank or 0.0)
        for other in search.search(others, question, match_any=True).order_by("-search_rank")[
            :SIMILAR_CANDIDATES
        ]
    }
    tag_ids = set(insight.tags.values_list("pk", flat=True))
    candidates = {pk: other for pk, (other, _rank) in by_text.items()}
    if tag_ids:
        by_tags = others.tagged_with(tag_ids, match_any=True, include_children=False)
        candidates.update({other.pk: other for other in by_tags[:SIMILAR_CANDIDATES]})
    top_rank = max((rank for _other, rank in by_text.values()), default=0.0) or 1.0
    scored = []
    for pk, other in candidates.items():
        other_tags = {tag.pk for tag in other.tags.all()}
        every = tag_ids | other_tags
        shared = len(tag_ids & other_tags) / len(every) if every else 0
        text = by_text.get(pk, (None, 0.0))[1] / top_rank
        scored.append(SimilarInsight(other, round(TEXT_WEIGHT * text + TAG_WEIGHT * shared, 3)))
    scored.sort(key=lambda item: (-item.score, -item.insight.pk))
    return scored[:limit]
