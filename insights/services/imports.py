"""Importing observations from files, all or nothing, in chunks that keep memory flat.

The command ``import_observations`` and the study's admin import page call
``observations_import``; it writes through ``observations_bulk_upsert``, the API's bulk path,
so scrubbing, fingerprints, the search index and confidence hold as for every other write.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..history import Surface, history_surface
from ..importing import rows as row_parsing
from ..importing import sources
from ..importing.rows import MappingError, RowParser
from ..importing.sources import SourceError
from ..models import Observation, TagGroup
from .bulk import BulkResult, TagResolver, observations_bulk_upsert
from .conflicts import WrittenIds

CHUNK_SIZE = 1000
PREVIEW_ROWS = 20
MAX_REPORTED_ERRORS = 200

# Model field -> the import field a person mapped, for error messages.
FIELD_NAMES = {"observed_on": "date", "participant_code": "participant"}


@dataclass
class ImportOptions:
    """How to read a file. Empty values mean "detect"."""

    format: str = ""
    encoding: str = ""
    delimiter: str = ""
    # Import field -> column. Detected from the headers; entries given here win, and an
    # empty column name unmaps a field.
    mapping: dict[str, str] = field(default_factory=dict)
    unknown_tags: str = "reject"  # or "create", in tag_group
    tag_group: TagGroup | None = None
    scrub: bool = True
    default_kind: str = ""
    default_metric: str = ""

    def as_json(self) -> dict:
        """These options as JSON values, to be stored with a queued job."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["tag_group"] = self.tag_group.pk if self.tag_group else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ImportOptions":
        """The options ``as_json`` stored; a tag group deleted since then reads as none."""
        values = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        group = values.pop("tag_group", None)
        values["tag_group"] = TagGroup.objects.filter(pk=group).first() if group else None
        return cls(**values)


@dataclass
class RowProblem:
    location: str
    field: str
    messages: list[str]

    def __str__(self):
        # A problem with the whole row (its fields, its quotes) names no field.
        where = f"{self.location}, {self.field}" if self.field else self.location
        return f"{where}: {' '.join(self.messages)}"


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run."""

    format: str = ""
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    repeated: int = 0
    rejected: int = 0
    new_tags: list[str] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.rejected

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["errors"] = [problem.__dict__ for problem in self.errors]
        data["written"] = self.written
        return data


ProgressCallback = Callable[[int, int, int], None]  # rows, bytes read, bytes in all


def observations_import(
    *,
    study,
    stream: BinaryIO,
    name: str = "",
    options: ImportOptions | None = None,
    user=None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a file's rows as observations of ``study``: all of them or none.

    A row with an external ID the study has, or with the same content as an observation it
    has, updates it instead of duplicating. Row problems are collected (with the line or
    message they come from) and, if there are any, nothing is written; a dry run reports
    the same counts, problems and a preview, and writes nothing either. A file that cannot
    be read at all raises SourceError or MappingError.
    """
    options = options or ImportOptions()
    total = _size(stream)
    report, records = _open(stream, name, options)
    report.dry_run = dry_run
    parser = RowParser(
        report.mapping if report.format == "csv" else explicit_mapping(options),
        default_kind=options.default_kind,
        default_metric=options.default_metric,
        per_record=report.format == "jsonl",
    )
    replaces_tags = report.format != "csv" or "tags" in report.mapping
    if options.unknown_tags == "create" and options.tag_group is None:
        raise MappingError(_("Choose the tag group in which to create unknown tags."))
    tags = TagResolver(create_in=options.tag_group if options.unknown_tags == "create" else None)
    with history_surface(Surface.IMPORT, user=user), transaction.atomic():
        written = WrittenIds((Observation.objects.aggregate(top=Max("pk"))["top"] or 0) + 1)
        for chunk in _chunks(records, CHUNK_SIZE):
            rows, problems = _parse_chunk(chunk, parser, replaces_tags)
            report.rows += len(chunk)
            # The rows that are fine are written, so later chunks see what this one holds; the
            # whole import is rolled back at the end if any row had a problem.
            result = observations_bulk_upsert(
                study=study,
                rows=rows,
                user=user,
                scrub=options.scrub,
                tags=tags,
                errors=problems,
                keep_valid_rows=True,
                written=written,
            )
            _report_chunk(report, chunk, rows, result)
            if progress:
                progress(report.rows, _position(stream, total), total)
        report.new_tags = tags.created
        if dry_run or report.rejected:
            transaction.set_rollback(True)
    return report


