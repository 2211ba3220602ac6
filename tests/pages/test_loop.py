"""The decision page's impact section and the /loop/ report: figures, words, roles, queries."""

import pytest

from ..factories import (
    DecisionFactory,
    InsightFactory,
    TagFactory,
    nps_answers_around_shipping,
    published_insight,
    shipped_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def loop_world(onboarding, premium):
    """A shipped decision whose NPS rose (the hand-worked figures of tests/test_impact.py),
    another with too few answers, and a decision behind a draft."""
    both = [onboarding, premium]
    nps_answers_around_shipping(both)
    insight = published_insight("Премиум-клиенты путаются в онбординге", [onboarding])
    measured = shipped_decision("Упростить онбординг", [insight], both, target_metric="nps")
    premium_only = published_insight("Премиум-клиенты ждут подарков", [premium])
    too_few = shipped_decision(
        "Подарок за подписку", [premium_only], [premium], target_metric="csat"
    )
    draft = InsightFactory(statement="Черновая находка", tags=[TagFactory(name="Черновая тема")])
    hidden = DecisionFactory(title="Решение по черновику", insights=[draft], status="shipped")
    return {"measured": measured, "too_few": too_few, "hidden": hidden}


def test_decision_page_shows_before_after_and_the_interval(viewer_client, loop_world):
    page = viewer_client.get(
        loop_world["measured"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Did it move the metric?" in page
    assert 'data-label="Base">40' in page and 'data-label="Base">50' in page
    assert 'data-label="Detractors">18' in page and 'data-label="Promoters">25' in page
    assert "NPS rose by +45.0 (95% confidence interval +10.8 to +79.2)" in page
    assert "+10.8 … +79.2" in page


def test_decision_page_in_russian(client_for, loop_world):
    session = client_for("Viewer")
    session.cookies["django_language"] = "ru"
    page = session.get(loop_world["too_few"].get_absolute_url()).content.decode()
    assert "Пока нельзя судить" in page


def test_too_few_answers_cannot_be_judged_in_words(viewer_client, loop_world):
    page = viewer_client.get(
        loop_world["too_few"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Cannot be judged yet: answers before shipping: 0, after: 0" in page


def test_a_narrower_window_and_a_wrong_one(viewer_client, loop_world):
    url = loop_world["measured"].get_absolute_url()
    narrow = viewer_client.get(url, {"window": 7}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="7"' in narrow and "Cannot be judged yet: answers before shipping: 0" in narrow
    wrong = viewer_client.get(url, {"window": "x"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Give the window as a whole number of days" in wrong
    assert "NPS rose by +45.0" in wrong  # the default window applies


def test_loop_page_per_tag_for_published_insights(viewer_client, loop_world):
    response = viewer_client.get("/loop/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    report = response.context["report"]
    assert (report.total.insights, report.total.with_decisions, report.total.with_shipped) == (
        2,
        2,
        2,
    )
    assert [impact.decision.title for impact in report.total.measured] == ["Упростить онбординг"]
    assert "Упростить онбординг" in page and "Rose" in page
    # A draft and its decision stay out of every count and list.
    assert "Черновая тема" not in page and "Решение по черновику" not in page
    assert 'href="/loop/" aria-current="page"' in page


def test_loop_page_needs_a_role(client, client_for, settings, loop_world):
    settings.ANONYMOUS_READ = True
    assert client.get("/loop/").status_code == 302
    assert client_for(None).get("/loop/").status_code == 403
    assert "/loop/" not in client.get("/").content.decode()


def test_loop_page_in_a_fixed_number_of_queries(
    viewer_client, loop_world, django_assert_max_num_queries
):
    viewer_client.get("/loop/")
    for n in range(6):
        tag = TagFactory(name=f"Тема {n}")
        shipped_decision(
            f"Решение {n}", [published_insight(f"Инсайт {n}", [tag])], [tag], target_metric="ces"
        )
    with django_assert_max_num_queries(16):
        response = viewer_client.get("/loop/")
    assert len(response.context["report"].rows) == 8


def test_bad_window_on_the_loop_page_says_so(viewer_client):
    page = viewer_client.get("/loop/", {"window": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Give the window as a whole number of days from 7 to 730." in page.content.decode()
    assert page.context["window"] == 90
