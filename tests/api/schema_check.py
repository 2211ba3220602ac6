"""Strict checks of API responses against the OpenAPI schema the API serves.

A response passes when its status code is documented for the operation, its media type is
one the operation lists for that code, and its body validates against that schema with
formats checked and no property the schema does not name. OpenAPI 3.0 schemas are turned into
JSON Schema (draft 4) first: ``nullable`` becomes a ``null`` alternative.
"""

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import jsonschema
from django.utils.dateparse import parse_datetime

# Keywords of OpenAPI's schema object that JSON Schema does not have (or must not enforce).
OPENAPI_ONLY = {"nullable", "readOnly", "writeOnly", "example", "deprecated", "discriminator"}


def json_schema(schema):
    """One OpenAPI 3.0 schema as strict JSON Schema (objects refuse undocumented properties)."""
    if not isinstance(schema, dict):
        return schema
    converted = {}
    for key, value in schema.items():
        if key in OPENAPI_ONLY or key.startswith("x-"):
            continue
        if key == "properties":
            converted[key] = {name: json_schema(item) for name, item in value.items()}
        elif key in {"items", "additionalProperties", "not"}:
            converted[key] = json_schema(value)
        elif key in {"allOf", "oneOf", "anyOf"}:
            converted[key] = [json_schema(item) for item in value]
        else:
            converted[key] = value
    if "properties" in converted:
        converted.setdefault("additionalProperties", False)
    if schema.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return (
        value.isascii()
        and parts.scheme in {"http", "https"}
        and bool(parts.netloc)
        and not any(char.isspace() for char in value)
    )


def _is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return False
    return parsed is not None and parsed.tzinfo is not None  # RFC 3339 needs an offset


def _is_decimal(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return Decimal(value).is_finite()
    except InvalidOperation:
        return False


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("uri")(_is_uri)
FORMATS.checks("date")(_is_date)
FORMATS.checks("date-time")(_is_date_time)
FORMATS.checks("decimal")(_is_decimal)


class SchemaMismatch(AssertionError):
    pass


class ResponseChecker:
    """Checks responses of the operations an OpenAPI document describes."""

    def __init__(self, document: dict):
        self.components = {
            name: json_schema(schema)
            for name, schema in document.get("components", {}).get("schemas", {}).items()
        }
        self.operations = []  # (path pattern, method -> operation), literal paths first
        for path, item in document["paths"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
            self.operations.append((path.count("{"), re.compile(f"{pattern}$"), item))
        self.operations.sort(key=lambda entry: entry[0])
        self.validators = {}
        self.checked = 0

    def operation(self, method: str, path: str) -> dict | None:
        """The operation that answers ``method path``; None for one the schema leaves out."""
        path = path if path.endswith("/") else f"{path}/"
        for _params, pattern, item in self.operations:
            if pattern.match(path):
                return item.get(method.lower())
        return None

    def check(self, method: str, path: str, status: int, content_type: str, body: bytes):
        """Raise SchemaMismatch unless the response is what the schema documents."""
        operation = self.operation(method, path)
        if operation is None:
            return  # a method or path the schema does not describe (405, HEAD, unknown URL)
        where = f"{method.upper()} {path} -> {status}"
        responses = operation["responses"]
        documented = responses.get(str(status))
        if documented is None:
            raise SchemaMismatch(f"{where}: status not documented (only {sorted(responses)})")
        content = documented.get("content")
        if not content:
            if body:
                raise SchemaMismatch(f"{where}: a body where the schema documents none")
            return
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in content:
            raise SchemaMismatch(f"{where}: media type {media_type!r} not in {sorted(content)}")
        instance = json.loads(body) if media_type == "application/json" else body.decode()
        key = (operation["operationId"], status, media_type)
        if key not in self.validators:
            schema = json_schema(content[media_type].get("schema", {}))
            root = {"allOf": [schema], "components": {"schemas": self.components}}
            self.validators[key] = jsonschema.Draft4Validator(root, format_checker=FORMATS)
        errors = sorted(self.validators[key].iter_errors(instance), key=lambda e: e.path)
        if errors:
            details = "\n".join(
                f"  at {'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message[:300]}"
                for error in errors[:5]
            )
            raise SchemaMismatch(f"{where}: the body does not match the schema:\n{details}")
        self.checked += 1
