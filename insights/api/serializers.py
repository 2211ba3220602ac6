"""Serializers: representation and input checks. Writes go through the services."""

from django.contrib.auth import get_user_model
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from .. import access
from ..models import (
    Decision,
    DecisionStatusChange,
    Evidence,
    Insight,
    Observation,
    Participant,
    Study,
    Tag,
    TagGroup,
)
from ..models.participant import participant_code_validator
from ..selectors import resolve_tags

TAG_OBJECT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "group": {"type": "string"},
    },
}


@extend_schema_field({"type": "array", "items": TAG_OBJECT})
class TagListField(serializers.Field):
    """Tags out as objects; in as a list of slugs, names or aliases."""

    default_error_messages = {
        "not_a_list": _("Give a list of tag slugs, names or aliases."),
        "unknown": _("Unknown tag: %(tags)s."),
    }

    def to_representation(self, manager):
        return [
            {"id": tag.pk, "slug": tag.slug, "name": tag.name, "group": tag.group.slug}
            for tag in manager.all()
        ]

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.fail("not_a_list")
        for item in data:
            ProhibitNullCharactersValidator()(item)
        tags, missing = resolve_tags(data)
        if missing:
            raise serializers.ValidationError(
                self.error_messages["unknown"] % {"tags": ", ".join(missing)}, code="unknown_tag"
            )
        return tags


class UsernameField(serializers.SlugRelatedField):
    """A user by user name (null for none)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", get_user_model().objects.all())
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(slug_field="username", **kwargs)


class TagGroupSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = TagGroup
        fields = ["id", "name", "display_name", "slug", "description", "position"]


class AliasListField(serializers.ListField):
    """A tag's aliases: their names out, a list of names in."""

    def to_representation(self, manager):
        return [alias.name for alias in manager.all()]


class TagSerializer(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", queryset=TagGroup.objects.all())
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Tag.objects.all(), allow_null=True, required=False
    )
    aliases = AliasListField(
        child=serializers.CharField(max_length=100), required=False, help_text=_("Other names.")
    )
    usage = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = [
            "id", "name", "slug", "group", "parent", "description", "aliases", "usage",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["slug", "created_at"]

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "integer"}, "nullable": True}
    )
    def get_usage(self, tag):
        if not hasattr(tag, "insight_uses"):
            return None
        return {
            "insights": tag.insight_uses,
            "observations": tag.observation_uses,
            "studies": tag.study_uses,
            "participants": tag.participant_uses,
        }


