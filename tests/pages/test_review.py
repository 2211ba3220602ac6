"""Insights that stay fresh on the pages: "needs review" on the insight and in search
results, the needs_review filter, and the curator's confirmation form (roles, CSRF)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from insights.models import InsightReview
from insights.services import insight_save

from ..factories import UserFactory, api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(journey_world):
    insight = journey_world["low"]
    insight.review_by = timezone.localdate() - timedelta(days=5)
    return insight_save(insight=insight)


def test_the_insight_page_and_the_search_say_needs_review(viewer_client, overdue, journey_world):
    page = viewer_client.get(overdue.get_absolute_url()).content.decode()
    assert "banner-review" in page and "Needs review" in page
    assert "Confirm it still holds" not in page  # viewers cannot confirm
    fresh = viewer_client.get(journey_world["medium"].get_absolute_url()).content.decode()
    assert "banner-review" not in fresh
    results = viewer_client.get("/", {"needs_review": "true"})
    assert [insight.pk for insight in results.context["page"]] == [overdue.pk]
    assert 'class="badge needs-review"' in results.content.decode()


def test_a_curator_confirms_on_the_page(client_for, overdue):
    curator = client_for("Curator")
    page = curator.get(overdue.get_absolute_url()).content.decode()
    assert "Confirm it still holds" in page and "csrfmiddlewaretoken" in page
    response = curator.post(f"/insights/{overdue.pk}/confirm/", {"note": "Всё ещё верно"})
    assert response.status_code == 302 and response["Location"] == overdue.get_absolute_url()
    overdue.refresh_from_db()
    assert not overdue.needs_review and overdue.reviewed_by is not None
    page = curator.get(overdue.get_absolute_url()).content.decode()
    assert "Review history" in page and "Всё ещё верно" in page


@pytest.mark.parametrize("role", ["Viewer", "Contributor"])
def test_others_may_not_confirm(client_for, overdue, role):
    response = client_for(role).post(f"/insights/{overdue.pk}/confirm/")
    assert response.status_code == 403
    assert not InsightReview.objects.exists()


def test_confirming_needs_the_csrf_token_and_a_post(overdue):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(role="Curator"))
    assert browser.post(f"/insights/{overdue.pk}/confirm/").status_code == 403
    assert browser.get(f"/insights/{overdue.pk}/confirm/").status_code == 405
    assert not InsightReview.objects.exists()


def test_a_draft_cannot_be_confirmed_from_the_page(client_for, journey_world):
    curator = client_for("Curator")
    response = curator.post(f"/insights/{journey_world['draft'].pk}/confirm/", follow=True)
    assert "Only a published insight can be confirmed" in response.content.decode()
    assert not InsightReview.objects.exists()


def test_the_search_facet_and_chip_for_needs_review(viewer_client, overdue):
    page = viewer_client.get("/").content.decode()
    assert 'href="?needs_review=true"' in page
    response = viewer_client.get("/", {"needs_review": "true"})
    chips = [chip["text"] for chip in response.context["chips"]]
    assert "Needs review" in chips


def test_a_note_too_long_is_refused_on_the_page_and_in_the_api(client_for, overdue):
    note = "я" * 2001
    curator = client_for("Curator")
    response = curator.post(f"/insights/{overdue.pk}/confirm/", {"note": note}, follow=True)
    assert "at most 2000 characters" in response.content.decode()
    api = api_client_for("Curator")
    answer = api.post(f"/api/v1/insights/{overdue.pk}/confirm/", {"note": note}, format="json")
    assert answer.status_code == 400
    assert "note" in answer.json()["error"]["fields"]
    assert not InsightReview.objects.filter(insight=overdue).exists()
    overdue.refresh_from_db()
    assert overdue.needs_review
