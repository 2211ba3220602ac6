"""SQLite: an FTS5 table (unicode61, case-folding Cyrillic) over the search documents.

FTS5 knows no Russian morphology, so each word is cut to its Snowball stem and matched as a
prefix: "лояльность" and "лояльности" both become лояльност*.
"""

from django.db import connection
from django.db.models import FloatField, Func, OuterRef, Subquery
from django.db.models.expressions import RawSQL

from ..models import SearchDocument
from .base import SearchBackend
from .query import Term

FTS_TABLE = "insights_search_fts"
# bm25 column weights: title, tags, body.
BM25 = f"bm25({FTS_TABLE}, 10.0, 4.0, 1.0)"


def fts_expression(terms: tuple[Term, ...], match_any: bool = False) -> str:
    """An FTS5 query of quoted stems only: nothing a user types can break its syntax."""
    parts = []
    for term in terms:
        tokens = " + ".join(f'"{stem}"*' for stem in term.stems)
        parts.append(f"({tokens})")
    return (" OR " if match_any else " AND ").join(parts)


class Fts5Rank(Func):
    """-bm25 of one document for an FTS5 query (the document id comes from a subquery)."""

    output_field = FloatField()

    def __init__(self, document_id, match: str):
        super().__init__(document_id)
        self.match = match

    def as_sql(self, compiler, connection, **extra_context):
        document_sql, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(SELECT -{BM25} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"AND {FTS_TABLE}.rowid = {document_sql})"
        )
        return sql, (self.match, *params)


class SQLiteSearchBackend(SearchBackend):
    def match_ids(self, kind, terms, match_any=False):
        return RawSQL(
            f"SELECT d.object_id FROM {FTS_TABLE} JOIN insights_searchdocument d "
            f"ON d.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s AND d.kind = %s",
            (fts_expression(terms, match_any), kind),
        )

    def rank(self, kind, terms, match_any=False):
        document = SearchDocument.objects.filter(kind=kind, object_id=OuterRef("pk")).values("id")
        return Fts5Rank(Subquery(document[:1]), fts_expression(terms, match_any))

    def rebuild(self):
        counts = super().rebuild()
        # Re-read the whole content table too, in case the FTS table ever drifted from it.
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        return counts
