"""One error format for every API error: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the data it would change.")
    default_code = "conflict"


def validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A model or service error as a DRF 400 with field messages."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in error.message_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


def protected_message(error: ProtectedError) -> str:
    """Why a delete was refused, in words a person understands."""
    protected = list(error.protected_objects)
    if not protected:
        return str(error.args[0])  # the tag guard already explains itself
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in protected})
    return _(
        "Other records still depend on this one (%(kinds)s): archive, merge or unlink it "
        "instead of deleting it."
    ) % {"kinds": ", ".join(kinds)}


def _flatten(detail):
    """DRF error details as plain strings, keeping their nesting (rows, fields)."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _first_message(fields) -> str | None:
    if isinstance(fields, dict):
        for value in fields.values():
            if message := _first_message(value):
                return message
    if isinstance(fields, list):
        for value in fields:
            if message := _first_message(value):
                return message
    if isinstance(fields, str):
        return fields
    return None


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, ProtectedError):
        exc = Conflict(protected_message(exc), code="protected")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = "error"
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        detail = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        non_field = detail.pop("non_field_errors", None)
        fields = detail
        message = _first_message(non_field) if non_field else _("Some fields are not valid.")
        code = "invalid"
    else:
        message = _flatten(exc.detail) if hasattr(exc, "detail") else str(exc)
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ answer in the same format, not with an HTML page."""
    body = {"error": {"code": "not_found", "message": _("No such API endpoint."), "fields": {}}}
    return JsonResponse(body, status=404)
