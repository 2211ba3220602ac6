"""A study with more observations than a page can hold still opens and saves in the admin."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from insights.admin.formsets import LatestRowsFormSet
from insights.models import Observation

from ..factories import ObservationFactory, StudyFactory
from .forms import posted_as_shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_study(monkeypatch):
    monkeypatch.setattr(LatestRowsFormSet, "shown", 3)
    study = StudyFactory()
    for day in range(5):
        ObservationFactory(
            study=study, text=f"Наблюдение {day}", observed_on=date(2026, 3, 1) + timedelta(day)
        )
    return study


def test_the_change_page_edits_the_latest_rows_and_links_to_the_rest(admin_client, long_study):
    response = admin_client.get(reverse("admin:insights_study_change", args=[long_study.pk]))
    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    shown = [form.instance.text for form in inline.formset.initial_forms]
    assert shown == ["Наблюдение 4", "Наблюдение 3", "Наблюдение 2"]
    html = response.content.decode()
    assert "The latest 3 are shown here; 2 more are in" in html
    assert f"/admin/insights/observation/?study__id__exact={long_study.pk}" in html
    assert admin_client.get(inline.formset.more_url).status_code == 200


def test_saving_the_page_changes_the_shown_rows_and_leaves_the_others(admin_client, long_study):
    url = reverse("admin:insights_study_change", args=[long_study.pk])
    payload = posted_as_shown(admin_client.get(url))
    (text_field,) = [name for name, value in payload.items() if value == "Наблюдение 4"]
    payload[text_field] = "Наблюдение 4, поправлено"
    response = admin_client.post(url, payload)
    assert response.status_code == 302, response.context and response.context["errors"]
    texts = sorted(Observation.objects.filter(study=long_study).values_list("text", flat=True))
    assert texts == [f"Наблюдение {n}" for n in range(4)] + ["Наблюдение 4, поправлено"]


def test_the_russian_page_counts_the_rest_in_russian(admin_client, long_study):
    admin_client.cookies["django_language"] = "ru"
    response = admin_client.get(reverse("admin:insights_study_change", args=[long_study.pk]))
    assert "Здесь показаны последние 3; ещё 2 — в" in response.content.decode()
