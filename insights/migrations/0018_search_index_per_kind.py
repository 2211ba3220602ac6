"""The search index split by kind of document, so that a search for insights no longer reads
(and ranks) the matches of every observation.

SQLite: the FTS5 table gains the document kind as a column, and queries restrict to it inside
the MATCH. PostgreSQL: one partial GIN index per kind instead of one over every document.
"""

from django.db import migrations

KINDS = ("insight", "observation", "study", "tag")

POSTGRES_FORWARD = [
    *(
        f"CREATE INDEX insights_searchdocument_{kind}_gin ON insights_searchdocument "
        f"USING gin (vector) WHERE kind = '{kind}'"
        for kind in KINDS
    ),
    "DROP INDEX IF EXISTS insights_searchdocument_vector_gin",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX insights_searchdocument_vector_gin ON insights_searchdocument USING gin (vector)",
    *(f"DROP INDEX IF EXISTS insights_searchdocument_{kind}_gin" for kind in KINDS),
]


def _sqlite_fts(columns: tuple[str, ...]) -> list[str]:
    """The FTS5 table over ``columns`` of the documents, its triggers and a full re-read."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    return [
        "DROP TRIGGER IF EXISTS insights_search_fts_au",
        "DROP TRIGGER IF EXISTS insights_search_fts_ad",
        "DROP TRIGGER IF EXISTS insights_search_fts_ai",
        "DROP TABLE IF EXISTS insights_search_fts",
        f"CREATE VIRTUAL TABLE insights_search_fts USING fts5({names}, "
        "content='insights_searchdocument', content_rowid='id', tokenize='unicode61')",
        "CREATE TRIGGER insights_search_fts_ai AFTER INSERT ON insights_searchdocument BEGIN "
        f"INSERT INTO insights_search_fts(rowid, {names}) VALUES (new.id, {new}); END",
        "CREATE TRIGGER insights_search_fts_ad AFTER DELETE ON insights_searchdocument BEGIN "
        f"INSERT INTO insights_search_fts(insights_search_fts, rowid, {names}) "
        f"VALUES ('delete', old.id, {old}); END",
        "CREATE TRIGGER insights_search_fts_au AFTER UPDATE ON insights_searchdocument BEGIN "
        f"INSERT INTO insights_search_fts(insights_search_fts, rowid, {names}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO insights_search_fts(rowid, {names}) VALUES (new.id, {new}); END",
        "INSERT INTO insights_search_fts(insights_search_fts) VALUES ('rebuild')",
    ]


SQLITE_FORWARD = _sqlite_fts(("kind", "title", "tags", "body"))
SQLITE_BACKWARD = _sqlite_fts(("title", "tags", "body"))


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0017_insight_review_dates_and_tag_order"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
