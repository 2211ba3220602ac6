"""Observations pasted as text: one per line, or a table copied from a spreadsheet.

A spreadsheet copies cells separated by tabs, one row per line, with the header row first;
its columns are recognised as a file's are (rows.detect_mapping). Text without tabs is one
observation per line, unless its first line names a text or score column ("Комментарий").
Records carry the line they start on, so problems point at what was pasted.
"""

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .rows import FIELDS, MappingError, detect_mapping
from .sources import Record, SourceError

# More than this is a file's job (the import page streams it in chunks).
MAX_PASTED_ROWS = 1000
TEXT_COLUMN = "text"


@dataclass
class Pasted:
    """What was pasted: its columns, how they map to import fields, and its records."""

    headers: list[str]
    mapping: dict[str, str]
    records: list[Record] = field(default_factory=list)

    @property
    def ignored(self) -> list[str]:
        """Columns that map to no field (left out of the observations)."""
        used = set(self.mapping.values())
        return [header for header in self.headers if header and header not in used]

    @property
    def is_table(self) -> bool:
        return self.headers != [TEXT_COLUMN]


def read_pasted(text: str) -> Pasted:
    """The records of pasted text; SourceError or MappingError if it cannot be read."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    first = next((line for line in lines.split("\n") if line.strip()), "")
    if not first:
        raise SourceError(_("Nothing was pasted."))
    if "\t" in first or {"text", "score"} & set(detect_mapping([first.strip()])):
        pasted = _read_table(lines)
    else:
        pasted = _read_lines(lines)
    if len(pasted.records) > MAX_PASTED_ROWS:
        raise SourceError(
            ngettext(
                "Paste at most %(count)d row at a time; import longer tables as a file.",
                "Paste at most %(count)d rows at a time; import longer tables as a file.",
                MAX_PASTED_ROWS,
            )
            % {"count": MAX_PASTED_ROWS}
        )
    if not pasted.records:
        raise SourceError(_("The pasted table has a header row but no rows under it."))
    return pasted


def _read_lines(lines: str) -> Pasted:
    records = [
        Record(location=_("line %(line)d") % {"line": number}, values={TEXT_COLUMN: line.strip()})
        for number, line in enumerate(lines.split("\n"), start=1)
        if line.strip()
    ]
    return Pasted(headers=[TEXT_COLUMN], mapping={"text": TEXT_COLUMN}, records=records)


def _read_table(lines: str) -> Pasted:
    # Spreadsheets quote cells holding tabs, line breaks or quotes; csv reads them back.
    reader = csv.reader(io.StringIO(lines), delimiter="\t")
    header, records = None, []
    line = 0
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                continue
            values = dict(zip(header, row, strict=False))
            records.append(Record(location=_("line %(line)d") % {"line": start}, values=values))
    except csv.Error as error:
        raise SourceError(
            _("Line %(line)d cannot be read: %(error)s") % {"line": line + 1, "error": error}
        ) from None
    mapping = detect_mapping(header)
    if "text" not in mapping and "score" not in mapping:
        raise MappingError(
            _(
                "No column of the pasted table holds the observation text or a score. Name "
                "them in the first row (for example Текст, Респондент, Дата, Теги, NPS); "
                "its columns are: %(columns)s."
            )
            % {"columns": ", ".join(name for name in header if name) or "—"}
        )
    mapping = {name: mapping[name] for name in FIELDS if name in mapping}
    return Pasted(headers=header, mapping=mapping, records=records)
