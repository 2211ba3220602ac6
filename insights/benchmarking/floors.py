"""The floor of each read scenario: the best hand-written SQL for the same answer, run on the
driver's own connection (psycopg or sqlite3) and JSON-encoded, with no ORM in between.

Each query takes the top k in the database (a bounded top-N sort over the index's matches,
never "rank everything in Python"). It matches as the project does (the same terms, the
prefix on the last typed word, the same weights), so app/floor is the price of the layers
above the database. PostgreSQL has no index that returns documents in rank order without the
`rum` extension, so on a plain installation the best top-k is a GIN match and a top-N
heapsort; these queries use the schema as the migrations build it and nothing else.
"""

import json

from django.db import connection

from ..search.query import ParsedQuery, Term, parse_query, parse_question
from ..search.sqlite import BM25, fts_expression

WEIGHTS = "'{0.05, 0.2, 0.5, 1.0}'"


def raw_connection():
    """The driver's connection behind Django's (psycopg 3 or sqlite3)."""
    connection.ensure_connection()
    return connection.connection


def run(sql: str, params=()) -> str:
    """Execute, fetch every row and JSON-encode them (what a response would carry)."""
    cursor = raw_connection().cursor()
    if connection.vendor == "sqlite":
        sql = sql.replace("%s", "?")
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    cursor.close()
    return json.dumps(rows, default=str, ensure_ascii=False)


def _pg_term(term: Term) -> tuple[str, list]:
    text = " <-> ".join(f"'{word}'" for word in term.words)
    if not term.prefix:
        return "to_tsquery('russian', %s)", [text]
    return "(to_tsquery('russian', %s) || to_tsquery('simple', %s))", [text + ":*"] * 2


def _match(query: ParsedQuery, kind: str, match_any: bool = False) -> tuple[str, list]:
    """PostgreSQL: a tsquery expression; SQLite: an FTS5 MATCH string (as one param) that
    holds the document kind too, as the project's index does."""
    if connection.vendor == "sqlite":
        return "%s", [fts_expression(kind, query.include, match_any)]
    parts, params = [], []
    for term in query.include:
        sql, term_params = _pg_term(term)
        parts.append(sql)
        params += term_params
    return "(" + (" || " if match_any else " && ").join(parts) + ")", params


def ranked_ids(kind: str, query: ParsedQuery, limit: int, *, match_any=False, where=""):
    """SQL of (id, score) for the ``limit`` best documents of ``kind``, higher score first.
    ``where`` narrows on the object's table (aliased ``o``)."""
    match, params = _match(query, kind, match_any)
    table = {"insight": "insights_insight", "observation": "insights_observation"}.get(
        kind, f"insights_{kind}"
    )
    join = f"JOIN {table} o ON o.id = d.object_id" if where else ""
    where = f"AND {where}" if where else ""
    return f"{_matches(kind, match, join, where)} ORDER BY score DESC LIMIT {int(limit)}", params


def _matches(kind: str, match: str, join: str = "", where: str = "") -> str:
    """SQL of (id, score) for every document of ``kind`` that matches, higher score better."""
    if connection.vendor == "sqlite":
        return (
            f"SELECT d.object_id AS id, -{BM25} AS score FROM insights_search_fts CROSS "
            f"JOIN insights_searchdocument d ON d.id = insights_search_fts.rowid {join} "
            f"WHERE insights_search_fts MATCH {match} AND +d.kind = '{kind}' {where}"
        )
    return (
        f"SELECT d.object_id AS id, ts_rank({WEIGHTS}, d.vector, q.q) AS score "
        f"FROM insights_searchdocument d {join}, (SELECT {match} AS q) q "
        f"WHERE d.kind = '{kind}' AND d.vector @@ q.q {where}"
    )


def _agg(expression: str) -> str:
    return ("json_agg" if connection.vendor == "postgresql" else "json_group_array") + (
        f"({expression})"
    )


def _array(*items: str) -> str:
    name = "json_build_array" if connection.vendor == "postgresql" else "json_array"
    return f"{name}({', '.join(items)})"


def insight_rows(top_sql: str) -> str:
    """Full API rows (tags, evidence, decisions, owner) of the ids in ``top_sql`` (id, score)."""
    return (
        f"SELECT i.id, i.statement, i.details, i.status, i.superseded_by_id, i.review_by, "
        f"u.username, i.confidence, i.supporting_count, i.contradicting_count, "
        f"i.participant_count, i.study_count, i.methods, i.created_at, i.updated_at, "
        f"i.published_at, "
        f"(SELECT {_agg('t.name')} FROM insights_insight_tags it JOIN insights_tag t "
        f"ON t.id = it.tag_id WHERE it.insight_id = i.id) AS tags, "
        f"(SELECT {_agg(_array('e.observation_id', 'e.relation', 'e.note'))} "
        f"FROM insights_evidence e WHERE e.insight_id = i.id) AS evidence, "
        f"(SELECT {_agg('di.decision_id')} FROM insights_decision_insights di "
        f"WHERE di.insight_id = i.id) AS decisions "
        f"FROM ({top_sql}) top JOIN insights_insight i ON i.id = top.id "
        f"LEFT JOIN auth_user u ON u.id = i.owner_id ORDER BY top.score DESC, i.id DESC"
    )


