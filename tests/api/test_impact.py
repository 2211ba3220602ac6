"""GET /api/v1/decisions/{id}/impact/ and GET /api/v1/loop/: figures, roles, bad input, queries."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from ..factories import (
    SHIPPED,
    DecisionFactory,
    InsightFactory,
    MetricObservationFactory,
    TagFactory,
    nps_answers_around_shipping,
    published_insight,
    shipped_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(onboarding, premium):
    """A shipped decision on NPS of premium onboarding, with the hand-worked answers of
    tests/test_impact.py: NPS −15 from 40 answers before, +30 from 50 after."""
    both = [onboarding, premium]
    nps_answers_around_shipping(both)
    insight = published_insight("Онбординг путает премиум-клиентов", [onboarding])
    return shipped_decision("Упростить онбординг", [insight], both, target_metric="nps")


def test_impact_with_the_interval(clients, measured):
    response = clients["Viewer"].get(
        f"/api/v1/decisions/{measured.pk}/impact/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "rose"
    assert (body["difference"], body["ci_low"], body["ci_high"]) == (45.0, 10.8, 79.2)
    assert body["before"]["base"] == 40 and body["before"]["detractors"] == 18
    assert body["after"]["promoters"] == 25 and body["after"]["passives"] == 15
    assert body["before"]["start"] == "2026-03-03" and body["after"]["end"] == "2026-08-30"
    assert [tag["name"] for tag in body["tags"]] == ["Онбординг", "Premium"]
    assert body["window_days"] == 90 and body["min_base"] == 30
    assert body["message"].startswith("NPS rose by +45.0")


def test_a_narrower_window_can_leave_too_few_answers(clients, measured):
    body = clients["Viewer"].get(f"/api/v1/decisions/{measured.pk}/impact/?window=7").json()
    assert body["window_days"] == 7
    assert body["before"]["base"] == 0
    assert body["verdict"] == "too_few_answers"
    assert body["difference"] is None


@pytest.mark.parametrize("window", ["abc", "6", "731", "1.5"])
def test_a_wrong_window_is_a_400_with_a_field_message(clients, measured, window):
    response = clients["Viewer"].get(f"/api/v1/decisions/{measured.pk}/impact/?window={window}")
    assert response.status_code == 400
    assert "window" in response.json()["error"]["fields"]
    assert clients["Viewer"].get(f"/api/v1/loop/?window={window}").status_code == 400


def test_a_decision_without_target(clients):
    body = clients["Viewer"].get(f"/api/v1/decisions/{DecisionFactory().pk}/impact/").json()
    assert body["verdict"] == "no_target" and body["before"] is None and body["metric"] is None


def test_anonymous_readers_get_neither(settings, measured):
    settings.ANONYMOUS_READ = True
    anonymous = APIClient()
    assert anonymous.get(f"/api/v1/decisions/{measured.pk}/impact/").status_code == 401
    assert anonymous.get("/api/v1/loop/").status_code == 401


def test_curators_set_the_target_through_the_api(clients, onboarding, premium):
    response = clients["Curator"].post(
        "/api/v1/decisions/",
        {"title": "Цель", "target_metric": "csat", "target_tags": ["onboarding", "Premium"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["target_metric"] == "csat" and body["shipped_on"] is None
    assert {tag["slug"] for tag in body["target_tags"]} == {onboarding.slug, premium.slug}
    shipped = clients["Curator"].patch(
        f"/api/v1/decisions/{body['id']}/", {"status": "shipped"}, format="json"
    )
    assert shipped.json()["shipped_on"] is not None
    wrong = clients["Curator"].post(
        "/api/v1/decisions/", {"title": "x", "target_metric": "ltv"}, format="json"
    )
    assert wrong.status_code == 400 and "target_metric" in wrong.json()["error"]["fields"]


def test_loop_report_counts_published_insights_only(clients, measured, onboarding, kyc):
    # A draft with a decision: no role sees it in the report.
    draft = InsightFactory(statement="Черновик", tags=[kyc])
    DecisionFactory(title="По черновику", insights=[draft], status="shipped")
    # A published insight under KYC without any decision.
    published_insight("KYC долгий", [kyc])
    bodies = {role: clients[role].get("/api/v1/loop/").json() for role in clients}
    assert bodies["Viewer"] == bodies["Curator"]
    body = bodies["Viewer"]
    assert body["window_days"] == 90
    assert body["total"]["insights"] == 2
    assert body["total"]["with_decisions"] == 1 and body["total"]["with_shipped_decisions"] == 1
    rows = {row["tag"]["name"]: row for row in body["tags"]}
    # The parent counts its child's insight; the child only its own.
    assert rows["Онбординг"]["insights"] == 2 and rows["Онбординг"]["with_decisions"] == 1
    assert rows["KYC"]["insights"] == 1 and rows["KYC"]["with_decisions"] == 0
    assert rows["KYC"]["median_days_to_decision"] is None
    assert rows["Онбординг"]["median_days_to_decision"] == 0
    [result] = rows["Онбординг"]["measured_decisions"]
    assert result["title"] == "Упростить онбординг" and result["verdict"] == "rose"
    assert rows["KYC"]["measured_decisions"] == []


def test_loop_report_in_a_fixed_number_of_queries(clients, measured, django_assert_max_num_queries):
    viewer = clients["Viewer"]
    viewer.get("/api/v1/loop/")  # the session and permissions are cached after this
    for n in range(8):
        tag = TagFactory(name=f"Тема {n}")
        insight = published_insight(f"Инсайт {n}", [tag])
        shipped_decision(f"Решение {n}", [insight], [tag], target_metric="ces")
    with django_assert_max_num_queries(14):
        response = viewer.get("/api/v1/loop/")
    assert len(response.json()["tags"]) == 9


def test_ces_impact_carries_welch_degrees_of_freedom(clients, onboarding):
    # Ten 3s and ten 5s before, fifteen 4s and fifteen 6s after: the Welch example of
    # tests/test_impact.py with 30 answers on each side (mean 4 -> 5).
    for day, scores in [
        (SHIPPED - timedelta(days=3), [3] * 15 + [5] * 15),
        (SHIPPED + timedelta(days=3), [4] * 15 + [6] * 15),
    ]:
        for score in scores:
            MetricObservationFactory(observed_on=day, metric="ces", score=score, tags=[onboarding])
    decision = DecisionFactory(target_metric="ces", target_tags=[onboarding], shipped_on=SHIPPED)
    body = clients["Viewer"].get(f"/api/v1/decisions/{decision.pk}/impact/").json()
    assert body["before"]["value"] == 4.0 and body["after"]["value"] == 5.0
    assert body["difference"] == 1.0 and body["verdict"] == "rose"
    # s² = 30/29 on both sides, SE = sqrt(2 * 30/29 / 30) = 0.2626, df = 58, t = 2.0017.
    assert body["degrees_of_freedom"] == 58.0
    assert (body["ci_low"], body["ci_high"]) == (0.47, 1.53)
    assert "promoters" not in body["before"]
