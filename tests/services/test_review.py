"""Review dates: the default and per-group intervals, contradicting evidence that asks for a
review, the curator's confirmation and who may give it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from insights import access
from insights.filtersets import needs_review_q
from insights.models import Insight, InsightReview, TagGroup
from insights.reviews import add_months, review_months
from insights.services import (
    evidence_add,
    evidence_save,
    insight_confirm_review,
    insight_publish,
    insight_save,
    tag_group_save,
)

from ..factories import InsightFactory, ObservationFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def _months(slug: str, months: int | None) -> TagGroup:
    group = TagGroup.objects.get(slug=slug)
    group.review_months = months
    return tag_group_save(group=group)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 5, 15), 12, date(2027, 5, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_one(start, months, expected):
    assert add_months(start, months) == expected


def test_publishing_sets_the_review_date_twelve_months_ahead_by_default(supported):
    today = timezone.localdate()
    insight = insight_publish(insight=supported)
    assert insight.review_by == add_months(today, 12)
    assert not insight.needs_review


def test_the_shortest_interval_of_the_insight_tag_groups_wins(supported):
    _months("channel", 6)
    _months("segment", 3)
    chat = TagFactory(name="Чат", group="channel")
    premium = TagFactory(name="Премиум", group="segment")
    theme = TagFactory(name="Онбординг")
    assert review_months([theme.pk]) == 12
    assert review_months([theme.pk, chat.pk]) == 6
    assert review_months([theme.pk, chat.pk, premium.pk]) == 3
    insight_save(insight=supported, tags=[theme, chat])
    insight = insight_publish(insight=supported)
    assert insight.review_by == add_months(timezone.localdate(), 6)


def test_a_review_date_given_in_the_future_is_kept_and_a_past_one_is_replaced(supported):
    later = timezone.localdate() + timedelta(days=40)
    supported.review_by = later
    insight_save(insight=supported)
    assert insight_publish(insight=supported).review_by == later

    other = InsightFactory(
        evidence=[{"observation": ObservationFactory()}],
        review_by=timezone.localdate() - timedelta(days=1),
    )
    assert insight_publish(insight=other).review_by > timezone.localdate()


def test_past_its_review_date_a_published_insight_needs_review(supported):
    insight = insight_publish(insight=supported)
    insight.review_by = timezone.localdate() - timedelta(days=1)
    insight_save(insight=insight)
    draft = InsightFactory(review_by=timezone.localdate() - timedelta(days=1))
    assert insight.needs_review and not draft.needs_review
    assert list(Insight.objects.filter(needs_review_q())) == [insight]


def test_new_contradicting_evidence_marks_a_published_insight_for_review(supported):
    insight = insight_publish(insight=supported)
    assert not insight.needs_review
    evidence = evidence_add(
        insight=insight, observation=ObservationFactory(text="Всё наоборот"), relation="contradicts"
    )
    insight.refresh_from_db()
    assert insight.review_by == timezone.localdate()
    assert insight.needs_review
    entry = InsightReview.objects.get(insight=insight)
    assert entry.kind == InsightReview.Kind.CONTRADICTED and "Всё наоборот" in entry.note
    # Saving the same contradicting link again is not new evidence: no second entry.
    evidence_save(evidence=evidence)
    assert InsightReview.objects.filter(insight=insight).count() == 1


def test_supporting_evidence_and_drafts_are_not_marked(supported):
    evidence_add(insight=supported, observation=ObservationFactory(), relation="contradicts")
    supported.refresh_from_db()
    assert supported.review_by is None and not InsightReview.objects.exists()
    insight = insight_publish(insight=supported)
    due = insight.review_by
    evidence_add(insight=insight, observation=ObservationFactory())
    insight.refresh_from_db()
    assert insight.review_by == due and not insight.needs_review


def test_a_support_link_turned_into_a_contradiction_marks_it_too(supported):
    insight = insight_publish(insight=supported)
    extra = evidence_add(insight=insight, observation=ObservationFactory())
    extra.relation = "contradicts"
    evidence_save(evidence=extra)
    insight.refresh_from_db()
    assert insight.needs_review


def test_confirming_sets_a_new_date_and_records_who_and_when(supported):
    curator = UserFactory(role="Curator")
    _months("theme", 4)
    insight_save(insight=supported, tags=[TagFactory(name="Доставка")])
    insight = insight_publish(insight=supported)
    insight.review_by = timezone.localdate() - timedelta(days=30)
    insight_save(insight=insight)
    assert insight.needs_review

    insight_confirm_review(insight=insight, user=curator, note="Проверено на новых данных")
    insight.refresh_from_db()
    assert insight.review_by == add_months(timezone.localdate(), 4)
    assert insight.reviewed_by == curator and insight.reviewed_at is not None
    assert not insight.needs_review
    entry = insight.reviews.get()
    assert (entry.kind, entry.user, entry.review_by, entry.note) == (
        InsightReview.Kind.CONFIRMED,
        curator,
        insight.review_by,
        "Проверено на новых данных",
    )


def test_only_a_published_insight_can_be_confirmed(supported):
    with pytest.raises(ValidationError) as raised:
        insight_confirm_review(insight=supported)
    assert raised.value.code == "confirm_not_published"
    assert not InsightReview.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"), [("Viewer", False), ("Contributor", False), ("Curator", True)]
)
def test_only_curators_may_confirm(role, allowed):
    assert access.may_confirm_review(UserFactory(role=role)) is allowed