def search_everything(q: str, limit: int = 10, *, question: bool = False) -> str:
    """/api/v1/search/ and "what do we know?": the best ``limit`` of each kind ("what do we
    know?" answers with insights, studies and tags, not observations)."""
    query = parse_question(q) if question else parse_query(q)
    out = []
    insights, params = ranked_ids("insight", query, limit, match_any=question)
    out.append(run(insight_rows(insights), params))
    for kind, columns in (
        ("observation", "o.id, o.text, o.kind, o.observed_on, s.slug, s.title"),
        ("study", "o.id, o.title, o.slug, o.method, o.started_on"),
        ("tag", "o.id, o.name, o.slug, g.slug"),
    ):
        if question and kind == "observation":
            continue
        top, params = ranked_ids(kind, query, limit, match_any=question)
        join = {
            "observation": "JOIN insights_study s ON s.id = o.study_id",
            "tag": "JOIN insights_taggroup g ON g.id = o.group_id",
        }.get(kind, "")
        sql = (
            f"SELECT {columns}, top.score FROM ({top}) top JOIN insights_{kind} o "
            f"ON o.id = top.id {join} ORDER BY top.score DESC"
        )
        out.append(run(sql, params))
    return "[" + ",".join(out) + "]"


def _tagged(tag_ids: set[int], alias: str = "i") -> str:
    ids = ", ".join(str(int(pk)) for pk in sorted(tag_ids)) or "NULL"
    return (
        f"EXISTS (SELECT 1 FROM insights_insight_tags x WHERE x.insight_id = {alias}.id "
        f"AND x.tag_id IN ({ids}))"
    )


def insight_list(limit: int = 100, tag_sets: tuple[set[int], ...] = ()) -> str:
    """A page of the insight list, newest first, optionally tagged with every tag set."""
    where = " AND ".join(_tagged(tags) for tags in tag_sets) or "1 = 1"
    top = (
        f"SELECT id, -ROW_NUMBER() OVER () AS score FROM (SELECT i.id FROM insights_insight i "
        f"WHERE {where} ORDER BY i.updated_at DESC, i.id DESC LIMIT {int(limit)}) page"
    )
    return run(insight_rows(top))


def insight_search(q: str, limit: int = 50, tag_ids: set[int] | None = None) -> str:
    """/api/v1/insights/?q=... (optionally with a tag): the best ``limit`` by rank."""
    where = _tagged(tag_ids, "o") if tag_ids else ""
    top, params = ranked_ids("insight", parse_query(q), limit, where=where)
    return run(insight_rows(top), params)


def insight_detail(pk: int) -> str:
    """One insight with its tags, evidence (observation text and study) and decisions."""
    top = f"SELECT {int(pk)} AS id, 0 AS score"
    evidence = (
        f"SELECT {_agg(_array('e.relation', 'o.id', 'o.text', 's.title', 'p.code'))} "
        f"FROM insights_evidence e JOIN insights_observation o ON o.id = e.observation_id "
        f"JOIN insights_study s ON s.id = o.study_id "
        f"LEFT JOIN insights_participant p ON p.id = o.participant_id "
        f"WHERE e.insight_id = {int(pk)}"
    )
    return run(f"SELECT r.*, ({evidence}) FROM ({insight_rows(top)}) r")


def search_page(q: str, page_size: int = 20) -> str:
    """The search page: the count, the first page and the facet counts (a tag counts what
    it or a tag below it labels), over one materialised match."""
    match, params = _match(parse_query(q), "insight")
    matches = _matches("insight", match)
    sql = (
        f"WITH RECURSIVE m AS MATERIALIZED (SELECT m0.id, m0.score FROM ({matches}) m0 "
        f"JOIN insights_insight i ON i.id = m0.id WHERE i.status IN ('draft', 'published')), "
        f"up(tag_id, above) AS (SELECT id, id FROM insights_tag UNION ALL "
        f"SELECT up.tag_id, t.parent_id FROM up JOIN insights_tag t ON t.id = up.above "
        f"WHERE t.parent_id IS NOT NULL) "
        f"SELECT (SELECT COUNT(*) FROM m), "
        f"(SELECT {_agg(_array('f.above', 'f.n'))} FROM (SELECT up.above, "
        f"COUNT(DISTINCT it.insight_id) AS n FROM m JOIN insights_insight_tags it "
        f"ON it.insight_id = m.id JOIN up ON up.tag_id = it.tag_id GROUP BY up.above) f)"
    )
    top = f"SELECT id, score FROM m ORDER BY score DESC LIMIT {int(page_size)}"
    if connection.vendor == "postgresql":
        # One statement: the match is found once for the count, the facets and the page.
        return run(f"{sql}, (SELECT json_agg(r) FROM ({insight_rows(top)}) r)", params)
    head = run(sql, params)
    page = run(f"WITH m AS ({matches}) " + insight_rows(top), params)
    return f"[{head},{page}]"


def observation_search(q: str, limit: int = 50) -> str:
    """/api/v1/observations/?q=...: matching observations, newest first."""
    match, params = _match(parse_query(q), "observation")
    if connection.vendor == "sqlite":
        ids = (
            f"SELECT d.object_id FROM insights_search_fts CROSS JOIN insights_searchdocument d "
            f"ON d.id = insights_search_fts.rowid WHERE insights_search_fts MATCH {match} "
            f"AND +d.kind = 'observation'"
        )
    else:
        ids = (
            f"SELECT d.object_id FROM insights_searchdocument d WHERE d.kind = 'observation' "
            f"AND d.vector @@ {match}"
        )
    sql = (
        f"SELECT o.id, o.text, o.kind, o.observed_on, o.metric, o.score, p.code, o.study_id, "
        f"(SELECT {_agg('t.name')} FROM insights_observation_tags ot JOIN insights_tag t "
        f"ON t.id = ot.tag_id WHERE ot.observation_id = o.id) "
        f"FROM insights_observation o LEFT JOIN insights_participant p ON p.id = o.participant_id "
        f"WHERE o.id IN ({ids}) ORDER BY o.updated_at DESC, o.id DESC LIMIT {int(limit)}"
    )
    return run(sql, params)
