"""Insights with their tags and evidence as CSV, JSON or a Markdown report, streamed in chunks.

The search page, the API and the ``export_insights`` command all call ``export_insights`` with
a filtered queryset; it prefetches what it needs, so the number of queries depends on the
number of chunks (and tag groups, for Markdown), never on the number of insights.
"""

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from .models import Decision, Evidence, Insight, Observation, Study, Tag, TagGroup


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    content_type: str


FORMATS = {
    "csv": ExportFormat("csv", "csv", "text/csv; charset=utf-8"),
    "json": ExportFormat("json", "json", "application/json; charset=utf-8"),
    "markdown": ExportFormat("markdown", "md", "text/markdown; charset=utf-8"),
}
FORMAT_BY_EXTENSION = {fmt.extension: fmt.name for fmt in FORMATS.values()}

# Insights read per query; their tags, evidence and decisions come in one query each per chunk.
CHUNK_SIZE = 200
# How many pieces of evidence of each relation the Markdown report quotes per insight.
QUOTES_PER_INSIGHT = 3
# Excel cuts a cell at 32,767 characters and spills the rest over the following rows.
EXCEL_CELL_LIMIT = 32_000


def prepared(queryset: QuerySet) -> QuerySet:
    """The queryset with everything an export reads fetched in a fixed number of queries."""
    evidence = Evidence.objects.select_related(
        "observation__study", "observation__participant"
    ).order_by("-observation__observed_on", "pk")
    tags = Tag.objects.select_related("group").order_by("group__position", "group__name", "name")
    # Drop the caller's prefetches: the same lookup with another queryset is an error.
    return (
        queryset.select_related("owner")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("tags", queryset=tags),
            Prefetch("evidence", queryset=evidence),
            Prefetch("decisions", queryset=Decision.objects.order_by("-decided_on", "pk")),
        )
    )


def _chunked(queryset: QuerySet) -> Iterator[Insight]:
    return prepared(queryset).iterator(chunk_size=CHUNK_SIZE)


# Shared pieces -----------------------------------------------------------------------------------


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path if base_url else path


def _observation_text(observation: Observation) -> str:
    if observation.text:
        return observation.text
    return f"{observation.get_metric_display()}: {observation.score_display}"


def _split_evidence(insight: Insight) -> tuple[list[Evidence], list[Evidence]]:
    supporting, contradicting = [], []
    for item in insight.evidence.all():
        is_support = item.relation == Evidence.Relation.SUPPORTS
        (supporting if is_support else contradicting).append(item)
    return supporting, contradicting


def _studies(insight: Insight) -> list[Study]:
    """The studies the insight's evidence comes from, by title (from the prefetched rows)."""
    found = {item.observation.study_id: item.observation.study for item in insight.evidence.all()}
    return sorted(found.values(), key=lambda study: (study.title.lower(), study.pk))


def _tags_text(insight: Insight) -> str:
    """ "Theme: Onboarding, KYC; Segment: Premium" """
    groups: dict[int, tuple[TagGroup, list[str]]] = {}
    for tag in insight.tags.all():
        groups.setdefault(tag.group_id, (tag.group, []))[1].append(tag.name)
    return "; ".join(
        f"{group.display_name}: {', '.join(names)}" for group, names in groups.values()
    )


def _source(item: Evidence) -> str:
    """Who said it, where and when: "P-001, Interview, 2026-05-01"."""
    observation = item.observation
    parts = [
        observation.participant.code if observation.participant_id else "",
        observation.study.title,
        observation.observed_on.isoformat() if observation.observed_on else "",
    ]
    return ", ".join(part for part in parts if part)


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def in_language(chunks: Iterable[str], language: str) -> Iterator[str]:
    """Produce each chunk with ``language`` active, restoring the previous one between chunks.

    A streamed response is produced after the view returned, maybe in another thread, so the
    request's language must be switched on for every step, and off again before each yield.
    """
    iterator = iter(chunks)
    while True:
        with translation.override(language):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


def export_insights(
    queryset: QuerySet,
    fmt: str,
    *,
    include_evidence: bool = True,
    base_url: str = "",
    filters: Iterable[str] = (),
) -> Iterator[str]:
    """The insights of ``queryset`` (in its order) as chunks of text in ``fmt``.

    ``include_evidence`` False leaves out observation texts and decisions (what anonymous
    readers may not see); ``base_url`` makes links absolute; ``filters`` describe the filter
    in the Markdown report.
    """
    if fmt == "csv":
        return _csv(queryset, include_evidence, base_url)
    if fmt == "json":
        return _json(queryset, include_evidence, base_url)
    if fmt == "markdown":
        return _markdown(queryset, include_evidence, base_url, list(filters))
    raise ValueError(f"Unknown export format: {fmt}")


