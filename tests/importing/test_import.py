"""Importing observations: formats, column mapping, all-or-nothing, idempotence, dry runs."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from insights import search
from insights.importing import MappingError, SourceError
from insights.importing.rows import detect_mapping, parse_date
from insights.importing.sources import telegram_participant_code
from insights.models import Insight, Observation, Tag, TagGroup
from insights.services import imports as import_service

from ..factories import InsightFactory, StudyFactory, TagFactory
from .runner import run

pytestmark = pytest.mark.django_db

SURVEY_CSV = (
    "ID ответа;Дата;Респондент;Оценка NPS;Почему?;Теги\r\n"
    "r1;05.03.2026;P-101;9;Удобное приложение;Онбординг, лояльность\r\n"
    "r2;2026-03-06;1234;3;Не дозвонился до поддержки;\r\n"
    '"r3";06.03.2026;P-102;7;"Нормально; но медленно";Онбординг\r\n'
)


@pytest.fixture
def study():
    return StudyFactory(title="NPS Q2", method="metric_survey")


@pytest.fixture
def onboarding(onboarding):
    """The suite's "Онбординг", next to a loyalty programme tag known by an alias."""
    TagFactory(name="Программа лояльности", aliases=["лояльность"])
    return onboarding


def test_windows_1251_semicolon_csv_with_russian_headers(study, onboarding):
    report = run(study, SURVEY_CSV, encoding="cp1251")
    assert (report.format, report.rows, report.created, report.rejected) == ("csv", 3, 3, 0)
    assert report.mapping == {
        "text": "Почему?",
        "participant": "Респондент",
        "date": "Дата",
        "tags": "Теги",
        "external_id": "ID ответа",
        "score": "Оценка NPS",
    }
    first = Observation.objects.get(study=study, external_id="r1")
    assert (first.kind, first.metric, first.score, str(first.observed_on)) == (
        "survey_answer",
        "nps",
        9,
        "2026-03-05",
    )
    assert first.participant.code == "P-101"
    assert {tag.name for tag in first.tags.all()} == {"Онбординг", "Программа лояльности"}
    # A numeric respondent ID becomes a valid pseudonymous code.
    assert Observation.objects.get(external_id="r2").participant.code == "R-1234"
    assert Observation.objects.get(external_id="r3").text == "Нормально; но медленно"


def test_utf8_with_bom_and_comma_and_explicit_mapping(study):
    content = "\ufeffRespondent,Comment,When,Channel\nP-1,Slow delivery,2026-01-02,web\n"
    report = run(study, content, mapping={"date": "When", "source_ref": "channel"})
    assert report.mapping["date"] == "When" and report.mapping["source_ref"] == "Channel"
    observation = Observation.objects.get(study=study)
    assert (observation.text, observation.source_ref) == ("Slow delivery", "web")
    assert str(observation.observed_on) == "2026-01-02"


def test_a_mapping_to_a_missing_column_or_field_is_refused(study):
    with pytest.raises(MappingError, match="no column “Nope”"):
        run(study, "text\nhello\n", mapping={"date": "Nope"})
    with pytest.raises(MappingError, match="Unknown field"):
        run(study, "text\nhello\n", mapping={"colour": "text"})
    with pytest.raises(MappingError, match="No column holds the observation text"):
        run(study, "a,b\n1,2\n")


def test_one_bad_row_writes_nothing_and_every_problem_names_its_line(study, onboarding):
    content = (
        "text,date,score,metric,tags,participant\n"
        "fine,2026-01-01,,,,P-1\n"
        "bad date,31.02.2026,,,,P-2\n"
        ",2026-01-01,11,nps,,\n"
        "unknown tag,2026-01-01,,,Нет такого,\n"
        "bad code,2026-01-01,,,,ivan@example.com\n"
    )
    report = run(study, content)
    assert (report.rows, report.rejected, report.written) == (5, 4, False)
    assert not Observation.objects.filter(study=study).exists()
    problems = {(problem.location, problem.field) for problem in report.errors}
    assert problems == {
        ("line 3", "date"),
        ("line 4", "score"),
        ("line 5", "tags"),
        ("line 6", "participant"),
    }
    assert "Нет такого" in " ".join(report.errors[2].messages)


