"""The insight list does its work once per request, not once per insight or per filter:
one FilterSet (tags resolved once) and one evidence serializer for the whole page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.api.serializers import insights as insight_serializers

from ..factories import EvidenceFactory, InsightFactory, TagFactory, api_client_for

pytestmark = pytest.mark.django_db


def _resolving_tags(queries) -> list[str]:
    """The queries that look a tag parameter up by slug."""
    return [
        q["sql"] for q in queries if 'FROM "insights_tag"' in q["sql"] and '"slug" IN' in q["sql"]
    ]


def test_a_two_tag_list_resolves_its_tags_once():
    api = api_client_for("Curator")
    first, second = TagFactory(name="Курьеры"), TagFactory(name="Оплата")
    for n in range(3):
        InsightFactory(statement=f"Курьер опоздал {n}", tags=[first, second])
    with CaptureQueriesContext(connection) as ran:
        response = api.get("/api/v1/insights/", {"tag": [first.slug, second.slug]})
    assert response.status_code == 200 and len(response.json()["results"]) == 3
    assert len(_resolving_tags(ran.captured_queries)) == 1
    assert len(ran.captured_queries) <= 12


def test_the_ordering_still_follows_the_filters():
    api = api_client_for("Curator")
    InsightFactory(statement="Доставка задерживается")
    InsightFactory(statement="Доставка задерживается, доставка опаздывает, доставка")
    response = api.get("/api/v1/insights/", {"q": "доставка"})
    assert response.status_code == 200
    # relevance when q is given: the insight that says it most comes first
    assert response.json()["results"][0]["statement"].count("оставка") == 3
    bad = api.get("/api/v1/insights/", {"tag": "no-such-tag"})
    assert bad.status_code == 400 and "tag" in bad.content.decode()


@pytest.mark.parametrize("expand", ["", "evidence"])
def test_one_evidence_serializer_serves_the_whole_page(monkeypatch, expand):
    api = api_client_for("Curator")
    for n in range(4):
        insight = InsightFactory(statement=f"Инсайт с доказательствами {n}")
        EvidenceFactory(insight=insight)
        EvidenceFactory(insight=insight)
    built = []
    for name in ("EvidenceSerializer", "EmbeddedObservationSerializer"):
        cls = getattr(insight_serializers, name)
        init = cls.__init__

        def counting(self, *args, _init=init, _name=name, **kwargs):
            built.append(_name)
            _init(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    response = api.get("/api/v1/insights/", {"expand": expand} if expand else {})
    assert response.status_code == 200
    assert sum(len(item["evidence"]) for item in response.json()["results"]) == 8
    assert built.count("EvidenceSerializer") == 1
    assert built.count("EmbeddedObservationSerializer") == (1 if expand else 0)


@pytest.mark.parametrize("secure", [False, True])
def test_evidence_reads_as_the_generic_serializer_would(rf, secure):
    insight = InsightFactory(statement="Курьер опоздал")
    EvidenceFactory(insight=insight, note="Сказал дважды")
    EvidenceFactory(insight=insight, relation="contradicts")
    request = rf.get("/api/v1/insights/", secure=secure)
    serializer = insight_serializers.EvidenceSerializer(context={"request": request})
    generic = super(insight_serializers.EvidenceSerializer, serializer)
    for evidence in insight.evidence.all():
        expected = dict(generic.to_representation(evidence))
        assert serializer.to_representation(evidence) == expected
    assert expected["observation_url"].startswith("https://" if secure else "http://")
