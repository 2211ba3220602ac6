"""SQLite: an FTS5 table (unicode61, case-folding Cyrillic) over the search documents.

FTS5 knows no Russian morphology, so each word is cut to its Snowball stem and matched as a
prefix: "лояльность" and "лояльности" both become лояльност*.
"""

from django.db import connection
from django.db.models.expressions import RawSQL

from .base import DOCUMENTS, SearchBackend, join_index
from .query import Term

FTS_TABLE = "insights_search_fts"
# bm25 column weights: kind (a filter, not text), title, tags, body.
BM25 = f"bm25({FTS_TABLE}, 0.0, 10.0, 4.0, 1.0)"


def fts_expression(kind: str, terms: tuple[Term, ...], match_any: bool = False) -> str:
    """An FTS5 query of quoted stems only: nothing a user types can break its syntax.

    The kind is matched inside the index (its own column), so a search for insights never
    reads further than the insights among the postings of its words.
    """
    parts = []
    for term in terms:
        tokens = " + ".join(f'"{stem}"*' for stem in term.stems)
        parts.append(f"({tokens})")
    words = (" OR " if match_any else " AND ").join(parts)
    return f'{{kind}} : "{kind}" AND {{title tags body}} : ({words})'


class SQLiteSearchBackend(SearchBackend):
    def write(self, kind, docs):
        # One prepared upsert run over the batch: building ORM objects and a multi-row
        # INSERT for every batch cost more than SQLite and FTS5 took to store them.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {DOCUMENTS} (kind, object_id, title, tags, body) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (kind, object_id) DO UPDATE SET "
                "title = excluded.title, tags = excluded.tags, body = excluded.body",
                [(kind, d.object_id, d.title, d.tags, d.body) for d in docs],
            )

    def match_ids(self, kind, terms, match_any=False):
        return RawSQL(
            f"SELECT d.object_id FROM {FTS_TABLE} JOIN insights_searchdocument d "
            f"ON d.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s AND d.kind = %s",
            (fts_expression(kind, terms, match_any), kind),
        )

    def filter_ranked(self, queryset, kind, terms, match_any=False):
        # FTS5 drives: MATCH once, then each hit's document by rowid and its row by pk. The
        # unary + keeps SQLite from driving by the (kind, object_id) index instead, which
        # would run the MATCH again for every document of the kind.
        return join_index(
            queryset,
            rank=f"-{BM25}",
            tables=[FTS_TABLE],
            where=[
                f"{FTS_TABLE} MATCH %s",
                f"{DOCUMENTS}.id = {FTS_TABLE}.rowid",
                f"+{DOCUMENTS}.kind = %s",
            ],
            params=[fts_expression(kind, terms, match_any), kind],
        )

    def rebuild(self):
        # The FTS5 triggers are set aside while the documents are rewritten and the FTS table
        # is built in one pass from them afterwards: keeping it in step row by row took
        # most of a rebuild's time. DDL is transactional in SQLite, so a failed rebuild
        # leaves the triggers as they were.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [DOCUMENTS],
            )
            triggers = cursor.fetchall()
            for name, _definition in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        counts = super().rebuild()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
            for _name, definition in triggers:
                cursor.execute(definition)
        return counts
