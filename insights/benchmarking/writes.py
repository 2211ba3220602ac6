"""The write scenarios, each inside a transaction that is rolled back, so the dataset stays
as generated: a tag merge, a CSV import, an API bulk post and a search index rebuild.
Beside each, the floor: the same rows written by set-based SQL, rolled back as well."""

import io
import json
import os
import tempfile
import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count

from ..models import Insight, Observation, SearchDocument, Study, Tag
from ..services import tag_merge
from . import writers
from .text import TextMaker


class Rollback(Exception):
    """Raised to leave a transaction.atomic() block without keeping its writes."""


def floor_rate(amount: int, unit: str, work: Callable[[], object]) -> dict:
    """The floor's rate; a floor that cannot run here says why instead of losing the figure."""
    try:
        return _rate("floor", "", amount, unit, rolled_back(work))
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"[:300]}


def rolled_back(work: Callable[[], object]) -> float:
    """Seconds ``work`` took inside a transaction that is then undone."""
    try:
        with transaction.atomic():
            started = time.perf_counter()
            work()
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return seconds


def _rate(name: str, label: str, amount: int, unit: str, seconds: float, **extra) -> dict:
    return {
        "name": name,
        "label": label,
        "amount": amount,
        "unit": unit,
        "seconds": round(seconds, 3),
        "rate": round(amount / seconds, 1) if seconds else None,
        **extra,
    }


def merge_source() -> tuple[Tag, Tag, int]:
    """The tag whose use is nearest 10,000, and another tag of its group to merge it into."""
    # Counted per table: one query joining both would count their cross product.
    uses: dict[int, int] = {}
    for through in (Insight.tags.through, Observation.tags.through):
        for tag_id, n in through.objects.values_list("tag_id").annotate(n=Count("pk")):
            uses[tag_id] = uses.get(tag_id, 0) + n
    rows = [
        (pk, group_id, uses.get(pk, 0))
        for pk, group_id in Tag.objects.values_list("pk", "group_id")
    ]
    pk, group_id, n = min(rows, key=lambda row: abs(row[2] - 10_000))
    target = (
        Tag.objects.filter(group_id=group_id, parent__isnull=True).exclude(pk=pk).first()
        or Tag.objects.exclude(pk=pk).first()
    )
    return Tag.objects.get(pk=pk), target, n


def tag_merge_scenario() -> dict:
    source, target, uses = merge_source()
    seconds = rolled_back(lambda: tag_merge(sources=[source], target=target))
    return _rate(
        "tag_merge",
        f"merge a tag used {uses:,} times",
        uses,
        "uses/s",
        seconds,
        floor=floor_rate(uses, "uses/s", lambda: _merge_sql(source, target)),
        target=None,
    )


def _merge_sql(source: Tag, target: Tag) -> None:
    """Set-based merge: move the uses, alias the name, re-read the touched documents' text."""
    ignore = "INSERT OR IGNORE" if connection.vendor == "sqlite" else "INSERT"
    conflict = "" if connection.vendor == "sqlite" else "ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        for owner in ("study", "observation", "insight", "participant"):
            through = f"insights_{owner}_tags"
            cursor.execute(
                f"{ignore} INTO {through} ({owner}_id, tag_id) SELECT {owner}_id, %s "
                f"FROM {through} WHERE tag_id = %s {conflict}",
                [target.pk, source.pk],
            )
            cursor.execute(f"DELETE FROM {through} WHERE tag_id = %s", [source.pk])
            if owner in ("observation", "insight"):
                cursor.execute(
                    "UPDATE insights_searchdocument SET tags = tags || ' ' || %s "
                    f"WHERE kind = %s AND object_id IN (SELECT {owner}_id FROM {through} "
                    "WHERE tag_id = %s)",
                    [target.name, owner, target.pk],
                )
        cursor.execute(
            "UPDATE insights_tagalias SET tag_id = %s WHERE tag_id = %s", [target.pk, source.pk]
        )
        cursor.execute(
            "UPDATE insights_tag SET parent_id = %s WHERE parent_id = %s", [target.pk, source.pk]
        )
        cursor.execute("DELETE FROM insights_tag WHERE id = %s", [source.pk])
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE insights_searchdocument SET vector = to_tsvector('russian', tags) "
                "WHERE kind IN ('observation', 'insight') AND object_id IN (SELECT insight_id "
                "FROM insights_insight_tags WHERE tag_id = %s)",
                [target.pk],
            )


def survey_rows(count: int, seed: int = 1):
    """(external id, date, participant, NPS score, why) rows with realistic answers."""
    import random

    rng = random.Random(seed)
    text = TextMaker(rng)
    for n in range(count):
        yield (f"bench-{n}", f"{1 + n % 28:02}.03.2026", f"P-{n % 5000:06}", n % 11,
               text.observation())  # fmt: skip


