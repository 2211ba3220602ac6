"""The customer journey map: journey stages (rows) against the tags of another group
(columns, segments by default), with what the repository knows in each cell."""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from .. import access
from ..metrics import MIN_RELIABLE_BASE, MetricSummary, nps_by_cell
from ..models import Insight, Tag, TagGroup
from ..models.tag_tree import TagTree

STAGE_GROUP_SLUG = "journey-stage"
DEFAULT_COLUMNS_SLUG = "segment"
CONFIDENCE_ORDER = {
    Insight.Confidence.HIGH: 3,
    Insight.Confidence.MEDIUM: 2,
    Insight.Confidence.LOW: 1,
}


@dataclass
class JourneyCell:
    """One stage × column: published insights with both tags, the best one, and NPS."""

    row: Tag
    column: Tag
    count: int = 0
    top: Insight | None = None
    nps: MetricSummary | None = None
    search_url: str = ""

    @property
    def small_base(self) -> bool:
        return self.nps is not None and 0 < self.nps.base < MIN_RELIABLE_BASE


@dataclass
class JourneyRow:
    tag: Tag
    cells: list[JourneyCell] = field(default_factory=list)


@dataclass
class JourneyMap:
    stages_group: TagGroup | None
    columns_group: TagGroup | None
    columns: list[Tag]
    rows: list[JourneyRow]

    def without_empty_columns(self) -> tuple["JourneyMap", list[Tag]]:
        """The map with only the columns that hold a finding or an answer somewhere, and the
        columns left out (a page names them instead of showing a column of blanks)."""
        kept = [
            index
            for index in range(len(self.columns))
            if any(row.cells[index].count or row.cells[index].nps for row in self.rows)
        ]
        empty = [column for index, column in enumerate(self.columns) if index not in kept]
        rows = [JourneyRow(row.tag, [row.cells[index] for index in kept]) for row in self.rows]
        columns = [self.columns[index] for index in kept]
        shown = JourneyMap(self.stages_group, self.columns_group, columns, rows)
        return shown, empty


def journey_groups(columns_slug: str | None) -> tuple[TagGroup | None, TagGroup | None, list]:
    """(the stages group, the chosen columns group, every group the columns may come from),
    in one query; the columns group is None for an unknown slug."""
    groups = list(TagGroup.objects.all())
    stages = next((group for group in groups if group.slug == STAGE_GROUP_SLUG), None)
    choices = [group for group in groups if group.slug != STAGE_GROUP_SLUG]
    wanted = columns_slug or DEFAULT_COLUMNS_SLUG
    columns = next((group for group in choices if group.slug == wanted), None)
    return stages, columns, choices


def _search_url(row: Tag, column: Tag) -> str:
    query = urlencode([("tag", row.slug), ("tag", column.slug), ("status", "published")])
    return f"{reverse('insights:search')}?{query}"


def _rank(insight: Insight) -> tuple:
    published = insight.published_at.timestamp() if insight.published_at else 0
    return (
        CONFIDENCE_ORDER.get(insight.confidence, 0),
        insight.supporting_count,
        published,
        insight.pk,
    )


def journey_map(
    user, stages_group: TagGroup | None, columns_group: TagGroup | None, *, with_metrics: bool
) -> JourneyMap:
    """The grid for ``user``: counts only the published insights they may see, tags below a
    row or column tag included. Five queries (six with NPS) whatever the grid's size."""
    empty = JourneyMap(stages_group, columns_group, [], [])
    if stages_group is None or columns_group is None:
        return empty
    tags = list(
        Tag.objects.filter(group__in=[stages_group, columns_group])
        .select_related("group")
        .order_by("position", "name", "pk")
    )
    tree = TagTree.load()
    # Top-level tags make the rows and columns; a child tag counts in its parent's line.
    stages = [t for t in tags if t.group_id == stages_group.pk and t.parent_id is None]
    columns = [t for t in tags if t.group_id == columns_group.pk and t.parent_id is None]
    if not stages or not columns:
        return JourneyMap(stages_group, columns_group, columns, [])
    root_of = {}
    for tag in [*stages, *columns]:
        for below in tree.below(tag.pk):
            root_of[below] = tag.pk
    stage_ids = {tag.pk for tag in stages}

    published = access.visible_insights(user).filter(status=Insight.Status.PUBLISHED)
    links = Insight.tags.through.objects.filter(
        insight_id__in=published.values("pk"), tag_id__in=list(root_of)
    ).values_list("insight_id", "tag_id")
    stages_of, columns_of = defaultdict(set), defaultdict(set)
    for insight_id, tag_id in links:
        root = root_of[tag_id]
        (stages_of if root in stage_ids else columns_of)[insight_id].add(root)

    by_cell: dict[tuple, list[int]] = defaultdict(list)
    for insight_id, row_ids in stages_of.items():
        for row_id in row_ids:
            for column_id in columns_of.get(insight_id, ()):
                by_cell[row_id, column_id].append(insight_id)
    wanted = {pk for ids in by_cell.values() for pk in ids}
    insights = Insight.objects.only(
        "pk", "statement", "confidence", "supporting_count", "published_at", "status"
    ).in_bulk(list(wanted))
    nps = nps_by_cell(stages, columns, tree) if with_metrics else {}

    rows = []
    for stage in stages:
        row = JourneyRow(stage)
        for column in columns:
            ids = by_cell.get((stage.pk, column.pk), [])
            found = [insights[pk] for pk in ids if pk in insights]
            summary = nps.get((stage.pk, column.pk))
            row.cells.append(
                JourneyCell(
                    row=stage,
                    column=column,
                    count=len(found),
                    top=max(found, key=_rank) if found else None,
                    nps=summary if summary is not None and summary.base else None,
                    search_url=_search_url(stage, column),
                )
            )
        rows.append(row)
    return JourneyMap(stages_group, columns_group, columns, rows)
