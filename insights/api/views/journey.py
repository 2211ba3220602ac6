"""The customer journey map: stages against segments (or another tag group)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ... import access
from ...metrics import MIN_RELIABLE_BASE
from ...models import Insight
from ...selectors.journey import journey_groups, journey_map
from ..serializers.journey import JourneyMapSerializer, JourneyQuerySerializer


class JourneyView(APIView):
    """The journey map's grid: what the repository knows per stage and column."""

    permission_model = Insight
    read_only_action = True

    @extend_schema(
        parameters=[JourneyQuerySerializer],
        responses=JourneyMapSerializer,
        description=_(
            "Journey stages (the journey-stage tag group, in its tags' order) against the tags "
            "of another group (columns=<group slug>, segment by default). Each cell: the "
            "published insights carrying both tags (tags below them included), the one with "
            "the highest confidence, NPS of the answers with both tags (small_base when under "
            "min_reliable_base answers) and the search URL it stands for. stages_group is null "
            "and rows empty without a journey-stage group. 400 for an unknown group."
        ),
    )
    def get(self, request):
        params = JourneyQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        slug = params.validated_data["columns"]
        stages, columns, _choices = journey_groups(slug)
        if columns is None:
            raise serializers.ValidationError(
                {"columns": [_("Unknown tag group: %(slug)s.") % {"slug": slug}]}
            )
        grid = journey_map(
            request.user, stages, columns, with_metrics=access.is_member(request.user)
        )
        body = {
            "stages_group": grid.stages_group,
            "columns_group": grid.columns_group,
            "columns": grid.columns,
            "rows": grid.rows,
            "min_reliable_base": MIN_RELIABLE_BASE,
        }
        return Response(JourneyMapSerializer(body).data)
