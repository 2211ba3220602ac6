"""Large admin imports run as jobs on the task queue: queued rows, a worker, failures shown
with their reason, dead workers detected, retries that do not duplicate."""

import socket
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from insights.admin import study_import
from insights.importing import jobs
from insights.models import ImportJob, Observation
from insights.services.import_jobs import import_job_claim, this_host

from ..factories import StudyFactory

pytestmark = pytest.mark.django_db

CSV = "Респондент;Комментарий;Дата\nP-1;Медленная доставка;05.03.2026\nP-2;Всё ок;06.03.2026\n"


@pytest.fixture(autouse=True)
def _background(settings, tmp_path, monkeypatch):
    """Every upload of these tests is "large": it goes to the queue."""
    settings.IMPORT_DIR = tmp_path / "imports"
    monkeypatch.setattr(study_import, "INLINE_BYTES", 10)


def post(client, study, *, token="", check=False):
    data = {"unknown_tags": "reject", "scrub": "on", "map_text": "Комментарий"}
    if not check:
        data["import"] = "1"
    if token:
        data["token"] = token
    else:
        data["file"] = SimpleUploadedFile("answers.csv", CSV.encode("utf-8"))
    return client.post(reverse("admin:insights_study_import", args=[study.pk]), data)


def page(client, study, token):
    url = reverse("admin:insights_study_import", args=[study.pk])
    return client.get(url, {"token": token})


def token_of(response) -> str:
    return response.url.split("token=")[1]


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_an_upload_queues_a_job_and_the_worker_runs_it(client, sign_in_staff, run_worker):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study, check=True))
    job = ImportJob.objects.get(upload=token)
    assert (job.status, job.dry_run, job.file_name) == ("queued", True, "answers.csv")
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "READY" and task.args_kwargs["args"] == [job.pk]
    assert "Waiting for a worker" in page(client, study, token).content.decode()

    assert run_worker() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.report["created"] == 2 and job.percent == 100
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    assert not Observation.objects.exists()  # a check writes nothing

    post(client, study, token=token)
    assert run_worker() == 1
    assert Observation.objects.filter(study=study).count() == 2
    done = page(client, study, token)
    assert done.url == reverse("admin:insights_study_change", args=[study.pk])


def test_a_job_whose_work_raises_fails_with_its_reason_on_the_page(
    client, sign_in_staff, run_worker, monkeypatch
):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study))

    def explode(**kwargs):
        Observation.objects.create(study=kwargs["study"], kind="note", text="half-way")
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "observations_import", explode)
    assert run_worker() == 1
    job = ImportJob.objects.get(upload=token)
    assert job.status == "failed" and "RuntimeError: disk full" in job.message
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "FAILED" and "disk full" in task.traceback
    assert not Observation.objects.exists()  # its transaction was rolled back
    html = page(client, study, token).content.decode()
    assert 'class="errornote"' in html and "disk full" in html and "nothing was written" in html
    assert 'name="import"' in html  # one press runs it again


def test_a_file_that_cannot_be_read_fails_with_the_readers_message(
    client, sign_in_staff, run_worker
):
    sign_in_staff("Contributor")
    study = StudyFactory()
    url = reverse("admin:insights_study_import", args=[study.pk])
    data = {"unknown_tags": "reject", "scrub": "on", "format": "jsonl"}
    data["file"] = SimpleUploadedFile("a.jsonl", b'{"text": "ok"}\n{"text": \n')
    token = token_of(client.post(url, data))
    run_worker()
    html = page(client, study, token).content.decode()
    assert ImportJob.objects.get(upload=token).status == "failed"
    assert 'class="errornote"' in html and "line 2" in html.lower()


def test_a_job_whose_worker_died_shows_as_failed_and_wrote_nothing(client, sign_in_staff):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study))
    job = ImportJob.objects.get(upload=token)
    # A worker on this host claimed it, then was killed (kill -9, a deploy, a crash).
    import_job_claim(job_id=job.pk, worker=f"{this_host()}:{dead_pid()}")
    html = page(client, study, token).content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and "stopped" in job.message
    assert 'http-equiv="refresh"' not in html and "The worker running this job stopped" in html
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"  # never picked
    assert not Observation.objects.exists()


def test_a_live_worker_job_is_left_running(client, sign_in_staff):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study))
    job = ImportJob.objects.get(upload=token)
    import_job_claim(job_id=job.pk)  # this very process: alive
    assert 'http-equiv="refresh"' in page(client, study, token).content.decode()
    job.refresh_from_db()
    assert job.status == "running"


def test_a_worker_in_another_container_of_the_same_host_name_is_not_judged_by_pid(
    client, sign_in_staff
):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study))
    job = ImportJob.objects.get(upload=token)
    # Same host name, other process-id namespace: this process cannot see its pid.
    import_job_claim(job_id=job.pk, worker=f"{socket.gethostname()}/pid:[1]:{dead_pid()}")
    page(client, study, token)
    assert ImportJob.objects.get(pk=job.pk).status == "running"  # it beat a moment ago


@pytest.mark.requires_postgres
def test_a_job_silent_past_the_timeout_shows_as_failed(client, sign_in_staff, settings):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study))
    job = ImportJob.objects.get(upload=token)
    import_job_claim(job_id=job.pk, worker="another-server:4242")
    assert ImportJob.objects.get(pk=job.pk).status == "running"
    page(client, study, token)
    assert ImportJob.objects.get(pk=job.pk).status == "running"  # it beat a moment ago
    settings.IMPORT_JOB_TIMEOUT = -1
    page(client, study, token)
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


def test_running_a_failed_import_again_does_not_duplicate(
    client, sign_in_staff, run_worker, monkeypatch
):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study))
    job = ImportJob.objects.get(upload=token)
    import_job_claim(job_id=job.pk, worker=f"{this_host()}:{dead_pid()}")
    page(client, study, token)  # shown failed
    post(client, study, token=token)  # "Import" again
    assert ImportJob.objects.filter(upload=token).count() == 2
    assert run_worker() == 2  # the old task finds its job failed and does nothing
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
    assert Observation.objects.filter(study=study).count() == 2

    # The same file uploaded and imported once more updates instead of adding.
    token = token_of(post(client, study))
    run_worker()
    report = ImportJob.objects.get(upload=token).report
    assert (report["created"], report["repeated"] + report["updated"]) == (0, 2)
    assert Observation.objects.filter(study=study).count() == 2


def test_a_task_delivered_twice_runs_once(client, sign_in_staff, run_worker):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study))
    job = ImportJob.objects.get(upload=token)
    jobs.enqueue(job)  # the same job on the queue a second time
    assert run_worker() == 2
    job.refresh_from_db()
    assert job.status == "done" and job.report["created"] == 2
    assert Observation.objects.filter(study=study).count() == 2


def test_a_second_press_while_queued_starts_nothing(client, sign_in_staff):
    sign_in_staff("Contributor")
    study = StudyFactory()
    token = token_of(post(client, study, check=True))
    post(client, study, token=token)
    post(client, study, token=token)
    assert ImportJob.objects.filter(upload=token).count() == 1
    assert DBTaskResult.objects.count() == 1
