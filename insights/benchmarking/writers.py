"""Bulk inserts of plain tuples: COPY on PostgreSQL, batched executemany on SQLite.

The generated rows bypass the models and services on purpose: a million observations
through full_clean() would take hours. The generator writes values the models would accept
(dates as ISO text, times as naive UTC text, JSON as text) and recomputes what the services
store (confidence counts, content fingerprints), and the search index is then rebuilt by
the project's own code.
"""

from collections.abc import Iterable
from itertools import islice

from django.core.management.color import no_style
from django.db import connection

from ..models import RESEARCH_TABLES, Insight, Observation, Participant, Study, Tag

SQLITE_BATCH = 5_000


def table(model) -> str:
    return model._meta.db_table


def insert(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """Write ``rows`` (tuples in the order of ``columns``) into ``model``'s table."""
    name = connection.ops.quote_name(table(model))
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {name} ({column_list}) VALUES ({placeholders})"
        rows = iter(rows)
        while batch := list(islice(rows, SQLITE_BATCH)):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def is_empty() -> bool:
    """True when the repository holds no research yet (the built-in tag groups don't count)."""
    return not any(
        model.objects.exists() for model in (Study, Observation, Insight, Tag, Participant)
    )


def empty_tables() -> None:
    """Delete every research row (a --force run starts from nothing)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(table(model) for model in RESEARCH_TABLES)
            # Deferred foreign-key checks still pending in this transaction block a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            return
        for model in RESEARCH_TABLES:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table(model))}")


def finish() -> None:
    """Sequences past the explicit ids, and fresh planner statistics."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), RESEARCH_TABLES):
            cursor.execute(sql)
        cursor.execute("ANALYZE")
