"""The customer journey map as JSON (GET /api/v1/journey/)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...models import Insight
from .results import MetricSummarySerializer


class JourneyQuerySerializer(serializers.Serializer):
    columns = serializers.CharField(
        required=False,
        default="segment",
        max_length=50,
        help_text=_("Slug of the tag group whose tags make the columns (segment by default)."),
    )


class JourneyTagSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class JourneyGroupSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(source="display_name")


class JourneyInsightSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Insight
        fields = ["id", "statement", "confidence", "supporting_count", "url"]


class JourneyCellSerializer(serializers.Serializer):
    column = serializers.CharField(source="column.slug", help_text=_("The column tag's slug."))
    count = serializers.IntegerField(help_text=_("Published insights carrying both tags."))
    top_insight = JourneyInsightSerializer(
        source="top", allow_null=True, help_text=_("The one with the highest confidence.")
    )
    nps = MetricSummarySerializer(
        allow_null=True, help_text=_("NPS of the answers with both tags; null without answers.")
    )
    small_base = serializers.BooleanField(
        help_text=_("Fewer answers than min_reliable_base: too few to trust.")
    )
    search_url = serializers.CharField(help_text=_("The search page this cell stands for."))


class JourneyRowSerializer(serializers.Serializer):
    stage = JourneyTagSerializer(source="tag")
    cells = JourneyCellSerializer(many=True)


class JourneyMapSerializer(serializers.Serializer):
    stages_group = JourneyGroupSerializer(allow_null=True)
    columns_group = JourneyGroupSerializer()
    columns = JourneyTagSerializer(many=True)
    rows = JourneyRowSerializer(many=True)
    min_reliable_base = serializers.IntegerField()
