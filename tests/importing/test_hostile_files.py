"""Hostile and broken import files: a clear error naming the line, message or field, bounded
memory, and nothing written."""

import json
import tracemalloc

import pytest

from insights.importing import SourceError
from insights.importing.sources import telegram_participant_code
from insights.models import Observation, Participant, Tag

from ..factories import StudyFactory, TagFactory
from .runner import run

pytestmark = pytest.mark.django_db

# Python memory an import of a small hostile file may use at its peak.
MEMORY_LIMIT = 16 * 1024 * 1024


@pytest.fixture
def study():
    return StudyFactory(title="Отзывы")


def problems(report) -> list[tuple[str, str, str]]:
    return [(p.location, p.field, " ".join(p.messages)) for p in report.errors]


def peak_memory(function) -> int:
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def telegram(*messages, **chat) -> str:
    export = {"name": "Чат", "type": "public_supergroup", "id": 77, **chat}
    return json.dumps({**export, "messages": list(messages)}, ensure_ascii=False)


def message(number: int, **fields) -> dict:
    return {"id": number, "type": "message", "date": "2026-05-02T11:15:00", "text": "Ок", **fields}


# Deeply nested JSON -------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [2_000, 8_000])
def test_a_deeply_nested_telegram_export_is_refused_in_bounded_memory(study, depth):
    content = '{"messages": ' + nested(depth) + "}"

    def attempt():
        with pytest.raises(SourceError, match=r"more than 32 levels deep.*item 1 of the message"):
            run(study, content, name="result.json")

    assert peak_memory(attempt) < MEMORY_LIMIT
    assert not Observation.objects.exists()


def test_the_issues_200_kb_of_brackets_is_refused_at_once(study):
    content = '{"messages": ' + nested(100_000) + "}"
    assert len(content) > 200_000
    with pytest.raises(SourceError, match="more than 32 levels deep"):
        run(study, content, name="result.json")


def test_nesting_outside_the_message_list_is_bounded_too(study):
    content = '{"about": ' + nested(8_000) + ', "messages": []}'
    with pytest.raises(SourceError, match="more than 32 levels deep"):
        run(study, content, name="result.json")
    inside = telegram(message(1), message(2, text_entities=json.loads(nested(40))))
    with pytest.raises(SourceError, match=r"more than 32 levels deep.*message 2"):
        run(study, inside, name="result.json")


def test_a_deeply_nested_json_lines_record_is_refused_in_bounded_memory(study):
    content = '{"text": "ok"}\n{"text": ' + nested(8_000) + "}\n"

    def attempt():
        with pytest.raises(SourceError, match="Line 2 is nested more than 32 levels deep"):
            run(study, content, name="answers.jsonl")

    assert peak_memory(attempt) < MEMORY_LIMIT
    shallow = '{"text": "ok", "tags": ' + nested(20) + "}\n"
    assert run(study, shallow, name="answers.jsonl", dry_run=True).rows == 1


def test_a_deep_first_line_does_not_break_format_detection(study):
    content = '{"text": ' + nested(5_000) + "}\n" + '{"text": "ok"}\n'
    with pytest.raises(SourceError, match="Line 1 is nested"):
        run(study, content, name="answers.json")


def test_a_huge_telegram_value_is_refused_before_it_is_held_in_memory(study):
    content = telegram(message(1), message(2, text="Очень длинный отзыв " * 1_000_000)).encode()
    assert len(content) > 30_000_000

    def attempt():
        with pytest.raises(SourceError, match=r"over 1.0.MB.*message"):
            run(study, content, name="result.json")

    assert peak_memory(attempt) < MEMORY_LIMIT
    many_values = telegram(message(1, reactions=[0] * 300_000))
    with pytest.raises(SourceError, match=r"over 1.0.MB.*message 1"):
        run(study, many_values, name="result.json")


def test_a_huge_json_lines_line_is_refused(study):
    content = '{"text": "ok"}\n{"text": "' + "а" * 1_000_000 + '"}\n'
    with pytest.raises(SourceError, match=r"Line 2 is longer than 1.0.MB"):
        run(study, content, name="answers.jsonl")


# NUL characters ----------------------------------------------------------------------------


def test_a_nul_character_in_a_csv_cell_is_a_row_error_naming_line_and_field(study):
    TagFactory(name="Доставка")
    content = (
        "Респондент;Комментарий;Дата;Теги;Канал\n"
        "P-1;Всё\x00 ок;2026-01-01;Доставка;\n"
        "P-2\x00;Хорошо;2026-01-02;Доставка;\n"
        "P-3;Быстро;2026-01-03;Дост\x00авка;\n"
        "P-4;Нормально;2026-01-04;Доставка;не импортируется\x00\n"
    )
    report = run(study, content)
    assert report.rejected == 3
    nul = "Contains a NUL character (code 0), which cannot be stored; remove it."
    assert problems(report) == [
        ("line 2", "text", nul),
        ("line 3", "participant", nul),
        ("line 4", "tags", nul),
    ]
    assert not Observation.objects.exists() and not Participant.objects.exists()