def import_scenario(rows: int) -> dict:
    """``import_observations`` of a CSV file of ``rows`` NPS answers with comments."""
    study = Study.objects.order_by("pk").first()
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as out:
        out.write("ID ответа;Дата;Респондент;Оценка NPS;Почему?\n")
        for row in survey_rows(rows):
            out.write(";".join(str(v).replace(";", ",") for v in row) + "\n")
    try:
        seconds = rolled_back(
            lambda: call_command(
                "import_observations", out.name, study=study.slug, no_progress=True,
                stdout=io.StringIO(),
            )
        )  # fmt: skip
    finally:
        os.unlink(out.name)
    return _rate(
        "import_csv",
        f"import_observations, {rows:,} CSV rows",
        rows,
        "rows/s",
        seconds,
        floor=floor_rate(rows, "rows/s", lambda: _insert_rows(study.pk, survey_rows(rows))),
        target=("rate", 10_000 if connection.vendor == "postgresql" else 5_000),
    )


def bulk_post_scenario(client, rows: int = 5_000) -> dict:
    """POST /api/v1/observations/bulk/ with ``rows`` rows."""
    study = Study.objects.order_by("pk").first()
    body = {
        "study": study.pk,
        "observations": [
            {"external_id": ext, "participant": code, "metric": "nps", "score": score,
             "text": why, "kind": "metric"}
            for ext, _day, code, score, why in survey_rows(rows, seed=2)
        ],
    }  # fmt: skip
    payload = json.dumps(body, ensure_ascii=False)
    status = {}

    def post():
        response = client.post("/api/v1/observations/bulk/", payload, "application/json")
        status["code"] = response.status_code

    seconds = rolled_back(post)
    result = _rate(
        "api_bulk_post",
        f"POST /api/v1/observations/bulk/, {rows:,} rows",
        rows,
        "rows/s",
        seconds,
        floor=floor_rate(
            rows, "rows/s", lambda: _insert_rows(study.pk, survey_rows(rows, seed=2), payload)
        ),
        status=status.get("code"),
    )
    if status.get("code") not in (200, 201):
        result["error"] = f"HTTP {status.get('code')}"
    return result


def _insert_rows(study_id: int, rows, payload: str | None = None) -> None:
    """The floor of an import: decode, insert the observations and their documents."""
    if payload is not None:
        json.loads(payload)
    start = Observation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    stamp = "2026-03-01 10:00:00"
    values = (
        (start + n + 1, study_id, "metric", why, "", "", f"bx-{ext}", "nps", score, 0, "",
         stamp, stamp)
        for n, (ext, _day, _code, score, why) in enumerate(rows)
    )  # fmt: skip
    writers.insert(
        Observation,
        ["id", "study_id", "kind", "text", "source_url", "source_ref", "external_id", "metric",
         "score", "scrubbed_count", "content_hash", "created_at", "updated_at"],
        values,
    )  # fmt: skip
    vector = "to_tsvector('russian', o.text)" if connection.vendor == "postgresql" else "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO insights_searchdocument (kind, object_id, title, tags, body, vector) "
            f"SELECT 'observation', o.id, lower(o.text), '', '', {vector} "
            "FROM insights_observation o WHERE o.id > %s",
            [start],
        )


def rebuild_scenario() -> dict:
    """``rebuild_search_index`` over the whole repository (rolled back)."""
    documents = SearchDocument.objects.count()
    seconds = rolled_back(lambda: call_command("rebuild_search_index", stdout=io.StringIO()))
    return _rate(
        "rebuild_search_index",
        f"rebuild_search_index, {documents:,} documents",
        documents,
        "docs/s",
        seconds,
        floor=floor_rate(documents, "docs/s", _rebuild_sql),
        target=("rate", 20_000),
    )


def _rebuild_sql() -> None:
    """Set-based rebuild of the texts (and vectors) of insights and observations, which are
    nearly all the documents: one statement per kind."""
    pg = connection.vendor == "postgresql"
    vector = (
        "setweight(to_tsvector('russian', {title}), 'A') || "
        "setweight(to_tsvector('russian', {body}), 'C')"
        if pg
        else "NULL"
    )
    concat = "string_agg" if pg else "group_concat"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM insights_searchdocument")
        for kind, title, body in (
            ("insight", "o.statement", "o.details"),
            ("observation", "o.text", "o.source_ref"),
        ):
            cursor.execute(
                "INSERT INTO insights_searchdocument (kind, object_id, title, tags, body, "
                f"vector) SELECT '{kind}', o.id, lower({title}), coalesce((SELECT "
                f"{concat}(t.name, ' ') FROM insights_{kind}_tags x JOIN insights_tag t "
                f"ON t.id = x.tag_id WHERE x.{kind}_id = o.id), ''), lower({body}), "
                f"{vector.format(title=title, body=body)} FROM insights_{kind} o"
            )


def timed(name: str, call: Callable[[], dict]) -> dict:
    """Run a write scenario; an error is reported, not raised."""
    try:
        return call()
    except Exception as error:
        return {"name": name, "error": f"{type(error).__name__}: {error}"[:300]}
