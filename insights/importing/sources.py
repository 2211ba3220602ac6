"""Reading import files as a stream of records: CSV, JSON Lines and Telegram exports.

Every reader yields ``Record`` objects one at a time, so a file of a million rows is never
held in memory. A record knows where it came from (line or message), for error messages.
"""

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import ijson
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import bounded_json
from .bounded_json import MAX_DEPTH, MAX_VALUE_BYTES, LimitExceeded, TooDeep
from .rows import json_type_name, odd_type_message, scalar_text

FORMATS = ("csv", "jsonl", "telegram")
SAMPLE_SIZE = 64 * 1024


class SourceError(Exception):
    """The file cannot be read at all (wrong format, encoding, broken JSON...)."""


@dataclass
class Record:
    """One raw row: values by column name (CSV, JSON Lines) or by import field (Telegram)."""

    location: str
    values: dict
    # Telegram records arrive already mapped to import fields; CSV and JSON Lines do not.
    mapped: bool = False
    tags: list[str] = field(default_factory=list)
    # Problems found while reading (a ragged row, an odd value): field -> messages, where
    # "" is the whole record. Such a record is reported, never imported.
    problems: dict[str, list[str]] = field(default_factory=dict)


def guess_format(name: str, sample: bytes) -> str:
    """csv, jsonl or telegram, from the file name and its first bytes."""
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    stripped = sample.lstrip(codecs.BOM_UTF8).lstrip()
    if lowered.endswith(".json") or stripped.startswith(b"{"):
        # A Telegram export is one object with a "messages" list; JSON Lines is one object
        # per line, so its first line closes before the first newline.
        first_line = stripped.split(b"\n", 1)[0].strip()
        if first_line.startswith(b"{") and first_line.endswith(b"}") and b"\n" in stripped:
            try:
                json.loads(first_line)
                return "jsonl"
            except RecursionError:
                return "jsonl"  # an object on one line, too deep to read: JSON Lines says so
            except ValueError:
                pass
        return "telegram"
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as such, else Windows-1251."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text": read as UTF-8 or Windows-1251, every other byte is a NUL.
        return "utf-16"
    try:
        # An incremental decoder tolerates a character cut in half at the sample's end.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def detect_delimiter(text_sample: str) -> str:
    """Comma, semicolon or tab: whichever splits the first lines most consistently."""
    try:
        return csv.Sniffer().sniff(text_sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = text_sample.split("\n", 1)[0]
        return max(",;\t", key=first.count)


@dataclass
class CsvOptions:
    encoding: str = ""  # "" = detect
    delimiter: str = ""  # "" = detect


def read_csv(stream: BinaryIO, options: CsvOptions) -> tuple[list[str], Iterator[Record]]:
    """The header row and an iterator of records keyed by header (the stream must seek).

    A row with too few or too many fields, or a broken quote, becomes a record with a
    problem, named by the line where the row (and so the quote) starts.
    """
    sample = stream.read(SAMPLE_SIZE)
    stream.seek(0)
    if not sample.strip():
        raise SourceError(_("The file is empty."))
    encoding = options.encoding or detect_encoding(sample)
    if encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"  # drops a BOM when there is one
    try:
        text_sample = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except (LookupError, UnicodeDecodeError) as error:
        raise SourceError(
            _("The file is not in the %(encoding)s encoding.") % {"encoding": encoding}
        ) from error
    delimiter = options.delimiter or detect_delimiter(text_sample)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    # Strict: a quote left open or followed by stray text is an error rather than a row
    # that silently swallows the lines after it.
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as error:
        text.detach()
        problem = _quote_problem(error, start=1, end=reader.line_num)
        raise SourceError(
            _("Line 1 (the header row): %(problem)s") % {"problem": problem}
        ) from None
    except StopIteration:
        text.detach()
        raise SourceError(_("The file is empty.")) from None
    except UnicodeDecodeError as error:
        text.detach()
        message = _("The header row cannot be read: %(error)s") % {"error": error}
        raise SourceError(message) from None
    if not any(header):
        text.detach()
        raise SourceError(_("The first row must name the columns."))
    # Rows may leave out unnamed columns at the end of the header, never a named one.
    width = len(header)
    named = max(position + 1 for position, name in enumerate(header) if name)

    def records() -> Iterator[Record]:
        line = reader.line_num
        try:
            while True:
                start = line + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    line = reader.line_num
                    yield Record(
                        location=_("line %(line)d") % {"line": start},
                        values={},
                        problems={"": [_quote_problem(error, start=start, end=line)]},
                    )
                    continue
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                problem = (
                    None
                    if len(row) == width
                    else _field_count_problem(row, width, named, start=start, end=line)
                )
                yield Record(
                    location=_("line %(line)d") % {"line": start},
                    values=dict(zip(header, row, strict=False)),
                    problems={"": [problem]} if problem else {},
                )
        except UnicodeDecodeError as error:
            raise SourceError(
                _("Line %(line)d is not in the %(encoding)s encoding.")
                % {"line": line + 1, "encoding": encoding}
            ) from error
        finally:
            # The caller owns the file: let go of it without closing it.
            text.detach()

    return header, records()


def _quote_problem(error: csv.Error, *, start: int, end: int) -> str:
    """What a strict reader's error means, for the row that starts on line ``start``."""
    reason = str(error)
    if "field limit" in reason:
        return _(
            "A value is longer than %(limit)d characters: a quote opened on this line is "
            "probably never closed."
        ) % {"limit": csv.field_size_limit()}
    if "end of data" in reason:
        return _("A quote opened on this line is never closed.")
    if end > start:
        return _("A quote opened on this line is not closed (the value runs to line %(end)d).") % {
            "end": end
        }
    if "expected after" in reason:
        return _(
            "A quoted value is followed by more text; write a quote inside a value as two "
            'quotes ("").'
        )
    return _("This line cannot be read: %(error)s") % {"error": error}


def _field_count_problem(row: list[str], width: int, named: int, *, start: int, end: int):
    """Why a row's fields do not line up with the header's columns, or None."""
    too_few = len(row) < named
    too_many = any(cell.strip() for cell in row[width:])  # empty extras lose nothing
    if not (too_few or too_many):
        return None
    counts = {"found": len(row), "expected": width, "end": end}
    if end > start:
        # A quoted value that ran over several lines and left the fields askew: its quote
        # closed somewhere it should not have.
        return (
            _(
                "The row runs on to line %(end)d and has %(found)d fields instead of "
                "%(expected)d: a quote opened on this line is probably not closed."
            )
            % counts
        )
    if too_few:
        return (
            _("Too few fields: %(found)d instead of %(expected)d, as in the header row.") % counts
        )
    return (
        _(
            "Too many fields: %(found)d instead of %(expected)d, as in the header row; the "
            "extra values would be lost."
        )
        % counts
    )


def read_jsonl(stream: BinaryIO) -> tuple[list[str], Iterator[Record]]:
    """Keys of the first object and an iterator of records, one per non-empty line."""
    lines = _jsonl_objects(stream)
    try:
        first = next(lines)
    except StopIteration:
        raise SourceError(_("The file is empty.")) from None

    def records() -> Iterator[Record]:
        yield first
        yield from lines

    return list(first.values), records()


def _jsonl_objects(stream: BinaryIO) -> Iterator[Record]:
    number = 0
    # At most one record's worth of bytes at a time, however long the line.
    while raw := stream.readline(MAX_VALUE_BYTES + 1):
        number += 1
        if len(raw) > MAX_VALUE_BYTES and not raw.endswith(b"\n"):
            raise SourceError(
                _("Line %(line)d is longer than %(size)s.")
                % {"line": number, "size": filesizeformat(MAX_VALUE_BYTES)}
            )
        raw = raw.strip().lstrip(codecs.BOM_UTF8)
        if not raw:
            continue
        try:
            value = json.loads(raw)
            too_deep = bounded_json.depth_exceeds(value)
        except RecursionError:
            too_deep = True
        except ValueError as error:
            raise SourceError(
                _("Line %(line)d is not valid JSON: %(error)s") % {"line": number, "error": error}
            ) from None
        if too_deep:
            raise SourceError(
                _("Line %(line)d is nested more than %(depth)d levels deep.")
                % {"line": number, "depth": MAX_DEPTH}
            )
        if not isinstance(value, dict):
            raise SourceError(_("Line %(line)d is not a JSON object.") % {"line": number})
        yield Record(location=_("line %(line)d") % {"line": number}, values=value)


def read_telegram(stream: BinaryIO) -> tuple[list[str], Iterator[Record]]:
    """Messages of a Telegram Desktop export (result.json), streamed; service messages skipped.

    Each message becomes a record already mapped to import fields: text assembled from its
    text entities, date, the author as a pseudonymous participant code, hashtags as tags,
    the message link as source_ref and a stable external_id for re-imports. Nesting and the
    size of one message are bounded (see bounded_json).
    """
    reader = _TelegramReader(stream)
    return ["text", "date", "participant", "tags", "source_ref", "external_id"], reader.records()


class _TelegramReader:
    def __init__(self, stream: BinaryIO):
        self.events = bounded_json.Events(stream)
        self.chat_id, self.chat_type = None, ""
        self.where = ""  # the message being read, for errors

    def records(self) -> Iterator[Record]:
        try:
            yield from self._export()
        except LimitExceeded as error:
            raise SourceError(self._limit_message(error)) from None
        except (ijson.JSONError, ValueError) as error:
            # ValueError: a number too long for Python to convert.
            message = _("The file is not valid JSON: %(error)s") % {"error": error}
            raise SourceError(message) from None

    def _limit_message(self, error: LimitExceeded) -> str:
        values = {"depth": MAX_DEPTH, "size": filesizeformat(MAX_VALUE_BYTES), "where": self.where}
        if isinstance(error, TooDeep) and self.where:
            return _("The file nests values more than %(depth)d levels deep (%(where)s).") % values
        if isinstance(error, TooDeep):
            return _("The file nests values more than %(depth)d levels deep.") % values
        if self.where:
            return _("The file holds a value over %(size)s (%(where)s).") % values
        return _("The file holds a value over %(size)s.") % values

    def _export(self) -> Iterator[Record]:
        events = self.events
        event, _value = next(events)
        found = False
        if event == "start_map":
            for event, key in events:
                if event == "end_map":
                    break
                event, value = next(events)  # the value of ``key``
                if key == "messages" and event == "start_array":
                    found = True
                    yield from self._messages()
                elif key == "id" and event in {"number", "string"}:
                    self.chat_id = value
                elif key == "type" and event == "string":
                    self.chat_type = value
                else:
                    events.skip(event)
        if not found:
            raise SourceError(_("This is not a Telegram export: it has no message list."))

    def _messages(self) -> Iterator[Record]:
        events = self.events
        for position, (event, value) in enumerate(events, start=1):
            if event == "end_array":
                self.where = ""
                return
            self.where = _("item %(number)d of the message list") % {"number": position}
            try:
                message = events.build(event, value)
            except LimitExceeded:
                self.where = _message_location(events.partial, position)
                raise
            record = telegram_record(message, self.chat_id, self.chat_type, position=position)
            if record is not None:
                yield record


def _message_location(message, position: int) -> str:
    """'message 42' by its id when it has a plain one, else its place in the list."""
    message_id = scalar_text(message.get("id")) if isinstance(message, dict) else None
    if message_id and message_id.strip() and message_id.isprintable() and len(message_id) < 40:
        return _("message %(id)s") % {"id": message_id}
    return _("item %(number)d of the message list") % {"number": position}


def telegram_record(message, chat_id, chat_type: str, *, position: int = 0) -> Record | None:
    """One Telegram message as a record, or None for service and empty messages.

    Values of an unexpected type are read when they make sense (a number as text) and
    otherwise reported as the record's problems.
    """
    location = _message_location(message, position)
    if not isinstance(message, dict):
        problem = _("Expected a message (a JSON object), found %(type)s.") % {
            "type": json_type_name(message)
        }
        return Record(location=location, values={}, mapped=True, problems={"": [problem]})
    if message.get("type") != "message":
        return None
    problems: dict[str, list[str]] = {}
    text, hashtags = _telegram_text(message, problems)
    if not text and not problems:
        return None  # a photo or sticker without a caption

    def scalar(value, field_name: str) -> str:
        found = scalar_text(value)
        if found is None:
            problems[field_name] = [odd_type_message(value)]
            return ""
        return found.strip()

    author = message.get("from_id")
    if author is None or author == "":
        author = message.get("actor_id")
    author = scalar(author, "participant")
    date = scalar(message.get("date"), "date")
    message_id = scalar(message.get("id"), "external_id")
    if not message_id and "external_id" not in problems:
        problems["external_id"] = [_("The message has no id.")]
    values = {
        "text": text,
        "date": date,
        "participant": telegram_participant_code(author) if author else "",
        "source_ref": telegram_link(chat_id, chat_type, message_id),
        "external_id": f"telegram:{chat_id}:{message_id}",
    }
    return Record(location=location, values=values, mapped=True, tags=hashtags, problems=problems)


def _telegram_text(message: dict, problems: dict) -> tuple[str, list[str]]:
    """The message's text and hashtags, from its text entities or else its text."""
    entities = message.get("text_entities")
    if not isinstance(entities, list):
        raw = message.get("text")
        entities = raw if isinstance(raw, list) else [{"type": "plain", "text": raw}]
    parts, hashtags = [], []
    for entity in entities:
        piece = entity.get("text") if isinstance(entity, dict) else entity
        text = scalar_text(piece)
        if text is None:
            problems["text"] = [odd_type_message(piece)]
            return "", []
        parts.append(text)
        if isinstance(entity, dict) and entity.get("type") == "hashtag":
            hashtags.append(text.lstrip("#"))
    return "".join(parts).strip(), hashtags


def telegram_participant_code(author_id: str) -> str:
    """A stable pseudonymous code for a Telegram author: no name or user ID is stored."""
    digest = hashlib.sha256(f"telegram:{author_id}".encode()).hexdigest()[:8].upper()
    return f"TG-{digest}"


TELEGRAM_GROUP_TYPES = {
    "public_channel", "private_channel", "public_supergroup", "private_supergroup",
}  # fmt: skip


def telegram_link(chat_id, chat_type: str, message_id) -> str:
    """A link to the message in Telegram (t.me/c/... for channels and supergroups)."""
    if chat_type in TELEGRAM_GROUP_TYPES:
        return f"https://t.me/c/{chat_id}/{message_id}"
    return f"telegram:{chat_id}/{message_id}"
