"""From raw import records to observation rows: column mapping and value parsing.

Column names are matched in Russian and English ("Комментарий", "Comment", "Текст"...), and
values are read the way spreadsheets write them: DD.MM.YYYY dates, decimal commas, tags
separated by ";" or ",", kinds and metrics by code or by their label in either language.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from ..models import Observation
from ..text import normalize_name

# The fields an import can fill, in the order the admin shows them.
FIELDS = (
    "text", "kind", "participant", "date", "tags", "source_url", "source_ref", "external_id",
    "metric", "score",
)  # fmt: skip

# Header names recognised for each field, compared after normalize_header().
HEADER_NAMES = {
    "text": [
        "text", "comment", "comments", "quote", "answer", "feedback", "message", "body", "note",
        "verbatim", "why", "текст", "комментарий", "комментарии", "цитата", "ответ", "отзыв",
        "сообщение", "фидбек", "заметка", "почему", "причина оценки", "текст отзыва",
        "текст обращения",
    ],
    "kind": ["kind", "type", "observation type", "тип", "вид", "тип наблюдения"],
    "participant": [
        "participant", "participant code", "participant id", "respondent", "respondent id",
        "participant_code", "участник", "код участника", "респондент", "id респондента",
        "код респондента",
    ],
    "date": [
        "date", "observed on", "observed_on", "created", "created at", "submitted at",
        "timestamp", "дата", "дата ответа", "дата обращения", "дата отзыва", "дата наблюдения",
    ],
    "tags": ["tags", "tag", "labels", "label", "теги", "тег", "метки", "метка", "темы"],
    "source_url": ["source url", "source_url", "url", "link", "ссылка", "ссылка на источник"],
    "source_ref": [
        "source ref", "source_ref", "reference", "ticket", "ticket number", "timecode",
        "источник", "номер обращения", "номер тикета", "таймкод", "тайм-код",
    ],
    "external_id": [
        "external id", "external_id", "id", "response id", "record id", "uuid",
        "внешний id", "идентификатор", "id ответа", "номер ответа",
    ],
    "metric": ["metric", "метрика"],
    "score": [
        "score", "rating", "grade", "value", "оценка", "балл", "баллы", "значение",
        "nps", "csat", "ces", "оценка nps", "оценка csat", "оценка ces", "nps score",
        "csat score", "ces score",
    ],
}  # fmt: skip

_NON_WORD = re.compile(r"[^\w]+")
_METRIC_IN_HEADER = re.compile(r"\b(nps|csat|ces)\b")
_TAG_SEPARATORS = re.compile(r"[;,]")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def normalize_header(name: str) -> str:
    """Case, ё/е, underscores and punctuation folded: "Код_участника" -> "код участника"."""
    return _NON_WORD.sub(" ", normalize_name(name).replace("_", " ")).strip()


_KNOWN_HEADERS = {
    normalize_header(name): field_name
    for field_name, names in HEADER_NAMES.items()
    for name in names
}


def detect_mapping(headers: list[str]) -> dict[str, str]:
    """Import field -> column, for the columns whose names are recognised."""
    mapping: dict[str, str] = {}
    for header in headers:
        field_name = _KNOWN_HEADERS.get(normalize_header(header))
        if field_name and field_name not in mapping:
            mapping[field_name] = header
    return mapping


def metric_from_header(header: str | None) -> str:
    """The metric a score column's name implies ("Оценка NPS" -> nps), or ""."""
    match = _METRIC_IN_HEADER.search(normalize_header(header or ""))
    return match.group(1) if match else ""


class MappingError(ValueError):
    """A column mapping names a field or a column that does not exist."""


def check_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """The mapping with columns matched to the file's headers (ignoring case)."""
    by_normal = {normalize_header(header): header for header in headers}
    checked = {}
    for field_name, column in mapping.items():
        if field_name not in FIELDS:
            raise MappingError(
                _("Unknown field “%(field)s”; the fields are: %(fields)s.")
                % {"field": field_name, "fields": ", ".join(FIELDS)}
            )
        if not column:
            continue
        header = by_normal.get(normalize_header(column))
        if header is None:
            raise MappingError(
                _("The file has no column “%(column)s”; its columns are: %(columns)s.")
                % {"column": column, "columns": ", ".join(headers)}
            )
        checked[field_name] = header
    return checked


def _choice_lookup(choices) -> dict[str, str]:
    """Every way of writing a choice (code, English and Russian label) -> its code."""
    lookup = {}
    for code, label in choices:
        lookup[normalize_header(code)] = code
        for language in ("en", "ru"):
            with override(language):
                lookup[normalize_header(str(label))] = code
    return lookup


# Everyday words for kinds, beyond the choice labels themselves.
KIND_SYNONYMS = {
    "цитата": "quote", "заметка": "note", "ответ": "survey_answer", "ответ на опрос":
    "survey_answer", "answer": "survey_answer", "ticket": "support_ticket", "тикет":
    "support_ticket", "обращение": "support_ticket", "жалоба": "support_ticket", "отзыв":
    "review", "метрика": "metric", "оценка": "metric", "запись": "recording", "артефакт":
    "artifact",
}  # fmt: skip


