"""Matching text ignoring case and ё/е on every database, for fields without a search document.

SQLite's LOWER() and LIKE fold only ASCII letters, so "Онбординг" and "онбординг" differ there.
A ``folded`` transform on text fields (``code__folded__contains="p-0"``) lowers case and turns
ё into е in the database: PostgreSQL's LOWER() knows Cyrillic, and on SQLite a Python function
registered on each connection does the same as the search index does (query.normalize_text).
"""

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models.functions import Lower, Replace

from .query import normalize_text

SQLITE_FUNCTION = "insights_fold"


def fold(value: str | None) -> str | None:
    """Lower case with ё as е (None stays None, as SQL NULL does)."""
    return None if value is None else normalize_text(str(value))


class Folded(models.Transform):
    """The field's text in lower case with ё as е."""

    lookup_name = "folded"
    output_field = models.TextField()

    def as_sql(self, compiler, connection):
        folded = Replace(Lower(self.lhs), models.Value("ё"), models.Value("е"))
        return compiler.compile(folded)

    def as_sqlite(self, compiler, connection):
        sql, params = compiler.compile(self.lhs)
        return f"{SQLITE_FUNCTION}({sql})", params


def _register_sqlite_function(sender=None, connection=None, **kwargs):
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)


def install() -> None:
    """Register the transform and the SQLite function (on open and future connections)."""
    models.CharField.register_lookup(Folded)
    models.TextField.register_lookup(Folded)
    connection_created.connect(_register_sqlite_function, dispatch_uid="insights-fold")
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _register_sqlite_function(connection=connection)
