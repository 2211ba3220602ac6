"""Reads about tags: resolving names, usage counts (a tag's subtree included), facets."""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..access import visible_insights
from ..models import Insight, Observation, Participant, Study, Tag, TagAlias, TagGroup
from ..models.tag_tree import TagTree
from ..text import normalize_name


def tags_with_group() -> Prefetch:
    """The prefetch every list of tagged objects uses: tags with their group, by name."""
    return Prefetch("tags", queryset=Tag.objects.select_related("group").order_by("name"))


def tag_usage(tag: Tag) -> dict[str, int]:
    """How many rows use this tag, by kind of use; a tag in use cannot be deleted."""
    return {
        "studies": tag.studies.count(),
        "observations": tag.observations.count(),
        "insights": tag.insights.count(),
        "participants": tag.participants.count(),
        "children": tag.children.count(),
    }


def tag_counts_below(model, owners: QuerySet | None, tree: TagTree) -> dict[int, int]:
    """Tag id -> how many ``model`` rows (of ``owners``; all for None) carry the tag or a tag
    below it, each row counted once however many of those tags it has. One query.

    Filtering by a parent tag includes its children, so counts must too. The tree is joined
    in as a literal (descendant, ancestor) table: no recursive SQL, and the same statement on
    SQLite and PostgreSQL (both name VALUES columns column1, column2).
    """
    pairs = [(int(below), int(tag)) for tag, tags in tree.closure().items() for below in tags]
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


def tag_counts_of_ids(model, ids: list[int], tree: TagTree) -> dict[int, int]:
    """Tag id -> how many of the ``model`` rows ``ids`` carry the tag or a tag below it, each
    row counted once. One query reads the rows' tags; the tree is rolled up here.

    For a search already materialised as ids: the match does not run again, and no tree is
    sent to the database.
    """
    if not ids:
        return {}
    through = model.tags.through
    owner = through._meta.get_field(model._meta.model_name).attname
    database = connections[router.db_for_read(through)]
    pairs = through.objects.using(database.alias).values_list(owner, "tag_id")
    if database.vendor == "postgresql":
        # One array parameter, whatever the number of ids.
        pairs = pairs.extra(where=[f"{owner} = ANY(%s)"], params=[list(ids)])
    elif database.vendor == "sqlite":
        # One JSON parameter: SQLite caps the number of bound parameters.
        pairs = pairs.extra(
            where=[f"{owner} IN (SELECT value FROM json_each(%s))"], params=[json.dumps(ids)]
        )
    else:
        pairs = pairs.filter(**{f"{owner}__in": ids})
    up = {pk: [pk, *tree.ancestors(pk)] for pk in tree.parent}
    carriers: dict[int, set[int]] = {}
    for row, tag in pairs.order_by():
        for above in up.get(tag, (tag,)):
            carriers.setdefault(above, set()).add(row)
    return {tag: len(rows) for tag, rows in carriers.items()}


def match_tags(values: Iterable[str]) -> dict[str, Tag]:
    """Each value that names a tag by slug, name or alias (case and ё/е ignored) -> the tag.

    Three queries, whatever the number of values.
    """
    wanted = {value: value.strip() for value in values if value and value.strip()}
    normalized = {normalize_name(text) for text in wanted.values()}
    by_slug = {tag.slug: tag for tag in Tag.objects.filter(slug__in=set(wanted.values()))}
    by_name = {
        tag.normalized_name: tag for tag in Tag.objects.filter(normalized_name__in=normalized)
    }
    by_alias = {
        alias.normalized_name: alias.tag
        for alias in TagAlias.objects.filter(normalized_name__in=normalized).select_related("tag")
    }
    found = {}
    for value, text in wanted.items():
        key = normalize_name(text)
        tag = by_slug.get(text) or by_name.get(key) or by_alias.get(key)
        if tag is not None:
            found[value] = tag
    return found


def resolve_tags(values: list[str]) -> tuple[list[Tag], list[str]]:
    """Tags named by slug, name or alias (case and ё/е ignored); also the values not found."""
    found = match_tags(values)
    tags, missing = [], []
    for value in values:
        if not value or not value.strip():
            continue
        tag = found.get(value)
        if tag is None:
            missing.append(value.strip())
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
    tree = TagTree.of(tags)
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


def tag_facets(
    queryset: QuerySet, selected: set[int] = frozenset(), *, ids: list[int] | None = None
) -> list[FacetGroup]:
    """For a filtered set of tagged objects: how many carry each tag or a tag below it (what
    choosing the tag would leave), by group (two queries). With ``ids`` (the set already
    fetched), counts those rows instead of running ``queryset`` again."""
    tags = list(
        Tag.objects.select_related("group").order_by("group__position", "group__name", "name")
    )
    if ids is not None:
        counts = tag_counts_of_ids(queryset.model, ids, TagTree.of(tags))
    else:
        counts = tag_counts_below(queryset.model, queryset, TagTree.of(tags))
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
class TagPage:
    """What a tag's page lists: everything carrying the tag or a tag below it."""

    tag: Tag
    tag_ids: set[int]
    insights: QuerySet
    observations: QuerySet
    studies: QuerySet


def tag_page(user, tag: Tag) -> TagPage:
    """The insights (those ``user`` may see), observations and studies of a tag's subtree."""
    tag_ids = TagTree.load().below(tag.pk)

    def tagged(model) -> QuerySet:
        return model.objects.tagged_with(tag_ids, match_any=True, include_children=False)

    return TagPage(
        tag=tag,
        tag_ids=tag_ids,
        insights=visible_insights(user, tagged(Insight)).order_by("-updated_at"),
        observations=tagged(Observation)
        .select_related("study", "participant")
        .order_by("-observed_on", "-pk"),
        studies=tagged(Study).order_by("-started_on"),
    )
