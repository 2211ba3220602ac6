from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import created_at_field, part_of, user_link


class ImportJob(models.Model):
    """One run (a check or an import) of an uploaded file, with its state and progress.

    The row is what the admin's import page shows; the task queue only carries its id, so a
    worker on any server can run it and a restart loses nothing but the run it interrupted,
    which then shows as failed (its import was one transaction, so it wrote nothing).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    study = part_of("insights.Study", "import_jobs", _("study"))
    user = user_link(_("user"), blank=False)
    upload = models.CharField(_("upload"), max_length=32, db_index=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    options = models.JSONField(_("options"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    report = models.JSONField(_("report"), null=True, blank=True)
    message = models.TextField(_("reason"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    # host:pid of the worker process running it, to tell a live run from an orphaned one.
    worker = models.CharField(_("worker"), max_length=255, blank=True)
    created_at = created_at_field()
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status"], name="import_job_status_idx")]
        constraints = [
            # A second press while a run waits or runs must not start another one.
            models.UniqueConstraint(
                fields=["upload"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_import_job_per_upload",
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    def state(self) -> dict:
        """What the import page shows of this run."""
        return {
            "status": self.status,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "percent": self.percent,
            "report": self.report,
            "message": self.message,
        }
