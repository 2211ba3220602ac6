"""The e-mail digest: what is new in what each user follows, sent once per day or week.

``send_digests()`` is the one entry point: the ``send_digests`` command (for cron) calls it,
and so can a task queue. It is idempotent per period: each subscription records the period
("2026-12-07", "2026-W49") it last handled, claimed with one conditional UPDATE before the
mail goes out, so running it twice (even at the same time) sends nothing twice.

What "needs review" means is pluggable: NEEDS_REVIEW_RULES lists functions that narrow the
published insights to those that newly need review in a window.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import access
from .models import Decision, DecisionStatusChange, DigestSubscription, Evidence, Insight
from .models.tag_tree import TagTree
from .selectors.follows import (
    FollowCondition,
    annotate_decision_matches,
    annotate_matches,
    follow_conditions,
    follow_prefetch,
    matched_follows,
)
from .selectors.tags import tags_with_group
from .services.follows import digest_claim_period, digest_mark_covered, digest_release_period

logger = logging.getLogger(__name__)

PERIOD_LENGTH = {
    DigestSubscription.Frequency.DAILY: timedelta(days=1),
    DigestSubscription.Frequency.WEEKLY: timedelta(days=7),
}
# A digest lists at most this many items of each kind, and links to the rest.
ITEM_LIMIT = 30


def period_key(frequency: str, now: datetime) -> str:
    """The period ``now`` falls in: the local date for daily digests, the ISO week for weekly
    ones (so a daily cron job sends weekly digests on the first run of each week)."""
    day = timezone.localdate(now)
    if frequency == DigestSubscription.Frequency.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


# "Needs review" rules: (published insights, since, until) -> those that newly need review.


def review_date_reached(insights: QuerySet, since: datetime, until: datetime) -> QuerySet:
    """Insights whose review date came within the window."""
    return insights.filter(
        review_by__gt=timezone.localdate(since), review_by__lte=timezone.localdate(until)
    )


def newly_contradicted(insights: QuerySet, since: datetime, until: datetime) -> QuerySet:
    """Insights that got contradicting evidence within the window."""
    contradicting = Evidence.objects.filter(
        relation=Evidence.Relation.CONTRADICTS, created_at__gt=since, created_at__lte=until
    )
    return insights.filter(pk__in=contradicting.values("insight_id"))


NEEDS_REVIEW_RULES: list[Callable[[QuerySet, datetime, datetime], QuerySet]] = [
    review_date_reached,
    newly_contradicted,
]


def needs_review(insights: QuerySet, since: datetime, until: datetime) -> QuerySet:
    """The insights any NEEDS_REVIEW_RULES rule picks (one query when evaluated)."""
    condition = Q()
    for rule in NEEDS_REVIEW_RULES:
        condition |= Q(pk__in=rule(insights, since, until).values("pk"))
    return insights.filter(condition) if NEEDS_REVIEW_RULES else insights.none()


@dataclass
class DigestItem:
    """One line of a digest: an insight or a decision, and the follows it matched."""

    object: Insight | Decision
    url: str
    follows: list = field(default_factory=list)


@dataclass
class Digest:
    """What one user's digest lists."""

    subscription: DigestSubscription
    since: datetime
    until: datetime
    insights: list[DigestItem]
    decisions: list[DigestItem]
    needs_review: list[DigestItem]

    @property
    def is_empty(self) -> bool:
        return not (self.insights or self.decisions or self.needs_review)

    @property
    def user(self):
        return self.subscription.user


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def _items(rows, conditions: list[FollowCondition]) -> list[DigestItem]:
    return [
        DigestItem(row, absolute_url(row.get_absolute_url()), matched_follows(row, conditions))
        for row in rows
    ]


