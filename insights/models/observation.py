import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import (
    created_at_field,
    optional_link,
    part_of,
    tags_field,
    updated_at_field,
    user_link,
)
from .history import tracked
from .tag_tree import TaggedQuerySet

# Inclusive scales of the standard CX metrics (NPS starts at 0, not 1).
METRIC_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


class Observation(models.Model):
    """One piece of raw evidence from a study: a quote, note, answer, ticket, metric reading."""

    class Kind(models.TextChoices):
        QUOTE = "quote", _("Quote")
        NOTE = "note", _("Note")
        SURVEY_ANSWER = "survey_answer", _("Survey answer")
        SUPPORT_TICKET = "support_ticket", _("Support ticket")
        REVIEW = "review", _("Review")
        METRIC = "metric", _("Metric reading")
        RECORDING = "recording", _("Recording")
        ARTIFACT = "artifact", _("Artifact")

    class Metric(models.TextChoices):
        NPS = "nps", _("NPS (0–10)")
        CSAT = "csat", _("CSAT (1–5)")
        CES = "ces", _("CES (1–7)")
        CUSTOM = "custom", _("Custom metric")

    study = part_of("Study", "observations", _("study"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.QUOTE)
    text = models.TextField(_("text"), blank=True)
    participant = optional_link(
        "Participant", "observations", _("participant"), on_delete=models.SET_NULL
    )
    observed_on = models.DateField(_("observed on"), null=True, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    source_ref = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        help_text=_("Timecode, ticket number or another pointer into the source."),
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=200,
        blank=True,
        help_text=_("Identifier in the source system; re-imports update instead of duplicating."),
    )
    metric = models.CharField(_("metric"), max_length=8, choices=Metric.choices, blank=True)
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=3, null=True, blank=True)
    tags = tags_field("observations")
    scrubbed_count = models.PositiveIntegerField(
        _("personal data removed"),
        default=0,
        help_text=_(
            "How many e-mails, phone numbers, card numbers and secret links were replaced."
        ),
    )
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Fingerprint of the content; re-imports without an external ID match on it."),
    )
    # The fingerprint this observation answers to when an import or bulk write without an
    # external ID sends the same content. Unique within a study, so two writers sending the
    # same row at once cannot both insert it. Null for observations entered one by one (two
    # anonymous NPS answers of 9 are two readings) and for those with an external ID.
    content_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    created_by = user_link(_("created by"))
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = TaggedQuerySet.as_manager()
    history = tracked()

    class Meta:
        ordering = ["-observed_on", "-created_at"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        permissions = [
            ("import_unscrubbed", _("Can import observations without removing personal data"))
        ]
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["observed_on"]),
            models.Index(fields=["metric"]),
            models.Index(fields=["updated_at"]),
            models.Index(fields=["study", "content_hash"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "external_id"],
                condition=~models.Q(external_id=""),
                name="observation_unique_external_id_per_study",
                violation_error_message=_("This study already has an observation with this ID."),
            ),
            models.UniqueConstraint(
                fields=["study", "content_key"],
                name="observation_unique_content_key_per_study",
                violation_error_message=_(
                    "This study already has an observation with this content."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(content_key__isnull=True)
                | models.Q(content_key=models.F("content_hash"), external_id=""),
                name="observation_content_key_is_its_fingerprint",
            ),
            models.CheckConstraint(
                condition=~models.Q(text="") | ~models.Q(metric=""),
                name="observation_text_or_metric",
                violation_error_message=_("Text is required unless this is a metric reading."),
            ),
            models.CheckConstraint(
                condition=models.Q(metric="", score__isnull=True)
                | (~models.Q(metric="") & models.Q(score__isnull=False)),
                name="observation_metric_has_score",
                violation_error_message=_("A metric reading needs both a metric and a score."),
            ),
            *[
                models.CheckConstraint(
                    condition=~models.Q(metric=metric) | models.Q(score__gte=low, score__lte=high),
                    name=f"observation_{metric}_score_range",
                )
                for metric, (low, high) in METRIC_SCALES.items()
            ],
        ]

    def __str__(self):
        text = self.text or f"{self.get_metric_display()}: {self.score_display}"
        return text if len(text) <= 80 else text[:79] + "…"

    def get_absolute_url(self) -> str:
        return f"{self.study.get_absolute_url()}#observation-{self.pk}"

    @property
    def score_display(self) -> str:
        """The score without trailing zeros (9, not 9.000)."""
        if self.score is None:
            return ""
        return format(Decimal(str(self.score)).normalize(), "f")

    @property
    def score_number(self) -> int | float | None:
        """The score as a JSON number: whole for NPS, CSAT and CES, maybe fractional for
        a custom metric (a CSI of 4.35, an average check of 1234.5)."""
        return score_number(self.score)

    def clean(self):
        errors: dict[str, str] = {}
        self.text = self.text.strip()
        if self.kind == self.Kind.METRIC and not self.metric:
            errors["metric"] = _("Choose the metric of this reading.")
        if self.metric and self.score is None:
            errors["score"] = _("A metric reading needs a score.")
        if self.score is not None and not self.metric:
            errors["metric"] = _("Choose the metric this score belongs to.")
        if self.metric in METRIC_SCALES and self.score is not None:
            low, high = METRIC_SCALES[self.metric]
            if not (low <= self.score <= high) or self.score != self.score.to_integral_value():
                errors["score"] = _(
                    "%(metric)s scores are whole numbers from %(low)s to %(high)s."
                ) % {
                    "metric": self.metric.upper(),
                    "low": low,
                    "high": high,
                }
        if not self.text and not self.metric:
            errors["text"] = _("Text is required unless this is a metric reading.")
        if errors:
            raise ValidationError(errors)

    def compute_content_hash(self, participant_code: str | None = None) -> str:
        """A fingerprint of what the observation says, who said it and when.

        Imports match rows without an external ID on it, so the same file imported twice
        updates instead of duplicating.
        """
        if participant_code is None:
            participant_code = self.participant.code if self.participant_id else ""
        parts = [
            self.kind,
            self.text.strip(),
            participant_code.strip().upper(),
            self.observed_on.isoformat() if self.observed_on else "",
            self.metric,
            self.score_display,
            self.source_ref,
            self.source_url,
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def score_number(score: Decimal | None) -> int | float | None:
    """A stored score (three decimal places) as the number people mean: 9, not 9.000."""
    if score is None:
        return None
    score = Decimal(str(score))
    if score == score.to_integral_value():
        return int(score)
    return float(score)
