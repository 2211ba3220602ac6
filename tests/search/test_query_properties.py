"""Property-based tests of the query parser: any text parses, within the documented bounds,
and any parsed query runs on the database."""

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from insights import search
from insights.filtersets import InsightFilterSet
from insights.models import Insight
from insights.search.query import (
    MAX_TERMS,
    MAX_WORD_LENGTH,
    WORD,
    normalize_text,
    parse_query,
    parse_question,
    stem,
)
from insights.services import insight_create

# What people type into a search box, and what breaks parsers: quotes, dashes, operators of
# the databases' own query languages, Cyrillic with ё, combining marks, surrogates' neighbours.
PIECES = st.sampled_from(
    ['"', "-", "'", "*", ":", "(", ")", "^", "NEAR", "AND", "OR", "NOT", "&", "|", "!", "<->",
     " ", "\t", "\n", "ё", "Ё", "онбординг", "Лояльность", "NPS", "e\u0301", "x_y", "42"]
)  # fmt: skip
QUERIES = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join),
)


def check_term(term) -> None:
    assert 1 <= len(term.words) <= MAX_TERMS
    for word in term.words:
        assert WORD.fullmatch(word) and len(word) <= MAX_WORD_LENGTH
        assert word == normalize_text(word)
        assert word.startswith(stem(word))


@given(QUERIES)
def test_any_text_parses_into_bounded_normalised_terms(text):
    parsed = parse_query(text)
    assert len(parsed.include) <= MAX_TERMS and len(parsed.exclude) <= MAX_TERMS
    for term in (*parsed.include, *parsed.exclude):
        check_term(term)
    assert all(not term.prefix for term in parsed.include[:-1] + parsed.exclude)
    assert parse_query(text) == parsed


@given(QUERIES)
def test_any_pasted_question_parses_into_bounded_single_words(text):
    parsed = parse_question(text)
    assert len(parsed.include) <= MAX_TERMS * 2 and not parsed.exclude
    for term in parsed.include:
        check_term(term)
        assert len(term.words) == 1


@pytest.mark.django_db
@given(QUERIES)
def test_any_search_box_text_runs_on_the_database(text):
    if not Insight.objects.exists():  # once per test: the examples share its transaction
        insight_create(statement="Онбординг слишком длинный: клиенты ждут «NPS» (ёлка)")
    results = search.search(Insight.objects.all(), text)
    assert len(list(results)) <= 1
    params = QueryDict(mutable=True)
    params["q"] = text
    filterset = InsightFilterSet(params, queryset=results)
    if filterset.is_valid():  # a NUL character is refused before the query
        assert len(list(filterset.qs)) <= 1
    else:
        assert list(filterset.errors) == ["q"]
