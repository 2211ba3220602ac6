"""Reads about following: what a user follows, and which insights each follow matches.

A follow becomes a condition on insights (``pk IN (subquery)``), so the digest can ask for
everything that matches any follow, and say which follow matched each item, in one query.
"""

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import QueryDict

from ..models import Decision, DigestSubscription, Evidence, Follow, Insight, SavedSearch
from ..models.tag_tree import TagTree


@dataclass
class FollowCondition:
    """One follow and the insights it matches, as a condition on Insight."""

    follow: Follow
    condition: Q


def follows_with_targets() -> QuerySet:
    """Follows with their tag, study or saved search fetched in the same query."""
    return Follow.objects.select_related("tag__group", "study", "saved_search")


def user_follows(user) -> dict:
    """What ``user`` follows, by kind, for the /following/ page (one query)."""
    follows = list(follows_with_targets().filter(user=user))
    return {
        "tags": sorted(
            (follow for follow in follows if follow.tag_id), key=lambda f: f.tag.name.lower()
        ),
        "studies": sorted(
            (follow for follow in follows if follow.study_id), key=lambda f: f.study.title.lower()
        ),
        "searches": sorted(
            (follow for follow in follows if follow.saved_search_id),
            key=lambda f: f.saved_search.name.lower(),
        ),
    }


def digest_settings(user, language: str) -> DigestSubscription:
    """The user's digest settings, or (unsaved) the defaults a first follow would create."""
    found = DigestSubscription.objects.filter(user=user).first()
    return found or DigestSubscription(user=user, language=language)


def follow_prefetch(to_attr: str = "digest_follows") -> Prefetch:
    """Prefetch of users' follows with their targets (for a loop over many users)."""
    return Prefetch("user__follows", queryset=follows_with_targets(), to_attr=to_attr)


def saved_search_for(user, query: str) -> SavedSearch | None:
    """The user's saved search with exactly this (normalised) query, if any."""
    from ..services.follows import normalize_search_query

    return SavedSearch.objects.filter(user=user, query=normalize_search_query(query)).first()


def follow_condition(follow: Follow, tree: TagTree) -> Q | None:
    """The insights ``follow`` matches, as a condition; None for a saved search that no
    longer works (a tag in it was deleted)."""
    if follow.tag_id:
        return Q(pk__in=Insight.objects.carrying(tree.below(follow.tag_id)))
    if follow.study_id:
        evidence = Evidence.objects.filter(observation__study_id=follow.study_id)
        return Q(pk__in=evidence.values("insight_id"))
    from ..filtersets import InsightFilterSet

    params = QueryDict(follow.saved_search.query)
    filterset = InsightFilterSet(params, queryset=Insight.objects.all())
    if not filterset.is_valid():
        return None
    return Q(pk__in=filterset.qs.order_by().values("pk"))


def follow_conditions(follows: list[Follow], tree: TagTree) -> list[FollowCondition]:
    found = []
    for follow in follows:
        condition = follow_condition(follow, tree)
        if condition is not None:
            found.append(FollowCondition(follow, condition))
    return found


def annotate_matches(queryset: QuerySet, conditions: list[FollowCondition]) -> QuerySet:
    """Insights narrowed to those matching any follow, each annotated with ``follow_<i>``
    (did follow i match?)."""
    if not conditions:
        return queryset.none()
    annotations = {
        f"follow_{index}": ExpressionWrapper(item.condition, output_field=BooleanField())
        for index, item in enumerate(conditions)
    }
    anything = Q()
    for item in conditions:
        anything |= item.condition
    return queryset.filter(anything).annotate(**annotations)


def annotate_decision_matches(
    decisions: QuerySet, conditions: list[FollowCondition], visible: QuerySet
) -> QuerySet:
    """Decisions narrowed to those behind a ``visible`` insight that matches a follow, each
    annotated with ``follow_<i>`` like annotate_matches()."""
    if not conditions:
        return decisions.none()
    links = Decision.insights.through.objects.filter(decision_id=OuterRef("pk"))
    annotations = {
        f"follow_{index}": Exists(
            links.filter(insight_id__in=visible.filter(item.condition).values("pk"))
        )
        for index, item in enumerate(conditions)
    }
    anything = Q()
    for name in annotations:
        anything |= Q(**{name: True})
    return decisions.annotate(**annotations).filter(anything)


def matched_follows(row, conditions: list[FollowCondition]) -> list[Follow]:
    """The follows whose annotation matched on ``row`` (see annotate_matches)."""
    return [item.follow for i, item in enumerate(conditions) if getattr(row, f"follow_{i}")]
