from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import created_at_field, tags_field
from .tag_tree import TaggedQuerySet

participant_code_validator = RegexValidator(
    r"^[A-Za-z]{1,10}-?[A-Za-z0-9]{1,20}$",
    _("Use a pseudonymous code such as P-014: letters, an optional dash, then letters or digits."),
)


class Participant(models.Model):
    """A pseudonymous person who gave evidence. By design it holds no name, e-mail or phone."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[participant_code_validator],
        help_text=_("Pseudonymous code, for example P-014. Never a name, e-mail or phone."),
    )
    tags = tags_field("participants", _("segment tags"))
    notes = models.TextField(_("notes"), blank=True)
    consent_expires_on = models.DateField(_("consent expires on"), null=True, blank=True)
    created_at = created_at_field()

    objects = TaggedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [models.Index(fields=["consent_expires_on"])]

    def __str__(self):
        return self.code
