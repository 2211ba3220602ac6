"""The loop report: which research led to decisions, how fast, and what they moved."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ...models import Decision
from ...selectors import loop_report
from .. import serializers as s
from .base import WINDOW_PARAMETER, window_days


class LoopView(APIView):
    """Per tag, over published insights: decisions taken, shipped, how fast, with what effect."""

    # Decisions are for signed-in members (like the decision endpoints), never anonymous.
    permission_model = Decision
    read_only_action = True

    @extend_schema(
        parameters=[WINDOW_PARAMETER],
        responses=s.LoopSerializer,
        description=_(
            "Per tag (child tags included) and in total, over published insights: how many "
            "have decisions, how many of those shipped, the median days from publishing to the "
            "first decision, and the decisions whose impact can be judged, with the result."
        ),
    )
    def get(self, request):
        report = loop_report(window=window_days(request))
        body = {
            "window_days": report.window,
            "total": report.total.as_dict(),
            "tags": [row.as_dict() for row in report.rows],
        }
        return Response(s.LoopSerializer(body).data)
