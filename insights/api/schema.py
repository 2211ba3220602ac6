"""OpenAPI: what generated clients rely on.

Every operation has a description for integrators and documents the shared error body for each
error it can return; fields whose request and response shapes differ (tags, optional choices)
say so per direction (COMPONENT_SPLIT_REQUEST gives requests their own components).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    "400": _(
        "Invalid input (code invalid, with field messages under error.fields), a body that is "
        "not valid JSON (parse_error) or a query parameter that cannot be right."
    ),
    "401": _("No credentials, or a wrong or revoked token (not_authenticated)."),
    "403": _("Your role may not do this (permission_denied)."),
    "404": _("No such object, or one you may not see; on lists, an invalid cursor."),
    "406": _("The Accept header excludes JSON."),
    "409": _(
        "Other records depend on this one (protected), the same rows were being imported at "
        "the same moment (concurrent_import: send the request again), or a tag was merged "
        "away meanwhile (tag_gone)."
    ),
    "413": _("The body is larger than 20 MB (too_large)."),
    "415": _("The body is not JSON: send Content-Type: application/json."),
    "429": _("Too many requests (throttled): wait the seconds in Retry-After."),
    "500": _("Server error (server_error), logged on the server."),
}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found, protected.")
    message = serializers.CharField(help_text="Human-readable, in the request's language.")
    fields = serializers.DictField(
        help_text="Field name -> messages; bulk rows nest as observations -> row index -> field."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class TagLabelSerializer(serializers.Serializer):
    """A tag as records show it (the schema of TagListField's output)."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField(help_text=_("Slug of the tag's group."))


class TagListFieldExtension(OpenApiSerializerFieldExtension):
    """Tags come back as objects but are written as a list of names."""

    target_class = "insights.api.serializers.TagListField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": _(
                    'Tags by slug, name or alias, e.g. ["dostavka", "Онбординг"]; the list '
                    "replaces the record's tags."
                ),
            }
        label = auto_schema.resolve_serializer(TagLabelSerializer(), direction)
        return {"type": "array", "items": label.ref}


class OptionalChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """An empty choice is read back as null only; "" and null are both accepted in."""

    target_class = "insights.api.serializers.fields.OptionalChoiceField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema["enum"] = [choice for choice in schema["enum"] if choice != ""]
        return schema


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


def _ordering_names(schema: dict) -> None:
    """Name "-updated_at" UPDATED_AT_DESC in generated enums (instead of VALUE_3)."""
    values = schema.get("enum", [])
    if any(isinstance(value, str) and value.startswith("-") for value in values):
        schema["x-enum-varnames"] = [
            f"{value[1:]}_desc".upper() if value.startswith("-") else value.upper()
            for value in values
        ]


class ApiAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            _ordering_names(parameter["schema"])
        return operation

    def get_description(self):
        """The view's text for this operation: never a class or method docstring."""
        action = getattr(self.view, "action", None) or self.method.lower()
        return getattr(self.view, "descriptions", {}).get(action, "")

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # A model's record always carries every field, so a typed client can rely on each
        # (a field that is optional to write is still there to read). Bodies built by hand
        # (metrics, search) keep their own required flags: they leave empty figures out.
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            schema["required"] = list(schema["properties"])
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # A blank URL field is oneOf [a URI, an empty string]. Without a minimum length the
        # URI branch matches "" too (a format is only advisory), and oneOf fails on a match of
        # both, so strict validators refused every record without a URL.
        branches = schema.get("oneOf", [])
        if len(branches) == 2 and branches[1] == {"type": "string", "maxLength": 0}:
            branches[0]["minLength"] = max(branches[0].get("minLength", 0), 1)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        # 404 on lists too: an invalid or stale pagination cursor is "not found". 406 when
        # Accept excludes JSON; a body can be too large (413) or of another media type (415).
        # 405 is left out: an operation the schema lists is never refused for its method.
        codes = ["400", "401", "403", "404", "406", "429", "500"]
        if self.method in {"DELETE", "POST", "PUT", "PATCH"}:
            codes.append("409")
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += ["413", "415"]
        for code in sorted(codes):
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code] = {**response, "description": ERROR_DESCRIPTIONS[code]}
        return responses


# The JSON export as the OpenAPI schema documents it.
_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}


def _enum(name: str) -> dict:
    # The enums the records' own schemas define (settings.SPECTACULAR_SETTINGS names them).
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    required = [name for name in properties if name not in optional]
    return {"type": "object", "required": required, "properties": properties}


INSIGHT_EXPORT_SCHEMA = _object(
    {
        "id": {"type": "integer"},
        "statement": _STRING,
        "details": _STRING,
        "status": _enum("InsightStatusEnum"),
        "confidence": _enum("InsightConfidenceEnum"),
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
            "items": _object({"slug": _STRING, "name": _STRING, "group": _STRING}),
        },
        "studies": {"type": "array", "items": _object({"slug": _STRING, "title": _STRING})},
        "evidence": {
            "type": "array",
            "description": "Left out for anonymous readers.",
            "items": _object(
                {
                    "observation": {"type": "integer"},
                    "relation": _enum("RelationEnum"),
                    "note": _STRING,
                    "kind": _enum("ObservationKindEnum"),
                    "text": _STRING,
                    "metric": {
                        "type": "string",
                        "description": "nps, csat, ces, custom, or empty.",
                    },
                    "score": _NULLABLE_STRING,
                    "study": _STRING,
                    "study_title": _STRING,
                    "participant": _NULLABLE_STRING,
                    "observed_on": {"type": "string", "format": "date", "nullable": True},
                    "source_url": _STRING,
                    "source_ref": _STRING,
                }
            ),
        },
        "decisions": {
            "type": "array",
            "description": "Left out for anonymous readers.",
            "items": _object(
                {
                    "id": {"type": "integer"},
                    "title": _STRING,
                    "status": _enum("DecisionStatusEnum"),
                    "decided_on": {"type": "string", "format": "date", "nullable": True},
                }
            ),
        },
    },
    optional=("evidence", "decisions"),
)


class InsightExportSerializer(serializers.Serializer):
    """One insight of the JSON export (written by exports.py; here for the schema only)."""


class InsightExportSerializerExtension(OpenApiSerializerExtension):
    target_class = InsightExportSerializer

    def get_name(self, auto_schema, direction):
        return "InsightExport"

    def map_serializer(self, auto_schema, direction):
        return INSIGHT_EXPORT_SCHEMA
