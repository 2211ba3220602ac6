from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import created_at_field, part_of


class InsightLink(models.Model):
    """A typed link from one insight to another (related, contradicts, duplicates, refines)."""

    class Kind(models.TextChoices):
        RELATED = "related", _("Related to")
        CONTRADICTS = "contradicts", _("Contradicts")
        DUPLICATES = "duplicates", _("Duplicates")
        REFINES = "refines", _("Refines")

    from_insight = part_of("Insight", "links_out", _("insight"))
    to_insight = part_of("Insight", "links_in", _("linked insight"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.RELATED)
    created_at = created_at_field()

    class Meta:
        ordering = ["kind", "-created_at"]
        verbose_name = _("insight link")
        verbose_name_plural = _("insight links")
        constraints = [
            models.UniqueConstraint(
                fields=["from_insight", "to_insight"],
                name="insightlink_one_per_pair",
                violation_error_message=_("These insights are already linked."),
            ),
            models.CheckConstraint(
                condition=~models.Q(from_insight=models.F("to_insight")),
                name="insightlink_no_self_link",
                violation_error_message=_("An insight cannot be linked to itself."),
            ),
        ]

    def __str__(self):
        return f"{self.from_insight} → {self.get_kind_display()} → {self.to_insight}"

    def clean(self):
        if self.from_insight_id and self.from_insight_id == self.to_insight_id:
            raise ValidationError(
                {"to_insight": _("An insight cannot be linked to itself.")}, code="self_link"
            )
