"""Pasting a study's observations on its admin page: saved with the study, all or nothing."""

import pytest
from django.urls import reverse

from insights.models import Observation, Participant, Study

from ..factories import ObservationFactory, StudyFactory, TagFactory
from .forms import inline_management, study_form

pytestmark = pytest.mark.django_db

TABLE = (
    "Текст\tРеспондент\tТеги\tNPS\tВнутреннее\n"
    "Не нашёл, где ввести код\tP-101\tОнбординг\t\tx\n"
    "Кешбэк пришёл через неделю\tP-101\tКешбэк\t\t\n"
    "\tP-101\t\t6\t\n"
)


def paste_form(paste: str, **fields) -> dict:
    return study_form(paste=paste, **inline_management("observations", 0), **fields)


@pytest.fixture
def tags(onboarding):
    return [onboarding, TagFactory(name="Кешбэк")]


def test_a_new_study_is_saved_with_its_pasted_table(admin_client, tags):
    response = admin_client.post(
        reverse("admin:insights_study_add"), paste_form(TABLE), follow=True
    )
    study = Study.objects.get(title="Интервью об онбординге")
    observations = list(study.observations.order_by("pk"))
    assert len(observations) == 3
    assert {o.participant.code for o in observations} == {"P-101"}
    assert [o.score for o in observations] == [None, None, 6]
    assert list(observations[0].tags.all()) == [tags[0]]
    assert observations[0].created_by.username == "root"
    html = response.content.decode()
    assert "Added 3 observations from the pasted rows." in html
    assert "Columns left out: Внутреннее." in html


def test_any_bad_line_saves_nothing_and_lists_the_lines(admin_client, tags):
    paste = TABLE + "Ещё\tP-202\tНет такого тега\t\t\n\tP-203\t\t11\t\n"
    response = admin_client.post(reverse("admin:insights_study_add"), paste_form(paste))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 5, tags: Unknown tag “Нет такого тега”." in html
    assert "Line 6, score: NPS scores are whole numbers from 0 to 10." in html
    assert "Columns recognised: Текст → text, Респондент → participant" in html
    assert not Study.objects.exists() and not Participant.objects.exists()


def test_an_unreadable_paste_is_a_field_error(admin_client):
    response = admin_client.post(
        reverse("admin:insights_study_add"), paste_form("Имя\tГород\nАнна\tОмск\n")
    )
    assert "No column of the pasted table holds the observation text" in (response.content.decode())
    assert not Study.objects.exists()


def test_lines_pasted_into_an_existing_study_are_added_once(admin_client):
    study = StudyFactory(title="Интервью")
    ObservationFactory(study=study, text="Уже была", participant=None)
    url = reverse("admin:insights_study_change", args=[study.pk])
    payload = paste_form(
        "Уже была\nНовая цитата\n", title="Интервью", slug=study.slug, method=study.method
    )
    response = admin_client.post(url, payload, follow=True)
    assert "Added 1 observation from the pasted rows." in response.content.decode()
    assert sorted(study.observations.values_list("text", flat=True)) == ["Новая цитата", "Уже была"]


def test_readers_get_no_paste_box(client, sign_in_staff):
    sign_in_staff("Viewer")
    study = StudyFactory()
    page = client.get(reverse("admin:insights_study_change", args=[study.pk]))
    assert page.status_code == 200 and 'name="paste"' not in page.content.decode()


def test_contributors_paste_too(client, sign_in_staff):
    sign_in_staff("Contributor")
    assert 'name="paste"' in client.get(reverse("admin:insights_study_add")).content.decode()
    client.post(reverse("admin:insights_study_add"), paste_form("Одна цитата"))
    assert Observation.objects.get().text == "Одна цитата"


def test_rows_refused_after_their_check_roll_the_whole_save_back(admin_client, tags, monkeypatch):
    from insights.admin import study_paste
    from insights.services import observations_paste, tag_merge

    def merge_between_check_and_write(*, dry_run=False, **kwargs):
        if not dry_run:  # a curator merges a tag the rows name, just before they are written
            tag_merge(sources=[tags[1]], target=tags[0])
            tags[0].aliases.all().delete()
        return observations_paste(dry_run=dry_run, **kwargs)

    monkeypatch.setattr(study_paste, "observations_paste", merge_between_check_and_write)
    response = admin_client.post(
        reverse("admin:insights_study_add"), paste_form(TABLE), follow=True
    )
    assert "nothing was saved" in response.content.decode()
    assert not Study.objects.exists() and not Observation.objects.exists()
