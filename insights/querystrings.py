"""Query strings for links that change one filter and keep the rest (page resets to 1)."""

from urllib.parse import urlencode

from django.http import QueryDict


def _pairs(params: QueryDict, drop: set[str]) -> list[tuple[str, str]]:
    return [(k, v) for k, values in params.lists() for v in values if k not in drop]


def replaced(params: QueryDict, **changes) -> str:
    """The query string with these parameters replaced (an empty value removes one)."""
    pairs = _pairs(params, {"page", *changes})
    pairs += [(key, str(value)) for key, value in changes.items() if value not in (None, "")]
    return "?" + urlencode(pairs)


def with_values(params: QueryDict, key: str, values: list[str]) -> str:
    """The query string with every value of ``key`` replaced by ``values`` (none: removed)."""
    pairs = _pairs(params, {"page", key})
    return "?" + urlencode([*pairs, *((key, str(value)) for value in values)])


def page(params: QueryDict, number: int) -> str:
    """The query string for another page of the same results."""
    return "?" + urlencode([*_pairs(params, {"page"}), ("page", str(number))])


def without(params: QueryDict, key: str, value: str) -> str:
    """The query string minus one key=value pair."""
    return "?" + urlencode([p for p in _pairs(params, {"page"}) if p != (key, value)])


def toggled(params: QueryDict, key: str, value: str) -> str:
    """Add key=value, or remove it when it is already there."""
    pairs = _pairs(params, {"page"})
    if (key, value) in pairs:
        return without(params, key, value)
    return "?" + urlencode([*pairs, (key, value)])