def _open(stream: BinaryIO, name: str, options: ImportOptions):
    """The report's file facts (format, headers, mapping) and the file's records."""
    sample = stream.read(sources.SAMPLE_SIZE)
    stream.seek(0)
    fmt = options.format or sources.guess_format(name, sample)
    if fmt == "csv":
        csv_options = sources.CsvOptions(encoding=options.encoding, delimiter=options.delimiter)
        headers, records = sources.read_csv(stream, csv_options)
    elif fmt == "jsonl":
        headers, records = sources.read_jsonl(stream)
    elif fmt == "telegram":
        headers, records = sources.read_telegram(stream)
    else:
        raise SourceError(
            _("Unknown format “%(format)s”; choose one of: %(formats)s.")
            % {"format": fmt, "formats": ", ".join(sources.FORMATS)}
        )
    report = ImportReport(format=fmt, headers=headers)
    unknown = [key for key in options.mapping if key not in row_parsing.FIELDS]
    if unknown:
        raise MappingError(
            _("Unknown field “%(field)s”; the fields are: %(fields)s.")
            % {"field": unknown[0], "fields": ", ".join(row_parsing.FIELDS)}
        )
    if fmt == "telegram":
        report.mapping = {name: name for name in headers}
        return report, records
    mapping = row_parsing.detect_mapping(headers)
    if fmt == "csv":
        mapping.update(row_parsing.check_mapping(explicit_mapping(options), headers))
    for key, value in options.mapping.items():
        if not value:
            mapping.pop(key, None)
    if fmt == "csv" and "text" not in mapping and "score" not in mapping:
        raise MappingError(
            _(
                "No column holds the observation text or a score. Map one, for example "
                "text=COLUMN; the columns are: %(columns)s."
            )
            % {"columns": ", ".join(headers)}
        )
    report.mapping = {key: mapping[key] for key in row_parsing.FIELDS if key in mapping}
    return report, records


def explicit_mapping(options: ImportOptions) -> dict[str, str]:
    """The fields the person mapped to a column themselves."""
    return {key: value for key, value in options.mapping.items() if value}


def _parse_chunk(chunk, parser: RowParser, replaces_tags: bool) -> tuple[list[dict], dict]:
    """The chunk's rows as fields, and the problems of each row that has any, by index."""
    rows: list[dict] = []
    problems: dict[int, dict[str, list[str]]] = {}
    for index, record in enumerate(chunk):
        row, tag_names, errors = parser.parse(record)
        if replaces_tags:
            row["tags"] = tag_names
        if errors:
            problems[index] = errors
        rows.append(row)
    return rows, problems


def _report_chunk(report: ImportReport, chunk, rows: list[dict], result: BulkResult) -> None:
    """Add what writing one chunk did to the report: counts, problems, preview rows."""
    report.created += len(result.created)
    report.updated += len(result.updated)
    report.repeated += result.repeated
    report.rejected += len(result.errors)
    for index, fields in result.errors.items():
        for name, messages in fields.items():
            if len(report.errors) < MAX_REPORTED_ERRORS:
                location = chunk[index].location
                report.errors.append(RowProblem(location, FIELD_NAMES.get(name, name), messages))
    for index, row in enumerate(rows[: max(PREVIEW_ROWS - len(report.preview), 0)]):
        report.preview.append(_preview(chunk[index], row, result.actions[index]))


def _preview(record, row: dict, action: str) -> dict:
    return {
        "location": record.location,
        "action": action,
        "kind": row.get("kind", ""),
        "text": row.get("text", ""),
        "participant": row.get("participant_code", ""),
        "date": row["observed_on"].isoformat() if row.get("observed_on") else "",
        "metric": row.get("metric", ""),
        "score": str(row["score"]) if row.get("score") is not None else "",
        "tags": [tag.name for tag in row.get("tags", [])],
    }


def _chunks(records: Iterator, size: int) -> Iterator[list]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _size(stream: BinaryIO) -> int:
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        position = stream.seek(0, os.SEEK_END)
        stream.seek(0)
        return position


def _position(stream: BinaryIO, total: int) -> int:
    try:
        return min(stream.tell(), total)
    except (OSError, ValueError):
        return 0