class TagMergeSerializer(serializers.Serializer):
    target = serializers.SlugRelatedField(
        slug_field="slug", queryset=Tag.objects.all(), help_text=_("Slug of the tag to keep.")
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


@extend_schema_field({"type": "string", "nullable": True, "example": "P-014"})
class ParticipantCodeField(serializers.Field):
    """A participant by pseudonymous code; the view creates an unknown code's participant."""

    def to_representation(self, participant):
        return participant.code

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Give the participant's code, e.g. P-014."))
        code = data.strip().upper()
        participant_code_validator(code)
        return code


class ObservationSerializer(serializers.ModelSerializer):
    study = serializers.PrimaryKeyRelatedField(queryset=Study.objects.all())
    participant = ParticipantCodeField(
        allow_null=True,
        required=False,
        help_text=_("Participant code; an unknown code creates the participant."),
    )
    tags = TagListField(required=False)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

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
    metric = serializers.ChoiceField(
        choices=Observation.Metric.choices, required=False, allow_blank=True
    )
    score = serializers.DecimalField(
        max_digits=12, decimal_places=3, required=False, allow_null=True
    )
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
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class EvidenceInputSerializer(serializers.Serializer):
    observation = serializers.PrimaryKeyRelatedField(queryset=Observation.objects.all())
    relation = serializers.ChoiceField(
        choices=Evidence.Relation.choices, default=Evidence.Relation.SUPPORTS
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EmbeddedStudySerializer(serializers.ModelSerializer):
    class Meta:
        model = Study
        fields = ["id", "title", "slug", "method"]


class EmbeddedObservationSerializer(serializers.ModelSerializer):
    study = EmbeddedStudySerializer()
    participant = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Observation
        fields = [
            "id", "study", "kind", "text", "participant", "observed_on", "source_url",
            "source_ref", "metric", "score",
        ]  # fmt: skip


class EvidenceObservationField(serializers.PrimaryKeyRelatedField):
    """The observation's id; the observation itself with ?expand=evidence (see schema.py)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)


class EvidenceSerializer(serializers.ModelSerializer):
    observation = EvidenceObservationField()
    observation_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["observation", "relation", "note", "observation_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_observation_url(self, evidence):
        request = self.context.get("request")
        path = f"/api/v1/observations/{evidence.observation_id}/"
        return request.build_absolute_uri(path) if request else path

    def to_representation(self, evidence):
        data = super().to_representation(evidence)
        if self.context.get("expand_evidence"):
            data["observation"] = EmbeddedObservationSerializer(evidence.observation).data
        return data


INSIGHT_FIELDS = [
    "id", "statement", "details", "status", "superseded_by", "review_by", "owner", "tags",
    "confidence", "confidence_explanation", "supporting_count", "contradicting_count",
    "participant_count", "study_count", "methods", "evidence", "decisions", "url",
    "created_at", "updated_at", "published_at",
]  # fmt: skip


class InsightSerializer(serializers.ModelSerializer):
    """An insight as clients read it (evidence as links, or embedded with ?expand=evidence)."""

    owner = UsernameField()
    tags = TagListField(required=False)
    evidence = serializers.SerializerMethodField()
    confidence_explanation = serializers.CharField(read_only=True)
    decisions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Insight
        fields = INSIGHT_FIELDS
        read_only_fields = INSIGHT_FIELDS

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, insight):
        if not self._reader_sees_evidence():
            return []
        return EvidenceSerializer(insight.evidence.all(), many=True, context=self.context).data

    def to_representation(self, insight):
        data = super().to_representation(insight)
        if not self._reader_sees_evidence():
            data["decisions"] = []
        return data

    def _reader_sees_evidence(self) -> bool:
        """ANONYMOUS_READ opens published findings, not the evidence or decisions behind them."""
        request = self.context.get("request")
        return request is None or access.can_see_evidence(request.user)


class InsightWriteSerializer(serializers.ModelSerializer):
    """What clients send: the finding, its tags and (on create) its evidence."""

    owner = UsernameField()
    tags = TagListField(required=False)
    evidence = EvidenceInputSerializer(
        many=True,
        required=False,
        help_text=_("Observations that support or contradict it (on create)."),
    )

    class Meta:
        model = Insight
        fields = ["statement", "details", "review_by", "owner", "tags", "evidence"]

    def to_internal_value(self, data):
        if isinstance(data, dict):
            moved = {
                name: [_("Change the status with the publish, supersede or archive actions.")]
                for name in ("status", "superseded_by")
                if name in data
            }
            if moved:
                raise serializers.ValidationError(moved)
        return super().to_internal_value(data)

    def to_representation(self, instance):
        return InsightSerializer(instance, context=self.context).data


class SupersedeSerializer(serializers.Serializer):
    successor = serializers.PrimaryKeyRelatedField(
        queryset=Insight.objects.all(), help_text=_("The insight that replaces this one.")
    )


class DecisionStatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = DecisionStatusChange
        fields = ["from_status", "to_status", "changed_at", "changed_by", "note"]


class DecisionSerializer(serializers.ModelSerializer):
    owner = UsernameField()
    insights = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Insight.objects.all(), required=False
    )
    status_note = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text=_("Kept in the history.")
    )
    status_history = DecisionStatusChangeSerializer(
        source="status_changes", many=True, read_only=True
    )
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id", "title", "description", "status", "decided_on", "owner", "external_url",
            "outcome", "insights", "status_note", "status_history", "url", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class KnownQuerySerializer(serializers.Serializer):
    questions = serializers.CharField(
        max_length=4000, help_text=_("Research questions or a title.")
    )
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=10_000, allow_blank=True)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


# Response bodies of the endpoints that are not a model (for the OpenAPI schema only).


class MetricSummarySerializer(serializers.Serializer):
    metric = serializers.CharField(help_text=_("nps, csat or ces"))
    base = serializers.IntegerField(help_text=_("Answers counted."))
    value = serializers.FloatField(
        required=False, help_text=_("The figure; absent when there are no answers.")
    )
    promoters = serializers.IntegerField(required=False)
    passives = serializers.IntegerField(required=False)
    detractors = serializers.IntegerField(required=False)
    satisfied = serializers.IntegerField(required=False)
    distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Score -> answers.")
    )
    warning = serializers.CharField(required=False, help_text=_("Too few answers to trust."))


class SegmentNameSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class SegmentMetricsSerializer(serializers.Serializer):
    segment = SegmentNameSerializer(allow_null=True, help_text=_("null: answers without one."))
    metrics = serializers.DictField(child=MetricSummarySerializer())


class StudyMetricsSerializer(serializers.Serializer):
    study = serializers.IntegerField()
    metrics = serializers.DictField(child=MetricSummarySerializer())
    split_by = serializers.CharField(required=False)
    segments = SegmentMetricsSerializer(many=True, required=False)


class TrendStudySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


class TrendPointSerializer(serializers.Serializer):
    study = TrendStudySerializer()
    date = serializers.DateField(allow_null=True)
    nps = serializers.FloatField(allow_null=True)
    base = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    small_base = serializers.BooleanField()


class TagMetricsSerializer(serializers.Serializer):
    tag = serializers.IntegerField()
    metrics = serializers.DictField(child=MetricSummarySerializer())
    trend = TrendPointSerializer(many=True)
    split_by = serializers.CharField(required=False)
    segments = SegmentMetricsSerializer(many=True, required=False)


class SearchInsightSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    statement = serializers.CharField()
    status = serializers.ChoiceField(choices=Insight.Status.choices)
    confidence = serializers.ChoiceField(choices=Insight.Confidence.choices)
    rank = serializers.FloatField(allow_null=True)
    snippet = serializers.CharField(help_text=_("HTML with the matches in <mark>."))


class SearchObservationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    study = serializers.IntegerField()
    rank = serializers.FloatField(allow_null=True)
    snippet = serializers.CharField(help_text=_("HTML with the matches in <mark>."))


class SearchStudySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    rank = serializers.FloatField(allow_null=True)


class SearchTagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()


class SearchResultsSerializer(serializers.Serializer):
    insights = SearchInsightSerializer(many=True)
    observations = SearchObservationSerializer(many=True)
    studies = SearchStudySerializer(many=True)
    tags = SearchTagSerializer(many=True)


class KnownTagSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()


class KnownAnswerSerializer(serializers.Serializer):
    insights = InsightSerializer(many=True)
    studies = StudySerializer(many=True)
    tags = KnownTagSerializer(many=True)