def collect_digest(
    subscription: DigestSubscription, follows, *, since: datetime, until: datetime, tree: TagTree
) -> Digest:
    """The items new in (since, until] that match the user's follows and that the user may
    see: a Viewer's digest, like their search, holds published insights only."""
    user = subscription.user
    conditions = follow_conditions(list(follows), tree)
    visible = access.visible_insights(user)
    published = visible.filter(status=Insight.Status.PUBLISHED)
    insight_rows = (
        annotate_matches(published, conditions)
        .filter(published_at__gt=since, published_at__lte=until)
        .prefetch_related(tags_with_group())
        .order_by("-published_at", "-pk")[:ITEM_LIMIT]
    )
    changed = DecisionStatusChange.objects.filter(changed_at__gt=since, changed_at__lte=until)
    decision_rows = (
        annotate_decision_matches(
            Decision.objects.filter(pk__in=changed.values("decision_id")), conditions, visible
        )
        .select_related("owner")
        .order_by("-updated_at", "-pk")[:ITEM_LIMIT]
    )
    # An insight published in the window is listed as new, not also as needing review.
    review_rows = (
        annotate_matches(needs_review(published, since, until), conditions)
        .exclude(published_at__gt=since, published_at__lte=until)
        .prefetch_related(tags_with_group())
        .order_by("review_by", "-pk")[:ITEM_LIMIT]
    )
    return Digest(
        subscription=subscription,
        since=since,
        until=until,
        insights=_items(insight_rows, conditions),
        decisions=_items(decision_rows, conditions),
        needs_review=_items(review_rows, conditions),
    )


def render_digest(digest: Digest, *, connection=None) -> EmailMultiAlternatives:
    """The digest as a plain-text and HTML e-mail, in the subscriber's language."""
    subscription = digest.subscription
    unsubscribe_url = absolute_url(subscription.get_unsubscribe_url())
    with translation.override(subscription.language):
        if subscription.frequency == DigestSubscription.Frequency.DAILY:
            subject = _("Your daily insight digest")
        else:
            subject = _("Your weekly insight digest")
        context = {
            "digest": digest,
            "subject": subject,
            "site_url": settings.SITE_URL,
            "following_url": absolute_url(reverse("insights:following")),
            "unsubscribe_url": unsubscribe_url,
            "language": subscription.language,
        }
        text = render_to_string("insights/email/digest.txt", context)
        html = render_to_string("insights/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.user.email],
        connection=connection,
        # One-click unsubscribe in mail clients (RFC 8058): they POST to this address.
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


@dataclass
class DigestReport:
    """What a send_digests() run did, counted by outcome."""

    sent: int = 0
    nothing_new: int = 0
    already_sent: int = 0
    skipped: int = 0
    failed: int = 0
    digests: list[Digest] = field(default_factory=list)


def due_subscriptions() -> QuerySet:
    """Subscriptions that are on, with their users and follows (two queries in all)."""
    return (
        DigestSubscription.objects.exclude(frequency=DigestSubscription.Frequency.OFF)
        .select_related("user")
        .prefetch_related(follow_prefetch())
        .order_by("pk")
    )


def send_digests(*, now: datetime | None = None, dry_run: bool = False) -> DigestReport:
    """Send every digest due in the current period; idempotent per period.

    A dry run collects the digests (in ``report.digests``) and sends and records nothing.
    """
    now = now or timezone.now()
    report = DigestReport()
    tree = TagTree.load()
    connection = None if dry_run else get_connection()
    for subscription in due_subscriptions():
        user = subscription.user
        if not access.may_receive_digest(user):
            report.skipped += 1
            continue
        period = period_key(subscription.frequency, now)
        if subscription.last_period == period:
            report.already_sent += 1
            continue
        since = subscription.covered_until or now - PERIOD_LENGTH[subscription.frequency]
        digest = collect_digest(
            subscription, user.digest_follows, since=since, until=now, tree=tree
        )
        if dry_run:
            report.digests.append(digest)
            continue
        previous = subscription.last_period
        if not digest_claim_period(subscription=subscription, period=period):
            report.already_sent += 1  # another run took this period meanwhile
            continue
        if digest.is_empty:
            digest_mark_covered(subscription=subscription, until=now, sent=False)
            report.nothing_new += 1
            continue
        try:
            render_digest(digest, connection=connection).send()
        except Exception:
            logger.exception("Digest for user %s could not be sent", user.pk)
            digest_release_period(subscription=subscription, previous=previous)
            report.failed += 1
            continue
        digest_mark_covered(subscription=subscription, until=now, sent=True)
        report.digests.append(digest)
        report.sent += 1
    return report
