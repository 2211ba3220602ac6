from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .fields import created_at_field, owner_field, tags_field, updated_at_field
from .history import tracked
from .tag_tree import TaggedQuerySet


class Study(models.Model):
    """One piece of research work: its questions, method, dates, owner and summary."""

    class Method(models.TextChoices):
        INTERVIEW = "interview", _("In-depth interview")
        SURVEY = "survey", _("Survey")
        METRIC_SURVEY = "metric_survey", _("NPS / CSAT / CES survey")
        USABILITY_TEST = "usability_test", _("Usability test")
        FOCUS_GROUP = "focus_group", _("Focus group")
        CJM_WORKSHOP = "cjm_workshop", _("CJM workshop")
        SUPPORT_TICKETS = "support_tickets", _("Support-ticket analysis")
        REVIEW_ANALYSIS = "review_analysis", _("Review analysis")
        CALL_AUDIT = "call_audit", _("Call / dialogue audit")
        FIELD_OBSERVATION = "field_observation", _("Field observation")
        MYSTERY_SHOPPING = "mystery_shopping", _("Mystery shopping")
        AB_TEST = "ab_test", _("A/B test")
        ANALYTICS = "analytics", _("Product analytics")
        DESK_RESEARCH = "desk_research", _("Desk research")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, blank=True)
    research_questions = models.TextField(
        _("research questions"), blank=True, help_text=_("One question per line.")
    )
    method = models.CharField(_("method"), max_length=32, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    owner = owner_field("owned_studies")
    team = models.CharField(_("team"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    report_url = models.URLField(_("report URL"), max_length=500, blank=True)
    tags = tags_field("studies")
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = TaggedQuerySet.as_manager()
    history = tracked()

    class Meta:
        ordering = ["-started_on", "-created_at"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["method"]),
            models.Index(fields=["started_on"]),
            models.Index(fields=["finished_on"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(finished_on__isnull=True)
                | models.Q(finished_on__gte=models.F("started_on")),
                name="study_finished_not_before_started",
                violation_error_message=_("A study cannot finish before it starts."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insights:study", args=[self.slug])

    def clean(self):
        if self.started_on and self.finished_on and self.finished_on < self.started_on:
            raise ValidationError(
                {"finished_on": _("A study cannot finish before it starts.")}, code="date_order"
            )

    @property
    def research_question_list(self) -> list[str]:
        return [line.strip() for line in self.research_questions.splitlines() if line.strip()]
