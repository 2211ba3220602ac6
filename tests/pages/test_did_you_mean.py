"""The search page offers the corrected search as a link when nothing matched."""

import re
from html import unescape

import pytest
from django.core.cache import cache

from ..factories import InsightFactory, ObservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_onboarding(onboarding):
    """One published insight on onboarding, and no spelling vocabulary cached from before."""
    InsightFactory(
        statement="Онбординг слишком длинный",
        tags=[onboarding],
        evidence=[{"observation": ObservationFactory(text="Долго")}],
        published=True,
    )
    cache.clear()


@pytest.mark.usefixtures("long_onboarding")
def test_a_typo_offers_a_link_that_runs_the_corrected_search(viewer_client):
    response = viewer_client.get("/", {"q": "онбордниг", "tag_mode": "any"})
    assert response.context["page"].paginator.count == 0
    html = response.content.decode()
    link = re.search(r'Did you mean: <a href="([^"]*)">онбординг</a>\?', html)
    assert link, "the corrected search is offered"
    assert "tag_mode=any" in unescape(link.group(1))  # the other parameters are kept
    assert [t.name for t in response.context["suggested_tags"]] == ["Онбординг"]
    corrected = viewer_client.get("/" + unescape(link.group(1)))
    assert [i.statement for i in corrected.context["page"]] == ["Онбординг слишком длинный"]
    assert corrected.context["did_you_mean"] is None


@pytest.mark.usefixtures("long_onboarding")
def test_russian_page_says_did_you_mean_in_russian(viewer_client):
    html = viewer_client.get("/", {"q": "онбордниг"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Возможно, вы имели в виду:" in html
