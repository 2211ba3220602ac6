"""PostgreSQL: weighted tsvectors in the `russian` configuration (Russian stemming for Cyrillic,
English for Latin words), a GIN index, and pg_trgm for misspelt tag names."""

from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.db.models.sql import Query

from ..models import SearchDocument, Tag, TagAlias
from ..text import normalize_name
from .base import DOCUMENTS, SearchBackend, join_index
from .query import WORD, Term, parse_query

CONFIG = "russian"
# Unstemmed words, kept next to the stems so a half-typed word matches as a plain prefix.
PREFIX_CONFIG = "simple"
# Weights D, C, B, A: body (C) counts least, title (A) most.
RANK_WEIGHTS = [0.05, 0.2, 0.5, 1.0]
# How alike (0..1) a misspelt word must be to a word of a tag or alias name to be suggested.
TRIGRAM_THRESHOLD = 0.4
# Misspelt words looked up per query (each adds a similarity to compute, not a query).
MAX_TYPO_WORDS = 6


# The weighted vector of a document: each field stemmed (russian) and as typed (simple).
VECTOR_SQL = " || ".join(
    f"setweight(to_tsvector('{config}'::regconfig, COALESCE(d.{field}, '')), '{weight}')"
    for field, weight in (("title", "A"), ("tags", "B"), ("body", "C"))
    for config in (CONFIG, PREFIX_CONFIG)
)


def _term_text(term: Term) -> str:
    return " <-> ".join(f"'{word}'" for word in term.words)


def term_query(term: Term) -> SearchQuery:
    """One term as a tsquery; a prefix also matches the unstemmed words.

    The stemmer would turn a half-typed word into something no stem starts with ("onboardi"
    stays "onboardi" while "onboarding" is stored as "onboard") or drop it as a stop word
    ("по", "and"), so the raw prefix is matched against the unstemmed words as well, as
    SQLite does.
    """
    text = _term_text(term)
    if not term.prefix:
        return SearchQuery(text, search_type="raw", config=CONFIG)
    return SearchQuery(text + ":*", search_type="raw", config=CONFIG) | SearchQuery(
        text + ":*", search_type="raw", config=PREFIX_CONFIG
    )


def _compile(expression) -> tuple[str, tuple]:
    """SQL of an expression over the documents table, columns named by that table."""
    query = Query(SearchDocument)
    compiler = query.get_compiler(connection=connection)
    return compiler.compile(expression.resolve_expression(query))


class PostgresSearchBackend(SearchBackend):
    def write(self, kind, docs):
        # One INSERT that computes the vector: writing the text and then updating it with
        # its vector left a dead tuple behind for every document.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {DOCUMENTS} (kind, object_id, title, tags, body, vector) "
                f"SELECT %s, d.object_id, d.title, d.tags, d.body, {VECTOR_SQL} "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) "
                "AS d(object_id, title, tags, body) "
                "ON CONFLICT (kind, object_id) DO UPDATE SET title = EXCLUDED.title, "
                "tags = EXCLUDED.tags, body = EXCLUDED.body, vector = EXCLUDED.vector",
                [
                    kind,
                    [d.object_id for d in docs],
                    [d.title for d in docs],
                    [d.tags for d in docs],
                    [d.body for d in docs],
                ],
            )

    def rebuild(self):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {DOCUMENTS}")  # no dead tuples to vacuum afterwards
            # The search indexes are dropped and built again once over every row: building a
            # GIN index in one pass is several times faster than growing it document by
            # document. The unique index stays (the inserts need it for ON CONFLICT); TRUNCATE
            # already holds the table's exclusive lock until the rebuild commits.
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
                "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [DOCUMENTS, DOCUMENTS],
            )
            search_indexes = cursor.fetchall()
            for name, _definition in search_indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        counts = super().rebuild()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in search_indexes:
                cursor.execute(definition)
        return counts

    def _query(self, terms, match_any=False):
        return reduce(or_ if match_any else and_, (term_query(term) for term in terms))

    def filter_ranked(self, queryset, kind, terms, match_any=False):
        # One hash join with the kind's partial GIN index; each match is ranked once.
        query_sql, query_params = _compile(self._query(terms, match_any))
        rank_sql, rank_params = _compile(
            SearchRank(F("vector"), self._query(terms, match_any), weights=RANK_WEIGHTS)
        )
        return join_index(
            queryset,
            rank=rank_sql,
            rank_params=rank_params,
            tables=[],
            where=[f"{DOCUMENTS}.kind = %s", f"{DOCUMENTS}.vector @@ ({query_sql})"],
            params=[kind, *query_params],
        )

    def match_ids(self, kind, terms, match_any=False):
        query = self._query(terms, match_any)
        return SearchDocument.objects.filter(kind=kind, vector=query).values("object_id")

    def rank(self, kind, terms, match_any=False):
        query = self._query(terms, match_any)
        ranked = SearchDocument.objects.filter(kind=kind, object_id=OuterRef("pk")).annotate(
            rank=SearchRank(F("vector"), query, weights=RANK_WEIGHTS)
        )
        return Subquery(ranked.values("rank")[:1])

    def suggest_tags(self, query, limit=5):
        found = super().suggest_tags(query, limit)
        if len(found) >= limit:
            return found
        # Misspellings ("онбордниг"), word by word: the tag names and aliases closest to any
        # typed word by trigram similarity.
        words = list(
            dict.fromkeys(
                word
                for word in WORD.findall(normalize_name(parse_query(query).text))
                if len(word) >= 3
            )
        )[:MAX_TYPO_WORDS]
        if not words:
            return found
        scored: dict[int, float] = {}
        for model, tag_field in ((Tag, "pk"), (TagAlias, "tag_id")):
            similarities = [TrigramWordSimilarity(word, "normalized_name") for word in words]
            best = similarities[0] if len(similarities) == 1 else Greatest(*similarities)
            rows = (
                model.objects.annotate(similarity=best)
                .filter(similarity__gte=TRIGRAM_THRESHOLD)
                .order_by("-similarity")
                .values_list(tag_field, "similarity")[:limit]
            )
            for tag_id, similarity in rows:
                scored[tag_id] = max(similarity, scored.get(tag_id, 0.0))
        known = {tag.pk for tag in found}
        best = sorted((pk for pk in scored if pk not in known), key=lambda pk: -scored[pk])
        extra = Tag.objects.select_related("group").in_bulk(best)
        return found + [extra[pk] for pk in best if pk in extra][: limit - len(found)]
