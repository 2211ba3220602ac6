"""Search across everything, and "what do we already know?"."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ... import search
from ...models import Insight
from ...selectors import (
    in_order,
    insight_api_list,
    search_everything,
    studies_with_counts,
    what_we_know,
)
from .. import serializers as s


class SearchView(APIView):
    """Search insights, observations, studies and tags at once."""

    permission_model = Insight
    read_only_action = True
    anonymous_readable = False

    @extend_schema(
        parameters=[s.SearchQuerySerializer],
        responses=s.SearchResultsSerializer,
        description=_("Ranked matches of each kind, with highlighted snippets."),
    )
    def get(self, request):
        params = s.SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = search.parse_query(params.validated_data["q"])
        limit = params.validated_data["limit"]
        results = search_everything(request.user, query, limit=limit)
        return Response(s.SearchResultsSerializer(results, context={"query": query}).data)


class KnownView(APIView):
    """'What do we already know?': research questions in, ranked insights and studies out."""

    permission_model = Insight
    read_only_action = True

    @extend_schema(
        request=s.KnownQuerySerializer,
        responses=s.KnownAnswerSerializer,
        description=_("The most relevant insights, past studies and tags for the questions."),
    )
    def post(self, request):
        body = s.KnownQuerySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer = what_we_know(
            body.validated_data["questions"], request.user, limit=body.validated_data["limit"]
        )
        # Fetched again with their prefetches: a fixed number of queries for any limit.
        answer.insights = in_order(insight_api_list(request.user), answer.insights)
        answer.studies = in_order(studies_with_counts(), answer.studies)
        context = {"request": request}
        return Response(s.KnownAnswerSerializer(answer, context=context).data)