def test_unknown_tags_can_be_created_in_a_chosen_group(study):
    emotion = TagGroup.objects.get(slug="emotion")
    report = run(
        study, "text,tags\nhi,Раздражение; раздражение\n", unknown_tags="create", tag_group=emotion
    )
    assert report.new_tags == ["Раздражение"]
    assert Tag.objects.get(name="Раздражение").group == emotion
    with pytest.raises(MappingError, match="tag group"):
        run(study, "text,tags\nhi,x\n", unknown_tags="create")


def test_reimporting_the_same_file_updates_instead_of_duplicating(study, onboarding):
    no_ids = "text,participant,date\nQuote one,P-1,2026-01-01\nQuote two,P-2,2026-01-02\n"
    for content in (SURVEY_CSV, no_ids):
        first = run(study, content)
        second = run(study, content)
        assert second.created == 0 and second.updated == first.created
    assert Observation.objects.filter(study=study).count() == 5


def test_changed_row_with_the_same_external_id_updates_and_regrades(study):
    run(study, "id,text,participant\nx1,Old text,P-1\n")
    observation = Observation.objects.get(external_id="x1")
    insight = InsightFactory(evidence=[{"observation": observation}])
    report = run(study, "id,text,participant\nx1,New text,P-1\n")
    assert (report.created, report.updated) == (0, 1)
    observation.refresh_from_db()
    assert observation.text == "New text"
    assert search.search(Observation.objects.all(), "New").get() == observation
    assert Insight.objects.get(pk=insight.pk).supporting_count == 1


def test_dry_run_counts_and_previews_but_writes_nothing(study, onboarding):
    run(study, "id,text\nr1,Already here\n")
    report = run(study, SURVEY_CSV, dry_run=True, encoding="cp1251")
    assert (report.created, report.updated, report.dry_run, report.written) == (2, 1, True, False)
    assert [row["action"] for row in report.preview] == ["update", "create", "create"]
    assert report.preview[0]["tags"] == ["Онбординг", "Программа лояльности"]
    assert Observation.objects.filter(study=study).count() == 1
    assert Observation.objects.get(external_id="r1").text == "Already here"


def test_chunks_see_what_earlier_chunks_of_the_same_import_wrote(study, monkeypatch):
    monkeypatch.setattr(import_service, "CHUNK_SIZE", 2)
    repeated = "text,participant\nSame,P-1\nOther,P-2\nSame,P-1\n"
    report = run(study, repeated)
    assert (report.created, report.repeated, report.rejected) == (2, 1, 0)
    duplicate_ids = "id,text\na,one\nb,two\na,three\n"
    report = run(StudyFactory(), duplicate_ids)
    assert report.rejected == 1
    assert (report.errors[0].location, report.errors[0].field) == ("line 4", "external_id")


def test_json_lines_rows_may_name_different_keys(study, onboarding):
    lines = [
        {"text": "Первая", "participant": "P-1", "tags": ["Онбординг"], "external_id": "j1"},
        {"metric": "nps", "score": 10, "external_id": "j2", "observed_on": "2026-02-01"},
    ]
    content = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    report = run(study, content, name="answers.jsonl")
    assert (report.format, report.created, report.rejected) == ("jsonl", 2, 0)
    metric = Observation.objects.get(external_id="j2")
    assert (metric.kind, metric.metric, metric.score, str(metric.observed_on)) == (
        "metric",
        "nps",
        10,
        "2026-02-01",
    )
    assert list(Observation.objects.get(external_id="j1").tags.all()) == [onboarding]


