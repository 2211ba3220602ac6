"""Reads of the change history: who last changed an insight, what was recently deleted,
the names behind the links a version kept and what changed in them."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from ..models import Evidence, Insight, TagAlias
from ..models.history import link_fields

# Deleted rows listed per kind at most (the page is a recovery tool, not an archive).
DELETED_LIMIT = 200


def with_last_change(insights: QuerySet) -> QuerySet:
    """Annotate ``last_changed_at`` and ``last_changed_by`` (a username) from the history:
    two correlated subqueries, so a list costs no extra query per row."""
    latest = Insight.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    return insights.annotate(
        last_changed_at=Subquery(latest.values("history_date")[:1]),
        last_changed_by=Subquery(latest.values("history_user__username")[:1]),
    )


@dataclass
class DeletedEntry:
    """One deleted object that may still be restored."""

    record: object
    model_name: str
    verbose_name: str

    @property
    def label(self) -> str:
        record = self.record
        if self.model_name == "evidence":
            # Read through the row's own (prefetched) link, not a new query per row.
            return f"{record.get_relation_display()}: {record.observation}"
        return str(record.history_object)


def recently_deleted() -> list[DeletedEntry]:
    """Deletions of the last RESTORE_DAYS days whose object is still gone, newest first.

    One query per tracked model. Evidence and aliases whose insight or tag is gone too come
    back with it, so they are not listed on their own.
    """
    # Imported here: the services import the selectors package.
    from ..services.history import restore_cutoff, tracked_models

    entries = []
    cutoff = restore_cutoff()
    for model in tracked_models():
        rows = (
            model.history.filter(history_type="-", history_date__gte=cutoff)
            .exclude(id__in=model._default_manager.values("pk"))
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        )
        if model is Evidence:
            rows = rows.filter(insight_id__in=Insight.objects.values("pk"))
            rows = rows.select_related("observation")
        if model is TagAlias:
            rows = rows.filter(tag_id__in=model.tag.field.related_model.objects.values("pk"))
        seen = set()
        for record in rows[:DELETED_LIMIT]:
            if record.id in seen:
                continue  # deleted, restored and deleted again: the last deletion counts
            seen.add(record.id)
            entries.append(
                DeletedEntry(
                    record=record,
                    model_name=model._meta.model_name,
                    verbose_name=str(model._meta.verbose_name),
                )
            )
    entries.sort(key=lambda entry: entry.record.history_date, reverse=True)
    return entries


class LinkNames:
    """The names of the objects some link snapshots point at: one query per linked model
    (tags, insights), however many versions are shown."""

    def __init__(self, model, snapshots: Iterable[dict | None]):
        self.fields = link_fields(model)
        wanted: dict[type, set[int]] = {}
        for snapshot in snapshots:
            for field in self.fields:
                ids = (snapshot or {}).get(field.name) or ()
                wanted.setdefault(field.related_model, set()).update(ids)
        self._names = {
            related: {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=ids)}
            for related, ids in wanted.items()
            if ids
        }

    def names(self, field, ids: Iterable[int]) -> list[str]:
        """The linked objects' names, sorted; one that is gone says so with its id."""
        known = self._names.get(field.related_model, {})
        return sorted(known.get(pk) or _("(deleted, id %(id)s)") % {"id": pk} for pk in set(ids))

    def changes(self, old: dict | None, new: dict | None) -> list[dict]:
        """What changed in the links from snapshot ``old`` to ``new``: per field, the names
        added and removed. Nothing for a field one of them did not record."""
        changes = []
        for field in self.fields:
            before, after = (old or {}).get(field.name), (new or {}).get(field.name)
            if before is None or after is None or set(before) == set(after):
                continue
            changes.append(
                {
                    "name": field.name,
                    "field": field.verbose_name,
                    "added": self.names(field, set(after) - set(before)),
                    "removed": self.names(field, set(before) - set(after)),
                }
            )
        return changes
