"""Undo from the change history: revert an object to a version, restore what was deleted.

Both go through the ordinary save services, so every rule holds again (validation, unique
names, the evidence a published insight needs) and the confidence grades and the search
index follow. Only curators (``access.may_revert``) may do either.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import Decision, Evidence, Insight, Observation, Study, Tag, TagAlias
from ..models.history import link_fields
from .decisions import decision_save
from .insights import (
    evidence_save,
    insight_archive,
    insight_publish,
    insight_save,
    insight_supersede,
)
from .observations import observation_save
from .studies import study_save
from .tags import tag_alias_save, tag_save

# A deleted object can be restored for this long; after that it is no longer offered.
RESTORE_DAYS = 30

# What a revert copies back from a version: the fields people edit. Status changes of an
# insight have their own rules (publish, supersede, archive) and are not reverted.
REVERTED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Insight: ("statement", "details", "owner", "review_by"),
    Study: (
        "title", "slug", "research_questions", "method", "status", "started_on", "finished_on",
        "owner", "team", "summary", "report_url",
    ),
    Observation: (
        "kind", "text", "participant", "observed_on", "source_url", "source_ref", "external_id",
        "metric", "score",
    ),
    Evidence: ("relation", "note"),
    Tag: ("name", "slug", "group", "parent", "position", "description"),
    TagAlias: ("name", "tag"),
    Decision: (
        "title", "description", "status", "decided_on", "shipped_on", "owner", "external_url",
        "outcome", "target_metric",
    ),
}  # fmt: skip

# Extra fields a restore sets: the object's place (study, insight, observation), and who
# made or last confirmed it.
RESTORED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Insight: ("reviewed_at", "reviewed_by"),
    Observation: ("study", "created_by"),
    Evidence: ("insight", "observation"),
}

# Fields neither a revert nor a restore copies: the services compute them (grades, counts,
# fingerprints, dates) or an insight's own status rules set them.
COMPUTED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Insight: (
        "status", "superseded_by", "confidence", "supporting_count", "contradicting_count",
        "participant_count", "study_count", "methods", "published_at",
    ),
    Observation: ("scrubbed_count", "content_hash", "content_key"),
    Tag: ("normalized_name",),
    TagAlias: ("normalized_name",),
}  # fmt: skip

# Rows deleted with their parent (a cascade) come back with it.
CASCADED = {Insight: (Evidence, "insight_id"), Tag: (TagAlias, "tag_id")}
CASCADE_WINDOW = timedelta(seconds=10)


def tracked_models() -> list[type[models.Model]]:
    return list(REVERTED_FIELDS)


def restore_cutoff():
    """Deletions before this moment are no longer offered for restoring."""
    return timezone.now() - timedelta(days=RESTORE_DAYS)


def _check(user) -> None:
    if not access.may_revert(user):
        raise PermissionDenied(_("Only curators may revert changes or restore deleted objects."))


def _copy(record, obj: models.Model, names) -> None:
    for name in names:
        attname = obj._meta.get_field(name).attname
        setattr(obj, attname, getattr(record, attname))


def _save(obj: models.Model, *, user, links: dict[str, list]) -> models.Model:
    """Save through the entity's own service (the same path as an edit). ``links`` maps a
    link field (tags, insights, target_tags) to the objects it should hold; a field left
    out keeps its links."""
    if isinstance(obj, Insight):
        return insight_save(insight=obj, user=user, **links)
    if isinstance(obj, Study):
        return study_save(study=obj, **links)
    if isinstance(obj, Observation):
        # Its text was scrubbed (or deliberately not) when it was first written.
        return observation_save(observation=obj, user=user, scrub=False, **links)
    if isinstance(obj, Evidence):
        return evidence_save(evidence=obj)
    if isinstance(obj, Tag):
        return tag_save(tag=obj)
    if isinstance(obj, TagAlias):
        return tag_alias_save(alias=obj)
    if isinstance(obj, Decision):
        return decision_save(decision=obj, user=user, **links)
    raise TypeError(f"{type(obj).__name__} has no change history")


@dataclass
class Undone:
    """What a revert or a restore brought back."""

    obj: models.Model
    # Links that could not come back because what they pointed at is gone.
    skipped: int = 0


@transaction.atomic
def object_revert(*, user, obj: models.Model, history_id: int) -> Undone:
    """Give ``obj`` the values and the links of one of its versions again, through its save
    service. Links to objects deleted since are skipped (``Undone.skipped`` counts them);
    a version written before links were recorded leaves the links as they are.

    The revert is itself a new version (the history is never rewritten).
    """
    _check(user)
    model = type(obj)
    record = model.history.filter(pk=history_id, id=obj.pk).first()
    if record is None:
        raise ValidationError(_("This version does not belong to this object."), code="version")
    obj = model._default_manager.get(pk=obj.pk)
    _copy(record, obj, REVERTED_FIELDS[model])
    obj._change_reason = f"revert #{history_id}"
    result = Undone(obj=obj)
    result.obj = _save(obj, user=user, links=_recorded_links(record, result))
    return result


def _recorded_links(record, result: Undone) -> dict[str, list]:
    """The objects a version was linked to that still exist, by link field; a field the
    version did not record is left out."""
    recorded = record.history_links or {}
    links = {}
    for field in link_fields(record.instance_type):
        if recorded.get(field.name) is not None:
            links[field.name] = _existing(field.related_model, recorded[field.name], result)
    return links


def deletion_record(model: type[models.Model], history_id: int):
    """The deletion row ``history_id`` of ``model`` if it may still be restored, else None."""
    record = model.history.filter(
        pk=history_id, history_type="-", history_date__gte=restore_cutoff()
    ).first()
    if record is None or model._default_manager.filter(pk=record.id).exists():
        return None
    return record


@transaction.atomic
def object_restore(*, user, model: type[models.Model], history_id: int) -> Undone:
    """Bring back an object deleted less than RESTORE_DAYS ago, with the same id, the links
    it had (tags, a decision's insights and target tags) and the rows deleted with it (an
    insight's evidence, a tag's aliases)."""
    _check(user)
    record = deletion_record(model, history_id)
    if record is None:
        raise ValidationError(
            _("This object can no longer be restored (restoring is possible for %(days)d days).")
            % {"days": RESTORE_DAYS},
            code="restore_expired",
        )
    obj = model(pk=record.id)
    _copy(record, obj, REVERTED_FIELDS[model] + RESTORED_FIELDS.get(model, ()))
    obj._change_reason = f"restore #{history_id}"
    result = Undone(obj=obj)
    links = _recorded_links(record, result)
    _save(obj, user=user, links=links)
    _keep_created_at(model, record)
    if model in CASCADED:
        _restore_cascaded(model, record, result, user=user)
    if isinstance(obj, Insight):
        _restore_status(obj, record, result)
    return result


def _existing(model, ids: list[int], result: Undone) -> list:
    found = list(model._default_manager.filter(pk__in=ids))
    result.skipped += len(set(ids)) - len(found)
    return found


def _keep_created_at(model, record) -> None:
    # auto_now_add stamps the restore; the object was created when it was first created.
    if any(field.name == "created_at" for field in model._meta.fields):
        model._default_manager.filter(pk=record.id).update(created_at=record.created_at)


def _restore_cascaded(model, record, result: Undone, *, user) -> None:
    child_model, parent_field = CASCADED[model]
    rows = child_model.history.filter(
        history_type="-",
        history_date__gte=record.history_date - CASCADE_WINDOW,
        history_date__lte=record.history_date,
        **{parent_field: record.id},
    ).order_by("history_date")
    rows = list(rows)
    # Evidence comes back only for observations that still exist: one query for all of them.
    observations = (
        set(
            Observation.objects.filter(pk__in=[row.observation_id for row in rows]).values_list(
                "pk", flat=True
            )
        )
        if child_model is Evidence
        else set()
    )
    for row in rows:
        if child_model is Evidence and row.observation_id not in observations:
            result.skipped += 1
            continue
        child = child_model(pk=row.id)
        _copy(row, child, REVERTED_FIELDS[child_model] + RESTORED_FIELDS.get(child_model, ()))
        child._change_reason = f"restore #{record.history_id}"
        _save(child, user=user, links={})


def _restore_status(insight: Insight, record, result: Undone) -> None:
    """Publish, archive or supersede the restored draft as it was, when its rules allow."""
    try:
        if record.status == Insight.Status.PUBLISHED:
            insight_publish(insight=insight)
            Insight.objects.filter(pk=insight.pk).update(published_at=record.published_at)
        elif record.status == Insight.Status.ARCHIVED:
            insight_archive(insight=insight)
        elif record.status == Insight.Status.SUPERSEDED and record.superseded_by_id:
            successor = Insight.objects.filter(pk=record.superseded_by_id).first()
            if successor is not None:
                insight_supersede(insight=insight, successor=successor)
    except ValidationError:
        result.skipped += 1  # it stays a draft: its rules no longer hold (evidence is gone)
