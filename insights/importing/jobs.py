"""Running an import (or its check) of an upload as an ImportJob: in the request for small
files, on the task queue (insights/tasks.py, run by ``manage.py db_worker``) for large ones.

The job's row holds its state; the task carries only the job's id. The import is one
transaction that also marks the job done, so a job reads "done" exactly when its rows are
committed, and a worker killed midway leaves nothing written and a job that the stale-job
sweep then shows as failed.
"""

import logging
import threading

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override as language_override

from ..models import ImportJob
from ..services import ImportOptions, WriteConflict, observations_import
from ..services.import_jobs import (
    import_job_claim,
    import_job_create,
    import_job_fail,
    import_job_finish,
    import_job_progress,
    import_job_set_task,
    import_jobs_fail_stale,
)
from .rows import MappingError
from .sources import SourceError
from .uploads import Upload

logger = logging.getLogger(__name__)


def start_import(
    upload: Upload,
    *,
    study,
    user,
    options: ImportOptions,
    dry_run: bool,
    language: str,
    background: bool,
) -> ImportJob:
    """Create the upload's job and run it now, or queue it; an upload whose job is still
    waiting or running gets that job back and nothing new starts."""
    job, created = import_job_create(
        upload=upload.token,
        study=study,
        user=user,
        file_name=upload.meta["name"],
        options=options.as_json(),
        dry_run=dry_run,
        language=language,
    )
    if not created:
        return job
    if background:
        enqueue(job)
    else:
        run_job(job.pk)
    job.refresh_from_db()
    return job


def enqueue(job: ImportJob) -> None:
    from ..tasks import run_import_job

    try:
        result = run_import_job.enqueue(job.pk)
    except Exception:
        with language_override(job.language or None):
            import_job_fail(job_id=job.pk, message=_("The job could not be queued; try again."))
        raise
    import_job_set_task(job=job, task_id=result.id)


def run_job(job_id: int) -> None:
    """Run a queued job. A job that another worker took, or that ended, is left alone, so
    a task delivered twice runs once."""
    import_jobs_fail_stale()  # a worker picking up work also clears up after dead ones
    job = import_job_claim(job_id=job_id)
    if job is None:
        logger.info("Import job %s is not queued any more; skipped", job_id)
        return
    with language_override(job.language or None):
        _run_claimed(job)


def _run_claimed(job: ImportJob) -> None:
    source = Upload.source_of(job.upload)
    if source is None:
        import_job_fail(job_id=job.pk, message=_("The uploaded file is gone; upload it again."))
        return
    beat = Heartbeat(job.pk)
    try:
        with open(source, "rb") as stream, transaction.atomic():
            report = observations_import(
                study=job.study,
                stream=stream,
                name=job.file_name,
                options=ImportOptions.from_json(job.options),
                user=job.user,
                dry_run=job.dry_run,
                progress=beat.progress,
            )
            beat.stop()
            # In the import's transaction: "done" and the rows are committed together.
            import_job_finish(job_id=job.pk, report=report.as_dict())
    except (SourceError, MappingError, WriteConflict) as error:
        import_job_fail(job_id=job.pk, message=str(error))
    except Exception as error:
        import_job_fail(
            job_id=job.pk,
            message=_("The job stopped on an unexpected error (%(error)s); nothing was written.")
            % {"error": f"{type(error).__name__}: {error}"},
        )
        raise  # the task queue records the traceback
    finally:
        beat.stop()


class Heartbeat:
    """Records a running job's progress every few seconds through a connection of its own,
    outside the import's transaction, so the page sees it and the sweep knows it lives.

    SQLite lets one writer in at a time and the import is that writer, so there the job
    shows as running, without numbers, until it ends.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.rows = 0
        self.percent = 0
        self._stopped = threading.Event()
        self._thread = None
        if connection.vendor != "sqlite":
            self._thread = threading.Thread(target=self._beat, daemon=True, name="import-beat")
            self._thread.start()

    def progress(self, rows: int, done: int, total: int) -> None:
        self.rows = rows
        self.percent = int(done * 100 / total) if total else 0

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stopped.wait(settings.IMPORT_JOB_HEARTBEAT):
                import_job_progress(job_id=self.job_id, rows=self.rows, percent=self.percent)
        except Exception:  # a missed beat must not stop the import
            logger.exception("Could not record the progress of import job %s", self.job_id)
        finally:
            connection.close()
