"""The admin's side of fresh insights: the confirm action (curators only), the needs-review
filter, and each tag group's review interval."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from insights.models import InsightReview, TagGroup
from insights.services import insight_save

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:insights_insight_changelist"


@pytest.fixture
def overdue(journey_world):
    insight = journey_world["low"]
    insight.review_by = timezone.localdate() - timedelta(days=5)
    return insight_save(insight=insight)


def test_curators_confirm_selected_insights(client, sign_in_staff, overdue, journey_world):
    curator = sign_in_staff("Curator")
    response = client.post(
        reverse(CHANGELIST),
        {"action": "confirm_selected", "_selected_action": [overdue.pk, journey_world["draft"].pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Confirmed 1 insight." in html
    assert "Only a published insight can be confirmed" in html
    overdue.refresh_from_db()
    assert not overdue.needs_review and overdue.reviewed_by == curator
    assert InsightReview.objects.get().insight == overdue


def test_contributors_do_not_get_the_action(client, sign_in_staff, overdue):
    sign_in_staff("Contributor")
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "confirm_selected" not in page


def test_the_needs_review_filter(client, sign_in_staff, overdue, journey_world):
    sign_in_staff("Curator")
    response = client.get(reverse(CHANGELIST), {"needs_review": "true"})
    assert list(response.context["cl"].result_list) == [overdue]


def test_a_tag_group_has_a_review_interval(client, sign_in_staff):
    sign_in_staff("Curator")
    group = TagGroup.objects.get(slug="channel")
    url = reverse("admin:insights_taggroup_change", args=[group.pk])
    assert 'name="review_months"' in client.get(url).content.decode()
