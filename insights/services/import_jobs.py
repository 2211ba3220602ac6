"""The life of an import job's row: queued, claimed by one worker, its progress, its end.

Each change is one conditional UPDATE, so two workers that receive the same job cannot both
run it, and a run that a stale-job sweep has already given up on cannot come back to life.
"""

import contextlib
import os
import socket
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override as language_override

from ..models import ImportJob, Study

Status = ImportJob.Status


class WorkerStopped(Exception):
    """Recorded as the error of a task whose worker died while running it."""


def this_host() -> str:
    """Where process ids mean the same: the host name and, on Linux, the process-id namespace
    (two containers of one pod share a host name, not their process ids)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}" if namespace else socket.gethostname()


def worker_name() -> str:
    """This process, as recorded on the jobs it runs."""
    return f"{this_host()}:{os.getpid()}"


def import_job_create(
    *,
    upload: str,
    study: Study,
    user,
    file_name: str,
    options: dict,
    dry_run: bool,
    language: str,
) -> tuple[ImportJob, bool]:
    """A queued job for an upload, or the one already waiting or running for it (False)."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                upload=upload,
                study=study,
                user=user,
                file_name=file_name[:255],
                options=options,
                dry_run=dry_run,
                language=language,
            )
            return job, True
    except IntegrityError:
        # The database allows one active job per upload (a double press, two tabs).
        active = ImportJob.objects.filter(upload=upload, status__in=ImportJob.ACTIVE).first()
        if active is None:
            raise
        return active, False


def import_job_set_task(*, job: ImportJob, task_id: str) -> None:
    job.task_id = str(task_id)
    ImportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)


def import_job_claim(*, job_id: int, worker: str | None = None) -> ImportJob | None:
    """Mark a queued job running for this worker; None if it is not queued any more."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        worker=worker or worker_name(),
        started_at=now,
        heartbeat_at=now,
    )
    if not claimed:
        return None
    return ImportJob.objects.select_related("study", "user").get(pk=job_id)


def import_job_progress(*, job_id: int, rows: int, percent: int) -> None:
    """Record progress and a sign of life of a running job."""
    ImportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
        rows=rows, percent=max(0, min(percent, 100)), heartbeat_at=timezone.now()
    )


def import_job_finish(*, job_id: int, report: dict) -> None:
    """The run ended with a report. Called inside the import's transaction when it writes,
    so the job reads "done" exactly when its rows are committed."""
    ImportJob.objects.filter(pk=job_id).update(
        status=Status.DONE,
        report=report,
        message="",
        rows=report.get("rows", 0),
        percent=100,
        finished_at=timezone.now(),
    )


def import_job_fail(*, job_id: int, message: str) -> None:
    """The run ended without writing anything, for the reason given."""
    ImportJob.objects.filter(pk=job_id, status__in=ImportJob.ACTIVE).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _is_stale(job: ImportJob, *, host: str, deadline) -> bool:
    worker_host, _sep, pid = job.worker.rpartition(":")
    if worker_host == host and pid.isdigit() and not _process_alive(int(pid)):
        return True
    # SQLite lets one writer in at a time, so a running import cannot beat there; its
    # workers share the file's host and the process check above tells.
    if connection.vendor == "sqlite":
        return False
    return job.heartbeat_at is None or job.heartbeat_at < deadline


def import_jobs_fail_stale() -> int:
    """Mark failed the running jobs whose worker is gone: its process on this host has ended,
    or it gave no sign of life for IMPORT_JOB_TIMEOUT seconds. Their imports were rolled
    back with the worker's connection, so nothing of them was written."""
    now = timezone.now()
    deadline = now - timedelta(seconds=settings.IMPORT_JOB_TIMEOUT)
    host = this_host()
    failed = 0
    running = ImportJob.objects.filter(status=Status.RUNNING).only(
        "pk", "worker", "heartbeat_at", "language", "task_id"
    )
    for job in running:
        if not _is_stale(job, host=host, deadline=deadline):
            continue
        with language_override(job.language or None):
            message = _(
                "The worker running this job stopped (a restart, a deploy or a crash); "
                "nothing was written. Run it again."
            )
        failed += ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.FAILED, message=message, finished_at=now
        )
        _fail_task_result(job.task_id, message)
    return failed


def _fail_task_result(task_id: str, message: str) -> None:
    """The queue's own record of the task is left "running" by a dead worker too."""
    if not task_id or not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    # An id that is not this backend's (another backend ran the task) matches nothing.
    with contextlib.suppress(ValidationError):
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=f"{__name__}.{WorkerStopped.__qualname__}",
            traceback=message,
        )


def import_jobs_prune(*, older_than: timedelta) -> int:
    """Forget finished jobs older than ``older_than``."""
    cutoff = timezone.now() - older_than
    deleted, _counts = ImportJob.objects.filter(
        status__in=[Status.DONE, Status.FAILED], created_at__lt=cutoff
    ).delete()
    return deleted
