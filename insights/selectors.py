"""Reads that several pages (and the API) share: visibility, tag trees, facet counts."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from math import ceil

from django.conf import settings
from django.db import connections, router
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
    return _descendants(Tag.objects.order_by().values_list("pk", "parent_id"))


def _descendants(pairs: Iterable[tuple[int, int | None]]) -> dict[int, set[int]]:
    """descendants_map() from (tag id, parent id) pairs already in hand."""
    pairs = list(pairs)
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


def tag_counts_below(model, owners: QuerySet | None, tree: dict[int, set[int]]) -> dict[int, int]:
    """Tag id -> how many ``model`` rows (of ``owners``; all for None) carry the tag or a tag
    below it, each row counted once however many of those tags it has. One query.

    Filtering by a parent tag includes its children, so counts must too. The tree is joined
    in as a literal (descendant, ancestor) table: no recursive SQL, and the same statement on
    SQLite and PostgreSQL (both name VALUES columns column1, column2).
    """
    pairs = [(int(below), int(tag)) for tag, tags in tree.items() for below in tags]
    if not pairs:
        return {}
    through = model.tags.through
    database = connections[router.db_for_read(through)]  # the read replica, where there is one
    quote = database.ops.quote_name
    table = quote(through._meta.db_table)
    owner = quote(through._meta.get_field(model._meta.model_name).column)
    tag = quote(through._meta.get_field("tag").column)
    closure = ", ".join(f"({below}, {ancestor})" for below, ancestor in pairs)
    sql = (
        f"SELECT c.column2, COUNT(DISTINCT t.{owner}) FROM {table} t "
        f"JOIN (VALUES {closure}) AS c ON c.column1 = t.{tag}"
    )
    params: tuple = ()
    if owners is not None:
        owners_sql, params = owners.order_by().values("pk").query.sql_with_params()
        sql += f" WHERE t.{owner} IN ({owners_sql})"
    with database.cursor() as cursor:
        cursor.execute(sql + " GROUP BY c.column2", params)
        return dict(cursor.fetchall())


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


def usage_subquery(model, owners: QuerySet | None = None) -> Coalesce:
    """How many ``model`` rows (of ``owners``, if given) carry the outer tag, as a correlated
    subquery (no row blow-up)."""
    through = model.tags.through
    rows = through.objects.filter(tag_id=OuterRef("pk"))
    if owners is not None:
        rows = rows.filter(**{f"{model._meta.model_name}__in": owners.order_by().values("pk")})
    counts = rows.order_by().values("tag_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def tags_with_usage(user=None) -> QuerySet:
    """Tags annotated with how many insights, observations, studies and participants carry
    them directly; with ``user``, only the insights that user may see are counted."""
    insights = visible_insights(user) if user is not None else None
    return Tag.objects.select_related("group", "parent").annotate(
        insight_uses=usage_subquery(Insight, insights),
        observation_uses=usage_subquery(Observation),
        study_uses=usage_subquery(Study),
        participant_uses=usage_subquery(Participant),
    )


def tags_with_usage_below(user) -> list[Tag]:
    """Every tag with ``insight_uses``, ``observation_uses`` and ``study_uses``: what carries
    the tag or a tag below it (as filtering by the tag finds), insights only if ``user`` may
    see them. A fixed number of queries."""
    tags = list(Tag.objects.select_related("group", "parent").prefetch_related("aliases"))
    tree = _descendants((tag.pk, tag.parent_id) for tag in tags)
    insights = tag_counts_below(Insight, visible_insights(user), tree)
    observations = tag_counts_below(Observation, None, tree)
    studies = tag_counts_below(Study, None, tree)
    for tag in tags:
        tag.insight_uses = insights.get(tag.pk, 0)
        tag.observation_uses = observations.get(tag.pk, 0)
        tag.study_uses = studies.get(tag.pk, 0)
    return tags


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
    """For a filtered set of tagged objects: how many carry each tag or a tag below it (what
    choosing the tag would leave), by group (two queries)."""
    tags = list(
        Tag.objects.select_related("group").order_by("group__position", "group__name", "name")
    )
    counts = tag_counts_below(
        queryset.model, queryset, _descendants((tag.pk, tag.parent_id) for tag in tags)
    )
    groups: dict[int, FacetGroup] = {}
    for tag in tags:
        if tag.pk not in counts and tag.pk not in selected:
            continue
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


# A study is offered as a possible duplicate when it shares at least this many of the
# study's distinct meaningful words, and at least this share of them: one common word
# ("клиенты", "Копилка") says nothing about repeating the research.
DUPLICATE_MIN_WORDS = 2
DUPLICATE_MIN_SHARE = 0.25


def similar_studies(study: Study, *, limit: int = 5) -> list[Study]:
    """Other studies whose text covers enough of this study's title and questions that they
    may have asked the same thing, most shared words first (one query)."""
    question = search.parse_question(f"{study.title}\n{study.research_questions}")
    # One term per stem: "первый" and "первые" are the same word for this count.
    terms = tuple({term.stems: term for term in question.include}.values())
    if not terms:
        return []
    question = search.ParsedQuery(include=terms)
    needed = min(len(terms), max(DUPLICATE_MIN_WORDS, ceil(len(terms) * DUPLICATE_MIN_SHARE)))
    studies = (
        search.search(Study.objects.exclude(pk=study.pk), question, match_any=True)
        .annotate(shared_words=search.matched_terms(Study, question))
        .filter(shared_words__gte=needed)
    )
    return list(studies.order_by("-shared_words", "-search_rank", "-started_on")[:limit])
