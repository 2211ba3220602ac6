"""Work that runs on the task queue, outside any web request: the place for every
background job (admin imports, the e-mail digests, whatever comes next).

Tasks are Django's task framework (the django-tasks backport until Django 6's django.tasks)
on its database backend: ``task.enqueue(...)`` stores a row, and ``manage.py db_worker``
processes pick rows with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so several
workers never take the same one. Arguments must be JSON values: pass ids, not objects, and
keep the task's state in your own rows, as import jobs do.
"""

from datetime import timedelta

from django.utils import timezone

try:  # Django 6
    from django.tasks import task
except ImportError:  # Django 5.2: the backport
    from django_tasks import task


@task()
def run_import_job(job_id: int) -> None:
    """Run an ImportJob (a check or an import of an uploaded file)."""
    from .importing.jobs import run_job

    run_job(job_id)


# How often the scheduled digest run comes back: daily and weekly digests go out within an
# hour of a user's day or week turning.
DIGEST_INTERVAL = timedelta(hours=1)


@task()
def send_due_digests(reschedule: bool = False) -> dict:
    """Send the e-mail digests that are due; safe to queue as often as you like (each period's
    digest goes out once). With ``reschedule`` it queues its next run an hour later, so once
    scheduled (``send_digests --schedule``) the workers keep sending with no cron. Returns
    the counts of ``insights.digests.DigestReport``."""
    from .digests import send_digests

    try:
        report = send_digests()
    finally:
        if reschedule:
            schedule_digests(after=timezone.now() + DIGEST_INTERVAL)
    counts = ("sent", "nothing_new", "already_sent", "skipped", "failed")
    return {name: getattr(report, name) for name in counts}


def schedule_digests(after=None) -> bool:
    """Queue the recurring digest run unless one is already waiting; True when it queued."""
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    waiting = DBTaskResult.objects.filter(
        task_path=send_due_digests.module_path,
        status=TaskResultStatus.READY,
        args_kwargs__kwargs__reschedule=True,
    )
    if waiting.exists():
        return False
    send_due_digests.using(run_after=after).enqueue(reschedule=True)
    return True
