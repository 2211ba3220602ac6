"""REST API v1 cursor pagination: every row once, also while rows arrive, and by relevance."""

import pytest

from insights.models import Insight, Observation

from ..factories import (
    InsightFactory,
)

pytestmark = pytest.mark.django_db


def test_cursor_pagination_walks_every_row_once_despite_new_rows(clients, world):
    curator = clients["Curator"]
    for n in range(7):
        InsightFactory(statement=f"Инсайт {n}")
    seen, url, pages = [], "/api/v1/insights/?page_size=3", 0
    while url:
        body = curator.get(url).json()
        seen += [item["id"] for item in body["results"]]
        if pages == 0:
            InsightFactory(statement="Появился во время обхода")  # newest: before the cursor
        url, pages = body["next"], pages + 1
    expected = set(
        Insight.objects.exclude(statement="Появился во время обхода").values_list("pk", flat=True)
    )
    assert len(seen) == len(set(seen)) == len(expected) and set(seen) == expected
    assert pages == 3


# --- cursor pagination ----------------------------------------------------------------------


def walk(client, url: str, *, between_pages=None) -> list[int]:
    """Every id a client sees following ``next`` links from ``url``."""
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        seen += [item["id"] for item in body["results"]]
        if between_pages:
            between_pages()
        url = body["next"]
    return seen


def test_cursor_walks_every_row_of_a_bulk_reimport_sharing_one_updated_at(clients, world):
    contributor = clients["Contributor"]
    # More rows than DRF's stock cursor would skip through by offset (it caps offsets at 1,000).
    rows = [{"external_id": f"r-{n}", "text": f"Ответ номер {n}"} for n in range(1050)]
    payload = {"study": world["other"].pk, "observations": rows}
    assert contributor.post("/api/v1/observations/bulk/", payload).status_code == 201
    # Sent again: every row is updated in one statement and shares one updated_at.
    again = contributor.post("/api/v1/observations/bulk/", payload).json()
    assert again["updated"] == 1050
    shared = Observation.objects.filter(external_id__startswith="r-").values("updated_at")
    assert shared.distinct().count() == 1
    for page_size in (100, 7):
        seen = walk(
            contributor, f"/api/v1/observations/?study={world['other'].pk}&page_size={page_size}"
        )
        expected = set(
            Observation.objects.filter(study=world["other"]).values_list("pk", flat=True)
        )
        assert len(seen) == len(set(seen)) == len(expected) == 1051
        assert set(seen) == expected


@pytest.mark.parametrize("ordering", ["-confidence", "confidence", "statement", "-evidence"])
def test_cursor_neither_repeats_nor_skips_rows_when_rows_arrive_while_paging(
    clients, world, ordering
):
    for n in range(10):
        InsightFactory(statement=f"Инсайт {n}")  # all low confidence, no evidence: one big tie
    existing = set(Insight.objects.values_list("pk", flat=True))
    arrivals = iter(range(100))

    def insert():
        InsightFactory(statement=f"Новый {next(arrivals)}")

    seen = walk(
        clients["Curator"], f"/api/v1/insights/?ordering={ordering}&page_size=3",
        between_pages=insert,
    )  # fmt: skip
    assert len(seen) == len(set(seen))
    assert existing <= set(seen)


def test_cursor_pages_by_relevance_and_back_with_previous_links(clients, world):
    for n in range(6):
        InsightFactory(statement=f"Онбординг шаг {n}", details="онбординг " * n)
    curator = clients["Curator"]
    pages, url = [], "/api/v1/insights/?q=онбординг&page_size=2"
    while url:
        body = curator.get(url).json()
        pages.append([item["id"] for item in body["results"]])
        last, url = body, body["next"]
    ids = [pk for page in pages for pk in page]
    assert len(ids) == len(set(ids)) == 8
    back, url = [], last["previous"]
    while url:
        body = curator.get(url).json()
        back.append([item["id"] for item in body["results"]])
        url = body["previous"]
    assert back == pages[-2::-1]


def test_a_forged_cursor_is_a_404(clients, world):
    response = clients["Viewer"].get("/api/v1/insights/", {"cursor": "eyJvIjoxfQ"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
