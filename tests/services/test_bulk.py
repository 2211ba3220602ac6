"""The one bulk-write path: tag resolution in bounded queries, every row's problems at once."""

import io

import pytest

from insights.models import Observation, TagGroup
from insights.services import RowErrors, TagResolver, observations_bulk_upsert, observations_import

from ..factories import StudyFactory, TagFactory, api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags():
    theme = TagGroup.objects.get(slug="theme")
    return [TagFactory(name=f"Тема {n}", group=theme, aliases=[f"topic {n}"]) for n in range(30)]


@pytest.mark.parametrize("rows", [10, 300])
def test_tags_of_any_number_of_rows_cost_three_queries(tags, rows, django_assert_num_queries):
    values = [f"topic {n}" for n in range(30)] + ["Тема 1", tags[2].slug, "нет такой"]
    batch = [
        {"tags": [values[i % len(values)], values[(i * 7) % len(values)]]} for i in range(rows)
    ]
    errors: dict = {}
    with django_assert_num_queries(3):
        TagResolver().resolve(batch, errors)
    assert batch[0]["tags"] == [tags[0]]
    unknown_rows = {i for i in range(rows) if "нет такой" in (values[i % 33], values[(i * 7) % 33])}
    assert set(errors) == unknown_rows
    assert all(errors[i] == {"tags": ["Unknown tag “нет такой”."]} for i in unknown_rows)


def test_a_second_batch_only_looks_up_new_values(tags, django_assert_num_queries):
    resolver = TagResolver()
    resolver.resolve([{"tags": ["topic 1"]}], {})
    with django_assert_num_queries(0):
        resolver.resolve([{"tags": ["topic 1"]} for _ in range(50)], {})


def test_every_problem_of_every_row_is_reported_and_nothing_written(tags):
    study = StudyFactory()
    rows = [
        {"text": "Хорошо", "tags": ["topic 1"]},
        {"text": "", "kind": "quote"},
        {"text": "Плохо", "tags": ["нет такой"]},
        {"text": "Оценка", "metric": "nps", "score": 11},
        {"text": "Дубль", "external_id": "x"},
        {"text": "Дубль", "external_id": "x"},
    ]
    with pytest.raises(RowErrors) as raised:
        observations_bulk_upsert(study=study, rows=rows, errors={0: {"date": ["Не дата."]}})
    assert set(raised.value.errors) == {0, 1, 2, 3, 5}
    assert raised.value.errors[0] == {"date": ["Не дата."]}
    assert "text" in raised.value.errors[1] and "tags" in raised.value.errors[2]
    assert "score" in raised.value.errors[3] and "external_id" in raised.value.errors[5]
    assert not Observation.objects.filter(study=study).exists()


def test_the_api_and_a_file_import_report_the_same_row_problem(tags):
    study = StudyFactory()
    client = api_client_for("Contributor")
    response = client.post(
        "/api/v1/observations/bulk/",
        {"study": study.pk, "observations": [{"text": "Ок", "tags": ["нет такой"]}]},
        format="json",
    )
    api_message = response.json()["error"]["fields"]["observations"]["0"]["tags"]
    report = observations_import(
        study=study, stream=io.BytesIO("text,tags\nОк,нет такой\n".encode()), name="a.csv"
    )
    assert [problem.messages for problem in report.errors] == [api_message]
    assert not Observation.objects.filter(study=study).exists()