def export_filename(fmt: str) -> str:
    """insights-2026-11-22.csv"""
    return f"insights-{timezone.localdate():%Y-%m-%d}.{FORMATS[fmt].extension}"


def export_response(queryset: QuerySet, fmt: str, **options) -> StreamingHttpResponse:
    """A download of the export, streamed as it is produced, in the request's language."""
    chunks = in_language(export_insights(queryset, fmt, **options), translation.get_language())
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in chunks), content_type=FORMATS[fmt].content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(fmt)}"'
    return response


def write_file(path: str | os.PathLike, chunks: Iterable[str]) -> None:
    """Write the chunks to ``path`` through a temporary file beside it, moved into place only
    when complete: a failure leaves the old file (or none), never half of a new one."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".tmp")
    try:
        # newline="": the CSV writer's \r\n line ends are written as they are.
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            for chunk in chunks:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# CSV -------------------------------------------------------------------------------------------

# Cells starting like a formula are run by spreadsheets; customer texts are untrusted input.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_header() -> list[str]:
    return [
        _("ID"),
        _("Statement"),
        _("Details"),
        _("Status"),
        _("Confidence"),
        _("Confidence explanation"),
        _("Tags"),
        _("Supporting observations"),
        _("Contradicting observations"),
        _("Studies"),
        _("Evidence"),
        _("URL"),
        _("Source URLs"),
        _("Created at"),
        _("Updated at"),
    ]


def _csv_row(insight: Insight, include_evidence: bool, base_url: str) -> list:
    supporting, contradicting = _split_evidence(insight) if include_evidence else ([], [])
    evidence_lines = [
        f"[{item.get_relation_display()}] {_observation_text(item.observation)} ({_source(item)})"
        for item in supporting + contradicting
    ]
    source_urls = dict.fromkeys(
        item.observation.source_url
        for item in supporting + contradicting
        if item.observation.source_url
    )
    return [
        insight.pk,
        _cell(insight.statement),
        _cell(insight.details),
        insight.get_status_display(),
        insight.get_confidence_display(),
        _cell(insight.confidence_explanation),
        _cell(_tags_text(insight)),
        insight.supporting_count,
        insight.contradicting_count,
        _cell("; ".join(study.title for study in _studies(insight))),
        _cell("\n".join(evidence_lines)),
        _absolute(base_url, insight.get_absolute_url()),
        _cell("\n".join(source_urls)),
        _local(insight.created_at),
        _local(insight.updated_at),
    ]


def _csv(queryset: QuerySet, include_evidence: bool, base_url: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The byte order mark tells Excel (the Russian one too) that the file is UTF-8.
    buffer.write("\ufeff")
    writer.writerow(csv_header())
    for count, insight in enumerate(_chunked(queryset), start=1):
        writer.writerow(_csv_row(insight, include_evidence, base_url))
        if count % 50 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# JSON ------------------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def insight_record(insight: Insight, *, include_evidence: bool = True, base_url: str = "") -> dict:
    """One insight as the JSON export writes it."""
    record = {
        "id": insight.pk,
        "statement": insight.statement,
        "details": insight.details,
        "status": insight.status,
        "confidence": insight.confidence,
        "confidence_explanation": insight.confidence_explanation,
        "supporting_count": insight.supporting_count,
        "contradicting_count": insight.contradicting_count,
        "participant_count": insight.participant_count,
        "study_count": insight.study_count,
        "methods": list(insight.methods or []),
        "owner": insight.owner.get_username() if insight.owner_id else None,
        "review_by": _iso(insight.review_by),
        "superseded_by": insight.superseded_by_id,
        "created_at": _iso(insight.created_at),
        "updated_at": _iso(insight.updated_at),
        "published_at": _iso(insight.published_at),
        "url": _absolute(base_url, insight.get_absolute_url()),
        "tags": [
            {"slug": tag.slug, "name": tag.name, "group": tag.group.slug}
            for tag in insight.tags.all()
        ],
        "studies": [{"slug": study.slug, "title": study.title} for study in _studies(insight)],
    }
    if include_evidence:
        supporting, contradicting = _split_evidence(insight)
        record["evidence"] = [_evidence_record(item) for item in supporting + contradicting]
        record["decisions"] = [
            {
                "id": decision.pk,
                "title": decision.title,
                "status": decision.status,
                "decided_on": _iso(decision.decided_on),
            }
            for decision in insight.decisions.all()
        ]
    return record


def _evidence_record(item: Evidence) -> dict:
    observation = item.observation
    return {
        "observation": observation.pk,
        "relation": item.relation,
        "note": item.note,
        "kind": observation.kind,
        "text": observation.text,
        "metric": observation.metric,
        "score": observation.score_number,
        "study": observation.study.slug,
        "study_title": observation.study.title,
        "participant": observation.participant.code if observation.participant_id else None,
        "observed_on": _iso(observation.observed_on),
        "source_url": observation.source_url,
        "source_ref": observation.source_ref,
    }


def _json(queryset: QuerySet, include_evidence: bool, base_url: str) -> Iterator[str]:
    yield "["
    for index, insight in enumerate(_chunked(queryset)):
        record = insight_record(insight, include_evidence=include_evidence, base_url=base_url)
        text = json.dumps(record, ensure_ascii=False, cls=DjangoJSONEncoder)
        yield ("," if index else "") + "\n" + text
    yield "\n]\n"


# Markdown --------------------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>#|~])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Text that Markdown shows as it is (no emphasis, links, headings or lists)."""
    return _MD_LINE_START.sub(r"\1\\\2", _MD_INLINE.sub(r"\\\1", text))


