"""Pasting rows into a study while other writers keep writing the same rows."""

import pytest
from django.urls import reverse

from insights.models import Observation
from insights.services import bulk as bulk_services
from insights.services import observations_paste

from ..factories import StudyFactory

pytestmark = pytest.mark.django_db

TABLE = "Текст\tРеспондент\nНе нашёл, где ввести код\tP-101\nКешбэк пришёл поздно\tP-101\n"


def test_a_paste_that_keeps_colliding_saves_nothing_and_says_so(admin_client, monkeypatch):
    study = StudyFactory(title="Интервью об онбординге", slug="onboarding-interviews")
    observations_paste(study=study, text=TABLE)
    # Every time the paste reads the study the rows are not there; when it writes, they are.
    monkeypatch.setattr(bulk_services, "_existing", lambda study, drafts: ({}, {}))
    form = {
        "title": "Интервью об онбординге (переименовано)", "slug": study.slug,
        "method": study.method, "status": study.status, "paste": TABLE,
        "observations-TOTAL_FORMS": "0", "observations-INITIAL_FORMS": "0",
        "observations-MIN_NUM_FORMS": "0", "observations-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    url = reverse("admin:insights_study_change", args=[study.pk])
    response = admin_client.post(url, form, follow=True)
    assert response.status_code == 200
    assert "nothing was saved" in response.content.decode()
    study.refresh_from_db()
    assert study.title == "Интервью об онбординге"  # the study's own change was rolled back too
    assert Observation.objects.filter(study=study).count() == 2
