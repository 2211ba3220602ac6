"""Import jobs on the task queue: their options survive the queue, several workers on
PostgreSQL never run a job twice, and a worker killed midway writes nothing."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tasks_db.models import DBTaskResult

from insights.importing import jobs
from insights.importing.uploads import Upload
from insights.models import ImportJob, Observation, TagGroup
from insights.services import ImportOptions, tag_group_save
from insights.services.import_jobs import WorkerStopped, import_jobs_fail_stale

from ..factories import StudyFactory, UserFactory

CSV = "text\nМедленная доставка\nВсё ок\n"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def queue(study, user, content: str = CSV, **options) -> ImportJob:
    upload = Upload.save(
        SimpleUploadedFile("answers.csv", content.encode("utf-8")), study=study, user=user
    )
    return jobs.start_import(
        upload,
        study=study,
        user=user,
        options=ImportOptions(**options),
        dry_run=False,
        language="en",
        background=True,
    )


@pytest.mark.django_db
def test_the_options_a_job_keeps_are_the_ones_chosen():
    group = tag_group_save(group=TagGroup(name="Каналы", slug="channels-test"))
    options = ImportOptions(
        delimiter=";", mapping={"text": "Комментарий"}, unknown_tags="create", tag_group=group,
        scrub=False, default_kind="note",
    )  # fmt: skip
    assert ImportOptions.from_json(options.as_json()) == options
    stored = options.as_json()
    group.delete()
    assert ImportOptions.from_json(stored).tag_group is None


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_take_the_same_job(run_worker, monkeypatch):
    user = UserFactory()
    queued = [queue(StudyFactory(), user) for _ in range(8)]
    started, lock = [], threading.Lock()
    original = jobs.run_job

    def recording_run_job(job_id):
        with lock:
            started.append(job_id)
        time.sleep(0.05)  # keep both workers busy at once
        original(job_id)

    monkeypatch.setattr(jobs, "run_job", recording_run_job)
    barrier = threading.Barrier(2)
    errors = []

    def worker(name):
        try:
            barrier.wait(timeout=30)
            run_worker(worker_id=name)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(started) == sorted(job.pk for job in queued)  # each job exactly once
    results = DBTaskResult.objects.all()
    assert [(r.status, len(r.worker_ids)) for r in results] == [("SUCCESSFUL", 1)] * 8
    assert set(ImportJob.objects.values_list("status", flat=True)) == {"done"}
    assert Observation.objects.count() == 16


def database_url() -> str:
    conf = connection.settings_dict
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    return (
        f"postgres://{conf['USER']}{password}@{conf['HOST'] or '127.0.0.1'}:"
        f"{conf['PORT'] or 5432}/{conf['NAME']}"
    )


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_midway_writes_nothing_and_a_retry_imports_once(
    run_worker, settings, tmp_path
):
    study, user = StudyFactory(), UserFactory()
    rows = 6000
    content = "text;participant\n" + "".join(f"Отзыв номер {n};P-{n % 50}\n" for n in range(rows))
    job = queue(study, user, content)
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "IMPORT_DIR": str(settings.IMPORT_DIR),
        "DEBUG": "true",
        "IMPORT_JOB_HEARTBEAT": "0.1",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    with open(log, "wb") as output:
        worker = subprocess.Popen(
            [*command, "--interval", "0.2"],
            cwd=Path(django_settings.BASE_DIR),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status != "queued" and (job.rows or job.status != "running"):
                break
            time.sleep(0.1)
        assert job.status == "running" and job.rows > 0, log.read_text()
        os.kill(worker.pid, signal.SIGKILL)  # midway: some chunks written, not committed
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=30)

    assert not Observation.objects.exists()
    assert import_jobs_fail_stale() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "stopped" in job.message
    task = DBTaskResult.objects.get(id=job.task_id).task_result
    assert task.status == "FAILED" and task.errors[0].exception_class is WorkerStopped

    retry = jobs.start_import(
        Upload(job.upload),
        study=study,
        user=user,
        options=ImportOptions(),
        dry_run=False,
        language="en",
        background=True,
    )
    assert run_worker() == 1
    retry.refresh_from_db()
    assert retry.status == "done" and retry.report["created"] == rows
    assert Observation.objects.filter(study=study).count() == rows
