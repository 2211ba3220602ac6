"""Tag groups and tags: list, edit, merge, and the metrics of what a tag labels."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from ...filtersets import TagFilterSet
from ...metrics import metrics_by_segment, metrics_for_tag, nps_trend, observations_for_tag
from ...models import TagGroup
from ...models.tag_tree import TagTree
from ...selectors import tags_with_usage
from ...services import tag_delete, tag_group_save, tag_merge, tag_save, tag_set_aliases
from .. import serializers as s
from .base import SPLIT_BY_PARAMETER, ApiViewSet, split_by_group


class TagGroupViewSet(ApiViewSet):
    queryset = TagGroup.objects.all()
    serializer_class = s.TagGroupSerializer
    ordering = ("position", "pk")
    descriptions = {
        "list": _("Tag groups (facets such as theme, segment, journey stage) in their order."),
        "retrieve": _("One tag group."),
        "create": _("Add a tag group. 400 with field messages, e.g. for a slug in use."),
        "update": _("Change a tag group, sending every required field. 400 with field messages."),
        "partial_update": _("Change some of a tag group's fields. 400 with field messages."),
        "destroy": _("Delete a tag group. 409 (protected) while it has tags."),
    }

    def save(self, serializer, instance):
        return tag_group_save(group=self.assign(instance, serializer.validated_data))


class TagViewSet(ApiViewSet):
    serializer_class = s.TagSerializer
    filterset_class = TagFilterSet
    ordering = ("name", "pk")
    descriptions = {
        "list": _(
            "Tags by name, in cursor pages, with their aliases and how often each is used; "
            "filters q, group and parent. A filter value that cannot be right is a 400."
        ),
        "retrieve": _("One tag with its aliases and usage."),
        "create": _(
            "Add a tag to a group, with aliases (other names that find it). 400 with field "
            "messages, e.g. for a name or alias in use."
        ),
        "update": _(
            "Change a tag, sending every required field; aliases, when sent, replace its "
            "aliases. 400 with field messages."
        ),
        "partial_update": _(
            "Change some of a tag's fields; aliases, when sent, replace its aliases. 400 with "
            "field messages."
        ),
        "destroy": _(
            "Delete an unused tag. 409 (protected) for a tag in use: merge it into another instead."
        ),
    }

    def get_queryset(self):
        return tags_with_usage(user=self.request.user).prefetch_related("aliases")

    def save(self, serializer, instance):
        data = serializer.validated_data
        tag = tag_save(tag=self.assign(instance, data, "aliases"))
        if "aliases" in data:
            tag_set_aliases(tag=tag, names=data["aliases"])
        return self.get_queryset().get(pk=tag.pk)

    def perform_destroy(self, instance):
        tag_delete(tag=instance)

    @extend_schema(
        request=s.TagMergeSerializer,
        responses=s.TagSerializer,
        description=_("Merge this tag into the target: every use moves, names become aliases."),
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        source = self.get_object()
        body = s.TagMergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = body.validated_data["target"]
        tag_merge(sources=[source], target=target)
        return Response(self.get_serializer(self.get_queryset().get(pk=target.pk)).data)

    @extend_schema(
        parameters=[SPLIT_BY_PARAMETER],
        responses=s.TagMetricsSerializer,
        description=_(
            "NPS, CSAT and CES of the answers about this tag (child tags included) with the "
            "counts behind them, and `trend`: the NPS of each study over time."
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def metrics(self, request, pk=None):
        tag = self.get_object()
        group = split_by_group(request)
        tag_ids = TagTree.load().below(tag.pk)
        body = {
            "tag": tag.pk,
            "metrics": metrics_for_tag(tag, tag_ids=tag_ids),
            "trend": nps_trend(tag, tag_ids=tag_ids),
        }
        if group is not None:
            body["split_by"] = group.slug
            body["segments"] = metrics_by_segment(observations_for_tag(tag, tag_ids=tag_ids), group)
        return Response(s.TagMetricsSerializer(body).data)
