"""API v1 viewsets: queryset, serializer, filterset, permissions; writes call the services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, search
from ..exports import FORMATS, JSON_SCHEMA, export_response, filter_labels
from ..filtersets import (
    INSIGHT_ORDERINGS,
    InsightFilterSet,
    ObservationFilterSet,
    StudyFilterSet,
    TagFilterSet,
)
from ..metrics import (
    metrics_by_segment,
    metrics_for,
    metrics_for_tag,
    nps_trend,
    observations_for_tag,
)
from ..models import (
    Decision,
    Evidence,
    Insight,
    Observation,
    Participant,
    Study,
    Tag,
    TagGroup,
)
from ..models.tag_tree import TagTree
from ..search.highlight import snippet
from ..selectors import tags_with_usage, what_we_know
from ..services import (
    RowErrors,
    decision_save,
    insight_archive,
    insight_create,
    insight_publish,
    insight_save,
    insight_set_evidence,
    insight_supersede,
    observation_delete,
    observation_save,
    observations_bulk_upsert,
    participant_delete,
    participant_get_or_create,
    participant_save,
    study_save,
    tag_delete,
    tag_group_save,
    tag_merge,
    tag_save,
    tag_set_aliases,
)
from . import serializers as s
from .errors import Conflict, validation_error

TAGS_WITH_GROUP = Prefetch("tags", queryset=Tag.objects.select_related("group").order_by("name"))

EXPAND_PARAMETER = OpenApiParameter(
    "expand",
    str,
    enum=["evidence"],
    description=_(
        "evidence: embed each evidence item's observation with its study and participant "
        "(signed-in readers only; anonymous readers get no evidence)."
    ),
)
SPLIT_BY_PARAMETER = OpenApiParameter(
    "split_by",
    str,
    description=_("Slug of a tag group (e.g. segment) to split the figures by."),
)


def insight_queryset(user, *, expand_evidence: bool = False):
    """The insights ``user`` may see, with what InsightSerializer reads prefetched."""
    evidence = Evidence.objects.order_by("relation", "pk")
    if expand_evidence:
        evidence = evidence.select_related("observation__study", "observation__participant")
    return (
        access.visible_insights(user)
        .select_related("owner")
        .prefetch_related(
            TAGS_WITH_GROUP,
            Prefetch("evidence", queryset=evidence),
            Prefetch("decisions", queryset=Decision.objects.only("pk")),
        )
    )


def study_queryset():
    """Studies with what StudySerializer reads, observation_count included."""
    return (
        Study.objects.select_related("owner")
        .prefetch_related(TAGS_WITH_GROUP)
        .annotate(observation_count=Count("observations"))
    )


def in_order(queryset, ranked: list) -> list:
    """``ranked``'s rows fetched again from ``queryset`` (prefetched), in the same order."""
    fetched = queryset.in_bulk([item.pk for item in ranked])
    return [fetched[item.pk] for item in ranked if item.pk in fetched]


def split_by_group(request) -> TagGroup | None:
    """The tag group named by ?split_by=, None without it; 400 for an unknown one."""
    slug = request.query_params.get("split_by")
    if not slug:
        return None
    group = None if "\x00" in slug else TagGroup.objects.filter(slug=slug).first()
    if group is None:
        raise serializers.ValidationError(
            {"split_by": [_("Unknown tag group: %(slug)s.") % {"slug": slug}]}
        )
    return group


class ApiViewSet(viewsets.ModelViewSet):
    """Shared by every endpoint: FilterSets, cursor pages, writes through ``save``."""

    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def save(self, serializer, instance):
        """Apply validated data through the entity's service; returns the saved object."""
        raise NotImplementedError

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = self.save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = self.save(serializer, serializer.instance)

    @staticmethod
    def assign(instance, data: dict, *skip: str):
        """Copy validated fields onto the instance, except the ones a service sets itself."""
        for name, value in data.items():
            if name not in skip:
                setattr(instance, name, value)
        return instance


class TagGroupViewSet(ApiViewSet):
    queryset = TagGroup.objects.all()
    serializer_class = s.TagGroupSerializer
    ordering = ("position", "pk")

    def save(self, serializer, instance):
        return tag_group_save(group=self.assign(instance, serializer.validated_data))


class TagViewSet(ApiViewSet):
    serializer_class = s.TagSerializer
    filterset_class = TagFilterSet
    ordering = ("name", "pk")

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
        summaries = metrics_for_tag(tag, tag_ids=tag_ids)
        body = {
            "tag": tag.pk,
            "metrics": {key: m.as_dict() for key, m in summaries.items()},
            "trend": [point.as_dict() for point in nps_trend(tag, tag_ids=tag_ids)],
        }
        if group is not None:
            body["split_by"] = group.slug
            body["segments"] = metrics_by_segment(observations_for_tag(tag, tag_ids=tag_ids), group)
        return Response(body)


