"""A complete, versioned JSON backup of the repository, and its all-or-nothing restore.

The backup holds every tag group, tag, alias, participant, study, observation, insight,
piece of evidence, insight link, decision and decision status change with its primary key and
exact timestamps, and the users they name (username, active flag and roles; never passwords
or e-mail addresses). API tokens and the search index are not in it: tokens are secrets,
and the index is rebuilt from the restored rows.
"""

import copy
import importlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import search
from .models import (
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
from .text import normalize_name

FORMAT = "insight-repository-backup"
VERSION = 1
# Rows read per query when writing a backup, and written per statement when restoring one.
CHUNK_SIZE = 1000
# A restore names at most this many problems; fixing those usually reveals the rest.
MAX_REPORTED_ERRORS = 30


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

    @property
    def label(self) -> str:
        return capfirst(str(self.model._meta.verbose_name))


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# In dependency order: every section refers only to itself and the ones before it.
SECTIONS = (
    Section("tag_groups", TagGroup, ("id", "slug", "name", "description", "position")),
    Section(
        "tags",
        Tag,
        ("id", "name", "slug", "description", "created_at"),
        references=(("group", "tag_groups"), ("parent", "tags")),
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
            "updated_at published_at"
        ),
        references=(("superseded_by", "insights"),),
        users=("owner",),
        many=(("tags", "tags"),),
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
            "id title description status decided_on external_url outcome created_at updated_at"
        ),
        users=("owner",),
        many=(("insights", "insights"),),
    ),
    Section(
        "decision_status_changes",
        DecisionStatusChange,
        ("id", "from_status", "to_status", "changed_at", "note"),
        references=(("decision", "decisions"),),
        users=("changed_by",),
    ),
)
SECTION_KEYS = ("users", *(section.key for section in SECTIONS))


def _default_group_slugs() -> set[str]:
    """The tag groups the data migration creates in every repository."""
    migration = importlib.import_module("insights.migrations.0002_default_tag_groups")
    return {slug for slug, _name, _description in migration.DEFAULT_GROUPS}


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _encode(value):
    """A column value as JSON: ISO dates and times, decimals as exact strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _many_ids(model, name: str, ids: list[int]) -> dict[int, list[int]]:
    """For these rows: row id -> sorted ids of what the many-to-many field links (one query)."""
    relation = model._meta.get_field(name)
    through = relation.remote_field.through
    source, target = f"{relation.m2m_field_name()}_id", f"{relation.m2m_reverse_field_name()}_id"
    found: dict[int, list[int]] = {pk: [] for pk in ids}
    pairs = through.objects.filter(**{f"{source}__in": ids}).values_list(source, target)
    for owner, linked in pairs:
        found[owner].append(linked)
    return {pk: sorted(linked) for pk, linked in found.items()}


# Writing ---------------------------------------------------------------------------------------


def _user_rows() -> Iterator[dict]:
    users = get_user_model()
    username = users.USERNAME_FIELD
    rows = users.objects.order_by(username).values("pk", username, "is_active")
    for batch in _batches(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        groups: dict[int, list[str]] = {row["pk"]: [] for row in batch}
        memberships = users.groups.through.objects.filter(user_id__in=groups).values_list(
            "user_id", "group__name"
        )
        for user_id, name in memberships:
            groups[user_id].append(name)
        for row in batch:
            yield {
                "username": row[username],
                "is_active": row["is_active"],
                "groups": sorted(groups[row["pk"]]),
            }


def _section_rows(section: Section) -> Iterator[dict]:
    username = get_user_model().USERNAME_FIELD
    columns = [
        *section.fields,
        *(f"{name}_id" for name, _target in section.references),
        *(f"{name}__{username}" for name in section.users),
    ]
    rows = section.model.objects.order_by("pk").values(*columns)
    for batch in _batches(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        ids = [row["id"] for row in batch]
        many = {name: _many_ids(section.model, name, ids) for name, _target in section.many}
        for row in batch:
            record = {name: _encode(row[name]) for name in section.fields}
            record.update({name: row[f"{name}_id"] for name, _target in section.references})
            record.update({name: row[f"{name}__{username}"] for name in section.users})
            record.update({name: many[name][row["id"]] for name, _target in section.many})
            yield record


def _counts() -> dict[str, int]:
    counts = {"users": get_user_model().objects.count()}
    counts.update({section.key: section.model.objects.count() for section in SECTIONS})
    return counts


def export_backup() -> Iterator[str]:
    """The whole repository as JSON text, chunk by chunk, from one consistent snapshot.

    One row per line, so that large backups stream and two backups compare well with diff.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Counts and rows from the same moment, even while others keep writing.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        header = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            "counts": _counts(),
        }
        yield "{\n" + "".join(
            f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n"
            for key, value in header.items()
        )
        lists = [("users", _user_rows())]
        lists += [(section.key, _section_rows(section)) for section in SECTIONS]
        for position, (key, rows) in enumerate(lists):
            yield f"{json.dumps(key)}: ["
            for index, row in enumerate(rows):
                yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
            yield "\n]" + ("," if position < len(lists) - 1 else "") + "\n"
        yield "}\n"


