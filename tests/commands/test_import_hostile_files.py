"""import_observations with hostile and broken files: a message naming the line, no traceback."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from insights.models import Observation

from ..factories import StudyFactory
from ..importing.hostile import NESTED, telegram_chat

pytestmark = pytest.mark.django_db

TELEGRAM_NUMBER_TEXT = telegram_chat("Ок", True)

# name, content, what stderr or the error names (English, Russian)
FILES = [
    (
        "nested.json",
        '{"messages": ' + NESTED + "}",
        ("more than 32 levels deep (item 1 of the message list)", "глубже 32 уровней"),
    ),
    (
        "nested.jsonl",
        '{"text": ' + NESTED + "}\n",
        ("Line 1 is nested more than 32 levels deep", "Строка 1: вложенность глубже 32"),
    ),
    (
        "nul.csv",
        "text,date\nok,2026-01-01\nbad\x00,2026-01-02\n",
        ("line 3, text: Contains a NUL character", "строка 3, text: Содержит символ NUL"),
    ),
    (
        "odd.json",
        json.dumps(TELEGRAM_NUMBER_TEXT),
        ("message 2, text: Expected text or a number", "сообщение 2, text: Ожидался текст"),
    ),
    (
        "ragged.csv",
        "text,date\nok,2026-01-01\nshort\nlong,2026-01-03,lost\n",
        ("line 3: Too few fields: 1 instead of 2", "строка 3: Слишком мало полей: 1 вместо 2"),
    ),
    (
        "quote.csv",
        'text,date\nok,2026-01-01\n"open,2026-01-02\nnext,2026-01-03\n',
        (
            "line 3: A quote opened on this line is never closed",
            "строка 3: Кавычка, открытая в этой строке, не закрыта",
        ),
    ),
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("name, content, expected", FILES, ids=[name for name, *_ in FILES])
def test_a_hostile_file_is_a_clear_message_and_writes_nothing(
    tmp_path, capsys, name, content, expected, language
):
    study = StudyFactory()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with override(language), pytest.raises(CommandError) as raised:
        call_command("import_observations", str(path), study=study.slug, no_progress=True)
    said = str(raised.value) + capsys.readouterr().err
    assert expected[language == "ru"] in said
    assert "Traceback" not in said
    assert not Observation.objects.exists()
