"""Property-based tests of the three readers: any bytes give records or a SourceError, and a
whole import of them a report or SourceError/MappingError, never anything else."""

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.importing import MappingError, SourceError
from insights.importing.rows import FIELDS
from insights.importing.sources import CsvOptions, read_csv, read_jsonl, read_telegram
from insights.models import Observation, Study
from insights.services import ImportOptions, observations_import, study_create

# CSV: the characters that make a CSV file hard to read, words and header names among them.
CSV_PIECES = st.sampled_from(
    [",", ";", "\t", '"', '""', "\n", "\r\n", "\r", "\x00", " ", "текст", "text", "date",
     "2026-02-30", "05.03.2026", "NPS", "9", "Теги", "Онбординг", "\ufeff", "ё"]
)  # fmt: skip
CSV_TEXT = st.lists(st.one_of(CSV_PIECES, st.text(max_size=4)), max_size=60).map("".join)
CSV_BYTES = st.one_of(
    st.binary(max_size=300),
    CSV_TEXT.map(lambda text: text.encode("utf-8")),
    CSV_TEXT.map(lambda text: text.encode("cp1251", errors="replace")),
    CSV_TEXT.map(lambda text: text.encode("utf-16")),
)

# JSON values of every type, small enough to stay fast and deep enough to nest. Strings may
# hold NUL and halves of surrogate pairs, which JSON can escape but no database stores.
TEXTS = st.text(max_size=8) | st.text(st.characters(categories=["Cs", "Cc", "L"]), max_size=3)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXTS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from([*FIELDS, "type", "x"]), children, max_size=4)
    ),
    max_leaves=20,
)


def json_bytes(value, ascii_only: bool) -> bytes:
    """JSON as a file holds it: escaped ASCII, or UTF-8 (invalid where a surrogate is)."""
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


# Brackets nested far deeper than any record needs.
NESTED = st.integers(min_value=1, max_value=3_000).map(lambda depth: "[" * depth + "]" * depth)
JSONL_BYTES = st.one_of(
    st.binary(max_size=300),
    NESTED.map(lambda nested: f'{{"text": "ok"}}\n{{"text": {nested}}}\n'.encode()),
    st.lists(
        st.builds(
            json_bytes,
            st.dictionaries(st.sampled_from([*FIELDS, "Комментарий", "x"]), JSON_VALUES)
            | JSON_VALUES,
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    ).map(b"\n".join),
)

# Telegram: messages with the export's keys holding values of any type.
MESSAGE_KEYS = ["id", "type", "date", "text", "text_entities", "from_id", "actor_id", "photo"]
MESSAGES = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("message"), "id": JSON_VALUES, "text": JSON_VALUES},
        optional={key: JSON_VALUES for key in MESSAGE_KEYS if key not in {"type", "id", "text"}},
    ),
    st.dictionaries(st.sampled_from(MESSAGE_KEYS), JSON_VALUES, max_size=6),
    JSON_VALUES,
)
EXPORTS = st.fixed_dictionaries(
    {"messages": st.lists(MESSAGES, max_size=6)},
    optional={"id": JSON_VALUES, "type": JSON_VALUES, "name": JSON_VALUES},
)
TELEGRAM_BYTES = st.one_of(
    st.binary(max_size=300),
    NESTED.map(lambda nested: f'{{"id": 1, "messages": [{{"text": {nested}}}]}}'.encode()),
    st.builds(json_bytes, EXPORTS, st.booleans()),
    st.builds(json_bytes, JSON_VALUES, st.booleans()),
)


# The readers alone are fast: they can afford many more examples than a whole import.
many_examples = settings(max_examples=5 * settings.default.max_examples)


def read_all(reader, data: bytes) -> list:
    """Every record of the file, or [] when it raises the documented SourceError."""
    try:
        _headers, records = reader(io.BytesIO(data))
        return list(records)
    except SourceError:
        return []


@many_examples
@given(CSV_BYTES)
def test_the_csv_reader_gives_records_or_a_source_error(data):
    for record in read_all(lambda stream: read_csv(stream, CsvOptions()), data):
        assert record.location.startswith("line ")
        assert all(isinstance(value, str) for value in record.values.values())


@many_examples
@given(JSONL_BYTES)
def test_the_json_lines_reader_gives_records_or_a_source_error(data):
    for record in read_all(read_jsonl, data):
        assert record.location.startswith("line ") and isinstance(record.values, dict)


@many_examples
@given(TELEGRAM_BYTES)
def test_the_telegram_reader_gives_records_or_a_source_error(data):
    for record in read_all(read_telegram, data):
        assert record.mapped
        assert record.problems or record.values["text"]
        assert all(isinstance(value, str) for value in record.values.values())


def import_checked(data: bytes, name: str):
    """A dry-run import of the file: a report, or None for a documented error."""
    study = Study.objects.first() or study_create(title="Опрос", method="survey")
    try:
        return observations_import(
            study=study, stream=io.BytesIO(data), name=name, options=ImportOptions(), dry_run=True
        )
    except (SourceError, MappingError):
        return None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, files",
    [("a.csv", CSV_BYTES), ("a.jsonl", JSONL_BYTES), ("result.json", TELEGRAM_BYTES)],
)
@given(data=st.data())
def test_any_file_imports_or_is_refused_with_the_documented_errors(name, files, data):
    report = import_checked(data.draw(files), name)
    if report is not None:
        assert report.rows >= report.rejected >= 0
        assert all(problem.messages for problem in report.errors)
    assert not Observation.objects.exists()  # a dry run writes nothing
