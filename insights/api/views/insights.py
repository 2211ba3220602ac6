"""Insights: list, read, write, publish, supersede, archive, export and similar ones."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ... import access
from ...exports import FORMATS, export_response
from ...filtersets import INSIGHT_ORDERINGS, InsightFilterSet
from ...selectors import filter_labels, insight_api_list, similar_insights
from ...services import (
    insight_archive,
    insight_confirm_review,
    insight_create,
    insight_publish,
    insight_save,
    insight_set_evidence,
    insight_supersede,
)
from .. import serializers as s
from ..errors import validation_error
from ..schema import InsightExportSerializer
from .base import EXPAND_PARAMETER, ApiViewSet


def text_export(fmt: str, media_type: str, description):
    """The action export/<fmt>/: the export in one text format, on a path of its own so that
    generated clients read it as text (export/?file= is JSON to them)."""

    def view(self, request):
        return self._export(request, fmt)

    # The router names the route and the method after the function: export_csv...
    view.__name__ = view.__qualname__ = f"export_{fmt}"
    route = action(detail=False, methods=["get"], url_path=f"export/{fmt}", pagination_class=None)
    schema = extend_schema(
        responses={(200, media_type): OpenApiTypes.STR}, filters=True, description=description
    )
    return schema(route(view))


@extend_schema_view(
    list=extend_schema(parameters=[EXPAND_PARAMETER]),
    retrieve=extend_schema(parameters=[EXPAND_PARAMETER]),
    # Written with InsightWriteSerializer, answered with the whole insight.
    create=extend_schema(request=s.InsightWriteSerializer, responses={201: s.InsightSerializer}),
    update=extend_schema(request=s.InsightWriteSerializer, responses=s.InsightSerializer),
    partial_update=extend_schema(request=s.InsightWriteSerializer, responses=s.InsightSerializer),
)
class InsightViewSet(ApiViewSet):
    filterset_class = InsightFilterSet
    anonymous_readable = True
    descriptions = {
        "list": _(
            "Insights, last changed first (or by ordering), in cursor pages; Viewers see "
            "published and superseded ones. Filters: q, tag (slug, name or alias; a parent "
            "includes its children), tag_mode, tag_group, status, confidence, study, method, "
            "owner, created_after, created_before, updated_after, has_decisions, needs_review "
            "(published and past its review date). A filter value that cannot be right is a 400 "
            "naming the parameter."
        ),
        "retrieve": _(
            "One insight with its confidence grade, tags, evidence (embedded with "
            "expand=evidence) and decisions. 404 for one you may not see."
        ),
        "create": _(
            "Add a draft insight with its tags (by slug, name or alias) and evidence. 400 with "
            "field messages, e.g. for an unknown tag or observation."
        ),
        "update": _(
            "Change an insight, sending every required field; tags and evidence, when sent, "
            "replace the current ones. The status changes only through publish, supersede "
            "and archive (400 if it is sent)."
        ),
        "partial_update": _(
            "Change some of an insight's fields; tags and evidence, when sent, replace the "
            "current ones. The status changes only through publish, supersede and archive "
            "(400 if it is sent)."
        ),
        "destroy": _("Delete an insight. 409 (protected) while other records depend on it."),
        "publish": _(
            "Publish a draft insight so that Viewers see it. 400 without supporting evidence "
            "or for a superseded insight."
        ),
        "supersede": _(
            "Mark the insight as replaced by a published one (successor); it stays readable "
            "and names its successor. 400 under successor when that insight cannot replace it."
        ),
        "archive": _("Archive the insight: it leaves the lists of readers."),
        "confirm": _(
            "Curators: confirm that a published insight still holds. It gets a new review date "
            "(12 months from today, or what its tag groups say) and the confirmation, with the "
            "optional note, goes into its review history. 400 for an insight not published."
        ),
    }

    def get_serializer_class(self):
        if self.action in {"create", "update", "partial_update"}:
            return s.InsightWriteSerializer
        return s.InsightSerializer

    def _expand_evidence(self) -> bool:
        # Observations are evidence: anonymous readers (ANONYMOUS_READ) never get them.
        request = self.request
        return (
            request is not None
            and access.can_see_evidence(request.user)
            and "evidence" in request.query_params.get("expand", "").split(",")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expand_evidence": self._expand_evidence()}

    def get_queryset(self):
        return insight_api_list(self.request.user, expand_evidence=self._expand_evidence())

    def filter_queryset(self, queryset):
        if DjangoFilterBackend not in self.filter_backends:
            return super().filter_queryset(queryset)  # an action without filters
        # One FilterSet gives both the rows and their order (tags are resolved once).
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(self.request, queryset, self)
        if not filterset.is_valid() and backend.raise_exception:
            raise translate_validation(filterset.errors)
        self._filterset = filterset
        self._ordering = INSIGHT_ORDERINGS[filterset.current_ordering]
        return filterset.qs

    def get_cursor_ordering(self):
        return getattr(self, "_ordering", INSIGHT_ORDERINGS["-updated_at"])

    def save(self, serializer, instance):
        data = serializer.validated_data
        if instance.pk is None:
            insight = insight_create(
                statement=data["statement"],
                details=data.get("details", ""),
                review_by=data.get("review_by"),
                owner=data.get("owner"),
                tags=data.get("tags", ()),
                evidence=data.get("evidence", ()),
                user=self.request.user,
            )
        else:
            insight = insight_save(
                insight=self.assign(instance, data, "tags", "evidence"), tags=data.get("tags")
            )
            if "evidence" in data:
                insight_set_evidence(insight=insight, items=data["evidence"])
        return self.get_queryset().get(pk=insight.pk)

    def _status_action(self, service, **kwargs):
        insight = self.get_object()
        service(insight=insight, **kwargs)
        fresh = self.get_queryset().get(pk=insight.pk)
        return Response(s.InsightSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=s.InsightSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._status_action(insight_publish)

    @extend_schema(request=s.SupersedeSerializer, responses=s.InsightSerializer)
    @action(detail=True, methods=["post"])
    def supersede(self, request, pk=None):
        body = s.SupersedeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            return self._status_action(
                insight_supersede, successor=body.validated_data["successor"]
            )
        except DjangoValidationError as error:
            # The service names the model field; the client sent "successor".
            detail = validation_error(error).detail
            if "superseded_by" in detail:
                detail["successor"] = detail.pop("superseded_by")
            raise serializers.ValidationError(detail) from error

    @extend_schema(request=None, responses=s.InsightSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._status_action(insight_archive)

    @extend_schema(request=s.ConfirmReviewSerializer, responses=s.InsightSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        body = s.ConfirmReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._status_action(
            insight_confirm_review, user=request.user, note=body.validated_data["note"]
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file",
                str,
                enum=list(FORMATS),
                default="json",
                description=_(
                    "File format: csv (UTF-8 with a byte order mark, for Excel), json, or "
                    "markdown (a readable report grouped by tag group)."
                ),
            )
        ],
        operation_id="insights_export_retrieve",
        # JSON first: a generated client parses the first media type it knows.
        responses={
            (200, "application/json"): InsightExportSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "text/markdown"): OpenApiTypes.STR,
        },
        filters=True,
        description=_(
            "Every insight the list's filters select (all of them, not one page), with tags, "
            "evidence and decisions, as a file download streamed while it is written. "
            "Anonymous readers get no evidence and no decisions. Generated clients read this "
            "operation as JSON: use export/csv/ and export/markdown/ for the text formats. 400 "
            "for an unknown file format or a filter value that cannot be right."
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        fmt = request.query_params.get("file") or "json"
        if fmt not in FORMATS:
            raise serializers.ValidationError(
                {"file": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS)}]}
            )
        return self._export(request, fmt)

    export_csv = text_export(
        "csv",
        "text/csv",
        _(
            "The export as CSV (UTF-8 with a byte order mark, for Excel): the same as "
            "export/?file=csv. 400 for a filter value that cannot be right."
        ),
    )
    export_markdown = text_export(
        "markdown",
        "text/markdown",
        _(
            "The export as a Markdown report grouped by tag group: the same as "
            "export/?file=markdown. 400 for a filter value that cannot be right."
        ),
    )

    def _export(self, request, fmt: str):
        queryset = self.filter_queryset(self.get_queryset())
        filterset = self._filterset  # checked by filter_queryset; names the tags for the report
        return export_response(
            queryset,
            fmt,
            include_evidence=access.can_see_evidence(request.user),
            base_url=request.build_absolute_uri("/"),
            filters=[text for _key, _value, text in filter_labels(request.query_params, filterset)],
        )

    @extend_schema(
        parameters=[EXPAND_PARAMETER],
        responses=s.SimilarInsightSerializer(many=True),
        description=_(
            "Up to 10 insights most similar to this one by text and shared tags, best first "
            "(a plain list: no pages, no filters)."
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request, pk=None):
        similar = similar_insights(self.get_object(), self.get_queryset())
        context = self.get_serializer_context()
        return Response(s.SimilarInsightSerializer(similar, many=True, context=context).data)
