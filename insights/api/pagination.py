"""Keyset cursor pagination: stable while rows are inserted, page_size up to 100.

DRF's CursorPagination positions on the first ordering field only and falls back to an offset
(capped at 1,000) among rows sharing that value, so a bulk import that gives thousands of rows
one updated_at, or rows inserted into a run of equal confidence, made clients skip or repeat
rows. Here the cursor holds the value of every ordering field, ending with the primary key, and
the next page starts strictly after that tuple.
"""

import hashlib
import json
import operator
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import reduce

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, FloatField, Q
from django.db.models.functions import Cast
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

PK_NAMES = {"pk", "id"}


def with_tiebreaker(ordering) -> tuple[str, ...]:
    """The ordering cut after the primary key, or with it appended: no two rows tie."""
    ordering = tuple(ordering)
    for index, name in enumerate(ordering):
        if name.lstrip("-") in PK_NAMES:
            return ordering[: index + 1]
    return (*ordering, "-pk" if ordering and ordering[0].startswith("-") else "pk")


@dataclass(frozen=True)
class Key:
    """One ordering field: the lookup to filter and sort on, and where its value is read."""

    lookup: str
    descending: bool
    attribute: str
    nullable: bool

    def order(self, reverse: bool):
        # NULL sorts lowest in both directions, the same on PostgreSQL and SQLite.
        if self.descending != reverse:
            return F(self.lookup).desc(nulls_last=True) if self.nullable else F(self.lookup).desc()
        return F(self.lookup).asc(nulls_first=True) if self.nullable else F(self.lookup).asc()


