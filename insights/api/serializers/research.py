"""Participants, studies and observations, one at a time or in bulk."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from ...models import (
    Observation,
    Participant,
    Study,
)
from .fields import (
    OptionalChoiceField,
    ParticipantCodeField,
    RecordedByField,
    ScoreField,
    TagListField,
    UsernameField,
)


class ParticipantSerializer(serializers.ModelSerializer):
    tags = TagListField(required=False)

    class Meta:
        model = Participant
        fields = ["id", "code", "tags", "notes", "consent_expires_on", "created_at"]
        read_only_fields = ["created_at"]


class StudySerializer(serializers.ModelSerializer):
    owner = UsernameField()
    tags = TagListField(required=False)
    observation_count = serializers.IntegerField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Study
        fields = [
            "id", "title", "slug", "research_questions", "method", "status", "started_on",
            "finished_on", "owner", "team", "summary", "report_url", "tags",
            "observation_count", "url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}


class ObservationSerializer(serializers.ModelSerializer):
    study = serializers.PrimaryKeyRelatedField(queryset=Study.objects.all())
    participant = ParticipantCodeField(
        allow_null=True,
        required=False,
        help_text=_("Participant code; an unknown code creates the participant."),
    )
    metric = OptionalChoiceField(choices=Observation.Metric.choices, required=False)
    score = ScoreField(required=False)
    tags = TagListField(required=False)
    created_by = RecordedByField(_("User name of who added it; null when unknown."))

    class Meta:
        model = Observation
        fields = [
            "id", "study", "kind", "text", "participant", "observed_on", "source_url",
            "source_ref", "external_id", "metric", "score", "tags", "scrubbed_count",
            "created_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["scrubbed_count", "created_at", "updated_at"]


class BulkObservationRowSerializer(serializers.Serializer):
    """One row of a bulk import: the observation fields, participant as a code."""

    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Observation.Kind.choices, required=False)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    participant = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True
    )
    observed_on = serializers.DateField(required=False, allow_null=True)
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    source_ref = serializers.CharField(max_length=200, required=False, allow_blank=True)
    metric = OptionalChoiceField(choices=Observation.Metric.choices, required=False)
    score = ScoreField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)

    default_error_messages = {
        "not_an_object": _("Each row must be an object of observation fields."),
        "unknown_field": _("Unknown field: %(name)s."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            message = self.error_messages["not_an_object"]
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
        # A typo (txt for text) would otherwise import a row without its text.
        unknown = {
            str(name): [self.error_messages["unknown_field"] % {"name": name}]
            for name in data
            if name not in self.fields
        }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**error.detail, **unknown}) from error
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


@extend_schema_field(BulkObservationRowSerializer)
class BulkRowField(serializers.Field):
    """One row as sent: checked by the view row by row, so every row's errors come back."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class BulkObservationsSerializer(serializers.Serializer):
    study = serializers.PrimaryKeyRelatedField(queryset=Study.objects.all())
    observations = serializers.ListField(child=BulkRowField(), max_length=5000, min_length=1)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(source="created_count")
    updated = serializers.IntegerField(source="updated_count")
    ids = serializers.ListField(child=serializers.IntegerField())
