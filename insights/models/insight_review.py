from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InsightReview(models.Model):
    """One line of an insight's review history: a curator confirmed it still holds, or new
    contradicting evidence asked for a review. Each line records the review date it set."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CONTRADICTED = "contradicted", _("New contradicting evidence")

    insight = models.ForeignKey(
        "Insight", on_delete=models.CASCADE, related_name="reviews", verbose_name=_("insight")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    review_by = models.DateField(_("review by"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("insight review")
        verbose_name_plural = _("insight reviews")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.review_by}"
