from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import part_of
from .history import tracked
from .tag import NormalizedNameMixin


class TagAlias(NormalizedNameMixin):
    """A synonym that resolves to its tag (another spelling, language or old name)."""

    tag = part_of("Tag", "aliases", _("tag"))

    history = tracked()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag alias")
        verbose_name_plural = _("tag aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["normalized_name"],
                name="tagalias_unique_normalized_name",
                violation_error_message=_("An alias with this name already exists."),
            )
        ]
