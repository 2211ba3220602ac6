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
from django.utils.translation import gettext as _

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
            except ValueError:
                pass
        return "telegram"
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as such, else Windows-1251."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
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
    """The header row and an iterator of records keyed by header (the stream must seek)."""
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
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except (csv.Error, UnicodeDecodeError) as error:
        text.detach()
        message = _("The header row cannot be read: %(error)s") % {"error": error}
        raise SourceError(message) from None
    if not any(header):
        text.detach()
        raise SourceError(_("The first row must name the columns."))

    def records() -> Iterator[Record]:
        line = reader.line_num
        try:
            for row in reader:
                start, line = line + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                yield Record(
                    location=_("line %(line)d") % {"line": start},
                    values=dict(zip(header, row, strict=False)),
                )
        except UnicodeDecodeError as error:
            raise SourceError(
                _("Line %(line)d is not in the %(encoding)s encoding.")
                % {"line": line + 1, "encoding": encoding}
            ) from error
        except csv.Error as error:
            raise SourceError(
                _("Line %(line)d cannot be read: %(error)s") % {"line": line + 1, "error": error}
            ) from None
        finally:
            # The caller owns the file: let go of it without closing it.
            text.detach()

    return header, records()


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
    for number, raw in enumerate(stream, start=1):
        raw = raw.strip().lstrip(codecs.BOM_UTF8)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError as error:
            raise SourceError(
                _("Line %(line)d is not valid JSON: %(error)s") % {"line": number, "error": error}
            ) from None
        if not isinstance(value, dict):
            raise SourceError(_("Line %(line)d is not a JSON object.") % {"line": number})
        yield Record(location=_("line %(line)d") % {"line": number}, values=value)


def read_telegram(stream: BinaryIO) -> tuple[list[str], Iterator[Record]]:
    """Messages of a Telegram Desktop export (result.json), streamed; service messages skipped.

    Each message becomes a record already mapped to import fields: text assembled from its
    text entities, date, the author as a pseudonymous participant code, hashtags as tags,
    the message link as source_ref and a stable external_id for re-imports.
    """

    def records() -> Iterator[Record]:
        try:
            chat_id, chat_type = _telegram_chat(stream)
            # The chat's id and type come before its messages; a second pass streams them.
            stream.seek(0)
            for message in ijson.items(stream, "messages.item", use_float=True):
                if isinstance(message, dict):
                    record = telegram_record(message, chat_id, chat_type)
                    if record is not None:
                        yield record
        except ijson.JSONError as error:
            message = _("The file is not valid JSON: %(error)s") % {"error": error}
            raise SourceError(message) from None

    return ["text", "date", "participant", "tags", "source_ref", "external_id"], records()


def _telegram_chat(stream: BinaryIO) -> tuple[object, str]:
    """The exported chat's id and type, read up to the start of its message list."""
    chat_id, chat_type = None, ""
    for prefix, event, value in ijson.parse(stream):
        if prefix == "id" and event in {"number", "string"}:
            chat_id = value
        elif prefix == "type" and event == "string":
            chat_type = value
        elif prefix == "messages" and event == "start_array":
            return chat_id, chat_type
    raise SourceError(_("This is not a Telegram export: it has no message list."))


def telegram_record(message: dict, chat_id, chat_type: str) -> Record | None:
    """One Telegram message as a record, or None for service and empty messages."""
    if message.get("type") != "message":
        return None
    entities = message.get("text_entities")
    if entities is None:
        raw = message.get("text", "")
        entities = raw if isinstance(raw, list) else [{"type": "plain", "text": raw}]
    parts, hashtags = [], []
    for entity in entities:
        if isinstance(entity, str):
            parts.append(entity)
            continue
        text = entity.get("text", "")
        parts.append(text)
        if entity.get("type") == "hashtag":
            hashtags.append(text.lstrip("#"))
    text = "".join(parts).strip()
    if not text:
        return None
    message_id = message.get("id")
    author = str(message.get("from_id") or message.get("actor_id") or "")
    values = {
        "text": text,
        "date": str(message.get("date", ""))[:10],
        "participant": telegram_participant_code(author) if author else "",
        "source_ref": telegram_link(chat_id, chat_type, message_id),
        "external_id": f"telegram:{chat_id}:{message_id}",
    }
    return Record(
        location=_("message %(id)s") % {"id": message_id},
        values=values,
        mapped=True,
        tags=hashtags,
    )


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
