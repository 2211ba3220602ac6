"""REST API v1: endpoints, role matrix, errors, filters, query counts."""

import pytest
from rest_framework.test import APIClient

from insights.models import ApiToken, Insight, Tag
from insights.services import insight_archive

from ..factories import (
    DecisionFactory,
    InsightFactory,
    MetricObservationFactory,
    ObservationFactory,
    StudyFactory,
    TagFactory,
    UserFactory,
    api_client_for,
)

pytestmark = pytest.mark.django_db

ROLES = ["Viewer", "Contributor", "Curator"]


def test_no_credentials_is_401_with_the_error_format(world):
    response = APIClient().get("/api/v1/insights/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_revoked_token_stops_working(world):
    client = api_client_for("Viewer")
    assert client.get("/api/v1/insights/").status_code == 200
    ApiToken.objects.filter(user=client.user).delete()
    assert client.get("/api/v1/insights/").status_code == 401


def test_a_user_without_a_role_is_403(world):
    assert api_client_for(None).get("/api/v1/insights/").status_code == 403


def test_viewers_see_published_insights_only(clients, world):
    viewer = clients["Viewer"]
    statements = [i["statement"] for i in viewer.get("/api/v1/insights/").json()["results"]]
    assert statements == ["Онбординг слишком длинный"]
    assert viewer.get(f"/api/v1/insights/{world['draft'].pk}/").status_code == 404
    contributor = clients["Contributor"]
    assert contributor.get(f"/api/v1/insights/{world['draft'].pk}/").status_code == 200


def test_superseded_insight_stays_visible_and_names_its_successor(clients, world):
    curator, viewer = clients["Curator"], clients["Viewer"]
    successor = curator.post(
        "/api/v1/insights/",
        {
            "statement": "Онбординг долгий из-за KYC",
            "evidence": [{"observation": world["quotes"][0].pk}],
        },
    ).json()
    curator.post(f"/api/v1/insights/{successor['id']}/publish/")
    response = curator.post(
        f"/api/v1/insights/{world['published'].pk}/supersede/", {"successor": successor["id"]}
    )
    assert response.status_code == 200
    body = viewer.get(f"/api/v1/insights/{world['published'].pk}/").json()
    assert body["status"] == "superseded" and body["superseded_by"] == successor["id"]


# method, path builder, body builder, which roles may do it
WRITES = [
    ("post", lambda w: "/api/v1/studies/", lambda w: {"title": "Новое", "method": "survey"},
     {"Contributor", "Curator"}),
    ("patch", lambda w: f"/api/v1/studies/{w['study'].pk}/", lambda w: {"summary": "Итог"},
     {"Contributor", "Curator"}),
    ("post", lambda w: "/api/v1/observations/",
     lambda w: {"study": w["study"].pk, "text": "Новое наблюдение"}, {"Contributor", "Curator"}),
    ("post", lambda w: "/api/v1/insights/", lambda w: {"statement": "Новый инсайт"},
     {"Contributor", "Curator"}),
    ("patch", lambda w: f"/api/v1/insights/{w['draft'].pk}/", lambda w: {"details": "Подробности"},
     {"Contributor", "Curator"}),
    ("patch", lambda w: f"/api/v1/insights/{w['published'].pk}/", lambda w: {"details": "Правка"},
     {"Curator"}),
    ("post", lambda w: f"/api/v1/insights/{w['published'].pk}/archive/", lambda w: {},
     {"Curator"}),
    ("post", lambda w: "/api/v1/decisions/", lambda w: {"title": "Решение"}, {"Curator"}),
    ("post", lambda w: "/api/v1/tags/", lambda w: {"name": "Новый тег", "group": "theme"},
     {"Contributor", "Curator"}),
    ("patch", lambda w: f"/api/v1/tags/{w['premium'].pk}/", lambda w: {"description": "Платные"},
     {"Curator"}),
    ("post", lambda w: f"/api/v1/tags/{w['kyc'].pk}/merge/", lambda w: {"target": "premium"},
     {"Curator"}),
    ("post", lambda w: "/api/v1/tag-groups/", lambda w: {"name": "Device", "slug": "device"},
     {"Curator"}),
    ("post", lambda w: "/api/v1/observations/bulk/",
     lambda w: {"study": w["study"].pk, "observations": [{"text": "Из опроса"}]},
     {"Contributor", "Curator"}),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, body, allowed", WRITES, ids=lambda x: None)
def test_role_matrix(world, role, method, path, body, allowed):
    client = api_client_for(role)
    response = getattr(client, method)(path(world), body(world))
    if role in allowed:
        assert response.status_code in {200, 201}, response.json()
    else:
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "permission_denied"


def test_create_insight_with_tags_and_evidence_in_one_request(clients, world):
    quotes = world["quotes"]
    response = clients["Contributor"].post(
        "/api/v1/insights/",
        {
            "statement": "Клиенты бросают онбординг на KYC",
            "tags": ["kyc", "Онбординг", "premium"],
            "evidence": [
                {"observation": quotes[0].pk, "relation": "supports"},
                {"observation": quotes[1].pk, "relation": "supports"},
                {"observation": quotes[2].pk, "relation": "contradicts", "note": "Другой сегмент"},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert {tag["slug"] for tag in body["tags"]} == {"kyc", "onbording", "premium"}
    assert body["supporting_count"] == 2 and body["contradicting_count"] == 1
    assert body["confidence"] == "medium"
    assert "2 observations from 2 participants" in body["confidence_explanation"]
    assert {e["observation"] for e in body["evidence"]} == {q.pk for q in quotes}
    assert body["owner"] == clients["Contributor"].user.username


def test_expand_evidence_embeds_observations_with_their_study(clients, world):
    body = (
        clients["Viewer"]
        .get(f"/api/v1/insights/{world['published'].pk}/", {"expand": "evidence"})
        .json()
    )
    first = body["evidence"][0]["observation"]
    assert first["study"]["title"] in {"Интервью", "NPS Q3"}
    assert first["participant"].startswith("P-")


def test_validation_errors_name_the_fields(clients, world):
    response = clients["Contributor"].post(
        "/api/v1/observations/",
        {"study": world["study"].pk, "kind": "metric", "metric": "nps", "score": 11},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["score"] == ["NPS scores are whole numbers from 0 to 10."]
    response = clients["Contributor"].post(
        "/api/v1/insights/", {"statement": "x", "tags": ["nope"]}
    )
    assert response.json()["error"]["fields"]["tags"] == ["Unknown tag: nope."]


def test_publish_without_evidence_is_a_400(clients, world):
    draft = world["draft"]
    response = clients["Curator"].post(f"/api/v1/insights/{draft.pk}/publish/")
    assert response.status_code == 400
    assert "supporting observation" in response.json()["error"]["message"]


def test_supersede_cycle_is_refused(clients, world):
    curator = clients["Curator"]
    a = world["published"]
    b = InsightFactory(
        statement="B", evidence=[{"observation": world["quotes"][0]}], published=True
    )
    assert (
        curator.post(f"/api/v1/insights/{a.pk}/supersede/", {"successor": b.pk}).status_code == 200
    )
    response = curator.post(f"/api/v1/insights/{b.pk}/supersede/", {"successor": a.pk})
    assert response.status_code == 400
    assert "cycle" in response.json()["error"]["fields"]["successor"][0]


@pytest.mark.parametrize("successor", ["draft", "archived", "itself"])
def test_supersede_errors_name_the_successor_and_only_published_ones_replace(
    clients, world, successor
):
    published = world["published"]
    candidates = {
        "draft": world["draft"],
        "archived": insight_archive(insight=InsightFactory(statement="Старое")),
        "itself": published,
    }
    response = clients["Curator"].post(
        f"/api/v1/insights/{published.pk}/supersede/", {"successor": candidates[successor].pk}
    )
    assert response.status_code == 400, response.json()
    assert list(response.json()["error"]["fields"]) == ["successor"]
    assert Insight.objects.get(pk=published.pk).status == "published"


@pytest.mark.parametrize(
    "path_key, expected",
    [("study", "observations"), ("quote", "evidence"), ("onboarding", "")],
)
def test_protected_deletes_answer_409(clients, world, path_key, expected):
    paths = {
        "study": f"/api/v1/studies/{world['study'].pk}/",
        "quote": f"/api/v1/observations/{world['quotes'][0].pk}/",
        "onboarding": f"/api/v1/tags/{world['onboarding'].pk}/",
    }
    response = clients["Curator"].delete(paths[path_key])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "protected"
    assert expected in error["message"] or "merge it" in error["message"]


def test_unprotected_delete_works(clients, world):
    tag = TagFactory(name="Unused", group="emotion")
    assert clients["Curator"].delete(f"/api/v1/tags/{tag.pk}/").status_code == 204
    assert not Tag.objects.filter(pk=tag.pk).exists()


def test_tag_merge_moves_uses_and_names(clients, world):
    response = clients["Curator"].post(
        f"/api/v1/tags/{world['kyc'].pk}/merge/", {"target": "onbording"}
    )
    assert response.status_code == 200
    assert "KYC" in response.json()["aliases"]
    assert list(world["published"].tags.values_list("slug", flat=True)) == ["onbording"]


def test_page_size_is_capped_at_100(clients, world):
    response = clients["Viewer"].get("/api/v1/observations/", {"page_size": 1000})
    assert response.status_code == 200
    for n in range(105):
        ObservationFactory(study=world["study"], text=f"Наблюдение {n}", participant=None)
    body = clients["Viewer"].get("/api/v1/observations/", {"page_size": 1000}).json()
    assert len(body["results"]) == 100


@pytest.mark.parametrize(
    "path", ["/api/v1/insights/?expand=evidence", "/api/v1/observations/", "/api/v1/studies/",
             "/api/v1/tags/", "/api/v1/decisions/", "/api/v1/participants/"],
)  # fmt: skip
def test_list_queries_do_not_grow_with_page_size(
    clients, world, path, django_assert_max_num_queries
):
    curator = clients["Curator"]
    for n in range(40):
        observation = ObservationFactory(
            study=world["study"], text=f"Наблюдение {n}", tags=[world["premium"]],
            participant__code=f"Q-{n}",
        )  # fmt: skip
        insight = InsightFactory(
            statement=f"Инсайт {n}", tags=[world["kyc"]], evidence=[{"observation": observation}]
        )
        DecisionFactory(title=f"Решение {n}", insights=[insight])
        StudyFactory(title=f"Исследование {n}", method="survey", tags=[world["premium"]])
        TagFactory(name=f"Тег {n}", group=world["premium"].group, aliases=[f"alias {n}"])
    separator = "&" if "?" in path else "?"
    with django_assert_max_num_queries(12):
        small = curator.get(f"{path}{separator}page_size=5")
    with django_assert_max_num_queries(12):
        large = curator.get(f"{path}{separator}page_size=100")
    assert small.status_code == large.status_code == 200
    assert len(large.json()["results"]) > len(small.json()["results"])


def test_study_metrics_with_counts_and_segments(clients, world):
    study = world["other"]
    scores = [10, 9, 9, 8, 7, 6, 0]
    for n, score in enumerate(scores):
        participant = world["quotes"][0].participant if n < 2 else None
        MetricObservationFactory(study=study, metric="nps", score=score, participant=participant)
    body = (
        clients["Viewer"]
        .get(f"/api/v1/studies/{study.pk}/metrics/", {"split_by": "segment"})
        .json()
    )
    nps = body["metrics"]["nps"]
    assert (nps["promoters"], nps["passives"], nps["detractors"], nps["base"]) == (3, 2, 2, 7)
    assert nps["value"] == round((3 - 2) * 100 / 7, 1)
    assert "warning" in nps
    segments = {(s["segment"] or {}).get("slug"): s["metrics"]["nps"] for s in body["segments"]}
    assert segments["premium"]["base"] == 2 and segments["premium"]["value"] == 100.0
    assert segments[None]["base"] == 5
    bad = clients["Viewer"].get(f"/api/v1/studies/{study.pk}/metrics/", {"split_by": "nope"})
    assert bad.status_code == 400


def test_search_known_and_similar(clients, world):
    viewer = clients["Viewer"]
    results = viewer.get("/api/v1/search/", {"q": "онбординг"}).json()
    assert results["insights"][0]["statement"] == "Онбординг слишком длинный"
    assert "<mark>" in results["insights"][0]["snippet"]
    assert any(tag["slug"] == "onbording" for tag in results["tags"])
    known = viewer.post("/api/v1/known/", {"questions": "Почему онбординг такой длинный?"}).json()
    assert known["insights"][0]["statement"] == "Онбординг слишком длинный"
    other = InsightFactory(statement="Длинный онбординг пугает новых клиентов", tags=[world["kyc"]])
    similar = clients["Curator"].get(f"/api/v1/insights/{world['published'].pk}/similar/").json()
    assert similar[0]["insight"]["id"] == other.pk and similar[0]["score"] > 0


def test_errors_come_in_the_requests_language(world):
    client = api_client_for("Contributor")
    response = client.post(
        "/api/v1/observations/",
        {"study": world["study"].pk, "kind": "metric", "metric": "nps", "score": 11},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    message = response.json()["error"]["fields"]["score"][0]
    assert "NPS" in message and any("а" <= ch <= "я" for ch in message.lower())
    anonymous = APIClient().get("/api/v1/insights/", HTTP_ACCEPT_LANGUAGE="ru")
    assert any("а" <= ch <= "я" for ch in anonymous.json()["error"]["message"].lower())


def test_unknown_endpoint_is_a_json_404():
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_schema_and_docs_are_served():
    schema = APIClient().get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/observations/bulk/" in schema.content
    assert b"tokenAuth" in schema.content
    assert APIClient().get("/api/v1/docs/").status_code == 200


def test_anonymous_read_setting_opens_published_insights_only(settings, world):
    settings.ANONYMOUS_READ = True
    client = APIClient()
    assert [i["id"] for i in client.get("/api/v1/insights/").json()["results"]] == [
        world["published"].pk
    ]
    assert client.get("/api/v1/studies/").status_code == 401
    assert client.post("/api/v1/insights/", {"statement": "x"}).status_code == 401


def test_token_page_creates_shows_once_and_revokes(client):
    user = UserFactory(username="anna", role="Viewer")
    client.force_login(user)
    page = client.post("/account/tokens/", {"name": "NPS dashboard"})
    key = page.context["new_key"]
    assert key and key in page.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash != key and key not in token.prefix + token.key_hash
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/insights/").status_code == 200
    assert key not in client.get("/account/tokens/").content.decode()
    client.post("/account/tokens/", {"revoke": token.pk})
    assert api.get("/api/v1/insights/").status_code == 401


def test_throttling_answers_429(world):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    client = api_client_for("Viewer")
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/minute"}
    try:
        codes = [client.get("/api/v1/tag-groups/").status_code for _ in range(3)]
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 429]


# --- API root -------------------------------------------------------------------------------


def test_api_root_lists_the_endpoints_for_signed_in_readers(clients):
    response = clients["Viewer"].get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["insights"].endswith("/api/v1/insights/")
    assert APIClient().get("/api/v1/").status_code == 401


# --- anonymous readers ----------------------------------------------------------------------


def test_anonymous_readers_get_no_evidence_even_when_they_ask_to_expand_it(settings, world):
    settings.ANONYMOUS_READ = True
    DecisionFactory(title="Сократить онбординг", insights=[world["published"]])
    client = APIClient()
    detail = client.get(f"/api/v1/insights/{world['published'].pk}/", {"expand": "evidence"})
    assert detail.status_code == 200
    assert detail.json()["evidence"] == [] and detail.json()["decisions"] == []
    listed = client.get("/api/v1/insights/", {"expand": "evidence"}).json()["results"]
    assert [item["evidence"] for item in listed] == [[]]


# --- known ----------------------------------------------------------------------------------


def test_known_makes_a_fixed_number_of_queries_and_counts_observations(
    clients, world, django_assert_max_num_queries
):
    for n in range(20):
        InsightFactory(
            statement=f"Онбординг мешает шаг {n}", tags=[world["kyc"], world["premium"]],
            evidence=[{"observation": world["quotes"][n % 3]}],
        )  # fmt: skip
        StudyFactory(title=f"Онбординг волна {n}", method="survey", tags=[world["premium"]])
    curator = clients["Curator"]
    question = {"questions": "Почему онбординг мешает?"}
    with django_assert_max_num_queries(14):
        small = curator.post("/api/v1/known/", {**question, "limit": 5})
    with django_assert_max_num_queries(14):
        large = curator.post("/api/v1/known/", {**question, "limit": 50})
    assert len(small.json()["insights"]) == 5 and len(large.json()["insights"]) == 22
    studies = {study["title"]: study for study in large.json()["studies"]}
    assert studies["Онбординг волна 0"]["observation_count"] == 0
    assert "Онбординг мешает шаг" in large.json()["insights"][0]["statement"]


# --- decisions ------------------------------------------------------------------------------


def test_decisions_list_only_the_insights_their_reader_may_see(clients, world):
    decision = DecisionFactory(title="Решение", insights=[world["published"], world["draft"]])
    viewer = clients["Viewer"].get(f"/api/v1/decisions/{decision.pk}/").json()
    assert viewer["insights"] == [world["published"].pk]
    listed = clients["Viewer"].get("/api/v1/decisions/").json()["results"]
    assert listed[0]["insights"] == [world["published"].pk]
    curator = clients["Curator"].get(f"/api/v1/decisions/{decision.pk}/").json()
    assert set(curator["insights"]) == {world["published"].pk, world["draft"].pk}


# --- schema ---------------------------------------------------------------------------------


def test_schema_documents_similar_expand_and_the_non_model_bodies():
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    similar = paths["/api/v1/insights/{id}/similar/"]["get"]
    assert {p["name"] for p in similar["parameters"]} == {"id", "expand"}
    assert similar["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    listing = paths["/api/v1/insights/"]["get"]
    expand = next(p for p in listing["parameters"] if p["name"] == "expand")
    assert expand["schema"]["enum"] == ["evidence"]
    for path, method in [("/api/v1/known/", "post"), ("/api/v1/search/", "get"),
                         ("/api/v1/tags/{id}/metrics/", "get"),
                         ("/api/v1/studies/{id}/metrics/", "get")]:  # fmt: skip
        body = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in body, path
    bulk = paths["/api/v1/observations/bulk/"]["post"]["responses"]
    assert {"406", "409", "413", "415"} <= set(bulk)


def test_tag_usage_counts_only_the_insights_the_reader_may_see(clients):
    tag = TagFactory(name="Черновая тема")
    InsightFactory(statement="Draft finding", tags=[tag])
    usage = {
        role: clients[role].get(f"/api/v1/tags/{tag.pk}/").json()["usage"]["insights"]
        for role in ("Viewer", "Curator")
    }
    assert usage == {"Viewer": 0, "Curator": 1}