def test_broken_files_raise_a_clear_error(study):
    with pytest.raises(SourceError, match="Line 2 is not valid JSON"):
        run(study, '{"text": "ok"}\n{broken\n', name="x.jsonl")
    with pytest.raises(SourceError, match="empty"):
        run(study, "   \n", name="x.csv")
    with pytest.raises(SourceError, match="no message list"):
        run(study, '{"name": "chat", "id": 1}', name="result.json")


TELEGRAM = {
    "name": "Копилка: отзывы",
    "type": "public_supergroup",
    "id": 1789012345,
    "messages": [
        {
            "id": 1,
            "type": "service",
            "date": "2026-05-01T10:00:00",
            "actor_id": "user1",
            "text": "",
        },
        {
            "id": 2,
            "type": "message",
            "date": "2026-05-02T11:15:00",
            "from": "Мария Иванова",
            "from_id": "user42",
            "text": ["Не могу привязать карту ", {"type": "hashtag", "text": "#онбординг"}],
            "text_entities": [
                {"type": "plain", "text": "Не могу привязать карту "},
                {"type": "hashtag", "text": "#онбординг"},
            ],
        },
        {
            "id": 3,
            "type": "message",
            "date": "2026-05-03T09:00:00",
            "from_id": "user43",
            "text": "",
            "photo": "photos/1.jpg",
            "text_entities": [],
        },
        {
            "id": 4,
            "type": "message",
            "date": "2026-05-03T09:05:00",
            "from_id": "user43",
            "text": "Кешбэк пришёл через неделю",
        },
    ],
}


def test_telegram_export_messages_become_observations(study, onboarding):
    content = json.dumps(TELEGRAM, ensure_ascii=False)
    report = run(study, content, name="result.json")
    assert (report.format, report.rows, report.created) == ("telegram", 2, 2)
    first = Observation.objects.get(external_id="telegram:1789012345:2")
    assert first.text == "Не могу привязать карту #онбординг"
    assert list(first.tags.all()) == [onboarding]
    assert first.source_ref == "https://t.me/c/1789012345/2"
    assert str(first.observed_on) == "2026-05-02"
    # The author is pseudonymous: a stable code, never the name or the Telegram user ID.
    assert first.participant.code == telegram_participant_code("user42")
    assert "Мария" not in first.participant.code and "42" not in first.participant.code
    assert run(study, content, name="result.json").updated == 2
    assert Observation.objects.filter(study=study).count() == 2


def test_detected_headers_and_dates():
    assert detect_mapping(["Комментарий", "Код_участника", "NPS", "Ёмкость"]) == {
        "text": "Комментарий",
        "participant": "Код_участника",
        "score": "NPS",
    }
    assert str(parse_date("2026-03-05T10:00:00Z")) == "2026-03-05"
    assert str(parse_date("5.3.2026 10:30")) == "2026-03-05"
    with pytest.raises(ValueError):
        parse_date("03/05/2026")


def test_command_imports_and_reports_rows(study, onboarding, tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_bytes(SURVEY_CSV.encode("cp1251"))
    call_command("import_observations", str(path), study=study.slug, no_progress=True)
    assert "3 rows: 3 new" in capsys.readouterr().out
    call_command("import_observations", str(path), "--dry-run", study=study.slug, no_progress=True)
    out = capsys.readouterr().out
    assert "Dry run" in out and "line 2: update" in out


def test_command_errors_name_the_line_in_russian(study, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("text,date\nok,2026-01-01\nbad,32.01.2026\n", encoding="utf-8")
    with override("ru"), pytest.raises(CommandError, match="Ничего не импортировано"):
        call_command("import_observations", str(path), study=study.slug, no_progress=True)
    assert "строка 3, date" in capsys.readouterr().err
    assert not Observation.objects.exists()
    with pytest.raises(CommandError, match="No study"):
        call_command("import_observations", str(path), study="nope", no_progress=True)
    with pytest.raises(CommandError, match="FIELD=COLUMN"):
        call_command("import_observations", str(path), "--map", "text", study=study.slug)
