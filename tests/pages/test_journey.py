"""The journey map page: stages in their order against segments (or another group), counts,
the best finding, NPS with its base, the search each cell stands for, bounded queries, print."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.models import Insight

from ..factories import InsightFactory, ObservationFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[2] / "insights" / "static" / "insights" / "journey.css"


def _cell(grid, stage, column):
    row = next(row for row in grid.rows if row.tag == stage)
    return next(cell for cell in row.cells if cell.column == column)


def test_stages_come_in_their_group_order_against_the_segments(viewer_client, journey_world):
    response = viewer_client.get("/journey/")
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [row.tag.name for row in grid.rows] == ["Знакомство", "Покупка", "Поддержка клиентов"]
    # A segment with nothing in any stage is named under the grid instead of a blank column.
    assert [tag.name for tag in grid.columns] == ["Новые клиенты"]
    assert response.context["empty_columns"] == [journey_world["regular"]]
    # A child stage tag counts in its parent's row instead of making a row of its own.
    support = _cell(grid, journey_world["stages"]["Поддержка клиентов"], journey_world["new"])
    assert support.count == 1 and support.top == journey_world["support"]


def test_a_cell_counts_published_findings_and_shows_the_most_trusted(viewer_client, journey_world):
    grid = viewer_client.get("/journey/").context["grid"]
    cell = _cell(grid, journey_world["stages"]["Покупка"], journey_world["new"])
    assert journey_world["medium"].confidence == Insight.Confidence.MEDIUM
    assert cell.count == 2  # the draft is left out
    assert cell.top == journey_world["medium"]
    assert _cell(grid, journey_world["stages"]["Знакомство"], journey_world["new"]).count == 0


def test_the_cell_links_to_the_search_it_stands_for(contributor_client, journey_world):
    grid = contributor_client.get("/journey/").context["grid"]
    cell = _cell(grid, journey_world["stages"]["Покупка"], journey_world["new"])
    query = parse_qs(urlsplit(cell.search_url).query)
    assert sorted(query["tag"]) == sorted(
        [journey_world["stages"]["Покупка"].slug, journey_world["new"].slug]
    )
    # The search finds exactly the cell's findings (the contributor's drafts stay out).
    results = contributor_client.get(cell.search_url).context["page"].paginator.count
    assert results == cell.count
    page = contributor_client.get("/journey/").content.decode()
    assert f'href="{cell.search_url.replace("&", "&amp;")}"' in page


def test_nps_shows_with_its_base_and_a_small_base_warning(viewer_client, journey_world):
    response = viewer_client.get("/journey/")
    cell = _cell(response.context["grid"], journey_world["stages"]["Покупка"], journey_world["new"])
    # 10, 9, 3: two promoters and a detractor of three answers.
    assert (cell.nps.base, cell.nps.value, cell.small_base) == (3, 33.3, True)
    assert (
        _cell(
            response.context["grid"], journey_world["stages"]["Знакомство"], journey_world["new"]
        ).nps
        is None
    )
    page = response.content.decode()
    assert "NPS +33.3" in page and "too few to trust" in page


def test_another_tag_group_can_make_the_columns(viewer_client, journey_world):
    app = TagFactory(name="Мобильное приложение", group="channel")
    InsightFactory(
        statement="В приложении покупают чаще",
        tags=[journey_world["stages"]["Покупка"], app],
        evidence=[{"observation": ObservationFactory()}],
        published=True,
    )
    grid = viewer_client.get("/journey/", {"columns": "channel"}).context["grid"]
    assert grid.columns_group.slug == "channel" and grid.columns == [app]
    assert _cell(grid, journey_world["stages"]["Покупка"], app).count == 1


def test_an_unknown_group_is_named_and_the_segments_are_shown(viewer_client, journey_world):
    response = viewer_client.get("/journey/", {"columns": "nope"})
    assert response.status_code == 200
    assert "Unknown tag group: nope." in response.content.decode()
    assert response.context["grid"].columns_group.slug == "segment"


def test_queries_do_not_grow_with_the_grid(viewer_client, journey_world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert viewer_client.get("/journey/").status_code == 200
        return len(queries)

    small = count()
    for n in range(6):
        stage = TagFactory(name=f"Этап {n}", group="journey-stage", position=10 + n)
        segment = TagFactory(name=f"Сегмент {n}", group="segment", position=10 + n)
        InsightFactory(
            tags=[stage, segment],
            evidence=[{"observation": ObservationFactory()}],
            published=True,
        )
    assert count() == small
    assert small <= 12


def test_members_only(client, journey_world):
    assert client.get("/journey/").status_code == 302
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/journey/").status_code == 403


def test_the_header_links_to_it(viewer_client, journey_world):
    page = viewer_client.get("/").content.decode()
    assert 'href="/journey/"' in page


def test_it_prints_on_a4_landscape(viewer_client, journey_world):
    page = viewer_client.get("/journey/").content.decode()
    assert "insights/journey" in page and ".css" in page
    css = CSS.read_text()
    printing = css[css.index("@media print") :]
    assert "size: A4 landscape" in printing
    assert ".site-header" in printing  # the navigation stays off the paper


def test_russian_interface(viewer_client, journey_world):
    page = viewer_client.get("/journey/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Карта пути клиента" in page
