"""Decisions with the insights behind them and their dated status history."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from ... import access
from ...impact import impact_of
from ...models import Decision, DecisionStatusChange, Tag
from ...services import decision_save
from .. import serializers as s
from .base import WINDOW_PARAMETER, ApiViewSet, window_days


class DecisionViewSet(ApiViewSet):
    serializer_class = s.DecisionSerializer
    ordering = ("-updated_at", "-pk")
    descriptions = {
        "list": _("Decisions, last changed first, in cursor pages."),
        "retrieve": _("One decision with the insights behind it and its dated status history."),
        "create": _(
            "Record a decision and the insights behind it. 400 with field messages, e.g. for "
            "an unknown insight."
        ),
        "update": _(
            "Change a decision, sending every required field; a new status is added to its "
            "history with status_note. 400 with field messages."
        ),
        "partial_update": _(
            "Change some of a decision's fields; a new status is added to its history with "
            "status_note. 400 with field messages."
        ),
        "destroy": _("Delete a decision and its status history."),
    }

    def get_queryset(self):
        # A Viewer must not learn the ids of draft or archived insights through a decision.
        insights = access.visible_insights(self.request.user).only("pk")
        return Decision.objects.select_related("owner").prefetch_related(
            Prefetch("insights", queryset=insights),
            Prefetch("target_tags", queryset=Tag.objects.select_related("group")),
            Prefetch(
                "status_changes",
                queryset=DecisionStatusChange.objects.select_related("changed_by"),
            ),
        )

    def save(self, serializer, instance):
        data = serializer.validated_data
        decision = decision_save(
            decision=self.assign(instance, data, "insights", "target_tags", "status_note"),
            insights=data.get("insights"),
            target_tags=data.get("target_tags"),
            user=self.request.user,
            note=data.get("status_note", ""),
        )
        return self.get_queryset().get(pk=decision.pk)

    @extend_schema(
        parameters=[WINDOW_PARAMETER],
        responses=s.ImpactSerializer,
        description=_(
            "Did the decision move its target metric? The answers about its target tags in "
            "the window before and after the ship date, the difference with a 95 percent "
            "confidence interval, and the verdict in words (verdict too_few_answers: cannot "
            "be judged yet)."
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def impact(self, request, pk=None):
        window = window_days(request)
        result = impact_of(self.get_object(), window=window)
        return Response(s.ImpactSerializer(result.as_dict()).data)
