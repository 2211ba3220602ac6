"""Inline formsets for relations that grow without bound."""

from django.urls import reverse
from django.utils.http import urlencode

from .widgets import PreloadedLabelsFormSet


class LatestRowsFormSet(PreloadedLabelsFormSet):
    """Only the first ``shown`` rows in the inline's order (the latest) are edited on the page.

    A study with 25,000 observations would otherwise render (and post back) 25,000 rows and
    never open. The rest stay untouched and are one link away (``more_url``).
    """

    shown = 200

    def get_queryset(self):
        if not hasattr(self, "_latest"):
            everything = super().get_queryset()
            ids = list(everything.values_list("pk", flat=True)[: self.shown + 1])
            if len(ids) > self.shown:
                self.total = everything.count()
                ids = ids[: self.shown]
            else:
                self.total = len(ids)
            self._latest = everything.filter(pk__in=ids)
        return self._latest

    @property
    def hidden_count(self) -> int:
        self.get_queryset()
        return self.total - min(self.total, self.shown)

    @property
    def more_url(self) -> str:
        """The related rows in their own admin list, filtered to this parent."""
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{changelist}?{urlencode({f'{self.fk.name}__id__exact': self.instance.pk})}"
