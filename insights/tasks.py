"""Work that runs on the task queue, outside any web request: the place for every
background job (admin imports, the e-mail digests, whatever comes next).

Tasks are Django's task framework (the django-tasks backport until Django 6's django.tasks)
on its database backend: ``task.enqueue(...)`` stores a row, and ``manage.py db_worker``
processes pick rows with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so several
workers never take the same one. Arguments must be JSON values: pass ids, not objects, and
keep the task's state in your own rows, as import jobs do.
"""

try:  # Django 6
    from django.tasks import task
except ImportError:  # Django 5.2: the backport
    from django_tasks import task


@task()
def run_import_job(job_id: int) -> None:
    """Run an ImportJob (a check or an import of an uploaded file)."""
    from .importing.jobs import run_job

    run_job(job_id)


@task()
def send_due_digests() -> dict:
    """Send the e-mail digests that are due; safe to queue as often as you like (each period's
    digest goes out once). Returns the counts of ``insights.digests.DigestReport``."""
    from .digests import send_digests

    report = send_digests()
    counts = ("sent", "nothing_new", "already_sent", "skipped", "failed")
    return {name: getattr(report, name) for name in counts}
