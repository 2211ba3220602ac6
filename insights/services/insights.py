"""Insight rules: confidence from evidence, publishing, superseding, archiving, links."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import search
from ..confidence import EvidenceSummary
from ..models import Evidence, Insight, InsightLink, InsightReview, Observation, Tag
from ..reviews import review_due
from .common import previous_values, set_tags, validated_save


def _lock(insight: Insight) -> Insight:
    """Lock the row for this transaction and refresh the caller's object from it."""
    Insight.objects.select_for_update().filter(pk=insight.pk).exists()
    insight.refresh_from_db()
    return insight


def insight_recompute_confidence(*, insight: Insight) -> Insight:
    """Count the evidence again and store the grade and the counts behind it."""
    summary = EvidenceSummary.for_insight_id(insight.pk)
    values = {
        "confidence": summary.grade(),
        "supporting_count": summary.supporting,
        "contradicting_count": summary.contradicting,
        "participant_count": summary.participants,
        "study_count": summary.studies,
        "methods": list(summary.methods),
    }
    for name, value in values.items():
        setattr(insight, name, value)
    # update() rather than save(): re-grading is not an edit and must not bump updated_at.
    Insight.objects.filter(pk=insight.pk).update(**values)
    return insight


def insights_recompute_confidence(*, insights: QuerySet | Iterable[Insight]) -> None:
    """Re-grade several insights (after an observation or a study changed)."""
    for insight in insights:
        insight_recompute_confidence(insight=insight)


@transaction.atomic
def insight_save(*, insight: Insight, tags: Iterable[Tag] | None = None, user=None) -> Insight:
    """Create or edit an insight's text, owner, review date and tags.

    Status changes go through insight_publish / insight_supersede / insight_archive so that
    their rules hold; here the status may only stay as it was (new insights are drafts).
    """
    before = previous_values(insight, "status", "superseded_by")
    stored_status = before["status"] if before else Insight.Status.DRAFT
    if insight.status != stored_status or (
        before and insight.superseded_by_id != before["superseded_by"]
    ):
        raise ValidationError(
            {"status": _("Change the status with the publish, supersede or archive actions.")},
            code="status_via_action",
        )
    if insight.pk is None and user is not None and insight.owner_id is None:
        insight.owner = user
    validated_save(insight)
    set_tags(insight, tags)
    search.index([insight])
    return insight


def insight_create(
    *, statement: str, tags: Iterable[Tag] = (), evidence: Iterable[dict] = (), user=None,
    **fields,
) -> Insight:  # fmt: skip
    """Create a draft insight with its tags and evidence ({"observation", "relation", "note"})."""
    with transaction.atomic():
        insight = insight_save(insight=Insight(statement=statement, **fields), tags=tags, user=user)
        for item in evidence:
            evidence_save(evidence=Evidence(insight=insight, **item))
    return insight


@transaction.atomic
def evidence_save(*, evidence: Evidence) -> Evidence:
    """Link an observation to an insight (or change the link) and re-grade the insight."""
    before = previous_values(evidence, "relation")
    insight = _lock(evidence.insight)
    if (
        before
        and before["relation"] == Evidence.Relation.SUPPORTS
        and evidence.relation != Evidence.Relation.SUPPORTS
    ):
        _ensure_support_remains(insight, without=evidence)
    validated_save(evidence)
    insight_recompute_confidence(insight=insight)
    newly_contradicts = evidence.relation == Evidence.Relation.CONTRADICTS and (
        before is None or before["relation"] != Evidence.Relation.CONTRADICTS
    )
    if newly_contradicts and insight.status == Insight.Status.PUBLISHED:
        _flag_for_review(insight, evidence)
    return evidence


def _flag_for_review(insight: Insight, evidence: Evidence) -> None:
    """New contradicting evidence: the insight is due for review today (or stays overdue)."""
    today = timezone.localdate()
    if insight.review_by is None or insight.review_by > today:
        insight.review_by = today
        # update(): the finding's text did not change, so updated_at stays as it was.
        Insight.objects.filter(pk=insight.pk).update(review_by=today)
    InsightReview.objects.create(
        insight=insight,
        kind=InsightReview.Kind.CONTRADICTED,
        review_by=insight.review_by,
        note=str(evidence.observation)[:500],
    )


def evidence_add(
    *, insight: Insight, observation: Observation, relation: str = "supports", note: str = ""
) -> Evidence:
    """Link one observation to an insight."""
    return evidence_save(
        evidence=Evidence(insight=insight, observation=observation, relation=relation, note=note)
    )


@transaction.atomic
def evidence_delete(*, evidence: Evidence) -> None:
    """Unlink an observation; a published insight keeps at least one supporting observation."""
    insight = _lock(evidence.insight)
    if evidence.relation == Evidence.Relation.SUPPORTS:
        _ensure_support_remains(insight, without=evidence)
    evidence.delete()
    insight_recompute_confidence(insight=insight)


def _ensure_support_remains(insight: Insight, *, without: Evidence) -> None:
    """Checked before writing: a published insight must keep a supporting observation."""
    others = insight.evidence.filter(relation=Evidence.Relation.SUPPORTS).exclude(pk=without.pk)
    if insight.status == Insight.Status.PUBLISHED and not others.exists():
        raise ValidationError(
            _("A published insight needs at least one supporting observation; archive it instead."),
            code="published_needs_support",
        )


