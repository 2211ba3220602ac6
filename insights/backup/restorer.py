"""Restoring a backup into an empty repository: every row or none, with the backup's ids and
timestamps; the search index is rebuilt from the restored rows."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from .. import search
from ..defaults import DEFAULT_TAG_GROUP_SLUGS
from ..models import Tag, TagGroup
from .checks import Row, check_rows
from .format import CHUNK_SIZE, SECTIONS, BackupError, Section, link_table


@dataclass
class RestoreSummary:
    """What a restore wrote: rows per list, the users it created, and what it left out."""

    counts: dict[str, int]
    created_users: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def restore_backup(data: dict) -> RestoreSummary:
    """Restore a loaded backup into an empty repository: every row or none.

    Rows keep their ids and timestamps; missing users are created inactive and without a
    usable password; sequences are moved past the restored ids and the search index rebuilt.
    """
    ensure_empty()  # before the row checks: the likelier mistake, and the faster answer
    rows = check_rows(data)
    with transaction.atomic():
        ensure_empty()  # again: someone may have written in the meantime
        return _write(data["users"], rows)


def repository_contents() -> dict[str, int]:
    """Research content already in the database (default tag groups do not count)."""
    found = {
        str(section.model._meta.verbose_name_plural): section.model.objects.count()
        for section in SECTIONS
        if section.model is not TagGroup
    }
    extra_groups = TagGroup.objects.exclude(slug__in=DEFAULT_TAG_GROUP_SLUGS).count()
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


def _write(users: list[dict], rows: dict[str, dict[int, Row]]) -> RestoreSummary:
    user_ids, created, warnings = _write_users(users)
    group_ids = _write_tag_groups(rows["tag_groups"])
    for section in SECTIONS:
        if section.model is not TagGroup:
            _write_section(section, rows[section.key], user_ids, group_ids)
    models_written = [section.model for section in SECTIONS]
    with connection.cursor() as cursor:
        # Rows came with their ids: new rows must get ids after them.
        for sql in connection.ops.sequence_reset_sql(no_style(), models_written):
            cursor.execute(sql)
    tables = [model._meta.db_table for model in models_written]
    tables += [
        link_table(section.model, name)[0]._meta.db_table
        for section in SECTIONS
        for name, _target in section.many
    ]
    # Ids of related rows are deferred-checked; check them now, while we can say why.
    _save(lambda: connection.check_constraints(table_names=tables), "constraints")
    search.get_backend().rebuild()
    counts = {"users": len(users), **{key: len(section) for key, section in rows.items()}}
    return RestoreSummary(counts=counts, created_users=created, warnings=warnings)


def _write_users(rows: list[dict]) -> tuple[dict[str, int], list[str], list[str]]:
    """Create the users missing here: username -> id, the names created, and warnings."""
    users = get_user_model()
    name_field = users.USERNAME_FIELD
    by_name = users.objects.filter(**{f"{name_field}__in": [row["username"] for row in rows]})
    existing = dict(by_name.values_list(name_field, "pk"))
    # Existing accounts are left as they are: a file must not change anyone's access.
    new_rows = [row for row in rows if row["username"] not in existing]
    new_users = []
    for row in new_rows:
        # Restored people cannot sign in until an administrator activates them.
        user = users(**{name_field: row["username"]}, is_active=False)
        user.set_unusable_password()
        new_users.append(user)
    users.objects.bulk_create(new_users, batch_size=CHUNK_SIZE)
    ids = dict(by_name.values_list(name_field, "pk"))
    wanted = {name for row in new_rows for name in row["groups"]}
    groups = dict(Group.objects.filter(name__in=wanted).values_list("name", "pk"))
    warnings = [
        _("There is no group “%(group)s”; users were restored without it.") % {"group": name}
        for name in sorted(wanted - set(groups))
    ]
    users.groups.through.objects.bulk_create(
        [
            users.groups.through(user_id=ids[row["username"]], group_id=groups[name])
            for row in new_rows
            for name in row["groups"]
            if name in groups
        ],
        batch_size=CHUNK_SIZE,
    )
    return ids, [row["username"] for row in new_rows], warnings


def _write_tag_groups(rows: dict[int, Row]) -> dict[int, int]:
    """Tag groups are matched by slug: the default ones already exist in every database.
    Returns the backup's group id -> the id here."""
    wanted_slugs = {row.instance.slug for row in rows.values()}
    TagGroup.objects.exclude(slug__in=wanted_slugs).delete()  # unused: ensure_empty said so
    existing = {group.slug: group for group in TagGroup.objects.all()}
    taken = {group.pk for group in existing.values()}
    next_free = max([*taken, *rows], default=0) + 1
    ids = {}
    for pk, row in rows.items():
        group = row.instance
        if group.slug in existing:
            kept = existing[group.slug]
            kept.name, kept.description, kept.position, kept.review_months = (
                group.name,
                group.description,
                group.position,
                group.review_months,
            )
            kept.save()
            ids[pk] = kept.pk
            continue
        if pk in taken:
            # The id belongs to another group here: take one no row of the backup uses.
            group.pk, next_free = next_free, next_free + 1
        _save(lambda group=group: group.save(force_insert=True), "tag_groups")
        taken.add(group.pk)
        ids[pk] = group.pk
    return ids


def _write_section(section: Section, rows: dict[int, Row], user_ids: dict, group_ids: dict) -> None:
    model = section.model
    stamps = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    objects = []
    for row in rows.values():
        instance = row.instance
        if model is Tag:
            instance.group_id = group_ids[instance.group_id]
        for name, username in row.users.items():
            setattr(instance, f"{name}_id", user_ids[username] if username is not None else None)
        objects.append(instance)
    saved_stamps = [{name: getattr(instance, name) for name in stamps} for instance in objects]
    _save(lambda: model.objects.bulk_create(objects, batch_size=CHUNK_SIZE), section.key)
    if stamps:
        # bulk_create stamps auto_now fields with the current time; put the backup's back.
        for instance, values in zip(objects, saved_stamps, strict=True):
            for name, value in values.items():
                setattr(instance, name, value)
        _save(
            lambda: model.objects.bulk_update(objects, stamps, batch_size=CHUNK_SIZE),
            section.key,
        )
    for name, _target in section.many:
        through, source, target = link_table(model, name)
        links = [
            through(**{source: pk, target: linked})
            for pk, row in rows.items()
            for linked in row.many[name]
        ]
        _save(
            lambda links=links, through=through: through.objects.bulk_create(
                links, batch_size=CHUNK_SIZE
            ),
            section.key,
        )


def _save(write, key: str) -> None:
    """Run one write in a savepoint; the database's refusal becomes a BackupError."""
    try:
        with transaction.atomic():
            write()
    except DatabaseError as error:
        raise BackupError(
            _("The database refused the backup's %(section)s: %(error)s")
            % {"section": key, "error": str(error).strip()}
        ) from error
