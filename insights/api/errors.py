"""One error format for every API error: {"error": {"code", "message", "fields"}}."""

import logging
import math

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404, JsonResponse
from django.utils.log import log_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from ..services.conflicts import WriteConflict
from .throttling import FailedAuthenticationThrottle


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the data it would change.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        super().__init__(
            _("The request body is larger than %(size)d MB: send the rows in several requests.")
            % {"size": megabytes}
        )


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


def _translated(exc, context):
    """Exceptions whose stock message is untranslated, English-only or names a model class."""
    if isinstance(exc, Http404):
        # Django's "No Insight matches the given query." is neither translated nor needed.
        return exceptions.NotFound()
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return _throttled_instead(exc, context)
    if isinstance(exc, exceptions.Throttled):
        return _throttled(exc.wait)
    if isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error"):
        error = str(exc.detail).partition(" - ")[2]
        return exceptions.ParseError(
            _("The request body is not valid JSON: %(error)s") % {"error": error}
        )
    if isinstance(exc, DjangoValidationError):
        return validation_error(exc)
    if isinstance(exc, ProtectedError):
        return Conflict(protected_message(exc), code="protected")
    if isinstance(exc, WriteConflict):
        # Another request changed the same rows at the same moment (a merged-away tag, rows
        # written while this request retried): nothing was saved.
        return Conflict(exc.message, code=exc.code)
    if isinstance(exc, IntegrityError):
        # Another request saved the same unique values (an external ID, a slug) after this
        # one checked them: its transaction is rolled back, and sent again it gets the field
        # error from the check.
        return Conflict(
            _(
                "Another request saved the same values at the same moment; nothing of this "
                "one was saved. Send it again."
            ),
            code="concurrent_write",
        )
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    return exc


def _throttled(wait) -> exceptions.Throttled:
    # DRF formats its "Expected available in ..." before looking it up, so it is never
    # translated; its first sentence is.
    message = str(exceptions.Throttled.default_detail)
    if wait is None:
        return exceptions.Throttled(detail=message)
    wait = max(1, math.ceil(wait))
    retry = ngettext("Try again in %(wait)d second.", "Try again in %(wait)d seconds.", wait) % {
        "wait": wait
    }
    return exceptions.Throttled(wait=wait, detail=f"{message} {retry}")


def _throttled_instead(exc, context):
    """A request that fails authentication counts against the anonymous rate, server-wide.

    DRF authenticates before it throttles, so a request with a wrong key never reaches the
    view's throttles: without this a client could try keys at any speed.
    """
    view, request = context.get("view"), context.get("request")
    if view is None or request is None:
        return exc
    throttle = FailedAuthenticationThrottle()
    if not throttle.allow_request(request, view):
        return _throttled(throttle.wait())
    return exc


def exception_handler(exc, context):
    exc = _translated(exc, context)
    response = drf_exception_handler(exc, context)
    if response is None:
        return _unhandled(exc, context)
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
    response.data = error_body(code, message, fields)
    return response


def error_body(code: str, message, fields=None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _unhandled(exc, context):
    """What Django would answer with an HTML page, as JSON: 400 for a suspicious request, 500.

    The same signal and the same log record as Django's own handler, so error reporting and the
    logged traceback stay as they were.
    """
    request = getattr(context.get("request"), "_request", None)
    if isinstance(exc, SuspiciousOperation):
        response = Response(
            error_body("bad_request", _("The request was refused as malformed.")), status=400
        )
        logger = logging.getLogger(f"django.security.{exc.__class__.__name__}")
        log_response(
            str(exc), exception=exc, request=request, response=response, level="error",
            logger=logger,
        )  # fmt: skip
        return response
    signals.got_request_exception.send(sender=None, request=request)
    set_rollback()
    message = str(exceptions.APIException.default_detail)  # translated by DRF
    response = Response(error_body("server_error", message), status=500)
    log_response(
        "%s: %s", "Internal Server Error", request.path if request else "",
        response=response, request=request, exception=exc,
    )  # fmt: skip
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ answer in the same format, not with an HTML page."""
    return JsonResponse(error_body("not_found", _("No such API endpoint.")), status=404)
