"""Merging observations of a study that repeat each other's content, such as the copies left
by imports of one file that ran at the same moment before fingerprints were kept unique."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from .. import search
from ..models import Evidence, Insight, Observation
from ..models.history import record_versions
from .insights import insights_recompute_confidence


@dataclass
class RepeatsResult:
    """What observations_merge_repeats did (or, in a dry run, would do)."""

    dry_run: bool
    contents: int = 0  # contents that more than one observation has
    removed: int = 0  # later copies merged into the oldest
    moved_evidence: int = 0  # evidence links that now point at the oldest


@transaction.atomic
def observations_merge_repeats(*, study, dry_run: bool = False) -> RepeatsResult:
    """Keep the oldest observation of each content in ``study`` and merge its later copies
    into it: their evidence links and tags move to it, then they are deleted. All or nothing.

    Only observations without an external ID are compared (an ID tells copies apart). A link
    from an insight that already cites the oldest is dropped with its copy. Observations
    entered one by one may repeat on purpose (two anonymous NPS answers of 9), which is why
    this is a command a person runs for a study, never part of an import.
    """
    groups = (
        Observation.objects.filter(study=study, external_id="")
        .exclude(content_hash="")
        .values("content_hash")
        .annotate(count=Count("pk"), oldest=Min("pk"))
        .filter(count__gt=1)
    )
    oldest = {group["content_hash"]: group["oldest"] for group in groups}
    copies = dict(
        Observation.objects.filter(study=study, external_id="", content_hash__in=oldest)
        .exclude(pk__in=oldest.values())
        .values_list("pk", "content_hash")
    )
    keep_of = {pk: oldest[content] for pk, content in copies.items()}
    result = RepeatsResult(dry_run=dry_run, contents=len(oldest), removed=len(keep_of))
    if not keep_of:
        return result

    cited = set(
        Evidence.objects.filter(observation__in=oldest.values()).values_list(
            "insight_id", "observation_id"
        )
    )
    moved, dropped = [], []
    for evidence in Evidence.objects.filter(observation__in=keep_of).order_by("pk"):
        pair = (evidence.insight_id, keep_of[evidence.observation_id])
        if pair in cited:
            dropped.append(evidence.pk)
        else:
            cited.add(pair)
            evidence.observation_id = pair[1]
            moved.append(evidence)
    result.moved_evidence = len(moved)
    if dry_run:
        return result
    insight_ids = {evidence.insight_id for evidence in moved} | set(
        Evidence.objects.filter(pk__in=dropped).values_list("insight_id", flat=True)
    )
    Evidence.objects.filter(pk__in=dropped).delete()
    Evidence.objects.bulk_update(moved, ["observation"])

    through = Observation.tags.through
    tags = through.objects.filter(observation__in=keep_of).values_list("observation_id", "tag_id")
    through.objects.bulk_create(
        [through(observation_id=keep_of[owner], tag_id=tag) for owner, tag in tags],
        ignore_conflicts=True,
    )
    Observation.objects.filter(pk__in=keep_of).delete()
    kept = Observation.objects.filter(pk__in=oldest.values())
    # With its copies gone, the oldest is the one imports of that content update.
    kept.update(content_key=F("content_hash"), updated_at=timezone.now())
    record_versions(Observation, oldest.values())  # with the tags of their copies
    search.index_queryset(kept)
    insights_recompute_confidence(insights=Insight.objects.filter(pk__in=insight_ids))
    return result
