from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class TagGroup(models.Model):
    """A facet that tags belong to: theme, product area, journey stage, segment..."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    review_months = models.PositiveSmallIntegerField(
        _("review after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "An insight carrying a tag of this group is due for review this many months after "
            "it is published or confirmed (the shortest of its groups wins). Empty: 12 months."
        ),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("tag group")
        verbose_name_plural = _("tag groups")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (the built-in groups are in the catalogue)."""
        return gettext(self.name)