def test_nul_characters_in_json_lines_and_telegram_are_row_errors_too(study):
    report = run(study, '{"text": "a\\u0000b", "external_id": "x"}\n', name="a.jsonl")
    [(where, field, text)] = problems(report)
    assert (where, field) == ("line 1", "text") and "NUL character" in text
    content = telegram(
        message(1, text="ok\x00"),
        message(2, text_entities=[{"type": "hashtag", "text": "#a\x00"}]),
        id="chat\x00",
    )
    report = run(study, content, name="result.json")
    assert {(p.location, p.field) for p in report.errors} == {
        ("message 1", "text"),
        ("message 2", "text"),
        ("message 2", "tags"),
        # The chat's ID is part of every message's link and external ID.
        ("message 1", "source_ref"),
        ("message 1", "external_id"),
        ("message 2", "source_ref"),
        ("message 2", "external_id"),
    }
    assert not Observation.objects.exists()


def test_a_utf16_spreadsheet_export_is_read_rather_than_full_of_nul_characters(study):
    content = "Комментарий\tДата\nВсё хорошо\t2026-01-01\n".encode("utf-16")
    report = run(study, content)
    assert (report.rows, report.created, report.rejected) == (1, 1, 0)
    assert Observation.objects.get().text == "Всё хорошо"


# Telegram messages with odd types ------------------------------------------------------------


def test_telegram_values_of_a_readable_type_are_read(study):
    content = telegram(
        message(1, text=5),
        message(2, text=[3, " ", {"type": "bold", "text": 2.5}, None]),
        message(3, text_entities=["plain ", {"type": "hashtag", "text": "#онбординг"}]),
        message("4", from_id=42),
        message(5, text_entities="not a list: the text is read instead"),
    )
    TagFactory(name="онбординг")
    report = run(study, content, name="result.json")
    assert (report.created, report.rejected) == (5, 0), problems(report)
    texts = dict(Observation.objects.values_list("external_id", "text"))
    assert texts == {
        "telegram:77:1": "5",
        "telegram:77:2": "3 2.5",
        "telegram:77:3": "plain #онбординг",
        "telegram:77:4": "Ок",
        "telegram:77:5": "Ок",
    }
    author = Observation.objects.get(external_id="telegram:77:4").participant
    assert author.code == telegram_participant_code("42")
    assert Tag.objects.get(name="онбординг").observations.count() == 1


def test_telegram_values_of_an_odd_type_are_reported_by_message_and_field(study):
    content = telegram(
        message(1),
        message(2, text=True),
        message(3, text=[{"type": "bold", "text": {"text": "x"}}]),
        message(4, text_entities=[{"type": "plain", "text": ["nested"]}]),
        message(5, text_entities="not a list: the text is read instead"),
        message(6, date=["2026-05-02"]),
        message(7, date=1714650000),
        message(8, from_id={"id": 1}),
        message(9, id=None),
        ["not", "a", "message"],
        message([10]),
        {"type": 5, "text": "a message of an unknown type is not research"},
    )
    report = run(study, content, name="result.json")
    assert report.rejected == 9
    found = problems(report)
    assert [(where, field) for where, field, _message in found] == [
        ("message 2", "text"),
        ("message 3", "text"),
        ("message 4", "text"),
        ("message 6", "date"),
        ("message 7", "date"),
        ("message 8", "participant"),
        ("item 9 of the message list", "external_id"),
        ("item 10 of the message list", ""),
        ("item 11 of the message list", "external_id"),
    ]
    assert found[0][2] == "Expected text or a number, found true or false."
    assert found[1][2] == "Expected text or a number, found an object."
    assert found[2][2] == "Expected text or a number, found a list."
    assert "1714650000" in found[4][2] and "is not a date" in found[4][2]
    assert found[6][2] == "The message has no id."
    assert found[7][2] == "Expected a message (a JSON object), found a list."
    assert not Observation.objects.exists()


