"""The evidence picker of an insight: observations shown with their context, minus those
already linked to it.

Django's autocomplete labels an observation with its text alone ("NPS (0–10): 6"), which
says nothing about where it came from, and offers what is already evidence. This picker
labels each observation "study · participant · date — text (or NPS: 6)" and leaves out the
observations the insight being edited already has.
"""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator

from .. import access
from ..models import Evidence, Observation
from .widgets import PreloadedAutocompleteSelect

# Characters of an observation's text shown in a picker label.
LABEL_TEXT_LENGTH = 120
# Metrics named by their short, language-neutral name; others by their label.
SHORT_METRIC_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def metric_reading(observation: Observation) -> str:
    """ "NPS: 6", or "" for an observation without a metric."""
    if not observation.metric:
        return ""
    name = SHORT_METRIC_NAMES.get(observation.metric) or observation.get_metric_display()
    return f"{name}: {observation.score_display}"


def observation_label(observation: Observation) -> str:
    """ "Study · P-014 · 1 May 2026 — text", with the metric reading before any text.

    Reads the observation's study and participant: select them with it.
    """
    context = [observation.study.title]
    if observation.participant_id:
        context.append(observation.participant.code)
    if observation.observed_on:
        context.append(date_format(observation.observed_on, "DATE_FORMAT"))
    text = Truncator(" ".join(observation.text.split())).chars(LABEL_TEXT_LENGTH)
    said = " — ".join(part for part in (metric_reading(observation), text) if part)
    return f"{' · '.join(context)} — {said}"


class EvidencePickerView(AutocompleteJsonView):
    """Autocomplete answers for the evidence rows of an insight (``?insight=<id>``)."""

    def process_request(self, request):
        found = super().process_request(request)
        if found[2] is not Evidence._meta.get_field("observation"):
            raise PermissionDenied
        return found

    def serialize_result(self, obj, to_field_name):
        return {"id": str(obj.pk), "text": observation_label(obj)}

    def get_queryset(self):
        observations = super().get_queryset().select_related("study", "participant")
        insight_id = self.request.GET.get("insight", "")
        if insight_id.isdigit():
            # Only an insight this user may see says which observations to leave out.
            insight = access.visible_insights(self.request.user).filter(pk=insight_id)
            observations = observations.exclude(evidence__insight__in=insight)
        return observations


class EvidencePickerSelect(PreloadedAutocompleteSelect):
    """The observation field of an evidence row: asks the picker, not the plain autocomplete."""

    insight_id: int | None = None

    def get_url(self):
        url = reverse(f"{self.admin_site.name}:insights_observation_evidence_picker")
        return f"{url}?insight={self.insight_id}" if self.insight_id else url
