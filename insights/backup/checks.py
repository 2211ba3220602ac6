"""Checking a loaded backup's rows before anything is written: every value, every reference
and every rule the database would enforce, each problem named with its row's id."""

import copy
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from ..models import Insight, Tag, TagAlias
from ..models.tag_tree import TagTree
from ..text import normalize_name
from .format import SECTION_BY_KEY, SECTIONS, BackupError, Section, is_id, value_problem

# A restore names at most this many problems; fixing those usually reveals the rest.
MAX_REPORTED_ERRORS = 30


@dataclass
class Row:
    """One checked row: an unsaved instance, the ids its many-to-many fields link, and the
    usernames its user fields name."""

    instance: models.Model
    many: dict[str, list[int]]
    users: dict[str, str | None]


def check_rows(data: dict) -> dict[str, dict[int, Row]]:
    """The rows of a loaded backup, section key -> {id: row}, once every check passes."""
    checker = _Checker(data)
    checker.run()
    checker.problems.raise_if_any()
    return checker.rows


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


class _Checker:
    """Reads every row into an unsaved instance, collecting every problem on the way."""

    def __init__(self, data: dict):
        self.data = data
        self.problems = _Problems()
        self.usernames: set[str] = set()
        self.rows: dict[str, dict[int, Row]] = {}

    def run(self) -> None:
        self._check_users()
        for section in SECTIONS:
            self._read_section(section)
        for section in SECTIONS:
            self._check_references(section)
            self._check_unique(section)
        self._check_tag_names()
        self._check_tag_tree()
        self._check_successors()

    # One row at a time -----------------------------------------------------------------------

    def _check_users(self) -> None:
        user_model = get_user_model()
        username_field = user_model._meta.get_field(user_model.USERNAME_FIELD)
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

    def _read_section(self, section: Section) -> None:
        rows: dict[int, Row] = {}
        self.rows[section.key] = rows
        model_fields = {name: section.model._meta.get_field(name) for name in section.fields}
        for index, row in enumerate(self.data[section.key], start=1):
            pk = row.get("id")
            if not is_id(pk):
                self.problems.add(
                    section.row_name(f"#{index}"), _("“id” must be a positive whole number.")
                )
                continue
            what = section.row_name(pk)
            if pk in rows:
                self.problems.add(what, _("appears twice."))
                continue
            missing = [name for name in section.keys if name not in row]
            if missing:
                self.problems.add(
                    what, _("missing fields: %(fields)s.") % {"fields": ", ".join(missing)}
                )
                continue
            present = {name: section.model._meta.get_field(name) for name in section.optional}
            present = {name: field for name, field in present.items() if name in row}
            rows[pk] = self._read_row(section, row, what, {**model_fields, **present})

    def _read_row(self, section: Section, row: dict, what: str, model_fields: dict) -> Row:
        instance = section.model()
        # Only the columns the backup sets, and not those already found wrong; related rows are
        # checked against the backup below, not against the (empty) database.
        excluded = {f.name for f in section.model._meta.fields if f.name not in model_fields}
        for name, model_field in model_fields.items():
            value = row[name]
            if problem := value_problem(model_field, value):
                self.problems.add(what, problem % {"field": name})
                excluded.add(name)
                value = None
            setattr(instance, model_field.attname, value)
        users = {name: row[name] for name in section.users}
        for name, value in users.items():
            if value is not None and (not isinstance(value, str) or value not in self.usernames):
                self.problems.add(
                    what,
                    _("%(field)s “%(username)s” is not among the backup's users.")
                    % {"field": name, "username": value},
                )
        many = {}
        for name, _target in section.many:
            ids = row[name]
            if not isinstance(ids, list) or not all(is_id(value) for value in ids):
                self.problems.add(what, _("“%(field)s” must be a list of ids.") % {"field": name})
                ids = []
            many[name] = ids
        for name, _target in section.references:
            value = row[name]
            if value is not None and not is_id(value):
                self.problems.add(what, _("“%(field)s” must be an id.") % {"field": name})
                value = None
            setattr(instance, f"{name}_id", value)
        if isinstance(instance, Tag | TagAlias):
            instance.normalized_name = normalize_name(str(instance.name or ""))
        try:
            instance.clean_fields(exclude=excluded)
        except ValidationError as error:
            self.problems.add_validation(what, error)
        else:
            if not excluded.intersection(model_fields):
                self._clean(instance, what)
        return Row(instance, many, users)

    def _clean(self, instance: models.Model, what: str) -> None:
        """The model's own rules, where they need no database (on a copy: clean() may tidy)."""
        if isinstance(instance, Tag | TagAlias):
            return  # their clean() looks names up in the database; see _check_tag_names
        try:
            copy.copy(instance).clean()
        except ValidationError as error:
            self.problems.add_validation(what, error)

    # Rows against each other -----------------------------------------------------------------

    def _check_references(self, section: Section) -> None:
        for pk, row in self.rows[section.key].items():
            for name, target in section.references:
                value = getattr(row.instance, f"{name}_id")
                if value is not None and value not in self.rows[target]:
                    self._missing(section, pk, name, target, value)
                elif value is None and not section.model._meta.get_field(name).null:
                    self.problems.add(
                        section.row_name(pk), _("“%(field)s” is required.") % {"field": name}
                    )
            for name, target in section.many:
                for value in row.many[name]:
                    if value not in self.rows[target]:
                        self._missing(section, pk, name, target, value)

    def _missing(self, section: Section, pk: int, name: str, target: str, value: int) -> None:
        self.problems.add(
            section.row_name(pk),
            _("%(field)s refers to %(entity)s %(id)s, which is not in the backup.")
            % {
                "field": name,
                "entity": SECTION_BY_KEY[target].model._meta.verbose_name,
                "id": value,
            },
        )

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
            for pk, row in self.rows[section.key].items():
                value = tuple(getattr(row.instance, name) for name in names)
                if skip_blank and any(part in ("", None) for part in value):
                    continue
                if value in seen:
                    self.problems.add(
                        section.row_name(pk),
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
        tags = {row.instance.normalized_name: pk for pk, row in self.rows["tags"].items()}
        for pk, row in self.rows["tag_aliases"].items():
            alias = row.instance
            if alias.normalized_name in tags:
                self.problems.add(
                    SECTION_BY_KEY["tag_aliases"].row_name(pk),
                    _("the name “%(name)s” is already the name of %(tag)s.")
                    % {
                        "name": alias.name,
                        "tag": SECTION_BY_KEY["tags"].row_name(tags[alias.normalized_name]),
                    },
                )

    def _check_tag_tree(self) -> None:
        section, tags = SECTION_BY_KEY["tags"], self.rows["tags"]
        in_loops = TagTree((pk, row.instance.parent_id) for pk, row in tags.items()).in_loops()
        for pk, row in tags.items():
            parent = tags.get(row.instance.parent_id)
            if parent is not None and parent.instance.group_id != row.instance.group_id:
                self.problems.add(
                    section.row_name(pk), _("The parent tag must belong to the same group.")
                )
            if pk in in_loops:
                self.problems.add(section.row_name(pk), _("A tag cannot be its own ancestor."))

    def _check_successors(self) -> None:
        for pk, row in self.rows["insights"].items():
            insight, what = row.instance, SECTION_BY_KEY["insights"].row_name(pk)
            if insight.superseded_by_id == pk:
                self.problems.add(what, _("an insight cannot be superseded by itself."))
            superseded = insight.status == Insight.Status.SUPERSEDED
            if superseded != (insight.superseded_by_id is not None):
                self.problems.add(what, _("A superseded insight names its successor."))