def test_json_lines_values_of_an_odd_type_are_reported_by_line_and_field(study):
    content = (
        '{"text": "ok", "score": 9, "metric": "nps"}\n'
        '{"text": {"a": 1}}\n'
        '{"text": "x", "tags": [["nested"]]}\n'
        '{"text": "x", "score": true, "metric": "nps"}\n'
    )
    report = run(study, content, name="answers.jsonl")
    assert [(where, field) for where, field, _message in problems(report)] == [
        ("line 2", "text"),
        ("line 3", "tags"),
        ("line 4", "score"),
    ]
    assert not Observation.objects.exists()


# Ragged rows and broken quotes ---------------------------------------------------------------


def test_rows_with_too_few_or_too_many_fields_are_row_errors(study):
    content = (
        "participant,text,date\n"
        "P-1,ok,2026-01-01\n"
        "P-2,short\n"
        "P-3,long,2026-01-03,lost value\n"
        "P-4,padded,2026-01-04,,\n"
    )
    report = run(study, content)
    assert problems(report) == [
        ("line 3", "", "Too few fields: 2 instead of 3, as in the header row."),
        (
            "line 4",
            "",
            "Too many fields: 4 instead of 3, as in the header row; the extra values would be "
            "lost.",
        ),
    ]
    assert report.rows == 4 and report.rejected == 2
    assert not Observation.objects.exists()


def test_an_unterminated_quote_is_reported_at_the_line_where_it_opened(study):
    content = 'text,date\nok,2026-01-01\n"hello,2026-01-02\nworld,2026-01-03\n'
    report = run(study, content)
    assert problems(report) == [("line 3", "", "A quote opened on this line is never closed.")]
    assert not Observation.objects.exists()
    last_column = 'date,text\n2026-01-01,"hello\n2026-01-02,world\n'
    assert problems(run(study, last_column)) == [
        ("line 2", "", "A quote opened on this line is never closed.")
    ]


def test_a_quote_closed_lines_later_is_reported_and_the_rows_after_it_are_read(study):
    content = (
        "text,date\n"
        "ok,2026-01-01\n"
        '"broken,2026-01-02\n'
        "swallowed,2026-01-03\n"
        '"quoted",2026-01-04\n'
        "last,2026-01-05\n"
        '"say "hi" now",2026-01-06\n'
    )
    report = run(study, content, dry_run=True)
    assert problems(report) == [
        ("line 3", "", "A quote opened on this line is not closed (the value runs to line 5)."),
        (
            "line 7",
            "",
            "A quoted value is followed by more text; write a quote inside a value as two "
            'quotes ("").',
        ),
    ]
    assert [row["text"] for row in report.preview if row["action"] != "reject"] == ["ok", "last"]


def test_a_quote_that_swallows_rows_and_closes_is_caught_by_its_field_count(study):
    content = 'participant,text,date\nP-1,"broken,2026-01-02\nP-2,next",2026-01-03,x\n'
    assert problems(run(study, content)) == [
        (
            "line 2",
            "",
            "The row runs on to line 3 and has 4 fields instead of 3: a quote opened on this "
            "line is probably not closed.",
        )
    ]


def test_a_quote_that_runs_past_the_field_limit_is_reported(study):
    content = 'text,date\n"never closed,2026-01-01\n' + "more text,2026-01-02\n" * 8_000
    report = run(study, content)
    assert problems(report)[0][:2] == ("line 2", "")
    assert "longer than 131072 characters" in problems(report)[0][2]
    assert not Observation.objects.exists()


def test_an_unterminated_quote_in_the_header_names_line_1(study):
    with pytest.raises(SourceError, match=r"Line 1 \(the header row\): A quote opened on this"):
        run(study, 'text,"date\nok,2026-01-01\n')


def test_legitimate_multi_line_quoted_cells_still_import(study):
    content = (
        "text;date\n"
        '"Первая строка\nвторая строка; с точкой с запятой\n""цитата""";2026-01-01\n'
        "Следующая;2026-01-02\n"
    )
    report = run(study, content)
    assert (report.created, report.rejected) == (2, 0), problems(report)
    first = Observation.objects.get(observed_on="2026-01-01")
    assert first.text == 'Первая строка\nвторая строка; с точкой с запятой\n"цитата"'
    assert [row["location"] for row in report.preview] == ["line 2", "line 5"]


def test_a_lone_surrogate_in_json_lines_is_a_row_error_not_a_crash(study):
    # Valid JSON, but no text: "\ud800" is half of a UTF-16 pair, which no database stores.
    content = '{"text": "a\\ud800b"}\n{"text": "ok", "tags": ["\\udfff"]}\n'
    report = run(study, content, name="a.jsonl")
    assert [(where, field) for where, field, _message in problems(report)] == [
        ("line 1", "text"),
        ("line 2", "tags"),
    ]
    assert "not valid Unicode" in report.errors[0].messages[0]
