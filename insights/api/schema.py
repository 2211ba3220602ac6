"""OpenAPI: every operation documents the shared error body for each error it can return."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found, protected.")
    message = serializers.CharField(help_text="Human-readable, in the request's language.")
    fields = serializers.DictField(
        help_text="Field name -> messages; bulk rows nest as observations -> row index -> field."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        # 404 on lists too: an invalid or stale pagination cursor is "not found".
        codes = ["400", "401", "403", "404", "429"]
        if self.method in {"DELETE", "POST", "PUT", "PATCH"}:
            codes.append("409")
        for code in codes:
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses
