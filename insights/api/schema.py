"""OpenAPI: every operation documents the shared error body for each error it can return."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from ..models import Decision, Evidence, Insight, Observation


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found, protected.")
    message = serializers.CharField(help_text="Human-readable, in the request's language.")
    fields = serializers.DictField(
        help_text="Field name -> messages; bulk rows nest as observations -> row index -> field."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class EvidenceObservationFieldExtension(OpenApiSerializerFieldExtension):
    """An evidence item's observation: its id, or the embedded observation when expanded."""

    target_class = "insights.api.serializers.EvidenceObservationField"

    def map_serializer_field(self, auto_schema, direction):
        from .serializers import EmbeddedObservationSerializer

        embedded = auto_schema.resolve_serializer(EmbeddedObservationSerializer(), direction)
        return {
            "oneOf": [{"type": "integer"}, embedded.ref],
            "description": "The observation's id; the observation with ?expand=evidence.",
        }


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        # 404 on lists too: an invalid or stale pagination cursor is "not found". 406 when
        # Accept excludes JSON; a body can be too large (413) or of another media type (415).
        # 405 is left out: an operation the schema lists is never refused for its method.
        codes = ["400", "401", "403", "404", "406", "429"]
        if self.method in {"DELETE", "POST", "PUT", "PATCH"}:
            codes.append("409")
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += ["413", "415"]
        for code in codes:
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses


# The JSON export as the OpenAPI schema documents it.
_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}
EXPORT_JSON_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "statement", "status", "confidence", "tags", "studies", "url"],
        "properties": {
            "id": {"type": "integer"},
            "statement": _STRING,
            "details": _STRING,
            "status": {"type": "string", "enum": Insight.Status.values},
            "confidence": {"type": "string", "enum": Insight.Confidence.values},
            "confidence_explanation": _STRING,
            "supporting_count": {"type": "integer"},
            "contradicting_count": {"type": "integer"},
            "participant_count": {"type": "integer"},
            "study_count": {"type": "integer"},
            "methods": {"type": "array", "items": _STRING},
            "owner": _NULLABLE_STRING,
            "review_by": {"type": "string", "format": "date", "nullable": True},
            "superseded_by": {"type": "integer", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "published_at": {"type": "string", "format": "date-time", "nullable": True},
            "url": _STRING,
            "tags": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"slug": _STRING, "name": _STRING, "group": _STRING},
                },
            },
            "studies": {
                "type": "array",
                "items": {"type": "object", "properties": {"slug": _STRING, "title": _STRING}},
            },
            "evidence": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "observation": {"type": "integer"},
                        "relation": {"type": "string", "enum": Evidence.Relation.values},
                        "note": _STRING,
                        "kind": {"type": "string", "enum": Observation.Kind.values},
                        "text": _STRING,
                        "metric": _STRING,
                        "score": _NULLABLE_STRING,
                        "study": _STRING,
                        "study_title": _STRING,
                        "participant": _NULLABLE_STRING,
                        "observed_on": {"type": "string", "format": "date", "nullable": True},
                        "source_url": _STRING,
                        "source_ref": _STRING,
                    },
                },
            },
            "decisions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "title": _STRING,
                        "status": {"type": "string", "enum": Decision.Status.values},
                        "decided_on": {"type": "string", "format": "date", "nullable": True},
                    },
                },
            },
        },
    },
}
