"""Spelling variants and typos: э/е are one letter, and a search that finds nothing suggests
the nearest tag names and frequent words, on every database."""

import pytest
from django.core.cache import cache

from insights import search
from insights.models import Insight
from insights.search import spelling
from insights.search.query import normalize_text, parse_query
from insights.services import tag_create

from ..factories import InsightFactory, ObservationFactory, StudyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cashback(theme):
    tag = tag_create(name="Кешбэк", group=theme)
    onboarding = tag_create(name="Онбординг", group=theme)
    study = StudyFactory(title="Интервью о кешбэке")
    InsightFactory(statement="Кешбэк удерживает клиентов", tags=[tag])
    InsightFactory(statement="Онбординг слишком длинный", tags=[onboarding])
    ObservationFactory(study=study, text="Фидбэк про кешбэк и доставку")
    cache.clear()  # the vocabulary is read from what is indexed now
    return tag


def statements(query: str) -> list[str]:
    return sorted(search.search(Insight.objects.all(), query).values_list("statement", flat=True))


def test_e_and_reversed_e_are_one_letter_for_search(cashback):
    assert normalize_text("Кешбэк, ЁЖ") == "кешбек, еж"
    assert statements("кешбек") == statements("кешбэк") == ["Кешбэк удерживает клиентов"]
    assert statements("КЕШБЕК") == ["Кешбэк удерживает клиентов"]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("онбординг", "онбордниг", 1),  # two letters swapped
        ("доставка", "дотсавка", 1),
        ("доставка", "доставкаа", 1),
        ("доставка", "дставк", 2),
        ("кешбек", "лояльность", 3),  # above the limit: cut short
    ],
)
def test_edit_distance(a, b, distance):
    assert spelling.edit_distance(a, b, limit=2) == distance


def test_a_typo_is_corrected_to_the_nearest_tag_word_or_frequent_word(cashback):
    assert spelling.corrected_query(parse_query("онбордниг")) == "онбординг"
    assert spelling.corrected_query(parse_query("доставку кешбкэ -дотсавка")) == (
        "доставку кешбэк -дотсавка"  # a tag's word keeps its spelling
    )
    # Known words, and words still being typed, are left alone.
    assert spelling.corrected_query(parse_query("кешбэк")) is None
    assert spelling.corrected_query(parse_query("онборд")) is None
    # Short words have too many neighbours to guess from.
    assert spelling.corrected_query(parse_query("кеш")) is None


def test_a_misspelt_tag_name_suggests_the_tag_on_every_database(cashback):
    suggestions = search.get_backend().suggest_tags("онбордниг")
    assert [tag.name for tag in suggestions] == ["Онбординг"]


def test_the_vocabulary_is_cached_and_rebuilt_from_the_index(
    cashback, django_assert_max_num_queries
):
    spelling.vocabulary()
    with django_assert_max_num_queries(0):
        assert spelling.vocabulary().knows("кешбек")
    InsightFactory(statement="Маркетплейс растёт")
    assert not spelling.vocabulary().knows("маркетплейс")  # cached for a few minutes
    cache.clear()
    assert spelling.vocabulary().knows("маркетплейс")


def test_the_vocabulary_is_bounded(cashback, monkeypatch):
    monkeypatch.setattr(spelling, "MAX_WORDS", 3)
    cache.clear()
    words = spelling.vocabulary()
    tag_words = {"кешбек", "онбординг"}
    assert words.tag_words == tag_words
    assert len(words.weights) <= 3 + len(tag_words)