# Reading ---------------------------------------------------------------------------------------


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
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
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
    return data


def repository_contents() -> dict[str, int]:
    """Research content already in the database (default tag groups do not count)."""
    found = {
        str(section.model._meta.verbose_name_plural): section.model.objects.count()
        for section in SECTIONS[1:]
    }
    extra_groups = TagGroup.objects.exclude(slug__in=_default_group_slugs()).count()
    found[_("tag groups besides the default ones")] = extra_groups
    return {kind: count for kind, count in found.items() if count}


def ensure_empty() -> None:
    """Refuse to restore over research content: a restore adds rows with fixed ids."""
    contents = repository_contents()
    if contents:
        found = ", ".join(f"{count} {kind}" for kind, count in contents.items())
        raise BackupError(
            _(
                "The repository is not empty (%(found)s). A backup is restored only into an "
                "empty repository: create a new database, run “python manage.py migrate”, "
                "then import."
            )
            % {"found": found}
        )


@dataclass
class RestoreSummary:
    counts: dict[str, int]
    created_users: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Problems:
    """Every problem found in the rows, each naming the entity and its id."""

    def __init__(self):
        self.messages: list[str] = []

    def add(self, what: str, message) -> None:
        self.messages.append(f"{what}: {message}")

    def add_validation(self, what: str, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                prefix = "" if name == "__all__" else f"{name}: "
                for message in messages:
                    self.add(what, prefix + message)
        else:
            for message in error.messages:
                self.add(what, message)

    def raise_if_any(self) -> None:
        if not self.messages:
            return
        shown = self.messages[:MAX_REPORTED_ERRORS]
        lines = [_("The backup cannot be restored; nothing was written:"), *shown]
        if len(self.messages) > len(shown):
            more = len(self.messages) - len(shown)
            lines.append(_("…and %(count)d more problems.") % {"count": more})
        raise BackupError("\n".join(f"- {line}" if i else line for i, line in enumerate(lines)))


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class _Restorer:
    """Checks every row of a loaded backup, then writes them all (see restore_backup)."""

    def __init__(self, data: dict):
        self.data = data
        self.problems = _Problems()
        self.user_model = get_user_model()
        self.usernames: set[str] = set()
        # section key -> {id: (instance, {many-to-many name: ids})}
        self.rows: dict[str, dict[int, tuple[models.Model, dict[str, list[int]]]]] = {}
        self.warnings: list[str] = []

    # Checks -------------------------------------------------------------------------------

    def check(self) -> None:
        self._check_users()
        for section in SECTIONS:
            self._check_section(section)
        self._check_rules()
        self.problems.raise_if_any()

    def _check_users(self) -> None:
        username_field = self.user_model._meta.get_field(self.user_model.USERNAME_FIELD)
        for index, row in enumerate(self.data["users"], start=1):
            name = row.get("username")
            what = _("User #%(index)d") % {"index": index}
            if not isinstance(name, str) or not name:
                self.problems.add(what, _("the username is missing."))
                continue
            what = _("User “%(username)s”") % {"username": name}
            if name in self.usernames:
                self.problems.add(what, _("appears twice."))
            self.usernames.add(name)
            try:
                username_field.clean(name, None)
            except ValidationError as error:
                self.problems.add_validation(what, error)
            if not isinstance(row.get("is_active"), bool):
                self.problems.add(what, _("“is_active” must be true or false."))
            groups = row.get("groups")
            if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
                self.problems.add(what, _("“groups” must be a list of group names."))

    def _check_section(self, section: Section) -> None:
        rows: dict[int, tuple[models.Model, dict[str, list[int]]]] = {}
        self.rows[section.key] = rows
        model_fields = {name: section.model._meta.get_field(name) for name in section.fields}
        excluded = [f.name for f in section.model._meta.fields if f.name not in model_fields]
        expected = [
            *section.fields,
            *(name for name, _t in section.references),
            *section.users,
            *(name for name, _t in section.many),
        ]
        for index, row in enumerate(self.data[section.key], start=1):
            pk = row.get("id")
            if not _is_id(pk):
                self.problems.add(
                    f"{section.label} #{index}", _("“id” must be a positive whole number.")
                )
                continue
            what = f"{section.label} {pk}"
            if pk in rows:
                self.problems.add(what, _("appears twice."))
                continue
            missing = [name for name in expected if name not in row]
            if missing:
                self.problems.add(
                    what, _("missing fields: %(fields)s.") % {"fields": ", ".join(missing)}
                )
                continue
            instance = section.model()
            for name, model_field in model_fields.items():
                value = row[name]
                if value is None and not model_field.null:
                    self.problems.add(what, _("“%(field)s” cannot be null.") % {"field": name})
                elif isinstance(model_field, models.CharField | models.TextField) and not (
                    isinstance(value, str) or value is None
                ):
                    # to_python() would quietly turn a list or a number into its repr.
                    self.problems.add(what, _("“%(field)s” must be text.") % {"field": name})
                    value = ""
                setattr(instance, model_field.attname, value)
            for name in section.users:
                if row[name] is not None and row[name] not in self.usernames:
                    self.problems.add(
                        what,
                        _("%(field)s “%(username)s” is not among the backup's users.")
                        % {"field": name, "username": row[name]},
                    )
            many = {}
            for name, _target in section.many:
                ids = row[name]
                if not isinstance(ids, list) or not all(_is_id(value) for value in ids):
                    self.problems.add(
                        what, _("“%(field)s” must be a list of ids.") % {"field": name}
                    )
                    ids = []
                many[name] = ids
            for name, _target in section.references:
                value = row[name]
                if value is not None and not _is_id(value):
                    self.problems.add(what, _("“%(field)s” must be an id.") % {"field": name})
                    value = None
                setattr(instance, f"{name}_id", value)
            if isinstance(instance, Tag | TagAlias):
                instance.normalized_name = normalize_name(str(instance.name or ""))
            try:
                # Only the columns the backup sets; related rows are checked against the
                # backup in _check_rules, not against the (empty) database.
                instance.clean_fields(exclude=excluded)
            except ValidationError as error:
                self.problems.add_validation(what, error)
            else:
                self._clean(instance, what)
            rows[pk] = (instance, many)

    def _clean(self, instance: models.Model, what: str) -> None:
        """The model's own rules, where they need no database (on a copy: clean() may tidy)."""
        if isinstance(instance, Tag | TagAlias):
            return  # their clean() looks names up in the database; checked in _check_rules
        try:
            copy.copy(instance).clean()
        except ValidationError as error:
            self.problems.add_validation(what, error)

    def _check_rules(self) -> None:
        by_key = {section.key: section for section in SECTIONS}
        for section in SECTIONS:
            for pk, (instance, many) in self.rows[section.key].items():
                what = f"{section.label} {pk}"
                for name, target in section.references:
                    value = getattr(instance, f"{name}_id")
                    if value is not None and value not in self.rows[target]:
                        self.problems.add(what, self._missing(name, by_key[target], value))
                    elif value is None and not section.model._meta.get_field(name).null:
                        self.problems.add(what, _("“%(field)s” is required.") % {"field": name})
                for name, target in section.many:
                    for value in many[name]:
                        if value not in self.rows[target]:
                            self.problems.add(what, self._missing(name, by_key[target], value))
            self._check_unique(section)
        self._check_tag_names()
        self._check_tag_tree()
        for pk, (insight, _many) in self.rows["insights"].items():
            what = f"{by_key['insights'].label} {pk}"
            if insight.superseded_by_id == pk:
                self.problems.add(what, _("an insight cannot be superseded by itself."))
            superseded = insight.status == Insight.Status.SUPERSEDED
            if superseded != (insight.superseded_by_id is not None):
                self.problems.add(what, _("A superseded insight names its successor."))

    @staticmethod
    def _missing(name: str, target: Section, value: int) -> str:
        return _("%(field)s refers to %(entity)s %(id)s, which is not in the backup.") % {
            "field": name,
            "entity": target.model._meta.verbose_name,
            "id": value,
        }

    def _check_unique(self, section: Section) -> None:
        """Unique columns and constraints, within the backup (the repository is empty)."""
        meta = section.model._meta
        keys = [
            ((f.attname,), False) for f in meta.concrete_fields if f.unique and not f.primary_key
        ]
        for constraint in meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                names = tuple(meta.get_field(name).attname for name in constraint.fields)
                # The only conditional one (observations' external_id) skips blank values.
                keys.append((names, constraint.condition is not None))
        for names, skip_blank in keys:
            seen: dict[tuple, int] = {}
            for pk, (instance, _many) in self.rows[section.key].items():
                value = tuple(getattr(instance, name) for name in names)
                if skip_blank and any(part in ("", None) for part in value):
                    continue
                if value in seen:
                    self.problems.add(
                        f"{section.label} {pk}",
                        _("%(fields)s repeats %(entity)s %(id)s.")
                        % {
                            "fields": ", ".join(names),
                            "entity": meta.verbose_name,
                            "id": seen[value],
                        },
                    )
                else:
                    seen[value] = pk

    def _check_tag_names(self) -> None:
        """An alias cannot take a tag's name (case and ё/е ignored); the unique constraints
        already catch two tags or two aliases with one name."""
        tag_label, alias_label = SECTIONS[1].label, SECTIONS[2].label
        tags = {tag.normalized_name: pk for pk, (tag, _many) in self.rows["tags"].items()}
        for pk, (alias, _many) in self.rows["tag_aliases"].items():
            if alias.normalized_name in tags:
                self.problems.add(
                    f"{alias_label} {pk}",
                    _("the name “%(name)s” is already the name of %(tag)s.")
                    % {"name": alias.name, "tag": f"{tag_label} {tags[alias.normalized_name]}"},
                )

    def _check_tag_tree(self) -> None:
        tags = self.rows["tags"]
        label = SECTIONS[1].label
        for pk, (tag, _many) in tags.items():
            parent = tags.get(tag.parent_id, (None,))[0]
            if parent is not None and parent.group_id != tag.group_id:
                self.problems.add(
                    f"{label} {pk}", _("The parent tag must belong to the same group.")
                )
            seen = {pk}
            while parent is not None:
                if parent.pk in seen:
                    self.problems.add(f"{label} {pk}", _("A tag cannot be its own ancestor."))
                    break
                seen.add(parent.pk)
                parent = tags.get(parent.parent_id, (None,))[0]

    # Writing ------------------------------------------------------------------------------

    def write(self) -> RestoreSummary:
        user_ids, created = self._write_users()
        group_ids = self._write_tag_groups()
        for section in SECTIONS[1:]:
            self._write_section(section, user_ids, group_ids)
        models_written = [section.model for section in SECTIONS]
        with connection.cursor() as cursor:
            # Rows came with their ids: new rows must get ids after them.
            for sql in connection.ops.sequence_reset_sql(no_style(), models_written):
                cursor.execute(sql)
        tables = [model._meta.db_table for model in models_written]
        tables += [
            section.model._meta.get_field(name).remote_field.through._meta.db_table
            for section in SECTIONS
            for name, _target in section.many
        ]
        # Ids of related rows are deferred-checked; check them now, while we can say why.
        self._save(lambda: connection.check_constraints(table_names=tables), "constraints")
        search.get_backend().rebuild()
        counts = {"users": len(self.data["users"])}
        counts.update({key: len(rows) for key, rows in self.rows.items()})
        return RestoreSummary(counts=counts, created_users=created, warnings=self.warnings)

    def _write_users(self) -> tuple[dict[str, int], list[str]]:
        users = self.user_model
        name_field = users.USERNAME_FIELD
        existing = dict(
            users.objects.filter(**{f"{name_field}__in": self.usernames}).values_list(
                name_field, "pk"
            )
        )
        # Existing accounts are left as they are: a file must not change anyone's access.
        new_rows = [row for row in self.data["users"] if row["username"] not in existing]
        new_users = []
        for row in new_rows:
            # Restored people cannot sign in until an administrator activates them.
            user = users(**{name_field: row["username"]}, is_active=False)
            user.set_unusable_password()
            new_users.append(user)
        users.objects.bulk_create(new_users, batch_size=CHUNK_SIZE)
        ids = {**existing}
        ids.update(
            users.objects.filter(
                **{f"{name_field}__in": [row["username"] for row in new_rows]}
            ).values_list(name_field, "pk")
        )
        wanted = {name for row in new_rows for name in row["groups"]}
        groups = dict(Group.objects.filter(name__in=wanted).values_list("name", "pk"))
        for name in sorted(wanted - set(groups)):
            self.warnings.append(
                _("There is no group “%(group)s”; users were restored without it.")
                % {"group": name}
            )
        users.groups.through.objects.bulk_create(
            [
                users.groups.through(user_id=ids[row["username"]], group_id=groups[name])
                for row in new_rows
                for name in row["groups"]
                if name in groups
            ],
            batch_size=CHUNK_SIZE,
        )
        return ids, [row["username"] for row in new_rows]

    def _write_tag_groups(self) -> dict[int, int]:
        """Tag groups are matched by slug: the default ones already exist in every database."""
        rows = self.rows["tag_groups"]
        wanted_slugs = {group.slug for group, _many in rows.values()}
        TagGroup.objects.exclude(slug__in=wanted_slugs).delete()  # unused: the check said so
        existing = {group.slug: group for group in TagGroup.objects.all()}
        taken = {group.pk for group in existing.values()}
        next_free = max([*taken, *rows], default=0) + 1
        ids = {}
        for pk, (group, _many) in rows.items():
            if group.slug in existing:
                kept = existing[group.slug]
                kept.name, kept.description, kept.position = (
                    group.name,
                    group.description,
                    group.position,
                )
                kept.save()
                ids[pk] = kept.pk
                continue
            if pk in taken:
                # The id belongs to another group here: take one no row of the backup uses.
                group.pk, next_free = next_free, next_free + 1
            self._save(lambda group=group: group.save(force_insert=True), "tag_groups")
            taken.add(group.pk)
            ids[pk] = group.pk
        return ids

    def _write_section(self, section: Section, user_ids: dict, group_ids: dict) -> None:
        objects = []
        stamps = [
            f.attname
            for f in section.model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        saved_stamps = {}
        source = {row["id"]: row for row in self.data[section.key]}
        for pk, (instance, _many) in self.rows[section.key].items():
            if section.model is Tag:
                instance.group_id = group_ids[instance.group_id]
            for name in section.users:
                value = source[pk][name]
                setattr(instance, f"{name}_id", user_ids[value] if value is not None else None)
            saved_stamps[pk] = {name: getattr(instance, name) for name in stamps}
            objects.append(instance)
        self._save(
            lambda: section.model.objects.bulk_create(objects, batch_size=CHUNK_SIZE), section.key
        )
        if stamps:
            # bulk_create stamps auto_now fields with the current time; put the backup's back.
            for instance in objects:
                for name, value in saved_stamps[instance.pk].items():
                    setattr(instance, name, value)
            self._save(
                lambda: section.model.objects.bulk_update(objects, stamps, batch_size=CHUNK_SIZE),
                section.key,
            )
        for name, _target in section.many:
            relation = section.model._meta.get_field(name)
            through = relation.remote_field.through
            source_column = f"{relation.m2m_field_name()}_id"
            target_column = f"{relation.m2m_reverse_field_name()}_id"
            links = [
                through(**{source_column: pk, target_column: linked})
                for pk, (_instance, many) in self.rows[section.key].items()
                for linked in many[name]
            ]
            self._save(
                lambda links=links, through=through: through.objects.bulk_create(
                    links, batch_size=CHUNK_SIZE
                ),
                section.key,
            )

    @staticmethod
    def _save(write, key: str) -> None:
        try:
            with transaction.atomic():
                write()
        except DatabaseError as error:
            raise BackupError(
                _("The database refused the backup's %(section)s: %(error)s")
                % {"section": key, "error": str(error).strip()}
            ) from error


def restore_backup(data: dict) -> RestoreSummary:
    """Restore a loaded backup into an empty repository: every row or none.

    Rows keep their ids and timestamps; missing users are created inactive and without a
    usable password; sequences are moved past the restored ids and the search index rebuilt.
    """
    ensure_empty()  # before the row checks: the likelier mistake, and the faster answer
    restorer = _Restorer(data)
    restorer.check()
    with transaction.atomic():
        ensure_empty()  # again: someone may have written in the meantime
        summary = restorer.write()
    return summary
