"""The admin import page shows hostile and broken files' problems on the page, never a 500."""

import json
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from insights.models import Observation

from ..factories import StudyFactory, user_with_role
from ..importing.hostile import NESTED, telegram_chat

pytestmark = pytest.mark.django_db

TELEGRAM = telegram_chat("Ок", 42, {"a": [1]})

# name, content, what the page shows (English, Russian)
FILES = [
    (
        "result.json",
        '{"messages": ' + NESTED + "}",
        ("more than 32 levels deep (item 1 of the message list)", "глубже 32 уровней"),
    ),
    (
        "answers.jsonl",
        '{"text": "ok"}\n{"text": ' + NESTED + "}\n",
        ("Line 2 is nested more than 32 levels deep", "Строка 2: вложенность глубже 32"),
    ),
    (
        "nul.csv",
        "text,date\nok,2026-01-01\nbad\x00,2026-01-02\n",
        ("Contains a NUL character", "Содержит символ NUL"),
    ),
    (
        "telegram.json",
        json.dumps(TELEGRAM),
        (
            "Expected text or a number, found an object.",
            "Ожидался текст или число, а здесь объект.",
        ),
    ),
    (
        "ragged.csv",
        "text,date\nok,2026-01-01\nlong,2026-01-02,lost\n",
        ("Too many fields: 3 instead of 2", "Слишком много полей: 3 вместо 2"),
    ),
    (
        "quote.csv",
        'text,date\nok,2026-01-01\n"open,2026-01-02\nnext,2026-01-03\n',
        (
            "A quote opened on this line is never closed.",
            "Кавычка, открытая в этой строке, не закрыта.",
        ),
    ),
]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def post(client, study, language: str, **data):
    url = reverse("admin:insights_study_import", args=[study.pk])
    data = {"unknown_tags": "reject", "scrub": "on", **data}
    return client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("name, content, expected", FILES, ids=[name for name, *_ in FILES])
def test_a_hostile_file_is_shown_as_a_message_on_the_page(
    client, name, content, expected, language
):
    client.force_login(user_with_role("contributor", "Contributor", is_staff=True))
    study = StudyFactory()
    upload = SimpleUploadedFile(name, content.encode("utf-8"))
    page = post(client, study, language, file=upload)
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert expected[language == "ru"] in html
    assert 'name="import"' not in html  # nothing to import until the file is fixed
    # Pressing Import anyway, with the columns the page chose, as a browser sends them.
    report = page.context["report"] or {}
    columns = {f"map_{name}": column for name, column in report.get("mapping", {}).items()}
    token = page.context["upload"].token
    again = post(client, study, language, token=token, **columns, **{"import": "1"})
    assert again.status_code == 200
    assert expected[language == "ru"] in unescape(again.content.decode())
    assert not Observation.objects.exists()


def test_the_problems_table_names_the_line_and_field(client):
    client.force_login(user_with_role("contributor", "Contributor", is_staff=True))
    study = StudyFactory()
    content = "text,date\nok,2026-01-01\nbad\x00,2026-01-02\nshort\n"
    page = post(client, study, "en", file=SimpleUploadedFile("a.csv", content.encode()))
    rows = [
        (problem["location"], problem["field"], problem["messages"][0][:20])
        for problem in page.context["report"]["errors"]
    ]
    assert rows == [
        ("line 3", "text", "Contains a NUL chara"),
        ("line 4", "", "Too few fields: 1 in"),
    ]
    html = page.content.decode()
    assert "<td>line 3</td><td>text</td>" in html and "<td>line 4</td><td></td>" in html