def scalar_text(value) -> str | None:
    """A JSON value as text: strings as they are, numbers written out, null as "".

    None for true/false, lists and objects, which no single field can hold.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an integer too long for Python to write out
            return None
    return None


def json_type_name(value) -> str:
    """The JSON type of a value, as a person would name it."""
    if isinstance(value, bool):
        return pgettext("JSON type", "true or false")
    if isinstance(value, str):
        return pgettext("JSON type", "text")
    if isinstance(value, int | float | Decimal):
        return pgettext("JSON type", "a number")
    if isinstance(value, list):
        return pgettext("JSON type", "a list")
    if isinstance(value, dict):
        return pgettext("JSON type", "an object")
    return pgettext("JSON type", "null")


def odd_type_message(value) -> str:
    return _("Expected text or a number, found %(type)s.") % {"type": json_type_name(value)}


def _value_problems(raw: dict, tags: list[str]) -> dict[str, list[str]]:
    """Values no field can take: odd JSON types, and characters no database stores (which
    no text a person wrote contains)."""
    values = [*raw.values(), *tags]
    if all(type(value) is str for value in values) and not _UNSTORABLE.search("".join(values)):
        return {}  # every CSV row that is fine: one search instead of one per field
    errors: dict[str, list[str]] = {}
    for name, value in raw.items():
        items = value if name == "tags" and isinstance(value, list) else [value]
        for item in items:
            text = scalar_text(item)
            if text is None:
                errors[name] = [odd_type_message(item)]
                break
            if problem := _unstorable(text):
                errors[name] = [problem]
                break
    if "tags" not in errors and (problem := _unstorable("".join(tags))):
        errors["tags"] = [problem]
    return errors


# NUL, and halves of UTF-16 surrogate pairs (a JSON "\ud800" escape): no database stores them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(text: str) -> str | None:
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return _("Contains a NUL character (code 0), which cannot be stored; remove it.")
    return _("Contains a character that is not valid Unicode (a lone surrogate); remove it.")


class RowParser:
    """Turns one record's raw values into an observation row for observations_bulk_upsert."""

    def __init__(
        self,
        mapping: dict[str, str],
        *,
        default_kind: str = "",
        default_metric: str = "",
        per_record: bool = False,
    ):
        self.mapping = mapping
        # JSON Lines objects name their own keys, and later ones may have keys the first
        # lacks: each key set is mapped on its own, with the given mapping on top.
        self.per_record = per_record
        self._mappings: dict[tuple, dict[str, str]] = {}
        self.default_kind = default_kind
        self.default_metric = default_metric or metric_from_header(mapping.get("score"))
        self._kinds = {**_choice_lookup(Observation.Kind.choices), **KIND_SYNONYMS}
        self._metrics = _choice_lookup(Observation.Metric.choices)

    def parse(self, record) -> tuple[dict, list[str], dict[str, list[str]]]:
        """(row without tags, tag names, errors by field) for one record."""
        if record.problems:
            return {"text": ""}, [], dict(record.problems)
        raw = record.values if record.mapped else self._mapped_values(record.values)
        errors = _value_problems(raw, record.tags)
        if errors:
            return {"text": ""}, [], errors
        row: dict = {"text": _text(raw.get("text"))}
        for name in ("source_url", "source_ref", "external_id"):
            row[name] = _text(raw.get(name))
        row["participant_code"] = participant_code(_text(raw.get("participant")))
        self._parse_into(row, raw, errors)
        tags = list(record.tags) or split_tags(raw.get("tags"))
        return row, tags, errors

    def _mapped_values(self, values: dict) -> dict:
        mapping = self.mapping
        if self.per_record:
            keys = tuple(values)
            if keys not in self._mappings:
                self._mappings[keys] = {**detect_mapping(list(keys)), **self.mapping}
            mapping = self._mappings[keys]
        return {field_name: values.get(column) for field_name, column in mapping.items()}

    def _parse_into(self, row: dict, raw: dict, errors: dict) -> None:
        try:
            row["observed_on"] = parse_date(raw.get("date"))
        except ValueError as error:
            errors["observed_on"] = [str(error)]
        score_text = _text(raw.get("score"))
        metric_text = _text(raw.get("metric"))
        metric = self._metrics.get(normalize_header(metric_text)) if metric_text else None
        if metric_text and metric is None:
            errors["metric"] = [_("Unknown metric “%(value)s”.") % {"value": metric_text}]
        if score_text:
            try:
                row["score"] = parse_score(score_text)
            except ValueError as error:
                errors["score"] = [str(error)]
            row["metric"] = metric or self.default_metric
        else:
            row["score"], row["metric"] = None, metric or ""
        kind_text = _text(raw.get("kind"))
        kind = self._kinds.get(normalize_header(kind_text)) if kind_text else None
        if kind_text and kind is None:
            errors["kind"] = [_("Unknown kind “%(value)s”.") % {"value": kind_text}]
        if not kind:
            kind = self.default_kind or _kind_by_content(row)
        row["kind"] = kind


def _kind_by_content(row: dict) -> str:
    """A score with a comment is a survey answer, a bare score a metric reading."""
    if row.get("score") is None:
        return "quote"
    return "survey_answer" if row["text"] else "metric"


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def participant_code(value: str) -> str:
    """A participant code; a purely numeric respondent ID becomes R-<id>."""
    return f"R-{value}" if value.isdigit() else value


def split_tags(value) -> list[str]:
    """Tag names from "a; b, c" (or a JSON list)."""
    if not value:
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in _TAG_SEPARATORS.split(str(value)) if part.strip()]


def parse_date(value) -> date | None:
    """ISO dates and date-times, and DD.MM.YYYY (as Russian spreadsheets write them)."""
    text = _text(value)
    if not text:
        return None
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date: write YYYY-MM-DD or DD.MM.YYYY.") % {"value": text}
        ) from None


def parse_score(value: str) -> Decimal:
    """A number, with a decimal point or comma."""
    try:
        score = Decimal(value.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not score.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    return score
