from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import (
    created_at_field,
    optional_link,
    owner_field,
    tags_field,
    updated_at_field,
    user_link,
)
from .history import tracked
from .tag_tree import TaggedQuerySet


def validate_one_sentence(value: str) -> None:
    """An insight statement is a single line: details belong in the details field."""
    if "\n" in value or "\r" in value:
        raise ValidationError(
            _("State the insight in one sentence on one line; put the rest in the details."),
            code="multiline_statement",
        )


class Insight(models.Model):
    """One atomic, reusable finding, backed (or contradicted) by observations."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")
        ARCHIVED = "archived", _("Archived")

    class Confidence(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    statement = models.CharField(
        _("statement"),
        max_length=280,
        validators=[validate_one_sentence],
        help_text=_("The finding in one sentence, at most 280 characters."),
    )
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    superseded_by = optional_link(
        "self", "supersedes", _("superseded by"), on_delete=models.PROTECT
    )
    review_by = models.DateField(
        _("review by"),
        null=True,
        blank=True,
        help_text=_(
            "When to check it is still true. Publishing sets it (12 months, or what its tag "
            "groups say) unless given; new contradicting evidence brings it forward to today."
        ),
    )
    reviewed_at = models.DateTimeField(_("last confirmed at"), null=True, blank=True)
    reviewed_by = user_link(_("last confirmed by"))
    owner = owner_field("owned_insights")
    tags = tags_field("insights")
    observations = models.ManyToManyField(
        "Observation",
        through="Evidence",
        related_name="insights",
        verbose_name=_("observations"),
    )
    # The confidence grade and the counts behind it are stored (recomputed by the services
    # whenever evidence changes) so lists can show and filter them without extra queries; the
    # explanation is rendered from the counts in the reader's language.
    confidence = models.CharField(
        _("confidence"), max_length=8, choices=Confidence.choices, default=Confidence.LOW
    )
    supporting_count = models.PositiveIntegerField(_("supporting observations"), default=0)
    contradicting_count = models.PositiveIntegerField(_("contradicting observations"), default=0)
    participant_count = models.PositiveIntegerField(_("participants"), default=0)
    study_count = models.PositiveIntegerField(_("studies"), default=0)
    methods = models.JSONField(_("methods"), default=list, blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = TaggedQuerySet.as_manager()
    history = tracked()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("insight")
        verbose_name_plural = _("insights")
        permissions = [
            ("publish_insight", _("Can publish insights")),
            ("supersede_insight", _("Can supersede insights")),
            ("archive_insight", _("Can archive insights")),
            # Any tracked object, not only insights: one switch for the curators' undo.
            ("revert_history", _("Can revert changes and restore deleted objects")),
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["confidence"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["updated_at"]),
            models.Index(fields=["published_at"]),
            models.Index(fields=["review_by"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(superseded_by=models.F("pk")),
                name="insight_not_superseded_by_itself",
            ),
            models.CheckConstraint(
                # An archived insight keeps the successor it had: archiving loses no link.
                condition=models.Q(status="superseded", superseded_by__isnull=False)
                | models.Q(status="archived")
                | (
                    ~models.Q(status__in=["superseded", "archived"])
                    & models.Q(superseded_by__isnull=True)
                ),
                name="insight_superseded_has_successor",
                violation_error_message=_("A superseded insight names its successor."),
            ),
        ]

    def __str__(self):
        return self.statement

    def get_absolute_url(self) -> str:
        return reverse("insights:insight", args=[self.pk])

    @property
    def needs_review(self) -> bool:
        """Published and past its review date (the same rule as the needs_review filter)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.review_by is not None
            and self.review_by <= timezone.localdate()
        )

    @property
    def confidence_explanation(self) -> str:
        """Why the grade is what it is, in the active language."""
        from ..confidence import EvidenceSummary

        return EvidenceSummary.from_insight(self).explain()
