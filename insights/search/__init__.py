"""Full-text search over insights, observations, studies and tags.

One interface (base.SearchBackend), one implementation per database chosen from the
connection's vendor: PostgreSQL full-text search with pg_trgm, SQLite FTS5, and a plain
substring fallback for anything else. The services keep the index current; the
``rebuild_search_index`` command rebuilds it.
"""

from collections.abc import Iterable

from django.db import connection, models

from .base import SearchBackend
from .documents import kind_of
from .query import ParsedQuery, parse_query, parse_question

__all__ = [
    "ParsedQuery",
    "SearchBackend",
    "get_backend",
    "index",
    "index_queryset",
    "matched_terms",
    "parse_query",
    "parse_question",
    "remove",
    "search",
]


def get_backend() -> SearchBackend:
    """The backend for the default database."""
    if connection.vendor == "postgresql":
        from .postgres import PostgresSearchBackend

        return PostgresSearchBackend()
    if connection.vendor == "sqlite":
        from .sqlite import SQLiteSearchBackend

        return SQLiteSearchBackend()
    from .fallback import PlainSearchBackend

    return PlainSearchBackend()


def index(objects: Iterable[models.Model]) -> None:
    """Write the search documents of these objects (after they or their tags changed)."""
    get_backend().index(objects)


def index_queryset(queryset: models.QuerySet, tag_words=None) -> int:
    """Index every object of ``queryset``; indexing several querysets in a row, pass one
    ``documents.TagWords()`` to read the tag table once."""
    return get_backend().index_queryset(queryset, tag_words)


def remove(model, ids: Iterable[int]) -> None:
    get_backend().remove(model, ids)


def search(
    queryset: models.QuerySet, query: str | ParsedQuery | None, *, match_any: bool = False
) -> models.QuerySet:
    """``queryset`` narrowed to what the query matches, annotated with ``search_rank``."""
    return get_backend().search(queryset, query, match_any=match_any)


def matched_terms(model, query: ParsedQuery):
    """An expression: how many of the query's included terms a ``model`` row matches."""
    return get_backend().matched_terms(kind_of(model), query.include)
