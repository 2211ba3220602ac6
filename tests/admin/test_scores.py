"""Metric scores are whole numbers on every admin surface ("6", never "6.000" or "6,000")."""

import re

import pytest
from django.urls import reverse

from ..factories import MetricObservationFactory, StudyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def readings():
    study = StudyFactory(title="Опрос NPS")
    nps = MetricObservationFactory(study=study, metric="nps", score=6)
    custom = MetricObservationFactory(study=study, metric="custom", score="4.5")
    return {"study": study, "nps": nps, "custom": custom}


def score_inputs(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="[^"]*score"[^>]*value="([^"]*)"', html)


def test_change_forms_and_rows_show_plain_numbers(admin_client, readings):
    page = admin_client.get(reverse("admin:insights_observation_change", args=[readings["nps"].pk]))
    assert score_inputs(page.content.decode()) == ["6"]
    study_page = admin_client.get(
        reverse("admin:insights_study_change", args=[readings["study"].pk])
    )
    assert sorted(score_inputs(study_page.content.decode())) == ["4.5", "6"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_read_only_pages_show_plain_numbers(client, sign_in_staff, readings, language):
    sign_in_staff("Viewer")
    client.cookies["django_language"] = language
    pages = [
        reverse("admin:insights_observation_change", args=[readings["nps"].pk]),
        reverse("admin:insights_study_change", args=[readings["study"].pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "6.000" not in html and "6,000" not in html and "4,500" not in html
        assert re.search(r">\s*6\s*<", html), url


def test_lists_and_the_evidence_picker_show_plain_numbers(admin_client, readings):
    listing = admin_client.get(reverse("admin:insights_observation_changelist")).content.decode()
    assert "6.000" not in listing and re.search(r'class="field-score_display">6<', listing)
    answer = admin_client.get(
        reverse("admin:insights_observation_evidence_picker"),
        {"app_label": "insights", "model_name": "evidence", "field_name": "observation",
         "term": "опрос"},
    )  # fmt: skip
    labels = sorted(row["text"] for row in answer.json()["results"])
    assert labels == ["Опрос NPS — Custom metric: 4.5", "Опрос NPS — NPS: 6"]
