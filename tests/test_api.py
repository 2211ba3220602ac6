"""REST API v1: endpoints, role matrix, errors, bulk import, pagination, query counts."""

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from insights.models import ApiToken, Insight, Observation, Tag, TagGroup
from insights.services import (
    api_token_create,
    decision_create,
    insight_create,
    insight_publish,
    observation_create,
    participant_get_or_create,
    participant_save,
    study_create,
    tag_create,
)

pytestmark = pytest.mark.django_db

ROLES = ["Viewer", "Contributor", "Curator"]


def client_for(role: str | None, username: str | None = None) -> APIClient:
    """An API client authenticated with a fresh token of a user in ``role``."""
    user = User.objects.create_user(username or f"user-{role or 'none'}")
    if role:
        user.groups.add(Group.objects.get(name=role))
    _token, key = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.user = user
    return client


@pytest.fixture
def clients():
    return {role: client_for(role) for role in ROLES}


@pytest.fixture
def world():
    theme = TagGroup.objects.get(slug="theme")
    segment = TagGroup.objects.get(slug="segment")
    onboarding = tag_create(name="Онбординг", group=theme, aliases=["onboarding"])
    kyc = tag_create(name="KYC", group=theme, parent=onboarding)
    premium = tag_create(name="Premium", group=segment)
    study = study_create(title="Интервью", method="interview", tags=[onboarding])
    other = study_create(title="NPS Q3", method="metric_survey")
    participants = []
    for n in range(3):
        participant = participant_get_or_create(code=f"P-{n:03}")
        if n == 0:
            participant_save(participant=participant, tags=[premium])
        participants.append(participant)
    quotes = [
        observation_create(study=study if n < 2 else other, text=f"Цитата {n} про онбординг",
                           participant=participants[n])
        for n in range(3)
    ]  # fmt: skip
    published = insight_create(
        statement="Онбординг слишком длинный",
        tags=[kyc],
        evidence=[{"observation": q} for q in quotes],
    )
    insight_publish(insight=published)
    draft = insight_create(statement="Черновик", tags=[onboarding])
    return {"onboarding": onboarding, "kyc": kyc, "premium": premium, "study": study,
            "other": other, "quotes": quotes, "published": published, "draft": draft}  # fmt: skip


