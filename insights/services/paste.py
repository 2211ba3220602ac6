"""Adding pasted observations to a study: read as the importer reads files, written through
the one bulk path, all or nothing."""

from dataclasses import dataclass, field

from ..importing.paste import Pasted, read_pasted
from ..importing.rows import RowParser
from .bulk import RowErrors, TagResolver, observations_bulk_upsert
from .imports import FIELD_NAMES, RowProblem


@dataclass
class PasteResult:
    """What pasting did (or, checked with ``dry_run``, would do); ``errors`` mean nothing
    was written."""

    pasted: Pasted
    created: int = 0
    updated: int = 0
    repeated: int = 0
    errors: list[RowProblem] = field(default_factory=list)


def observations_paste(*, study, text: str, user=None, dry_run: bool = False) -> PasteResult:
    """Create (or, for rows the study already has, update) observations from pasted text.

    ``study`` may be one not saved yet: it has no observations to match, and a dry run
    checks every row for it. Raises SourceError or MappingError when the text cannot be read
    at all; row problems come back in ``errors``, located by line, and then nothing is
    written.
    """
    pasted = read_pasted(text)
    parser = RowParser(pasted.mapping)
    rows, problems = [], {}
    for index, record in enumerate(pasted.records):
        row, tag_names, errors = parser.parse(record)
        if "tags" in pasted.mapping:
            row["tags"] = tag_names
        if errors:
            problems[index] = errors
        rows.append(row)
    result = PasteResult(pasted=pasted)
    try:
        written = observations_bulk_upsert(
            study=study, rows=rows, user=user, dry_run=dry_run, tags=TagResolver(), errors=problems
        )
    except RowErrors as rejected:
        result.errors = [
            RowProblem(pasted.records[index].location, FIELD_NAMES.get(name, name), messages)
            for index, fields in rejected.errors.items()
            for name, messages in fields.items()
        ]
        return result
    result.created, result.updated = written.created_count, written.updated_count
    result.repeated = written.repeated
    return result
