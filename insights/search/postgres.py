"""PostgreSQL: weighted tsvectors in the `russian` configuration (Russian stemming for Cyrillic,
English for Latin words), a GIN index, and pg_trgm for misspelt tag names."""

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db.models import F, OuterRef, Subquery

from ..models import SearchDocument, Tag, TagAlias
from ..text import normalize_name
from .base import SearchBackend
from .query import Term, parse_query

CONFIG = "russian"
# Weights D, C, B, A: body (C) counts least, title (A) most.
RANK_WEIGHTS = [0.05, 0.2, 0.5, 1.0]
# How alike (0..1) a misspelt word must be to a word of a tag or alias name to be suggested.
TRIGRAM_THRESHOLD = 0.4


def tsquery_text(terms: tuple[Term, ...], match_any: bool = False) -> str:
    """A to_tsquery string built from quoted letters-and-digits words only (never raw input)."""
    parts = []
    for term in terms:
        suffix = ":*" if term.prefix else ""
        lexemes = [f"'{word}'" for word in term.words]
        lexemes[-1] += suffix
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return (" | " if match_any else " & ").join(parts)


class PostgresSearchBackend(SearchBackend):
    def after_write(self, kind, object_ids):
        SearchDocument.objects.filter(kind=kind, object_id__in=object_ids).update(
            vector=SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("tags", weight="B", config=CONFIG)
            + SearchVector("body", weight="C", config=CONFIG)
        )

    def _query(self, terms, match_any=False):
        return SearchQuery(tsquery_text(terms, match_any), search_type="raw", config=CONFIG)

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
        text = normalize_name(parse_query(query).text)
        if len(found) >= limit or len(text) < 3:
            return found
        # Misspellings ("онбордниг"): the closest tag names and aliases by trigram similarity.
        scored: dict[int, float] = {}
        for model, tag_field in ((Tag, "pk"), (TagAlias, "tag_id")):
            rows = (
                model.objects.annotate(similarity=TrigramWordSimilarity(text, "normalized_name"))
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