def test_no_credentials_is_401_with_the_error_format(world):
    response = APIClient().get("/api/v1/insights/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_revoked_token_stops_working(world):
    client = client_for("Viewer")
    assert client.get("/api/v1/insights/").status_code == 200
    ApiToken.objects.filter(user=client.user).delete()
    assert client.get("/api/v1/insights/").status_code == 401


def test_a_user_without_a_role_is_403(world):
    assert client_for(None).get("/api/v1/insights/").status_code == 403


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
    client = client_for(role)
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
    a, b = world["published"], insight_create(statement="B")
    assert (
        curator.post(f"/api/v1/insights/{a.pk}/supersede/", {"successor": b.pk}).status_code == 200
    )
    response = curator.post(f"/api/v1/insights/{b.pk}/supersede/", {"successor": a.pk})
    assert response.status_code == 400
    assert "cycle" in response.json()["error"]["fields"]["superseded_by"][0]


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
    tag = tag_create(name="Unused", group=TagGroup.objects.get(slug="emotion"))
    assert clients["Curator"].delete(f"/api/v1/tags/{tag.pk}/").status_code == 204
    assert not Tag.objects.filter(pk=tag.pk).exists()


def test_tag_merge_moves_uses_and_names(clients, world):
    response = clients["Curator"].post(
        f"/api/v1/tags/{world['kyc'].pk}/merge/", {"target": "onbording"}
    )
    assert response.status_code == 200
    assert "KYC" in response.json()["aliases"]
    assert list(world["published"].tags.values_list("slug", flat=True)) == ["onbording"]


def test_filters_are_the_web_filters(clients, world):
    viewer = clients["Contributor"]
    by_parent = viewer.get("/api/v1/insights/", {"tag": "onbording"}).json()["results"]
    assert {i["statement"] for i in by_parent} == {"Онбординг слишком длинный", "Черновик"}
    by_alias = viewer.get("/api/v1/insights/", {"tag": "onboarding", "status": "published"})
    assert [i["statement"] for i in by_alias.json()["results"]] == ["Онбординг слишком длинный"]
    words = viewer.get("/api/v1/insights/", {"q": "длинного онбординга"}).json()["results"]
    assert [i["statement"] for i in words] == ["Онбординг слишком длинный"]
    bad = viewer.get("/api/v1/insights/", {"updated_after": "soon"})
    assert bad.status_code == 400 and "updated_after" in bad.json()["error"]["fields"]


def test_cursor_pagination_walks_every_row_once_despite_new_rows(clients, world):
    curator = clients["Curator"]
    for n in range(7):
        insight_create(statement=f"Инсайт {n}")
    seen, url, pages = [], "/api/v1/insights/?page_size=3", 0
    while url:
        body = curator.get(url).json()
        seen += [item["id"] for item in body["results"]]
        if pages == 0:
            insight_create(statement="Появился во время обхода")  # newest: before the cursor
        url, pages = body["next"], pages + 1
    expected = set(
        Insight.objects.exclude(statement="Появился во время обхода").values_list("pk", flat=True)
    )
    assert len(seen) == len(set(seen)) == len(expected) and set(seen) == expected
    assert pages == 3


def test_page_size_is_capped_at_100(clients, world):
    response = clients["Viewer"].get("/api/v1/observations/", {"page_size": 1000})
    assert response.status_code == 200
    for n in range(105):
        observation_create(study=world["study"], text=f"Наблюдение {n}")
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
        observation = observation_create(
            study=world["study"], text=f"Наблюдение {n}", tags=[world["premium"]],
            participant=participant_get_or_create(code=f"Q-{n}"),
        )  # fmt: skip
        insight = insight_create(
            statement=f"Инсайт {n}", tags=[world["kyc"]], evidence=[{"observation": observation}]
        )
        decision_create(title=f"Решение {n}", insights=[insight])
        study_create(title=f"Исследование {n}", method="survey", tags=[world["premium"]])
        tag_create(name=f"Тег {n}", group=world["premium"].group, aliases=[f"alias {n}"])
    separator = "&" if "?" in path else "?"
    with django_assert_max_num_queries(12):
        small = curator.get(f"{path}{separator}page_size=5")
    with django_assert_max_num_queries(12):
        large = curator.get(f"{path}{separator}page_size=100")
    assert small.status_code == large.status_code == 200
    assert len(large.json()["results"]) > len(small.json()["results"])


def test_bulk_import_is_idempotent_and_keeps_search_current(clients, world):
    contributor = clients["Contributor"]
    rows = [
        {"external_id": "srv-1", "kind": "survey_answer", "text": "Хочу тёмную тему",
         "participant": "S-001", "tags": ["premium"], "observed_on": "2026-03-01"},
        {"external_id": "srv-2", "kind": "metric", "metric": "nps", "score": 9},
        {"external_id": "srv-3", "kind": "metric", "metric": "nps", "score": 3,
         "text": "Приложение тормозит"},
    ]  # fmt: skip
    payload = {"study": world["other"].pk, "observations": rows}
    first = contributor.post("/api/v1/observations/bulk/", payload)
    assert first.status_code == 201 and first.json()["created"] == 3
    again = contributor.post("/api/v1/observations/bulk/", payload)
    assert again.status_code == 200
    assert again.json() == {"created": 0, "updated": 3, "ids": first.json()["ids"]}
    assert (
        Observation.objects.filter(study=world["other"], external_id__startswith="srv").count() == 3
    )
    found = contributor.get("/api/v1/observations/", {"q": "темная тема"}).json()["results"]
    assert [o["external_id"] for o in found] == ["srv-1"]
    assert found[0]["participant"] == "S-001"


def test_bulk_import_is_all_or_nothing_with_row_errors(clients, world):
    rows = [
        {"external_id": "ok-1", "text": "Нормальная строка"},
        {"external_id": "bad-1", "kind": "metric", "metric": "nps", "score": 12},
        {"external_id": "bad-2", "text": "x", "tags": ["no-such-tag"], "observed_on": "31.02.2026"},
        {"external_id": "ok-1", "text": "Повтор"},
    ]
    response = clients["Contributor"].post(
        "/api/v1/observations/bulk/", {"study": world["study"].pk, "observations": rows}
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["observations"]
    assert set(fields) == {"1", "2", "3"}
    assert "score" in fields["1"] and "observed_on" in fields["2"]
    assert "external_id" in fields["3"]
    assert not Observation.objects.filter(external_id="ok-1").exists()


def test_bulk_import_of_5000_rows(clients, world):
    rows = [
        {"external_id": f"n-{n}", "kind": "metric", "metric": "nps", "score": n % 11,
         "participant": f"R-{n % 300}"}
        for n in range(5000)
    ]  # fmt: skip
    response = clients["Contributor"].post(
        "/api/v1/observations/bulk/", {"study": world["other"].pk, "observations": rows}
    )
    assert response.status_code == 201, response.content[:500]
    assert response.json()["created"] == 5000
    too_many = clients["Contributor"].post(
        "/api/v1/observations/bulk/", {"study": world["other"].pk, "observations": [*rows, {}]}
    )
    assert too_many.status_code == 400


def test_study_metrics_with_counts_and_segments(clients, world):
    study = world["other"]
    scores = [10, 9, 9, 8, 7, 6, 0]
    for n, score in enumerate(scores):
        participant = world["quotes"][0].participant if n < 2 else None
        observation_create(
            study=study, kind="metric", metric="nps", score=score, participant=participant
        )
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
    other = insight_create(statement="Длинный онбординг пугает новых клиентов", tags=[world["kyc"]])
    similar = clients["Curator"].get(f"/api/v1/insights/{world['published'].pk}/similar/").json()
    assert similar[0]["insight"]["id"] == other.pk and similar[0]["score"] > 0


def test_errors_come_in_the_requests_language(world):
    client = client_for("Contributor")
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
    user = User.objects.create_user("anna")
    user.groups.add(Group.objects.get(name="Viewer"))
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

    client = client_for("Viewer")
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/minute"}
    try:
        codes = [client.get("/api/v1/tag-groups/").status_code for _ in range(3)]
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 429]
