from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .fields import created_at_field, owner_field, part_of, tags_field, updated_at_field, user_link
from .history import tracked


class Decision(models.Model):
    """What a product team chose to do because of insights, and what came of it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        SHIPPED = "shipped", _("Shipped")
        REJECTED = "rejected", _("Rejected")

    class TargetMetric(models.TextChoices):
        NPS = "nps", "NPS"
        CSAT = "csat", "CSAT"
        CES = "ces", "CES"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    shipped_on = models.DateField(
        _("shipped on"),
        null=True,
        blank=True,
        help_text=_("Filled in when the status becomes shipped; the impact is measured from it."),
    )
    owner = owner_field("owned_decisions")
    external_url = models.URLField(
        _("tracker link"), max_length=500, blank=True, help_text=_("Issue or epic in a tracker.")
    )
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("What changed afterwards."))
    insights = models.ManyToManyField(
        "Insight", blank=True, related_name="decisions", verbose_name=_("insights")
    )
    # What the decision should move, and for whom: its impact compares this metric's answers
    # about these tags before and after the ship date.
    target_metric = models.CharField(
        _("target metric"),
        max_length=8,
        choices=TargetMetric.choices,
        blank=True,
        help_text=_("The customer metric the decision should move."),
    )
    target_tags = tags_field(
        "targeted_by_decisions",
        _("target tags"),
        help_text=_(
            "The affected customers or journey stage, e.g. a stage and a segment; an answer "
            "counts when it carries every one of them (or a tag below). None: every answer."
        ),
    )
    created_at = created_at_field()
    updated_at = updated_at_field()

    history = tracked()

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["decided_on"]),
            models.Index(fields=["shipped_on"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insights:decision", args=[self.pk])


class DecisionStatusChange(models.Model):
    """One step of a decision's history; closing the loop with customers needs the dates."""

    decision = part_of(Decision, "status_changes", _("decision"))
    from_status = models.CharField(
        _("from status"), max_length=16, choices=Decision.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=Decision.Status.choices)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = user_link(_("changed by"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("decision status change")
        verbose_name_plural = _("decision status changes")
        indexes = [models.Index(fields=["changed_at"])]

    def __str__(self):
        return f"{self.decision}: {self.get_to_status_display()} ({self.changed_at:%Y-%m-%d})"
