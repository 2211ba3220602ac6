"""The API under concurrent writers: identical bulk posts store each row once, a request that
collided updates, and a tag merge that can no longer happen answers 409."""

import pytest

from insights.api.views import tags as tag_views
from insights.models import Observation, Tag
from insights.services import bulk as bulk_services
from insights.services import tag_merge

from ..concurrency import meet_after, race
from ..factories import ParticipantFactory, StudyFactory, TagFactory, api_client_for

BULK = "/api/v1/observations/bulk/"


def rows(count: int) -> list[dict]:
    """Survey answers without an external ID: only their content identifies them."""
    return [
        {
            "kind": "survey_answer",
            "text": f"Ответ {n}: долго ждал кешбэк",
            "participant": f"R-{n % 40}",
        }
        for n in range(count)
    ]


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def russian(text: str) -> bool:
    return any("а" <= ch <= "я" for ch in text.lower())


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_four_identical_bulk_posts_at_once_store_each_row_once(monkeypatch):
    study = StudyFactory()
    # Known participants: this test races the rows themselves (new codes race elsewhere).
    for n in range(40):
        ParticipantFactory(code=f"R-{n}")
    clients = [api_client_for("Contributor", username=f"sender-{n}") for n in range(4)]
    # All four read the study before any of them writes.
    monkeypatch.setattr(bulk_services, "_existing", meet_after(bulk_services._existing, parties=4))
    payload = {"study": study.pk, "observations": rows(500)}
    responses, errors = race(
        *[lambda client=client: client.post(BULK, payload, format="json") for client in clients]
    )
    assert errors == [None] * 4
    assert sorted(response.status_code for response in responses) == [200, 200, 200, 201]
    bodies = sorted((r.json()["created"], r.json()["updated"]) for r in responses)
    assert bodies == [(0, 500), (0, 500), (0, 500), (500, 0)]
    assert Observation.objects.filter(study=study).count() == 500
    assert {tuple(sorted(r.json()["ids"])) for r in responses} == {
        tuple(sorted(Observation.objects.filter(study=study).values_list("pk", flat=True)))
    }


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_tag_merges_sent_at_once_answer_200_or_409_never_500():
    a, b, c = (TagFactory(name=name) for name in ("Альфа", "Бета", "Гамма"))
    merges = [(a, b), (b, a), (a, c)]
    clients = [api_client_for("Curator", username=f"curator-{n}") for n in range(3)]
    responses, errors = race(
        *[
            lambda client=client, source=source, target=target: client.post(
                f"/api/v1/tags/{source.pk}/merge/", {"target": target.slug}, format="json"
            )
            for client, (source, target) in zip(clients, merges, strict=True)
        ]
    )
    assert errors == [None] * 3
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {200, 409} and 200 in statuses, statuses
    for response in responses:
        if response.status_code == 409:
            assert error_of(response)["code"] == "tag_gone"
    # Each merge that happened removed its source.
    assert Tag.objects.filter(pk__in=[a.pk, b.pk, c.pk]).count() == statuses.count(409)


@pytest.mark.django_db
def test_a_bulk_post_that_collided_with_another_updates_its_rows(monkeypatch):
    study = StudyFactory()
    client = api_client_for("Contributor")
    payload = {"study": study.pk, "observations": rows(30)}
    assert client.post(BULK, payload, format="json").status_code == 201
    # The first request committed after this one looked for existing rows.
    read, calls = bulk_services._existing, []

    def existing(study, drafts):
        calls.append(1)
        return ({}, {}) if len(calls) == 1 else read(study, drafts)

    monkeypatch.setattr(bulk_services, "_existing", existing)
    response = client.post(BULK, payload, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["created"], response.json()["updated"]) == (0, 30)
    assert Observation.objects.filter(study=study).count() == 30


@pytest.mark.django_db
def test_merging_a_tag_another_request_merged_away_is_409_in_the_error_format(monkeypatch):
    a, b, d = (TagFactory(name=name) for name in ("Альфа", "Бета", "Дельта"))

    def merged_meanwhile(*, sources, target):
        # Another request merges the same tag into another one first.
        tag_merge(sources=[Tag.objects.get(pk=a.pk)], target=d)
        return tag_merge(sources=sources, target=target)

    monkeypatch.setattr(tag_views, "tag_merge", merged_meanwhile)
    response = api_client_for("Curator").post(
        f"/api/v1/tags/{a.pk}/merge/", {"target": b.slug}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "tag_gone" and russian(error["message"])
    assert "Альфа" in error["message"]
    assert list(b.aliases.values_list("name", flat=True)) == []
