"""When a published insight is due for review: 12 months after publishing (or the last
confirmation) by default, or the shortest ``review_months`` among its tags' groups."""

import calendar
from collections.abc import Iterable
from datetime import date

from django.db.models import Min

DEFAULT_REVIEW_MONTHS = 12


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st becomes the month's last day when it is short."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def review_months(tag_ids: Iterable[int]) -> int:
    """The review interval for an insight with these tags (one query)."""
    from .models import TagGroup

    tag_ids = list(tag_ids)
    if not tag_ids:
        return DEFAULT_REVIEW_MONTHS
    shortest = TagGroup.objects.filter(tags__in=tag_ids, review_months__isnull=False).aggregate(
        months=Min("review_months")
    )["months"]
    return shortest or DEFAULT_REVIEW_MONTHS


def review_due(insight, start: date) -> date:
    """The review date of ``insight`` counted from ``start`` (publishing or confirmation)."""
    tag_ids = insight.tags.values_list("pk", flat=True) if insight.pk else []
    return add_months(start, review_months(tag_ids))
