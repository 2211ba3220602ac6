"""The change history keeps each version's links (tags, a decision's insights and target
tags): a change of the links alone is a version, bulk writes keep them set-based, and a
revert brings them back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import search
from insights.history import history_surface
from insights.models import Decision, Insight, Observation, Study
from insights.services import (
    decision_save,
    insight_save,
    object_restore,
    object_revert,
    observations_bulk_upsert,
    study_save,
    tag_delete,
    tag_merge,
)

from ..factories import (
    DecisionFactory,
    InsightFactory,
    ObservationFactory,
    StudyFactory,
    TagFactory,
    api_client_for,
)

pytestmark = pytest.mark.django_db


def links(record) -> dict:
    return {name: sorted(ids) for name, ids in record.history_links.items()}


def test_a_change_of_the_tags_alone_is_one_version_with_its_user_and_surface(curator):
    chat, calls = TagFactory(name="Чат"), TagFactory(name="Звонки")
    insight = InsightFactory(tags=[chat])
    assert links(insight.history.get()) == {"tags": [chat.pk]}
    with history_surface("admin", user=curator):
        insight_save(insight=Insight.objects.get(pk=insight.pk), tags=[chat, calls])
    latest, first = insight.history.order_by("-history_id")
    assert links(latest) == {"tags": sorted([chat.pk, calls.pk])}
    assert (latest.history_type, latest.history_user, latest.history_surface) == (
        "~",
        curator,
        "admin",
    )
    assert links(first) == {"tags": [chat.pk]}  # the earlier version keeps its own links


def test_links_changed_from_the_other_side_are_versions_of_each_object(curator):
    tag = TagFactory()
    insights = [InsightFactory(), InsightFactory()]
    with history_surface("command", user=curator):
        tag.insights.add(*insights)
    for insight in insights:
        latest = insight.history.first()
        assert links(latest) == {"tags": [tag.pk]}
        assert (latest.history_user, latest.history_surface) == (curator, "command")
    tag.insights.clear()
    assert [links(insight.history.first()) for insight in insights] == [{"tags": []}] * 2


def test_an_api_edit_of_the_tags_is_an_api_version():
    client = api_client_for("Contributor", "editor")
    tag = TagFactory(name="Доставка")
    insight = InsightFactory()
    response = client.patch(
        f"/api/v1/insights/{insight.pk}/", {"tags": ["Доставка"]}, format="json"
    )
    assert response.status_code == 200, response.content
    latest = insight.history.first()
    assert links(latest) == {"tags": [tag.pk]}
    assert (latest.history_user, latest.history_surface) == (client.user, "api")
    assert insight.history.count() == 2  # created, then the one edit


def test_a_decision_keeps_its_insights_and_target_tags():
    first, second = InsightFactory(), InsightFactory()
    segment = TagFactory(group="segment")
    decision = DecisionFactory()
    decision_save(decision=decision, insights=[first, second], target_tags=[segment])
    latest = decision.history.first()
    assert links(latest) == {
        "insights": sorted([first.pk, second.pk]),
        "target_tags": [segment.pk],
    }


def test_bulk_writes_keep_the_tags_with_a_bounded_number_of_queries(curator):
    study = StudyFactory()
    chat, calls = TagFactory(name="Чат"), TagFactory(name="Звонки")

    def write(first: int, count: int) -> int:
        rows = [
            {"text": f"Ответ {n}", "external_id": f"r{n}", "tags": ["Чат", "Звонки"]}
            for n in range(first, first + count)
        ]
        with CaptureQueriesContext(connection) as queries:
            observations_bulk_upsert(study=study, rows=rows, user=curator)
        history = [q["sql"] for q in queries if "historical" in q["sql"]]
        # The versions and their links are one INSERT ... SELECT: the tags come from a
        # subquery in it, not from a query per row.
        assert all("insights_observation_tags" in sql for sql in history)
        return len(history)

    assert write(0, 3) == write(100, 300) == 1  # under the 500 rows of a batch
    version = Observation.history.get(external_id="r250")
    assert links(version) == {"tags": sorted([chat.pk, calls.pk])}
    rows = [{"text": "Изменён", "external_id": "r1", "tags": ["Чат"]}]
    observations_bulk_upsert(study=study, rows=rows, user=curator)
    changed = Observation.history.filter(external_id="r1").order_by("-history_id").first()
    assert (changed.history_type, links(changed)) == ("~", {"tags": [chat.pk]})


def test_a_tag_merge_writes_versions_set_based(curator):
    target = TagFactory(name="Мессенджер")

    def merge_with(name: str, count: int) -> int:
        source = TagFactory(name=name)
        for _ in range(count):
            InsightFactory(tags=[source])
            ObservationFactory(tags=[source])
        with CaptureQueriesContext(connection) as queries, history_surface("admin", user=curator):
            tag_merge(sources=[source], target=target)
        return sum("INSERT INTO" in q["sql"] and "historical" in q["sql"] for q in queries)

    # One statement per tracked kind of owner (and the deleted tag), however many rows.
    assert merge_with("Чат", 2) == merge_with("Телеграм", 20)
    insight = Insight.objects.filter(tags=target).first()
    latest = insight.history.first()
    assert links(latest) == {"tags": [target.pk]}
    assert (latest.history_user, latest.history_surface) == (curator, "admin")
    assert Observation.history.filter(history_type="~", history_surface="admin").count() == 22


def test_a_merge_moves_the_target_tags_of_decisions_too():
    source, target = TagFactory(group="segment"), TagFactory(group="segment")
    decision = DecisionFactory()
    decision_save(decision=decision, target_tags=[source])
    tag_merge(sources=[source], target=target)
    assert list(decision.target_tags.all()) == [target]
    assert links(decision.history.first())["target_tags"] == [target.pk]


def test_revert_brings_the_tags_back_and_the_search_follows(curator):
    chat, calls = TagFactory(name="Чатбот"), TagFactory(name="Телефония")
    insight = InsightFactory(statement="Клиенты пишут", tags=[chat])
    first = insight.history.get()
    insight_save(insight=insight, tags=[calls])

    def found(query: str) -> bool:
        return insight.pk in search.search(Insight.objects.all(), query).values_list(
            "pk", flat=True
        )

    assert not found("Чатбот")
    reverted = object_revert(user=curator, obj=insight, history_id=first.history_id)
    assert reverted.skipped == 0
    assert list(insight.tags.all()) == [chat]
    assert found("Чатбот") and not found("Телефония")
    assert links(insight.history.first()) == {"tags": [chat.pk]}
    assert chat.insights.count() == 1 and calls.insights.count() == 0


def test_revert_skips_links_to_what_is_gone(curator):
    kept, gone = TagFactory(), TagFactory()
    study = StudyFactory()
    study_save(study=study, tags=[kept, gone])
    version = study.history.first()
    study_save(study=study, tags=[])
    tag_delete(tag=gone)  # unused now, so it may go
    reverted = object_revert(user=curator, obj=study, history_id=version.history_id)
    assert reverted.skipped == 1
    assert list(Study.objects.get(pk=study.pk).tags.all()) == [kept]


def test_a_version_from_before_links_were_recorded_leaves_the_links_alone(curator):
    tag = TagFactory()
    insight = InsightFactory()
    old = insight.history.get()
    old.history_links = None
    old.save()
    insight_save(insight=insight, tags=[tag])
    object_revert(user=curator, obj=insight, history_id=old.history_id)
    assert list(insight.tags.all()) == [tag]


def test_a_deleted_decision_comes_back_with_its_target_tags(curator):
    segment = TagFactory(group="segment")
    decision = DecisionFactory()
    decision_save(decision=decision, insights=[InsightFactory()], target_tags=[segment])
    pk = decision.pk
    decision.delete()
    deletion = Decision.history.get(id=pk, history_type="-")
    object_restore(user=curator, model=Decision, history_id=deletion.history_id)
    restored = Decision.objects.get(pk=pk)
    assert list(restored.target_tags.all()) == [segment]
    assert restored.insights.count() == 1
