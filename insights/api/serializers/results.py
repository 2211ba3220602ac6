"""Bodies of the endpoints that are not one model: search, "what do we know?", metrics."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...metrics import MetricSummary
from ...models import (
    Insight,
)
from ...search.highlight import snippet
from .insights import InsightSerializer
from .research import StudySerializer


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

    def to_representation(self, instance):
        # Figures a metric does not have (promoters of CSAT, a value without answers) are left
        # out rather than sent as null.
        if isinstance(instance, MetricSummary):
            instance = instance.as_dict()
        return super().to_representation(instance)


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
    nps = serializers.FloatField(source="value", allow_null=True)
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


@extend_schema_field(OpenApiTypes.STR)
class SnippetField(serializers.Field):
    """The matching part of some text, with the query's words in <mark> (HTML)."""

    def __init__(self, text, **kwargs):
        self.text = text
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return snippet(self.text(obj), self.context["query"])


SNIPPET_HELP = _("HTML with the matches in <mark>.")


class SearchInsightSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    statement = serializers.CharField()
    status = serializers.ChoiceField(choices=Insight.Status.choices)
    confidence = serializers.ChoiceField(choices=Insight.Confidence.choices)
    rank = serializers.FloatField(source="search_rank", allow_null=True)
    snippet = SnippetField(
        lambda insight: f"{insight.statement} {insight.details}", help_text=SNIPPET_HELP
    )


class SearchObservationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    study = serializers.IntegerField(source="study_id")
    rank = serializers.FloatField(source="search_rank", allow_null=True)
    snippet = SnippetField(lambda observation: observation.text, help_text=SNIPPET_HELP)


class SearchStudySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    rank = serializers.FloatField(source="search_rank", allow_null=True)


class SearchTagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField(source="group.slug")


class SearchResultsSerializer(serializers.Serializer):
    insights = SearchInsightSerializer(many=True)
    observations = SearchObservationSerializer(many=True)
    studies = SearchStudySerializer(many=True)
    tags = SearchTagSerializer(many=True)


class KnownTagSerializer(SearchTagSerializer):
    id = None  # A tag as search results show it, without its id.


class KnownAnswerSerializer(serializers.Serializer):
    insights = InsightSerializer(many=True)
    studies = StudySerializer(many=True)
    tags = KnownTagSerializer(many=True)


class SimilarInsightSerializer(serializers.Serializer):
    insight = InsightSerializer()
    score = serializers.FloatField(help_text=_("0 to 1: shared words and shared tags."))