class ParticipantViewSet(ApiViewSet):
    serializer_class = s.ParticipantSerializer
    ordering = ("code", "pk")

    def get_queryset(self):
        return Participant.objects.prefetch_related(TAGS_WITH_GROUP)

    def save(self, serializer, instance):
        data = serializer.validated_data
        return participant_save(
            participant=self.assign(instance, data, "tags"), tags=data.get("tags")
        )

    def perform_destroy(self, instance):
        participant_delete(participant=instance)


class StudyViewSet(ApiViewSet):
    serializer_class = s.StudySerializer
    filterset_class = StudyFilterSet
    ordering = ("-updated_at", "-pk")

    def get_queryset(self):
        return study_queryset()

    def save(self, serializer, instance):
        data = serializer.validated_data
        study = study_save(study=self.assign(instance, data, "tags"), tags=data.get("tags"))
        return self.get_queryset().get(pk=study.pk)

    @extend_schema(
        parameters=[SPLIT_BY_PARAMETER],
        responses=s.StudyMetricsSerializer,
        description=_("NPS, CSAT and CES with the counts behind them."),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def metrics(self, request, pk=None):
        study = self.get_object()
        group = split_by_group(request)
        observations = Observation.objects.filter(study=study)
        body = {
            "study": study.pk,
            "metrics": {key: m.as_dict() for key, m in metrics_for(observations).items()},
        }
        if group is not None:
            body["split_by"] = group.slug
            body["segments"] = metrics_by_segment(observations, group)
        return Response(body)


class ObservationViewSet(ApiViewSet):
    serializer_class = s.ObservationSerializer
    filterset_class = ObservationFilterSet
    ordering = ("-updated_at", "-pk")

    def get_queryset(self):
        return Observation.objects.select_related("participant", "created_by").prefetch_related(
            TAGS_WITH_GROUP
        )

    def save(self, serializer, instance):
        data = dict(serializer.validated_data)
        if "participant" in data:
            code = data.pop("participant")
            instance.participant = participant_get_or_create(code=code) if code else None
        observation = observation_save(
            observation=self.assign(instance, data, "tags"),
            tags=data.get("tags"),
            user=self.request.user,
        )
        return self.get_queryset().get(pk=observation.pk)

    def perform_destroy(self, instance):
        observation_delete(observation=instance)

    @extend_schema(
        request=s.BulkObservationsSerializer,
        responses={200: s.BulkResultSerializer, 201: s.BulkResultSerializer},
        description=_(
            "Create or update up to 5,000 observations of one study, all or nothing. Rows with "
            "an external_id the study already has update that observation (idempotent). Row "
            "errors come back under fields.observations.<row index>.<field>."
        ),
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        body = s.BulkObservationsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        study = body.validated_data["study"]
        rows, errors = [], {}
        for index, raw in enumerate(body.validated_data["observations"]):
            row = s.BulkObservationRowSerializer(data=raw)
            if not row.is_valid():
                errors[index] = row.errors
            rows.append(dict(row.validated_data) if not row.errors else {})
            if "participant" in rows[-1]:
                rows[-1]["participant_code"] = rows[-1].pop("participant") or ""
        try:
            # Type errors and rule errors of every row come back in one answer.
            result = observations_bulk_upsert(
                study=study, rows=rows, user=request.user, errors=errors
            )
        except RowErrors as error:
            raise serializers.ValidationError({"observations": error.errors}) from error
        except IntegrityError as error:
            # Another request created the same external_ids between this one's check and its
            # insert; the whole import was rolled back, and sending it again updates those rows.
            raise Conflict(
                _(
                    "Another request was importing the same rows at the same moment; nothing "
                    "was saved. Send this request again."
                ),
                code="concurrent_import",
            ) from error
        payload = {
            "created": len(result.created),
            "updated": len(result.updated),
            "ids": [obs.pk for obs in result.created + result.updated],
        }
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(payload, status=code)


@extend_schema_view(
    list=extend_schema(parameters=[EXPAND_PARAMETER]),
    retrieve=extend_schema(parameters=[EXPAND_PARAMETER]),
)
class InsightViewSet(ApiViewSet):
    filterset_class = InsightFilterSet
    anonymous_readable = True

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
        return insight_queryset(self.request.user, expand_evidence=self._expand_evidence())

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        self._ordering = INSIGHT_ORDERINGS[self._filterset_ordering()]
        return queryset

    def _filterset_ordering(self) -> str:
        filterset = InsightFilterSet(self.request.query_params, queryset=Insight.objects.none())
        return filterset.current_ordering if filterset.is_valid() else "-updated_at"

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
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): JSON_SCHEMA,
            (200, "text/markdown"): OpenApiTypes.STR,
        },
        filters=True,
        description=_(
            "Every insight the list's filters select (all of them, not one page), with tags, "
            "evidence and decisions, as a file download streamed while it is written. "
            "Anonymous readers get no evidence and no decisions."
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        fmt = request.query_params.get("file") or "json"
        if fmt not in FORMATS:
            raise serializers.ValidationError(
                {"file": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS)}]}
            )
        queryset = self.filter_queryset(self.get_queryset())
        filterset = InsightFilterSet(request.query_params, queryset=Insight.objects.none())
        filterset.is_valid()  # already checked by filter_queryset; names the tags for the report
        return export_response(
            queryset,
            fmt,
            include_evidence=access.can_see_evidence(request.user),
            base_url=request.build_absolute_uri("/"),
            filters=[text for _key, _value, text in filter_labels(request.query_params, filterset)],
        )

    @extend_schema(
        parameters=[EXPAND_PARAMETER],
        responses=inline_serializer(
            "SimilarInsight",
            {"insight": s.InsightSerializer(), "score": serializers.FloatField()},
            many=True,
        ),
        description=_(
            "Up to 10 insights most similar to this one by text and shared tags, best first "
            "(a plain list: no pages, no filters)."
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request, pk=None):
        insight = self.get_object()
        candidates = similar_insights(insight, self.get_queryset())
        context = self.get_serializer_context()
        return Response(
            [
                {"insight": s.InsightSerializer(other, context=context).data, "score": score}
                for other, score in candidates
            ]
        )


def similar_insights(insight: Insight, visible, limit: int = 10):
    """Other visible insights ranked by text similarity plus the share of tags in common."""
    question = search.parse_question(f"{insight.statement} {insight.details}")
    by_text = {
        other.pk: (other, other.search_rank or 0.0)
        for other in search.search(
            visible.exclude(pk=insight.pk), question, match_any=True
        ).order_by("-search_rank")[:50]
    }
    tag_ids = set(insight.tags.values_list("pk", flat=True))
    by_tags = visible.exclude(pk=insight.pk).filter(tags__in=tag_ids).distinct()[:50]
    candidates = {pk: other for pk, (other, _) in by_text.items()}
    candidates.update({other.pk: other for other in by_tags})
    top_rank = max((rank for _, rank in by_text.values()), default=0.0) or 1.0
    scored = []
    for pk, other in candidates.items():
        other_tags = {tag.pk for tag in other.tags.all()}
        shared = (
            len(tag_ids & other_tags) / len(tag_ids | other_tags) if tag_ids | other_tags else 0
        )
        text = by_text.get(pk, (None, 0.0))[1] / top_rank
        scored.append((other, round(0.6 * text + 0.4 * shared, 3)))
    scored.sort(key=lambda item: (-item[1], -item[0].pk))
    return scored[:limit]


class DecisionViewSet(ApiViewSet):
    serializer_class = s.DecisionSerializer
    ordering = ("-updated_at", "-pk")

    def get_queryset(self):
        # A Viewer must not learn the ids of draft or archived insights through a decision.
        insights = access.visible_insights(self.request.user).only("pk")
        return Decision.objects.select_related("owner").prefetch_related(
            Prefetch("insights", queryset=insights),
            Prefetch(
                "status_changes",
                queryset=Decision.status_changes.rel.related_model.objects.select_related(
                    "changed_by"
                ),
            ),
        )

    def save(self, serializer, instance):
        data = serializer.validated_data
        decision = decision_save(
            decision=self.assign(instance, data, "insights", "status_note"),
            insights=data.get("insights"),
            user=self.request.user,
            note=data.get("status_note", ""),
        )
        return self.get_queryset().get(pk=decision.pk)


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
        if query.is_empty:
            return Response({"insights": [], "observations": [], "studies": [], "tags": []})

        def ranked(queryset):
            return search.search(queryset, query).order_by("-search_rank", "-pk")[:limit]

        insights = ranked(access.visible_insights(request.user))
        observations = ranked(Observation.objects.select_related("study"))
        studies = ranked(Study.objects.all())
        tags = ranked(Tag.objects.select_related("group"))
        return Response(
            {
                "insights": [
                    {"id": i.pk, "statement": i.statement, "status": i.status,
                     "confidence": i.confidence, "rank": i.search_rank,
                     "snippet": snippet(f"{i.statement} {i.details}", query)}
                    for i in insights
                ],
                "observations": [
                    {"id": o.pk, "study": o.study_id, "rank": o.search_rank,
                     "snippet": snippet(o.text, query)}
                    for o in observations
                ],
                "studies": [
                    {"id": st.pk, "slug": st.slug, "title": st.title, "rank": st.search_rank}
                    for st in studies
                ],
                "tags": [
                    {"id": t.pk, "slug": t.slug, "name": t.name, "group": t.group.slug}
                    for t in tags
                ],
            }
        )  # fmt: skip


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
        insights = in_order(insight_queryset(request.user), answer.insights)
        studies = in_order(study_queryset(), answer.studies)
        context = {"request": request}
        return Response(
            {
                "insights": s.InsightSerializer(insights, many=True, context=context).data,
                "studies": s.StudySerializer(studies, many=True, context=context).data,
                "tags": [
                    {"slug": t.slug, "name": t.name, "group": t.group.slug} for t in answer.tags
                ],
            }
        )
