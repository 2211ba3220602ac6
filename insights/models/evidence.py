from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import created_at_field, part_of
from .history import tracked


class Evidence(models.Model):
    """The link between an insight and an observation that supports or contradicts it."""

    class Relation(models.TextChoices):
        SUPPORTS = "supports", _("Supports")
        CONTRADICTS = "contradicts", _("Contradicts")

    insight = part_of("Insight", "evidence", _("insight"))
    # PROTECT: an observation that backs an insight must not vanish with a careless delete.
    observation = part_of("Observation", "evidence", _("observation"), on_delete=models.PROTECT)
    relation = models.CharField(
        _("relation"), max_length=12, choices=Relation.choices, default=Relation.SUPPORTS
    )
    note = models.TextField(_("note"), blank=True)
    created_at = created_at_field()

    history = tracked()

    class Meta:
        ordering = ["relation", "-created_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        indexes = [models.Index(fields=["relation"])]
        constraints = [
            models.UniqueConstraint(
                fields=["insight", "observation"],
                name="evidence_one_row_per_pair",
                violation_error_message=_("This observation is already linked to the insight."),
            )
        ]

    def __str__(self):
        return f"{self.get_relation_display()}: {self.observation}"
