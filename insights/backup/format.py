"""The backup file format: its name and version, the lists it holds in order, and the checks
a file passes before any of its rows is read."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..models import (
    Decision,
    DecisionStatusChange,
    Evidence,
    Insight,
    InsightLink,
    Observation,
    Participant,
    Study,
    Tag,
    TagAlias,
    TagGroup,
)

FORMAT = "insight-repository-backup"
VERSION = 1
# Rows read per query when writing a backup, and written per statement when restoring one.
CHUNK_SIZE = 1000


class BackupError(Exception):
    """A backup that cannot be read or restored; the message says what is wrong, in words."""


@dataclass(frozen=True)
class Section:
    """One list in the backup: which model, and how its columns and relations are written."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]
    # Foreign key -> the section whose ids it holds.
    references: tuple[tuple[str, str], ...] = ()
    # Foreign keys to users, written as usernames (user ids differ between installations).
    users: tuple[str, ...] = ()
    # Many-to-many field -> the section whose ids it holds (written as sorted id lists).
    many: tuple[tuple[str, str], ...] = ()
    # Keys added after files of this version were first written, with the value a file
    # without them means (files written before decision targets existed still restore).
    added: tuple[tuple[str, object], ...] = ()

    @property
    def label(self) -> str:
        return capfirst(str(self.model._meta.verbose_name))

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of every row, in the order they are written."""
        return (
            *self.fields,
            *(name for name, _target in self.references),
            *self.users,
            *(name for name, _target in self.many),
        )

    def row_name(self, pk) -> str:
        """How problems name a row: "Insight 12"."""
        return f"{self.label} {pk}"


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# In dependency order: every section refers only to itself and the ones before it.
SECTIONS = (
    Section(
        "tag_groups",
        TagGroup,
        ("id", "slug", "name", "description", "position", "review_months"),
        added=(("review_months", None),),
    ),
    Section(
        "tags",
        Tag,
        ("id", "name", "slug", "description", "position", "created_at"),
        references=(("group", "tag_groups"), ("parent", "tags")),
        added=(("position", 0),),
    ),
    Section("tag_aliases", TagAlias, ("id", "name"), references=(("tag", "tags"),)),
    Section(
        "participants",
        Participant,
        ("id", "code", "notes", "consent_expires_on", "created_at"),
        many=(("tags", "tags"),),
    ),
    Section(
        "studies",
        Study,
        _columns(
            "id title slug research_questions method status started_on finished_on "
            "team summary report_url created_at updated_at"
        ),
        users=("owner",),
        many=(("tags", "tags"),),
    ),
    Section(
        "observations",
        Observation,
        _columns(
            "id kind text observed_on source_url source_ref external_id metric score "
            "scrubbed_count content_hash created_at updated_at"
        ),
        references=(("study", "studies"), ("participant", "participants")),
        users=("created_by",),
        many=(("tags", "tags"),),
    ),
    Section(
        "insights",
        Insight,
        _columns(
            "id statement details status review_by confidence supporting_count "
            "contradicting_count participant_count study_count methods created_at "
            "updated_at published_at reviewed_at"
        ),
        references=(("superseded_by", "insights"),),
        users=("owner",),
        many=(("tags", "tags"),),
        added=(("reviewed_at", None),),
    ),
    Section(
        "evidence",
        Evidence,
        ("id", "relation", "note", "created_at"),
        references=(("insight", "insights"), ("observation", "observations")),
    ),
    Section(
        "insight_links",
        InsightLink,
        ("id", "kind", "created_at"),
        references=(("from_insight", "insights"), ("to_insight", "insights")),
    ),
    Section(
        "decisions",
        Decision,
        _columns(
            "id title description status decided_on shipped_on external_url outcome "
            "target_metric created_at updated_at"
        ),
        users=("owner",),
        many=(("insights", "insights"), ("target_tags", "tags")),
        added=(("shipped_on", None), ("target_metric", ""), ("target_tags", [])),
    ),
    Section(
        "decision_status_changes",
        DecisionStatusChange,
        ("id", "from_status", "to_status", "changed_at", "note"),
        references=(("decision", "decisions"),),
        users=("changed_by",),
    ),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}
SECTION_KEYS = ("users", *SECTION_BY_KEY)


def link_table(model: type[models.Model], name: str) -> tuple[type[models.Model], str, str]:
    """A many-to-many field's link model, and its columns for this side and for the other."""
    relation = model._meta.get_field(name)
    source, target = f"{relation.m2m_field_name()}_id", f"{relation.m2m_reverse_field_name()}_id"
    return relation.remote_field.through, source, target


def encode(value):
    """A column value as JSON: ISO dates and times, decimals as exact strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def value_problem(model_field: models.Field, value) -> str | None:
    """Why ``value`` cannot even be offered to the field's own checks, if it cannot."""
    if value is None:
        return None if model_field.null else _("“%(field)s” cannot be null.")
    if isinstance(value, str):
        return None
    if isinstance(model_field, models.CharField | models.TextField):
        # to_python() would quietly turn a list or a number into its repr.
        return _("“%(field)s” must be text.")
    if isinstance(model_field, models.DateField):
        # to_python() fails on anything but text with a TypeError, not a message.
        return _("“%(field)s” must be a date written as text (ISO 8601).")
    return None


def load_backup(file: IO[str]) -> dict:
    """Parse a backup file and check its format and version (not yet its rows)."""
    try:
        data = json.load(file)
    except json.JSONDecodeError as error:
        raise BackupError(
            _("The file is not valid JSON (line %(line)d, column %(column)d: %(error)s).")
            % {"line": error.lineno, "column": error.colno, "error": error.msg}
        ) from error
    except UnicodeDecodeError as error:
        raise BackupError(_("The file is not UTF-8 text: %(error)s.") % {"error": error}) from error
    except RecursionError:
        raise BackupError(_("The file is not a backup: it nests values too deeply.")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(
            _(
                "This is not an insight repository backup: its “format” is not “%(format)s”. "
                "Make one with: python manage.py export_repository PATH"
            )
            % {"format": FORMAT}
        )
    _check_version(data.get("version"))
    _check_lists(data)
    return data


def _check_version(version) -> None:
    if not is_id(version):
        raise BackupError(
            _(
                "The backup's format version (%(version)s) is unknown; this installation reads "
                "version %(supported)d."
            )
            % {"version": version, "supported": VERSION}
        )
    if version > VERSION:
        raise BackupError(
            _(
                "The backup was written by a newer version of the application (format version "
                "%(version)d); this installation reads version %(supported)d. Upgrade the "
                "application, then import again."
            )
            % {"version": version, "supported": VERSION}
        )


def _check_lists(data: dict) -> None:
    """Every list is there, holds objects, and is as long as the header's counts say."""
    counts = data.get("counts")
    for key in SECTION_KEYS:
        rows = data.get(key)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise BackupError(
                _("The backup has no valid “%(section)s” list (a list of objects).")
                % {"section": key}
            )
        expected = counts.get(key) if isinstance(counts, dict) else None
        if expected != len(rows):
            raise BackupError(
                _(
                    "The backup is incomplete or was edited: “counts” says %(expected)s "
                    "%(section)s, the file holds %(found)d."
                )
                % {"expected": expected, "section": key, "found": len(rows)}
            )
