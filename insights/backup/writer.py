"""Writing a backup: the whole repository as JSON text, streamed chunk by chunk."""

import json
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from .format import CHUNK_SIZE, FORMAT, SECTIONS, VERSION, Section, encode, link_table


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


def _counts() -> dict[str, int]:
    counts = {"users": get_user_model().objects.count()}
    counts.update({section.key: section.model.objects.count() for section in SECTIONS})
    return counts


def _batches(rows: Iterable, size: int = CHUNK_SIZE) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _user_rows() -> Iterator[dict]:
    """Users by name, with their active flag and roles; never passwords or e-mail addresses."""
    users = get_user_model()
    username = users.USERNAME_FIELD
    rows = users.objects.order_by(username).values("pk", username, "is_active")
    for batch in _batches(rows.iterator(chunk_size=CHUNK_SIZE)):
        groups = _linked(users, "groups", [row["pk"] for row in batch], "group__name")
        for row in batch:
            yield {
                "username": row[username],
                "is_active": row["is_active"],
                "groups": groups[row["pk"]],
            }


def _section_rows(section: Section) -> Iterator[dict]:
    username = get_user_model().USERNAME_FIELD
    columns = [
        *section.columns,
        *(f"{name}_id" for name, _target in section.references),
        *(f"{name}__{username}" for name in section.users),
    ]
    rows = section.model.objects.order_by("pk").values(*columns)
    for batch in _batches(rows.iterator(chunk_size=CHUNK_SIZE)):
        ids = [row["id"] for row in batch]
        many = {name: _linked(section.model, name, ids) for name, _target in section.many}
        for row in batch:
            record = {name: encode(row[name]) for name in section.columns}
            record.update({name: row[f"{name}_id"] for name, _target in section.references})
            record.update({name: row[f"{name}__{username}"] for name in section.users})
            record.update({name: many[name][row["id"]] for name, _target in section.many})
            yield record


def _linked(model: type[models.Model], name: str, ids: list[int], column: str = "") -> dict:
    """For these rows: row id -> the sorted ids (or other ``column``) a many-to-many field links,
    in one query."""
    through, source, target = link_table(model, name)
    found: dict[int, list] = {pk: [] for pk in ids}
    pairs = through.objects.filter(**{f"{source}__in": ids}).values_list(source, column or target)
    for owner, linked in pairs:
        found[owner].append(linked)
    return {pk: sorted(linked) for pk, linked in found.items()}