# What a report says after the quotes it shows of one side of an insight's evidence.
MORE_SUPPORTING = ngettext_lazy(
    "…and %(count)d more supporting observation",
    "…and %(count)d more supporting observations",
    "count",
)
MORE_CONTRADICTING = ngettext_lazy(
    "…and %(count)d more contradicting observation",
    "…and %(count)d more contradicting observations",
    "count",
)


def _md_quote(item: Evidence, marker: str = "") -> str:
    lines = md_escape(_observation_text(item.observation)).splitlines() or [""]
    lines[0] = marker + lines[0]
    quoted = [f"> {line}" if line.strip() else ">" for line in lines]
    return "\n".join([*quoted, ">", f"> — {md_escape(_source(item))}"]) + "\n\n"


def _md_insight(insight: Insight, include_evidence: bool, base_url: str) -> str:
    out = [f"### {md_escape(insight.statement)}\n\n"]
    out.append(
        f"**{_('Confidence')}:** {insight.get_confidence_display()} — "
        f"{md_escape(insight.confidence_explanation)}  \n"
    )
    meta = [f"**{_('Status')}:** {insight.get_status_display()}"]
    if tags := _tags_text(insight):
        meta.append(f"**{_('Tags')}:** {md_escape(tags)}")
    if studies := _studies(insight):
        meta.append(f"**{_('Studies')}:** " + ", ".join(md_escape(s.title) for s in studies))
    out.append(" · ".join(meta) + "  \n")
    link = _absolute(base_url, insight.get_absolute_url())
    out.append(f"[{_('Open in the repository')}]({link})\n\n")
    if insight.details:
        out.append(md_escape(insight.details) + "\n\n")
    if include_evidence:
        supporting, contradicting = _split_evidence(insight)
        sides = (
            (supporting, "", MORE_SUPPORTING),
            (contradicting, f"**⚠ {_('Contradicts')}:** ", MORE_CONTRADICTING),
        )
        for items, marker, more_message in sides:
            out.extend(_md_quote(item, marker) for item in items[:QUOTES_PER_INSIGHT])
            if (more := len(items) - QUOTES_PER_INSIGHT) > 0:
                out.append(f"*{more_message % {'count': more}}*\n\n")
    return "".join(out)


def _markdown(
    queryset: QuerySet, include_evidence: bool, base_url: str, filters: list[str]
) -> Iterator[str]:
    # A section per tag group, so an insight is listed under each group its tags belong to;
    # each section is its own chunked query (the number of groups, not insights, bounds them).
    ids = queryset.order_by().values("pk")
    counts = dict(
        Insight.tags.through.objects.filter(insight_id__in=ids)
        .values("tag__group_id")
        .annotate(n=Count("insight_id", distinct=True))
        .values_list("tag__group_id", "n")
    )
    total = queryset.order_by().count()
    untagged = queryset.untagged()
    untagged_count = untagged.order_by().count()

    head = [f"# {_('Insight report')}\n\n"]
    head.append(
        _("Exported on %(date)s · %(count)s")
        % {
            "date": _local(timezone.now()),
            "count": ngettext("%(n)d insight", "%(n)d insights", total) % {"n": total},
        }
        + "  \n"
    )
    filter_text = "; ".join(filters) if filters else _("none")
    head.append(_("Filter: %(filters)s") % {"filters": md_escape(filter_text)} + "\n\n")
    if not total:
        head.append(_("No insights match.") + "\n")
    yield "".join(head)

    for group in TagGroup.objects.filter(pk__in=counts):
        yield f"## {md_escape(group.display_name)} ({counts[group.pk]})\n\n"
        for insight in _chunked(queryset.tagged_in_group(group.slug)):
            yield _md_insight(insight, include_evidence, base_url)
    if untagged_count:
        yield f"## {_('Untagged')} ({untagged_count})\n\n"
        for insight in _chunked(untagged):
            yield _md_insight(insight, include_evidence, base_url)
