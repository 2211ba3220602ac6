"""Admin search boxes and autocompletes that find what the site's search page finds.

Django's admin matches ``search_fields`` with LIKE, which on SQLite folds only ASCII letters
("онбординг" misses "Онбординг") and knows no word forms. Here every admin matches its
``search_fields`` word by word ignoring case and ё/е (search.fold), and models with a search
document (insights, observations, studies, tags) are also searched with the project's search:
word forms, tag names and aliases, "phrases" and -exclusions, on both databases.
"""

from functools import reduce
from operator import and_, or_

from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal

from .. import search
from ..search import documents
from ..search.fold import fold
from ..search.query import Term

# Words of one admin search matched against the plain fields; the rest are ignored.
MAX_WORDS = 5
# Е and Э are often swapped in loanwords (кешбек, кэшбек, кешбэк): at most this many letters
# of a search are tried both ways, so 2**n spellings at most.
MAX_SWAPPED_LETTERS = 3
_SWAP = {"е": "э", "э": "е"}


def spelling_variants(term: str) -> list[str]:
    """The term and its spellings with е and э swapped ("кешбек" -> ..., "кешбэк", ...)."""
    variants = [fold(term)]
    positions = [i for i, letter in enumerate(variants[0]) if letter in _SWAP]
    for position in positions[:MAX_SWAPPED_LETTERS]:
        variants += [v[:position] + _SWAP[v[position]] + v[position + 1 :] for v in variants]
    return variants


def search_words(term: str, *, skip_exclusions: bool = False) -> list[str]:
    """The words of a search as Django's admin splits them ("quoted phrases" kept whole).

    With ``skip_exclusions``, "-word" is left to the project's search, which excludes it.
    """
    words = []
    for bit in smart_split(term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1] and len(bit) > 1:
            bit = unescape_string_literal(bit)
        if bit.strip() and not (skip_exclusions and bit.startswith("-")):
            words.append(bit.strip())
    return words[:MAX_WORDS]


class RepositorySearchMixin:
    """get_search_results for every admin of the repository (lists and autocompletes).

    A row matches when the project's search finds it (or, through ``search_related``, a
    related object), or when each word appears in one of ``search_fields``, ignoring case and
    ё/е. Every condition is a ``pk IN (subquery)``, so no row is listed twice.
    """

    # Lookup -> model with a search document: "study": Study finds a study's observations.
    search_related: dict[str, type] = {}

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        model = queryset.model
        whole = self._document_matches(model, term)
        has_document = model in documents.REGISTRY or bool(self.search_related)
        words = search_words(term, skip_exclusions=has_document)
        single = len(words) == 1
        per_word = [self._word_matches(request, model, word, single=single) for word in words]
        conditions = [*whole, reduce(and_, per_word)] if per_word else whole
        conditions.extend(self.extra_search_matches(request, term))
        if not conditions:
            return queryset.none(), False
        queryset = queryset.filter(reduce(or_, conditions))
        if model in documents.REGISTRY:
            # "-word" drops the rows whose own text has it, whatever else matched them.
            for excluded in search.parse_query(term).exclude:
                queryset = queryset.exclude(pk__in=_found(model, _as_query(excluded)))
        return queryset, False

    def extra_search_matches(self, request, term: str) -> list[Q]:
        """More conditions any of which makes a row match (for what the database cannot fold)."""
        return []

    def _document_matches(self, model, term: str) -> list[Q]:
        """Rows the project's search finds for the term (in any е/э spelling), directly or
        through relations."""
        if search.parse_query(term).is_empty:
            return []
        conditions = []
        for spelling in spelling_variants(term):
            if model in documents.REGISTRY:
                conditions.append(Q(pk__in=_found(model, spelling)))
            for lookup, related in self.search_related.items():
                found = _found(related, spelling)
                linked = model._default_manager.filter(**{f"{lookup}__in": found})
                conditions.append(Q(pk__in=linked.values("pk")))
        return conditions

    def _word_matches(self, request, model, word: str, *, single: bool) -> Q:
        """Rows where one word appears: in a search field, or (for several words) by search."""
        folded = fold(word)
        fields = [
            Q(**{f"{name}__folded__contains": folded}) for name in self.get_search_fields(request)
        ]
        condition = Q(pk__in=model._default_manager.filter(reduce(or_, fields)).values("pk"))
        if not single:
            condition = reduce(or_, [condition, *self._document_matches(model, word)])
        return condition


def _as_query(term: Term) -> str:
    """One parsed term written back as a query of its own (the trailing space: no prefix)."""
    words = " ".join(term.words)
    return f'"{words}" ' if term.phrase else f"{words} "


def _found(model, term: str):
    """Primary keys of ``model`` rows the project's search finds for ``term``."""
    return search.search(model._default_manager.all(), term).values("pk")
