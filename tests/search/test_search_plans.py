"""The shape of search queries at scale: the index is joined once (no rank subquery per
row), and the search page matches once however many insights it finds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import search
from insights.models import Insight, SearchDocument

from ..factories import InsightFactory, TagFactory

pytestmark = pytest.mark.django_db

MATCHES_INSIGHTS = f"{SearchDocument._meta.db_table}.kind = 'insight'"


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def _searched():
    for n in range(3):
        InsightFactory(statement=f"Доставка задерживается {n}")
    results = search.search(Insight.objects.all(), "доставка").order_by("-search_rank")
    assert len(results) == 3
    return results


def test_the_rank_is_no_subquery_per_row():
    plan = _plan(_searched())
    assert "CORRELATED" not in plan.upper()  # SQLite
    assert "SubPlan" not in plan  # PostgreSQL


def test_sqlite_matches_in_the_index_first():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan")
    first_step = _plan(_searched()).splitlines()[0]
    # The FTS table drives the join (MATCH once), not the documents of the kind.
    assert "insights_search_fts" in first_step and "VIRTUAL TABLE" in first_step


def test_a_search_within_a_search_still_narrows():
    InsightFactory(statement="Доставка задерживается вечером")
    InsightFactory(statement="Доставка приходит вовремя")
    once = search.search(Insight.objects.all(), "доставка")
    twice = search.search(once, "вечером")
    assert [insight.statement for insight in twice] == ["Доставка задерживается вечером"]


@pytest.mark.parametrize("found", [2, 25])
def test_the_search_page_matches_once_whatever_it_finds(admin_client, found):
    tag = TagFactory(name="Курьеры")
    for n in range(found):
        InsightFactory(statement=f"Доставка задерживается {n}", tags=[tag])
    InsightFactory(statement="Оплата картой")
    with CaptureQueriesContext(connection) as ran:
        response = admin_client.get("/", {"q": "доставка"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == found
    facet = next(f for group in response.context["facets"] for f in group.tags if f.tag == tag)
    assert facet.count == found
    matching = [query["sql"] for query in ran.captured_queries if MATCHES_INSIGHTS in query["sql"]]
    assert len(matching) == 1, matching  # not once for the count, the page and the facets
    assert not any("(VALUES" in query["sql"] for query in ran.captured_queries)
    # A fixed number of queries, whether it finds 2 insights or 25 (a page and more).
    assert len(ran.captured_queries) <= 16
