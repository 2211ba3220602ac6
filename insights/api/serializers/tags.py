"""Tag groups and tags."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models import (
    Tag,
    TagGroup,
)
from .fields import AliasListField


class TagGroupSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = TagGroup
        fields = [
            "id", "name", "display_name", "slug", "description", "position", "review_months",
        ]  # fmt: skip


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
            "id", "name", "slug", "group", "parent", "description", "position", "aliases",
            "usage", "created_at",
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
