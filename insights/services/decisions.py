"""Decision rules: every status change is dated, so the loop with customers can be closed."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ..models import Decision, DecisionStatusChange, Insight, Tag
from .common import previous_values, validated_save

# Statuses that mean a decision was taken; reaching one fills an empty decided_on.
_DECIDED = {
    Decision.Status.ACCEPTED,
    Decision.Status.IN_PROGRESS,
    Decision.Status.SHIPPED,
    Decision.Status.REJECTED,
}


@transaction.atomic
def decision_save(
    *,
    decision: Decision,
    insights: Iterable[Insight] | None = None,
    target_tags: Iterable[Tag] | None = None,
    user=None,
    note: str = "",
) -> Decision:
    """Create or update a decision; a new status is recorded in its history with the date,
    and reaching "shipped" dates the ship (the start of its impact measurement)."""
    before = previous_values(decision, "status")
    old_status = before["status"] if before else ""
    if decision.status in _DECIDED and decision.decided_on is None:
        decision.decided_on = timezone.localdate()
    if decision.status == Decision.Status.SHIPPED and decision.shipped_on is None:
        decision.shipped_on = timezone.localdate()
    if decision.pk is None and user is not None and decision.owner_id is None:
        decision.owner = user
    validated_save(decision)
    if insights is not None:
        decision.insights.set(list(insights))
    if target_tags is not None:
        decision.target_tags.set(list(target_tags))
    if decision.status != old_status:
        DecisionStatusChange.objects.create(
            decision=decision,
            from_status=old_status,
            to_status=decision.status,
            changed_at=timezone.now(),
            changed_by=user,
            note=note,
        )
    return decision


def decision_create(
    *, insights: Iterable[Insight] = (), target_tags: Iterable[Tag] = (), user=None, **fields
) -> Decision:
    """Create a decision from field values, linked to its insights and target tags."""
    return decision_save(
        decision=Decision(**fields), insights=insights, target_tags=target_tags, user=user
    )


def decision_set_status(*, decision: Decision, status: str, user=None, note: str = ""):
    """Move a decision to another status (recorded in its history)."""
    decision.status = status
    return decision_save(decision=decision, user=user, note=note)
