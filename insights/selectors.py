"""Reads that several pages (and the API) share: visibility, tag trees, facet counts."""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from . import search
from .models import Insight, Observation, Participant, Study, Tag, TagAlias, TagGroup
from .text import normalize_name

# What a reader without editing rights may see: published findings, and superseded ones
# (they stay reachable so old links lead to their successor).
PUBLIC_STATUSES = (Insight.Status.PUBLISHED, Insight.Status.SUPERSEDED)


def can_see_drafts(user) -> bool:
    """Contributors and curators see drafts and archived insights; viewers do not."""
    return user.is_authenticated and (
        user.has_perm("insights.add_insight") or user.has_perm("insights.change_insight")
    )


def can_read(user) -> bool:
    """Anyone with a role may read; anonymous readers only when the setting allows it."""
    if user.is_authenticated:
        return user.has_perm("insights.view_insight")
    return settings.ANONYMOUS_READ


def visible_insights(user) -> QuerySet:
    """The insights this user may see at all."""
    insights = Insight.objects.all()
    return insights if can_see_drafts(user) else insights.filter(status__in=PUBLIC_STATUSES)


def descendants_map() -> dict[int, set[int]]:
    """Every tag id -> itself and all tags below it (one query for the whole tree)."""
    pairs = list(Tag.objects.order_by().values_list("pk", "parent_id"))
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in pairs:
        if parent_id is not None:
            children[parent_id].append(pk)
    result: dict[int, set[int]] = {}
    for pk, _ in pairs:
        found, stack = {pk}, [pk]
        while stack:
            for child in children[stack.pop()]:
                if child not in found:  # guards against a cycle slipping in by hand
                    found.add(child)
                    stack.append(child)
        result[pk] = found
    return result


def resolve_tags(values: list[str]) -> tuple[list[Tag], list[str]]:
    """Tags named by slug, name or alias (case and ё/е ignored); also the values not found."""
    wanted = [value.strip() for value in values if value and value.strip()]
    normalized = {normalize_name(value): value for value in wanted}
    by_slug = {tag.slug: tag for tag in Tag.objects.filter(slug__in=wanted)}
    by_name = {
        tag.normalized_name: tag for tag in Tag.objects.filter(normalized_name__in=normalized)
    }
    by_alias = {
        alias.normalized_name: alias.tag
        for alias in TagAlias.objects.filter(normalized_name__in=normalized).select_related("tag")
    }
    tags, missing = [], []
    for value in wanted:
        key = normalize_name(value)
        tag = by_slug.get(value) or by_name.get(key) or by_alias.get(key)
        if tag is None:
            missing.append(value)
        elif tag not in tags:
            tags.append(tag)
    return tags, missing


def usage_subquery(model) -> Coalesce:
    """How many ``model`` rows carry the outer tag, as a correlated subquery (no row blow-up)."""
    through = model.tags.through
    counts = (
        through.objects.filter(tag_id=OuterRef("pk"))
        .order_by()
        .values("tag_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def tags_with_usage() -> QuerySet:
    """Tags annotated with how many insights, observations, studies and participants use them."""
    return Tag.objects.select_related("group", "parent").annotate(
        insight_uses=usage_subquery(Insight),
        observation_uses=usage_subquery(Observation),
        study_uses=usage_subquery(Study),
        participant_uses=usage_subquery(Participant),
    )


@dataclass
class FacetTag:
    tag: Tag
    count: int
    selected: bool


@dataclass
class FacetGroup:
    group: TagGroup
    tags: list[FacetTag]


def tag_facets(queryset: QuerySet, selected: set[int] = frozenset()) -> list[FacetGroup]:
    """For a filtered set of tagged objects: how many carry each tag, by group (two queries)."""
    through = queryset.model.tags.through
    owner_column = f"{queryset.model._meta.model_name}_id"
    counts = dict(
        through.objects.filter(**{f"{owner_column}__in": queryset.order_by().values("pk")})
        .values("tag_id")
        .annotate(n=Count(owner_column, distinct=True))
        .values_list("tag_id", "n")
    )
    groups: dict[int, FacetGroup] = {}
    tags = Tag.objects.filter(pk__in=set(counts) | set(selected)).select_related("group")
    for tag in tags.order_by("group__position", "group__name", "name"):
        facet = groups.setdefault(tag.group_id, FacetGroup(group=tag.group, tags=[]))
        facet.tags.append(
            FacetTag(tag=tag, count=counts.get(tag.pk, 0), selected=tag.pk in selected)
        )
    for facet in groups.values():
        facet.tags.sort(key=lambda item: (not item.selected, -item.count, item.tag.name.lower()))
    return list(groups.values())


@dataclass
class KnownAnswer:
    """What the repository already knows about a question: insights, studies, tags."""

    insights: list[Insight]
    studies: list[Study]
    tags: list[Tag]

    @property
    def is_empty(self) -> bool:
        return not (self.insights or self.studies or self.tags)


def what_we_know(text: str, user, *, limit: int = 10, exclude_study=None) -> KnownAnswer:
    """The most relevant insights and past studies for pasted research questions, ranked."""
    question = search.parse_question(text)
    if not question.include:
        return KnownAnswer([], [], [])
    insights = search.search(visible_insights(user), question, match_any=True)
    studies = search.search(Study.objects.all(), question, match_any=True)
    if exclude_study is not None:
        studies = studies.exclude(pk=exclude_study.pk)
    tags = search.search(Tag.objects.select_related("group"), question, match_any=True)
    # Current knowledge first: a superseded or archived finding only after the live ones.
    outdated = Case(
        When(status__in=[Insight.Status.SUPERSEDED, Insight.Status.ARCHIVED], then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return KnownAnswer(
        insights=list(
            insights.annotate(outdated=outdated).order_by(
                "outdated", "-search_rank", "-updated_at"
            )[:limit]
        ),
        studies=list(studies.order_by("-search_rank", "-started_on")[:limit]),
        tags=list(tags.order_by("-search_rank", "name")[:limit]),
    )
