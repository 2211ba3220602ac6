"""The change history: who, when and from where; reverting and restoring through the services."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import search
from insights.history import history_surface
from insights.models import Evidence, Insight, Observation, Tag
from insights.services import (
    evidence_delete,
    evidence_save,
    insight_save,
    object_restore,
    object_revert,
    observations_bulk_upsert,
    observations_import,
    tag_delete,
    tag_save,
)
from insights.services.history import RESTORE_DAYS

from ..factories import InsightFactory, ObservationFactory, StudyFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def matches(query: str) -> set[int]:
    return set(search.search(Insight.objects.all(), query).values_list("pk", flat=True))


def test_every_save_is_a_version_with_its_user_and_surface(curator):
    with history_surface("command", user=curator):
        insight = InsightFactory(statement="Клиенты хотят чат")
    insight.statement = "Клиенты хотят чат в приложении"
    with history_surface("admin", user=curator):
        insight_save(insight=insight)
    versions = list(insight.history.order_by("history_id"))
    assert [(v.history_type, v.history_surface) for v in versions] == [
        ("+", "command"),
        ("~", "admin"),
    ]
    assert versions[-1].history_user == curator
    assert versions[0].statement == "Клиенты хотят чат"


def test_a_file_import_is_recorded_as_an_import_by_its_user(curator):
    study = StudyFactory()
    stream = io.BytesIO("Текст;Респондент\nДолго ждал ответа;P-1\n".encode())
    observations_import(study=study, stream=stream, name="rows.csv", user=curator)
    (version,) = Observation.history.filter(study_id=study.pk)
    assert (version.history_type, version.history_surface) == ("+", "import")
    assert version.history_user == curator


def test_a_command_is_recorded_as_a_command():
    call_command("load_demo", verbosity=0)
    surfaces = set(Insight.history.values_list("history_surface", flat=True))
    assert surfaces == {"command"}


def test_bulk_writes_history_in_batches_not_a_query_per_row(curator):
    study = StudyFactory()

    def history_inserts(first: int, count: int) -> int:
        rows = [{"text": f"Ответ {n}", "external_id": f"r{n}"} for n in range(first, first + count)]
        with CaptureQueriesContext(connection) as queries:
            observations_bulk_upsert(study=study, rows=rows, user=curator)
        return sum("historicalobservation" in query["sql"] for query in queries)

    # One INSERT ... SELECT per batch of 500 rows, however many rows the batch has.
    assert history_inserts(0, 3) == 1
    assert history_inserts(100, 200) == 1
    created = Observation.history.filter(study_id=study.pk, history_type="+")
    assert created.count() == 203
    version = created.get(external_id="r150")
    stored = Observation.objects.get(external_id="r150")
    assert (version.text, version.created_at, version.history_user) == (
        "Ответ 150",
        stored.created_at,
        curator,
    )
    rows = [{"text": f"Изменён {n}", "external_id": f"r{n}"} for n in range(3)]
    with history_surface("api"):
        observations_bulk_upsert(study=study, rows=rows, user=curator)
    changed = Observation.history.filter(study_id=study.pk, history_type="~")
    assert sorted(changed.values_list("text", flat=True)) == ["Изменён 0", "Изменён 1", "Изменён 2"]
    assert set(changed.values_list("history_surface", "history_user")) == {("api", curator.pk)}


def test_revert_brings_back_the_text_and_the_search_follows(curator):
    insight = InsightFactory(statement="Клиенты хотят чат")
    first = insight.history.get()
    insight.statement = "Клиенты звонят в поддержку"
    insight_save(insight=insight)
    assert insight.pk not in matches("чат")
    object_revert(user=curator, obj=insight, history_id=first.history_id)
    insight.refresh_from_db()
    assert insight.statement == "Клиенты хотят чат"
    assert insight.pk in matches("чат")
    assert insight.pk not in matches("звонят")
    assert insight.history.first().history_change_reason == f"revert #{first.history_id}"


def test_reverting_evidence_regrades_the_insight(curator):
    observation = ObservationFactory()
    insight = InsightFactory(evidence=[{"observation": observation}])
    evidence = insight.evidence.get()
    original = evidence.history.get()
    evidence.relation = Evidence.Relation.CONTRADICTS
    evidence_save(evidence=evidence)
    insight.refresh_from_db()
    assert (insight.supporting_count, insight.contradicting_count) == (0, 1)
    object_revert(user=curator, obj=evidence, history_id=original.history_id)
    insight.refresh_from_db()
    assert (insight.supporting_count, insight.contradicting_count) == (1, 0)


def test_revert_keeps_the_rules_of_an_edit(curator):
    tag = TagFactory(name="Звонки")
    first = tag.history.get()
    tag.name = "Телефон"
    tag_save(tag=tag)
    TagFactory(name="Звонки")  # another tag now has the old name
    with pytest.raises(ValidationError):
        object_revert(user=curator, obj=tag, history_id=first.history_id)
    tag.refresh_from_db()
    assert tag.name == "Телефон"


def test_a_version_of_another_object_is_refused(curator):
    one, other = InsightFactory(), InsightFactory()
    with pytest.raises(ValidationError):
        object_revert(user=curator, obj=one, history_id=other.history.get().history_id)


@pytest.mark.parametrize("role", ["Viewer", "Contributor", None])
def test_only_curators_revert_or_restore(role):
    user = UserFactory(role=role)
    insight = InsightFactory()
    with pytest.raises(PermissionDenied):
        object_revert(user=user, obj=insight, history_id=insight.history.get().history_id)
    tag = TagFactory()
    pk = tag.pk
    tag_delete(tag=tag)
    deletion = Tag.history.get(id=pk, history_type="-")
    with pytest.raises(PermissionDenied):
        object_restore(user=user, model=Tag, history_id=deletion.history_id)
    assert not Tag.objects.filter(pk=pk).exists()


def test_a_deleted_published_insight_comes_back_whole(curator, onboarding):
    observation = ObservationFactory()
    insight = InsightFactory(
        statement="Онбординг слишком длинный",
        tags=[onboarding],
        evidence=[{"observation": observation}],
        published=True,
    )
    pk, published_at = insight.pk, insight.published_at
    with history_surface("admin", user=curator):
        insight.delete()
    assert not Evidence.objects.filter(insight_id=pk).exists()
    assert pk not in matches("длинный")
    deletion = Insight.history.get(id=pk, history_type="-")
    assert deletion.history_links == {"tags": [onboarding.pk]}
    assert deletion.history_surface == "admin"

    restored = object_restore(user=curator, model=Insight, history_id=deletion.history_id)

    insight = Insight.objects.get(pk=pk)
    assert restored.obj.pk == pk and restored.skipped == 0
    assert insight.status == Insight.Status.PUBLISHED
    assert insight.published_at == published_at
    assert list(insight.tags.all()) == [onboarding]
    assert list(insight.observations.all()) == [observation]
    assert (insight.supporting_count, insight.confidence) == (1, "low")
    assert pk in matches("длинный")


def test_restore_is_offered_for_thirty_days_only(curator):
    tag = TagFactory(name="Доставка")
    pk = tag.pk
    tag_delete(tag=tag)
    deletion = Tag.history.get(id=pk, history_type="-")
    deletion.history_date -= timedelta(days=RESTORE_DAYS, minutes=1)
    deletion.save()
    with pytest.raises(ValidationError) as refused:
        object_restore(user=curator, model=Tag, history_id=deletion.history_id)
    assert refused.value.code == "restore_expired"
    deletion.history_date += timedelta(minutes=2)
    deletion.save()
    object_restore(user=curator, model=Tag, history_id=deletion.history_id)
    assert Tag.objects.get(pk=pk).name == "Доставка"


def test_an_object_is_restored_once(curator):
    observation = ObservationFactory(text="Курьер опоздал")
    insight = InsightFactory(evidence=[{"observation": observation}])
    evidence_delete(evidence=insight.evidence.get())
    deletion = Evidence.history.get(history_type="-")
    object_restore(user=curator, model=Evidence, history_id=deletion.history_id)
    insight.refresh_from_db()
    assert insight.supporting_count == 1
    with pytest.raises(ValidationError):
        object_restore(user=curator, model=Evidence, history_id=deletion.history_id)


def test_every_field_of_a_tracked_model_is_reverted_restored_or_computed():
    """A field added to a model must be placed in one of the three lists, or a revert or a
    restore would silently drop its value."""
    from insights.services import history

    for model, reverted in history.REVERTED_FIELDS.items():
        placed = {
            *reverted,
            *history.RESTORED_FIELDS.get(model, ()),
            *history.COMPUTED_FIELDS.get(model, ()),
        }
        fields = {
            field.name
            for field in model._meta.concrete_fields
            if not field.primary_key and field.name not in {"created_at", "updated_at"}
        }
        assert fields == placed, model.__name__


def test_a_restored_shipped_decision_keeps_its_ship_date_and_target(curator):
    from insights.models import Decision

    from ..factories import DecisionFactory

    decision = DecisionFactory(status="shipped", target_metric="nps")
    decision.shipped_on = decision.shipped_on - timedelta(days=40)
    decision.save()
    shipped_on, pk = decision.shipped_on, decision.pk
    decision.delete()
    deletion = Decision.history.get(id=pk, history_type="-")
    object_restore(user=curator, model=Decision, history_id=deletion.history_id)
    restored = Decision.objects.get(pk=pk)
    assert (restored.shipped_on, restored.target_metric) == (shipped_on, "nps")
