"""Insights with their evidence, and decisions."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ... import access
from ...models import (
    Decision,
    DecisionStatusChange,
    Evidence,
    Insight,
    Observation,
    Study,
)
from .fields import (
    OptionalChoiceField,
    RecordedByField,
    ScoreField,
    TagListField,
    UsernameField,
)


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
    score = ScoreField(read_only=True)
    metric = OptionalChoiceField(choices=Observation.Metric.choices, read_only=True)

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
        if not hasattr(self, "_observations_url"):
            # The absolute prefix once per serializer: building it per item took a third of
            # a list of 100 insights' time.
            request = self.context.get("request")
            path = "/api/v1/observations/"
            self._observations_url = request.build_absolute_uri(path) if request else path
        return f"{self._observations_url}{evidence.observation_id}/"

    def to_representation(self, evidence):
        # The fields read directly: DRF's generic walk over four plain fields cost more than
        # the rest of an insight in long lists. tests/api/test_list_work.py holds it equal
        # to the generic representation.
        data = {
            "observation": evidence.observation_id,
            "relation": evidence.relation,
            "note": evidence.note,
            "observation_url": self.get_observation_url(evidence),
        }
        if self.context.get("expand_evidence"):
            if not hasattr(self, "_observation"):
                # One serializer for every item: building one per item costs its fields.
                self._observation = EmbeddedObservationSerializer()
            data["observation"] = self._observation.to_representation(evidence.observation)
        return data


INSIGHT_FIELDS = [
    "id", "statement", "details", "status", "superseded_by", "review_by", "needs_review",
    "reviewed_at", "reviewed_by", "owner", "tags",
    "confidence", "confidence_explanation", "supporting_count", "contradicting_count",
    "participant_count", "study_count", "methods", "evidence", "decisions", "url",
    "created_at", "updated_at", "published_at", "last_changed",
]  # fmt: skip


class LastChangeSerializer(serializers.Serializer):
    """The latest version in the change history: when, and by whom (a username)."""

    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)


class InsightSerializer(serializers.ModelSerializer):
    """An insight as clients read it (evidence as links, or embedded with ?expand=evidence)."""

    owner = UsernameField()
    tags = TagListField(required=False)
    evidence = serializers.SerializerMethodField()
    confidence_explanation = serializers.CharField(read_only=True)
    methods = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Methods of the studies behind its evidence, e.g. interview, survey."),
    )
    decisions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    needs_review = serializers.BooleanField(
        read_only=True, help_text=_("Published and past its review date (or newly contradicted).")
    )
    reviewed_by = RecordedByField(
        _("User name of the curator who last confirmed it; null when never confirmed.")
    )
    last_changed = serializers.SerializerMethodField(
        help_text=_("The latest change in its history; null for anonymous readers or none.")
    )

    class Meta:
        model = Insight
        fields = INSIGHT_FIELDS
        read_only_fields = INSIGHT_FIELDS

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, insight):
        if not self._reader_sees_evidence():
            return []
        if not hasattr(self, "_evidence"):
            # Built once for the whole list (this serializer is the list's child), not once
            # per insight: every construction binds and copies all of its fields again.
            self._evidence = EvidenceSerializer(context=self.context)
        return [self._evidence.to_representation(item) for item in insight.evidence.all()]

    @extend_schema_field(LastChangeSerializer(allow_null=True))
    def get_last_changed(self, insight):
        at = getattr(insight, "last_changed_at", None)
        if at is None or not self._reader_sees_evidence():
            return None
        if not hasattr(self, "_last_change"):
            self._last_change = LastChangeSerializer()  # once per list, as the evidence's
        return self._last_change.to_representation({"at": at, "by": insight.last_changed_by})

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


class ConfirmReviewSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Kept in the review history.")
    )


class SupersedeSerializer(serializers.Serializer):
    successor = serializers.PrimaryKeyRelatedField(
        queryset=Insight.objects.all(), help_text=_("The insight that replaces this one.")
    )


class DecisionStatusChangeSerializer(serializers.ModelSerializer):
    changed_by = RecordedByField(_("User name of who changed it; null when unknown."))

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
    target_metric = OptionalChoiceField(
        choices=Decision.TargetMetric.choices,
        required=False,
        help_text=_("The metric the decision should move (nps, csat, ces); null for none."),
    )
    target_tags = TagListField(required=False)

    class Meta:
        model = Decision
        fields = [
            "id", "title", "description", "status", "decided_on", "shipped_on", "owner",
            "external_url", "outcome", "insights", "target_metric", "target_tags",
            "status_note", "status_history", "url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
