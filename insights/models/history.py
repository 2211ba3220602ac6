"""The change history of the research record (django-simple-history), with its surface.

Every tracked model gets ``history = tracked()``: a historical table holding each version,
who made it, when, and from which surface (admin, API, site, import, command). What an
object was linked to when it was deleted (its tags, a decision's insights) is kept with the
deletion row, so a restore can bring the links back too.
"""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..history import Surface, current_user


class HistoryBase(models.Model):
    """Columns every historical table adds to simple-history's own."""

    history_surface = models.CharField(
        _("surface"), max_length=16, choices=Surface.choices, blank=True, default=""
    )
    # Filled on deletion rows only: {"tags": [ids]} or {"insights": [ids]}.
    history_links = models.JSONField(_("links"), null=True, blank=True)

    class Meta:
        abstract = True


def _history_user(instance=None, request=None, **kwargs):
    """The signed-in user of the request, else the one history_surface() names."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return current_user()


class TrackedRecords(HistoricalRecords):
    """simple-history's descriptor with names that translate ("history of insight")."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(_("history of {}"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(
            _("history of {}"), model._meta.verbose_name_plural
        )
        return options


def tracked(**options) -> HistoricalRecords:
    """The history descriptor every tracked model uses."""
    return TrackedRecords(bases=[HistoryBase], get_user=_history_user, **options)
