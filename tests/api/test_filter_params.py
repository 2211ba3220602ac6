"""REST API v1 filters: the same as the web's, bad values and NUL bytes answered 400."""

import pytest

from insights.models import Insight

from ..factories import (
    DecisionFactory,
)

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize(
    "params, field",
    [({"has_decisions": "maybe"}, "has_decisions"), ({"tag_group": "nope"}, "tag_group"),
     ({"tag": "\x00"}, "tag"), ({"tag": ["onbording", "a\x00b"]}, "tag"), ({"q": "\x00"}, "q"),
     ({"study": "\x00"}, "study"), ({"owner": "x\x00"}, "owner")],
)  # fmt: skip
def test_bad_filter_values_are_400_with_a_field_message(clients, world, params, field):
    response = clients["Curator"].get("/api/v1/insights/", params)
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]


@pytest.mark.parametrize(
    "method, path, data, field",
    [("get", "/api/v1/observations/", {"tag": "\x00"}, "tag"),
     ("get", "/api/v1/studies/", {"tag_group": "\x00"}, "tag_group"),
     ("get", "/api/v1/tags/", {"q": "\x00"}, "q"),
     ("get", "/api/v1/search/", {"q": "\x00"}, "q"),
     ("get", "/api/v1/tags/{tag}/metrics/", {"split_by": "\x00"}, "split_by"),
     ("get", "/api/v1/studies/{study}/metrics/", {"split_by": "\x00"}, "split_by"),
     ("post", "/api/v1/known/", {"questions": "\x00"}, "questions"),
     ("post", "/api/v1/insights/", {"statement": "Ок", "tags": ["\x00"]}, "tags")],
)  # fmt: skip
def test_nul_bytes_are_refused_everywhere_text_reaches_the_database(
    clients, world, method, path, data, field
):
    path = path.format(tag=world["kyc"].pk, study=world["study"].pk)
    response = getattr(clients["Curator"], method)(path, data)
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]


def test_has_decisions_and_tag_group_still_filter(clients, world):
    DecisionFactory(title="Сократить онбординг", insights=[world["published"]])
    curator = clients["Curator"]
    with_decisions = curator.get("/api/v1/insights/", {"has_decisions": "true"}).json()
    assert [i["id"] for i in with_decisions["results"]] == [world["published"].pk]
    without = curator.get("/api/v1/insights/", {"has_decisions": "0"}).json()
    assert [i["id"] for i in without["results"]] == [world["draft"].pk]
    by_group = curator.get("/api/v1/insights/", {"tag_group": "segment"}).json()
    assert by_group["results"] == []


def test_changing_the_status_by_patch_is_a_400_naming_the_actions(clients, world):
    draft = world["draft"]
    response = clients["Curator"].patch(f"/api/v1/insights/{draft.pk}/", {"status": "published"})
    assert response.status_code == 400
    assert "publish" in response.json()["error"]["fields"]["status"][0]
    assert Insight.objects.get(pk=draft.pk).status == "draft"