@transaction.atomic
def insight_publish(*, insight: Insight) -> Insight:
    """Publish a draft (or archived) insight; it needs at least one supporting observation."""
    _lock(insight)
    if insight.status == Insight.Status.PUBLISHED:
        return insight
    if insight.status == Insight.Status.SUPERSEDED or insight.superseded_by_id:
        raise ValidationError(
            _("A superseded insight cannot be published again; publish its successor."),
            code="publish_superseded",
        )
    if not insight.evidence.filter(relation=Evidence.Relation.SUPPORTS).exists():
        raise ValidationError(
            _("Add at least one supporting observation before publishing."),
            code="publish_without_evidence",
        )
    insight.status = Insight.Status.PUBLISHED
    insight.published_at = insight.published_at or timezone.now()
    today = timezone.localdate()
    if insight.review_by is None or insight.review_by <= today:
        # A date already past would mark it overdue the moment it is published.
        insight.review_by = review_due(insight, today)
    return validated_save(insight)


# The longest note a confirmation keeps (the page's field and the API say the same).
REVIEW_NOTE_MAX = 2000


@transaction.atomic
def insight_confirm_review(*, insight: Insight, user=None, note: str = "") -> Insight:
    """A curator checked the published insight and it still holds: it gets a new review date
    (counted from today), and the confirmation goes into its review history."""
    if len(note) > REVIEW_NOTE_MAX:
        raise ValidationError(
            {
                "note": _("A review note may be at most %(max)d characters long.")
                % {"max": REVIEW_NOTE_MAX}
            },
            code="note_too_long",
        )
    _lock(insight)
    if insight.status != Insight.Status.PUBLISHED:
        raise ValidationError(
            _("Only a published insight can be confirmed; supersede or archive it instead."),
            code="confirm_not_published",
        )
    insight.review_by = review_due(insight, timezone.localdate())
    insight.reviewed_at = timezone.now()
    insight.reviewed_by = user
    validated_save(insight)
    InsightReview.objects.create(
        insight=insight,
        kind=InsightReview.Kind.CONFIRMED,
        review_by=insight.review_by,
        user=user,
        note=note,
    )
    return insight


def insight_supersede_check(*, insight: Insight, successor: Insight) -> None:
    """Raise ValidationError unless ``successor`` may replace ``insight`` (forms call it too).

    The successor must be published (or itself superseded, making a chain); never the insight
    itself, and no cycle.
    """
    if successor.pk == insight.pk:
        raise ValidationError(
            {"superseded_by": _("An insight cannot supersede itself.")}, code="supersede_self"
        )
    if successor.status == Insight.Status.ARCHIVED:
        raise ValidationError(
            {"superseded_by": _("An archived insight cannot replace another one.")},
            code="supersede_by_archived",
        )
    if successor.status == Insight.Status.DRAFT:
        # Readers who cannot see drafts would be sent on to a page they may not open.
        raise ValidationError(
            {"superseded_by": _("A draft cannot replace another insight: publish it first.")},
            code="supersede_by_draft",
        )
    node, seen = successor, set()
    while node is not None and node.pk not in seen:
        if node.pk == insight.pk:
            raise ValidationError(
                {"superseded_by": _("This would make a cycle of superseded insights.")},
                code="supersede_cycle",
            )
        seen.add(node.pk)
        node = node.superseded_by


@transaction.atomic
def insight_supersede(*, insight: Insight, successor: Insight) -> Insight:
    """Mark an insight as replaced by a newer, published one (no self, no cycles)."""
    _lock(insight)
    insight_supersede_check(insight=insight, successor=successor)
    insight.status = Insight.Status.SUPERSEDED
    insight.superseded_by = successor
    return validated_save(insight)


@transaction.atomic
def insight_archive(*, insight: Insight) -> Insight:
    """Archive an insight; its evidence, tags, links and decisions all stay."""
    _lock(insight)
    insight.status = Insight.Status.ARCHIVED
    return validated_save(insight)


@transaction.atomic
def insight_link_save(*, link: InsightLink) -> InsightLink:
    """Link two insights (no self-links; one link per pair in either direction)."""
    reverse = InsightLink.objects.filter(
        from_insight_id=link.to_insight_id, to_insight_id=link.from_insight_id
    ).exclude(pk=link.pk)
    if reverse.exists():
        raise ValidationError(
            {"to_insight": _("These insights are already linked.")}, code="link_exists"
        )
    return validated_save(link)


def insight_link_add(*, from_insight: Insight, to_insight: Insight, kind: str = "related"):
    """Link one insight to another."""
    return insight_link_save(
        link=InsightLink(from_insight=from_insight, to_insight=to_insight, kind=kind)
    )


@transaction.atomic
def insight_set_evidence(*, insight: Insight, items: Iterable[dict]) -> Insight:
    """Make ``items`` ({"observation", "relation", "note"}) exactly the insight's evidence."""
    wanted = {item["observation"].pk: item for item in items}
    current = {evidence.observation_id: evidence for evidence in insight.evidence.all()}
    for observation_id, item in wanted.items():
        evidence = current.get(observation_id) or Evidence(insight=insight)
        evidence.observation = item["observation"]
        evidence.relation = item.get("relation", Evidence.Relation.SUPPORTS)
        evidence.note = item.get("note", "")
        evidence_save(evidence=evidence)
    for observation_id, evidence in current.items():
        if observation_id not in wanted:
            evidence_delete(evidence=evidence)
    return insight