def _encode_value(value):
    # JSON keeps ints, floats (exactly, via repr) and strings; dates need a tag to come back.
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value):
    if isinstance(value, dict):
        (kind, text), *rest = value.items()
        parsed = {"dt": parse_datetime, "d": parse_date, "dec": Decimal}[kind](text)
        if rest or parsed is None:
            raise ValueError("bad cursor value")
        return parsed
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL in cursor")  # PostgreSQL refuses NUL in text parameters
    if value is not None and not isinstance(value, int | float | str):
        raise ValueError("bad cursor value")
    return value


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-pk",)

    def get_ordering(self, request, queryset, view):
        """The view's ordering for this request (e.g. relevance when q is given), pk last."""
        ordering = getattr(view, "get_cursor_ordering", None)
        ordering = ordering() if ordering else getattr(view, "ordering", self.ordering)
        return with_tiebreaker(ordering)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        # From the decoded parameters: a raw UTF-8 query string (curl "?q=онбординг") would
        # come back double-encoded from build_absolute_uri().
        query = request.query_params.urlencode()
        self.base_url = request.build_absolute_uri(request.path) + (f"?{query}" if query else "")
        self.ordering = self.get_ordering(request, queryset, view)
        queryset, self.keys = self._ordering_keys(queryset, self.ordering)
        self.fingerprint = hashlib.sha1(repr(self.ordering).encode()).hexdigest()[:8]
        position, reverse = self.decode_position(request)

        if position is not None:
            queryset = queryset.filter(self._after(position, reverse))
        ordered = queryset.order_by(*[key.order(reverse) for key in self.keys])
        results = list(ordered[: self.page_size + 1])
        self.page = results[: self.page_size]
        has_following = len(results) > self.page_size
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = True, has_following
        else:
            self.has_next, self.has_previous = has_following, position is not None
        if not self.page:
            self.has_next = self.has_previous = False
        return self.page

    @staticmethod
    def _ordering_keys(queryset, ordering):
        """The queryset (with any aliases the keys need) and one Key per ordering field.

        Annotations may be NULL, and a PostgreSQL ``real`` rank does not come back from Python
        as the same number, so annotations are compared through an alias in double precision.
        """
        keys, aliases = [], {}
        for index, name in enumerate(ordering):
            descending, field = name.startswith("-"), name.lstrip("-")
            if field in PK_NAMES:
                keys.append(Key("pk", descending, "pk", nullable=False))
                continue
            try:
                model_field = queryset.model._meta.get_field(field)
            except FieldDoesNotExist:
                model_field = None
            if model_field is not None and model_field.concrete and not model_field.is_relation:
                keys.append(Key(field, descending, model_field.attname, model_field.null))
                continue
            alias = f"cursor_key_{index}"
            annotation = queryset.query.annotations.get(field)
            is_float = annotation is not None and isinstance(annotation.output_field, FloatField)
            aliases[alias] = Cast(F(field), FloatField()) if is_float else F(field)
            keys.append(Key(alias, descending, alias, nullable=True))
        return (queryset.annotate(**aliases) if aliases else queryset), keys

    def _after(self, position, reverse: bool) -> Q:
        """Rows strictly after ``position`` in the page's direction (a lexicographic compare)."""
        alternatives, ties = [], Q()
        for key, value in zip(self.keys, position, strict=True):
            smaller = key.descending != reverse
            if value is None:
                if not smaller:  # nothing sorts below NULL
                    alternatives.append(ties & Q(**{f"{key.lookup}__isnull": False}))
                ties &= Q(**{f"{key.lookup}__isnull": True})
                continue
            beyond = Q(**{f"{key.lookup}__{'lt' if smaller else 'gt'}": value})
            if key.nullable and smaller:
                beyond |= Q(**{f"{key.lookup}__isnull": True})
            alternatives.append(ties & beyond)
            ties &= Q(**{key.lookup: value})
        return reduce(operator.or_, alternatives)

    def _position(self, instance) -> list:
        return [getattr(instance, key.attribute) for key in self.keys]

    def decode_position(self, request):
        """(position values, reverse) from the cursor parameter; (None, False) without one."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None, False
        try:
            data = json.loads(urlsafe_b64decode(encoded.encode("ascii") + b"=="))
            if not isinstance(data, dict) or data.get("o") != self.fingerprint:
                raise ValueError("cursor of another ordering")
            position = [_decode_value(value) for value in data["p"]]
            if len(position) != len(self.keys):
                raise ValueError("bad cursor length")
            return position, bool(data.get("r"))
        except (
            TypeError, ValueError, KeyError, UnicodeError, ArithmeticError, RecursionError
        ) as error:  # fmt: skip
            raise NotFound(self.invalid_cursor_message) from error

    def _cursor(self, instance, reverse: bool) -> str:
        data = {"o": self.fingerprint, "p": [_encode_value(v) for v in self._position(instance)]}
        if reverse:
            data["r"] = 1
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def get_next_cursor(self) -> str | None:
        return self._cursor(self.page[-1], reverse=False) if self.has_next else None

    def get_previous_cursor(self) -> str | None:
        return self._cursor(self.page[0], reverse=True) if self.has_previous else None

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_next_link(self):
        return self._link(self.get_next_cursor())

    def get_previous_link(self):
        return self._link(self.get_previous_cursor())

    def get_paginated_response(self, data):
        # The cursors also stand alone: a generated client passes them back as `cursor`
        # instead of parsing them out of the links.
        next_cursor, previous_cursor = self.get_next_cursor(), self.get_previous_cursor()
        return Response(
            {
                "next": self._link(next_cursor),
                "previous": self._link(previous_cursor),
                "next_cursor": next_cursor,
                "previous_cursor": previous_cursor,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        def nullable(text, **extra):
            return {"type": "string", "nullable": True, "description": force_str(text), **extra}

        properties = {
            "next": nullable(
                _("The next page's URL with every parameter you sent; null on the last page."),
                format="uri",
            ),
            "previous": nullable(
                _("The previous page's URL; null on the first page."), format="uri"
            ),
            "next_cursor": nullable(
                _("Pass it as cursor, with the same filters, for the next page; null on the last.")
            ),
            "previous_cursor": nullable(
                _("Pass it as cursor, with the same filters, for the previous page.")
            ),
            "results": schema,
        }
        return {"type": "object", "required": list(properties), "properties": properties}

    def get_schema_operation_parameters(self, view):
        cursor = _(
            "Where the page starts: a page's next_cursor or previous_cursor (the same value as "
            "the cursor parameter of its next and previous links). Send it with the same "
            "filters; an invalid or stale cursor is a 404."
        )
        page_size = _("Rows per page, 1 to 100 (50 without it); a larger number gives 100.")
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": force_str(cursor),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": force_str(page_size),
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": type(self).page_size,
                },
            },
        ]
