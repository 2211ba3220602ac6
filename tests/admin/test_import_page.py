"""The study's admin import page: upload, check with a preview, import, roles, progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from insights.admin import study_import
from insights.models import ImportJob, Observation
from insights.services.import_jobs import import_job_claim, import_job_progress

from ..factories import StudyFactory

pytestmark = pytest.mark.django_db

IMPORT = {"import": "1"}
CSV = "Респондент;Комментарий;Дата\nP-1;Пишите на ivan@mail.ru;05.03.2026\nP-2;Всё ок;06.03.2026\n"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def upload(client, study, content=CSV, **fields):
    url = reverse("admin:insights_study_import", args=[study.pk])
    data = {"unknown_tags": "reject", "scrub": "on", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile("answers.csv", content.encode("cp1251"))
    return client.post(url, data, follow=True)


def test_check_previews_then_import_writes(client, sign_in_staff):
    sign_in_staff("Contributor")
    study = StudyFactory()
    page = upload(client, study)
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 rows (csv): 2 new" in html and "Всё ок" in html
    assert 'name="import"' in html
    assert not Observation.objects.exists()
    token = page.context["upload"].token
    done = upload(client, study, content=None, token=token, **IMPORT, map_text="Комментарий")
    assert done.redirect_chain[-1][0] == reverse("admin:insights_study_change", args=[study.pk])
    assert Observation.objects.filter(study=study).count() == 2
    assert "Imported 2 rows" in done.content.decode()


def test_rows_with_problems_are_listed_and_block_the_import(client, sign_in_staff):
    sign_in_staff("Contributor")
    study = StudyFactory()
    page = upload(client, study, content="text;date\nok;2026-01-01\nbad;99.99.2026\n")
    html = page.content.decode()
    assert "line 3" in html and "is not a date" in html
    assert 'name="import"' not in html
    token = page.context["upload"].token
    upload(client, study, content=None, token=token, **IMPORT)
    assert not Observation.objects.exists()


def test_only_curators_may_keep_personal_data(client, sign_in_staff):
    sign_in_staff("Contributor")
    study = StudyFactory()
    page = upload(client, study)  # the scrub box is disabled: "off" is ignored
    token = page.context["upload"].token
    upload(client, study, content=None, token=token, **IMPORT, scrub="")
    assert Observation.objects.filter(text__contains="ivan@mail.ru").count() == 0


def test_viewers_may_not_import_and_tokens_are_private(client, sign_in_staff):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = upload(client, study).context["upload"].token
    client.logout()
    sign_in_staff("Viewer")
    url = reverse("admin:insights_study_import", args=[study.pk])
    assert client.get(url).status_code == 403
    client.logout()
    sign_in_staff("Curator", username="other")
    assert client.get(f"{url}?token={token}").status_code == 404
    assert client.get(f"{url}?token=../../etc").status_code == 404


def test_large_files_run_in_the_background_and_the_page_shows_progress(
    client, sign_in_staff, monkeypatch, run_worker
):
    user = sign_in_staff("Contributor")
    study = StudyFactory()
    monkeypatch.setattr(study_import, "INLINE_BYTES", 10)
    page = upload(client, study)
    token = page.context["upload"].token
    html = page.content.decode()
    assert "Waiting for a worker" in html and 'http-equiv="refresh"' in html  # queued
    job = ImportJob.objects.get(upload=token)
    import_job_claim(job_id=job.pk)
    import_job_progress(job_id=job.pk, rows=1000, percent=40)
    html = client.get(page.request["PATH_INFO"], {"token": token}).content.decode()
    assert 'http-equiv="refresh"' in html and "40%" in html and "<progress" in html
    # Pressing Import again while the job runs starts nothing.
    upload(client, study, content=None, token=token, **IMPORT)
    assert ImportJob.objects.count() == 1
    ImportJob.objects.filter(pk=job.pk).update(status="queued")  # hand it to the worker
    assert run_worker() == 1
    html = client.get(page.request["PATH_INFO"], {"token": token}).content.decode()
    assert "2 rows (csv): 2 new" in html and not Observation.objects.exists()  # the check
    upload(client, study, content=None, token=token, **IMPORT, map_text="Комментарий")
    assert run_worker() == 1
    html = client.get(page.request["PATH_INFO"], {"token": token}, follow=True).content.decode()
    assert "Imported 2 rows" in html and Observation.objects.get(text="Всё ок").created_by == user


def test_study_page_links_to_the_import(client, sign_in_staff):
    sign_in_staff("Contributor")
    study = StudyFactory()
    html = client.get(reverse("admin:insights_study_change", args=[study.pk])).content.decode()
    assert reverse("admin:insights_study_import", args=[study.pk]) in html
