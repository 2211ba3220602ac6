"""Reading pasted text: lines, or a spreadsheet table whose columns are recognised."""

import pytest

from insights.importing.paste import MAX_PASTED_ROWS, read_pasted
from insights.importing.rows import MappingError
from insights.importing.sources import SourceError


def test_each_line_is_an_observation_and_keeps_its_line_number():
    pasted = read_pasted("Не нашёл кнопку\n\n  Долго ждал СМС  \r\nВсё понятно")
    assert not pasted.is_table
    assert [(r.location, r.values["text"]) for r in pasted.records] == [
        ("line 1", "Не нашёл кнопку"),
        ("line 3", "Долго ждал СМС"),
        ("line 4", "Всё понятно"),
    ]


def test_a_spreadsheet_table_is_read_by_its_header_row():
    text = (
        "Комментарий\tКод респондента\tДата ответа\tТеги\tОценка NPS\tВнутреннее\n"
        "Код не пришёл\tP-101\t01.06.2026\tОнбординг; СМС\t\tx\n"
        '"Две строки\nв одной ячейке"\t17\t\t\t6\t\n'
    )
    pasted = read_pasted(text)
    assert pasted.is_table
    assert pasted.mapping == {
        "text": "Комментарий", "participant": "Код респондента", "date": "Дата ответа",
        "tags": "Теги", "score": "Оценка NPS",
    }  # fmt: skip
    assert pasted.ignored == ["Внутреннее"]
    assert [r.location for r in pasted.records] == ["line 2", "line 3"]
    assert pasted.records[1].values["Комментарий"] == "Две строки\nв одной ячейке"


def test_one_column_with_a_known_header_is_a_table():
    pasted = read_pasted("NPS\n9\n6\n")
    assert pasted.mapping == {"score": "NPS"}
    assert [r.values["NPS"] for r in pasted.records] == ["9", "6"]


def test_a_table_without_text_or_score_says_which_columns_it_has():
    with pytest.raises(MappingError, match="its columns are: Имя, Город"):
        read_pasted("Имя\tГород\nАнна\tОмск\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  \n\n", "Nothing was pasted."),
        ("Текст\tДата\n", "a header row but no rows"),
        ("\n".join(["строка"] * (MAX_PASTED_ROWS + 1)), "Paste at most 1000 rows"),
    ],
)
def test_unreadable_pastes_say_why(text, message):
    with pytest.raises(SourceError, match=message):
        read_pasted(text)
