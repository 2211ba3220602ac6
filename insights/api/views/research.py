"""Participants, studies (with their metrics) and observations, one by one or in bulk."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ...filtersets import ObservationFilterSet, StudyFilterSet
from ...metrics import metrics_by_segment, metrics_for
from ...models import Observation, Participant
from ...selectors import studies_with_counts, tags_with_group
from ...services import (
    RowErrors,
    WriteConflict,
    observation_delete,
    observation_save,
    observations_bulk_upsert,
    participant_delete,
    participant_get_or_create,
    participant_save,
    study_save,
)
from .. import serializers as s
from ..errors import Conflict
from .base import SPLIT_BY_PARAMETER, ApiViewSet, split_by_group


class ParticipantViewSet(ApiViewSet):
    serializer_class = s.ParticipantSerializer
    ordering = ("code", "pk")
    descriptions = {
        "list": _("Participants by pseudonymous code, in cursor pages."),
        "retrieve": _("One participant with their tags (segments) and consent date."),
        "create": _(
            "Add a participant by pseudonymous code, with tags by slug, name or alias. 400 "
            "with field messages, e.g. for a code in use or an unknown tag."
        ),
        "update": _("Change a participant, sending every field. 400 with field messages."),
        "partial_update": _(
            "Change some of a participant's fields; tags, when sent, replace theirs. 400 with "
            "field messages."
        ),
        "destroy": _(
            "Delete a participant; their observations stay as evidence without a participant."
        ),
    }

    def get_queryset(self):
        return Participant.objects.prefetch_related(tags_with_group())

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
    descriptions = {
        "list": _(
            "Studies, last changed first, in cursor pages, with the filters q, tag, tag_mode, "
            "tag_group, status, method, started_after, started_before and updated_after. A "
            "filter value that cannot be right is a 400 naming the parameter."
        ),
        "retrieve": _("One study with its tags and the number of its observations."),
        "create": _(
            "Add a study, with tags by slug, name or alias; the slug is made from the title "
            "when left out. 400 with field messages, e.g. for an unknown tag."
        ),
        "update": _("Change a study, sending every required field. 400 with field messages."),
        "partial_update": _(
            "Change some of a study's fields; tags, when sent, replace its tags. 400 with "
            "field messages."
        ),
        "destroy": _("Delete a study. 409 (protected) while it has observations."),
    }

    def get_queryset(self):
        return studies_with_counts()

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
        body = {"study": study.pk, "metrics": metrics_for(observations)}
        if group is not None:
            body["split_by"] = group.slug
            body["segments"] = metrics_by_segment(observations, group)
        return Response(s.StudyMetricsSerializer(body).data)


class ObservationViewSet(ApiViewSet):
    serializer_class = s.ObservationSerializer
    filterset_class = ObservationFilterSet
    ordering = ("-updated_at", "-pk")
    descriptions = {
        "list": _(
            "Observations, last changed first, in cursor pages, with the filters q, tag, "
            "tag_mode, tag_group, study, kind, metric, participant, observed_after, "
            "observed_before and updated_after. A filter value that cannot be right is a 400 "
            "naming the parameter."
        ),
        "retrieve": _("One observation: its text or metric reading, participant, source, tags."),
        "create": _(
            "Add an observation to a study; an unknown participant code creates the "
            "participant, tags are given by slug, name or alias. 400 with field messages, "
            "e.g. for an NPS score outside 0-10."
        ),
        "update": _(
            "Change an observation, sending every required field. 400 with field messages."
        ),
        "partial_update": _(
            "Change some of an observation's fields; tags, when sent, replace its tags. 400 "
            "with field messages."
        ),
        "destroy": _("Delete an observation. 409 (protected) while it is evidence for an insight."),
    }

    def get_queryset(self):
        return Observation.objects.select_related("participant", "created_by").prefetch_related(
            tags_with_group()
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
        except WriteConflict as error:
            # Other requests kept writing the same rows while this one retried; nothing of it
            # was kept, and sending it again updates those rows.
            raise Conflict(error.message, code=error.code) from error
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(s.BulkResultSerializer(result).data, status=code)
