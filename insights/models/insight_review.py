from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import created_at_field, part_of, user_link


class InsightReview(models.Model):
    """One line of an insight's review history: a curator confirmed it still holds, or new
    contradicting evidence asked for a review. Each line records the review date it set."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CONTRADICTED = "contradicted", _("New contradicting evidence")

    insight = part_of("Insight", "reviews", _("insight"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    review_by = models.DateField(_("review by"))
    user = user_link(_("by"))
    note = models.TextField(_("note"), blank=True)
    created_at = created_at_field(_("at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("insight review")
        verbose_name_plural = _("insight reviews")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.review_by}"
