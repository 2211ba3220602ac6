"""Observation forms for quick logging: participants typed by code, scores as plain numbers.

A participant is named by typing its code in the row ("P-014"); a code not seen before makes
the participant when the row is saved, with no pop-up. Scores show as "6", not "6.000".
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..models import Observation, Participant
from ..models.participant import participant_code_validator
from ..services import participant_get_or_create
from .base import https_formfield


class ScoreInput(forms.NumberInput):
    """A score without the trailing zeros of its stored decimal places."""

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            value = format(value.normalize(), "f")
        return super().format_value(value)


class ParticipantCodeInput(forms.TextInput):
    """A code box that suggests known codes as one types (admin-entry.js), if scripts run."""

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-suggest-url": reverse("admin:autocomplete")
            + "?app_label=insights&model_name=observation&field_name=participant",
        }
        return super().get_context(name, value, attrs)


class ParticipantCodeField(forms.CharField):
    """A participant's pseudonymous code, upper-cased; empty means no participant."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("participant"),
            max_length=Participant._meta.get_field("code").max_length,
            required=False,
            validators=[participant_code_validator],
            widget=ParticipantCodeInput(attrs={"autocomplete": "off", "size": 8}),
            help_text=_("A code such as P-014; a new code adds the participant."),
            **kwargs,
        )

    def to_python(self, value):
        return super().to_python(value).upper()


class ObservationCodeForm(forms.ModelForm):
    """An observation form whose participant is typed as a code."""

    participant_code = ParticipantCodeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.participant_id:
            self.initial.setdefault("participant_code", self.instance.participant.code)

    def clean(self):
        cleaned = super().clean()
        # A score with no text is a metric reading, as imports decide for rows without a kind.
        if (
            cleaned.get("kind") == Observation.Kind.QUOTE
            and not (cleaned.get("text") or "").strip()
            and cleaned.get("metric")
        ):
            cleaned["kind"] = Observation.Kind.METRIC
        return cleaned

    def set_participant(self) -> None:
        """Point the observation at the participant of the typed code, made if new.

        Called when saving, inside the admin's transaction, so a rejected form makes nobody.
        """
        code = self.cleaned_data.get("participant_code", "")
        self.instance.participant = participant_get_or_create(code=code) if code else None


class ObservationRowForm(ObservationCodeForm):
    """One row of a study's observation table."""

    class Meta:
        model = Observation
        fields = ["kind", "text", "participant_code", "observed_on", "metric", "score", "tags"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 30}), "score": ScoreInput}
        labels = {"observed_on": _("date")}


class ObservationForm(ObservationCodeForm):
    """A single observation's page."""

    class Meta:
        model = Observation
        formfield_callback = https_formfield
        fields = [
            "study", "kind", "text", "participant_code", "observed_on", "tags", "metric",
            "score", "source_url", "source_ref", "external_id",
        ]  # fmt: skip
        widgets = {"score": ScoreInput}


class ReadableObservationMixin:
    """For readers who may not change observations: the score as "6" and the participant by
    code, read-only, in place of the editing fields."""

    READONLY_STAND_INS = {"score": "score_shown", "participant_code": "participant"}

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self.has_change_permission(request, obj) else self._readable(fields)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": self._readable(options["fields"])})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_change_permission(request, obj):
            readonly += ["score_shown", "participant"]
        return readonly

    def _readable(self, fields):
        return [
            tuple(self._readable(field)) if isinstance(field, list | tuple) else
            self.READONLY_STAND_INS.get(field, field)
            for field in fields
        ]  # fmt: skip

    @admin.display(description=_("score"))
    def score_shown(self, obj):
        return obj.score_display if obj else ""
