"""One FilterSet per listable model, shared by the web pages and the REST API.

Parameter names are the API's, so every page state is a shareable URL:
``/?q=...&tag=<slug>&tag=<slug>&tag_mode=any&status=published&ordering=-confidence``.
"""

from datetime import UTC, date, datetime, time

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from . import search
from .models import Decision, Evidence, Insight, Observation, Study, Tag, TagGroup
from .selectors import resolve_tags


class TagValuesField(forms.Field):
    """Repeatable tag parameter: slugs, names or aliases, resolved to Tag objects."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[Tag]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        values = [str(v) for v in values]
        for text in values:
            ProhibitNullCharactersValidator()(text)  # PostgreSQL refuses NUL in a parameter
        tags, missing = resolve_tags(values)
        if missing:
            # The values go in as params, never into the message: a tag typed as
            # "%(x)d" must not be read as a format string.
            raise ValidationError(
                _("Unknown tag: %(tags)s."),
                code="unknown_tag",
                params={"tags": ", ".join(missing)},
            )
        return tags


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TagValuesFilter(django_filters.Filter):
    """Repeat the parameter for several tags: ?tag=a&tag=b."""

    field_class = TagValuesField


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no); anything else is an error rather than "no filter"."""

    widget = forms.TextInput
    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def to_python(self, value):
        text = str(value).strip().lower() if value not in self.empty_values else ""
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        if text:
            raise ValidationError(_("Enter true or false."), code="invalid_boolean")
        return None


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class TagGroupSlugField(forms.CharField):
    """The slug of an existing tag group."""

    def clean(self, value):
        value = super().clean(value)  # refuses NUL characters before the query below
        if value and not TagGroup.objects.filter(slug=value).exists():
            raise ValidationError(
                _("Unknown tag group: %(slug)s.") % {"slug": value}, code="unknown_tag_group"
            )
        return value


class TagGroupSlugFilter(django_filters.CharFilter):
    field_class = TagGroupSlugField


class DateOrDateTimeField(forms.Field):
    """Accepts 2026-05-01 or an ISO 8601 date-time (2026-05-01T10:30:00Z)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "+")  # a "+" in a URL arrives as a space
        invalid = ValidationError(
            _("Enter a date (2026-05-01) or a date and time (2026-05-01T10:30:00Z)."),
            code="invalid_date",
        )
        try:
            # Both raise ValueError for a well-formed impossible value (2026-02-30, 25:00).
            parsed = parse_datetime(text) or parse_date(text)
            if parsed is None:
                raise invalid
            if isinstance(parsed, date) and not isinstance(parsed, datetime):
                parsed = datetime.combine(parsed, time.min)
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            # The database compares in UTC: a moment that UTC cannot hold (year 0 or 10000
            # once converted) would fail in the query instead.
            parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            raise invalid from None
        return parsed


@extend_schema_field({"type": "string", "example": "2026-05-01T10:30:00Z"})
class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


def date_range(field_name: str, after_label, before_label, filter_class=django_filters.DateFilter):
    """Two filters on one date: on or after the first value, and before the second."""
    return (
        filter_class(field_name=field_name, lookup_expr="gte", label=after_label),
        filter_class(field_name=field_name, lookup_expr="lt", label=before_label),
    )


def updated_after_filter() -> DateOrDateTimeFilter:
    """Changed strictly after a moment: a client syncing passes the last change it saw."""
    return DateOrDateTimeFilter(field_name="updated_at", lookup_expr="gt", label=_("Updated after"))


class TaggedFilterSet(django_filters.FilterSet):
    """Words and tags, the two ways into every kind of object."""

    q = django_filters.CharFilter(method="filter_q", label=_("Words"))
    tag = TagValuesFilter(method="filter_tag", label=_("Tags"))
    tag_mode = django_filters.ChoiceFilter(
        method="filter_noop",
        choices=[("all", _("all of the tags")), ("any", _("any of the tags"))],
        label=_("Match"),
        empty_label=None,
    )
    tag_group = TagGroupSlugFilter(method="filter_tag_group", label=_("Tag group"))

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        parsed = search.parse_query(value)
        return queryset if parsed.is_empty else search.search(queryset, parsed)

    def filter_tag(self, queryset: QuerySet, name, tags: list[Tag]):
        """All of the tags (default) or any of them; a parent tag includes its children."""
        match_any = self.form.cleaned_data.get("tag_mode") == "any"
        return queryset.tagged_with(tags, match_any=match_any)

    def filter_tag_group(self, queryset, name, value):
        return queryset.tagged_in_group(value)

    @property
    def selected_tags(self) -> list[Tag]:
        """The tags of a valid filter (for chips and facets)."""
        if self.is_valid():
            return self.form.cleaned_data.get("tag") or []
        return []

    @property
    def has_query(self) -> bool:
        """True when q holds at least one word to look for (not just quotes or dashes)."""
        return self.is_valid() and bool(search.parse_query(self.form.cleaned_data.get("q")).include)


def needs_review_q() -> Q:
    """Published insights past their review date (Insight.needs_review for one row)."""
    return Q(status=Insight.Status.PUBLISHED, review_by__lte=timezone.localdate())


CONFIDENCE_RANK = Case(
    When(confidence=Insight.Confidence.HIGH, then=Value(3)),
    When(confidence=Insight.Confidence.MEDIUM, then=Value(2)),
    default=Value(1),
    output_field=IntegerField(),
)

# ordering value -> order_by() fields; "relevance" needs q and falls back to newest without it.
INSIGHT_ORDERINGS = {
    "relevance": ["-search_rank", "-updated_at", "-pk"],
    "-updated_at": ["-updated_at", "-pk"],
    "updated_at": ["updated_at", "pk"],
    "-created_at": ["-created_at", "-pk"],
    "created_at": ["created_at", "pk"],
    "-confidence": ["-confidence_rank", "-supporting_count", "-updated_at", "-pk"],
    "confidence": ["confidence_rank", "supporting_count", "-updated_at", "-pk"],
    "-evidence": ["-supporting_count", "-updated_at", "-pk"],
    "statement": ["statement", "pk"],
}


class InsightFilterSet(TaggedFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Insight.Status.choices, label=_("Status"))
    confidence = django_filters.MultipleChoiceFilter(
        choices=Insight.Confidence.choices, label=_("Confidence")
    )
    study = django_filters.CharFilter(method="filter_study", label=_("Study (ID or slug)"))
    method = django_filters.MultipleChoiceFilter(
        choices=Study.Method.choices, method="filter_method", label=_("Method")
    )
    owner = django_filters.CharFilter(method="filter_owner", label=_("Owner (user name)"))
    created_after, created_before = date_range(
        "created_at", _("Created on or after"), _("Created before"), DateOrDateTimeFilter
    )
    updated_after = updated_after_filter()
    has_decisions = StrictBooleanFilter(method="filter_has_decisions", label=_("Has decisions"))
    needs_review = StrictBooleanFilter(method="filter_needs_review", label=_("Needs review"))
    ordering = django_filters.ChoiceFilter(
        method="filter_ordering",
        choices=[(key, key) for key in INSIGHT_ORDERINGS],
        label=_("Sort"),
    )

    class Meta:
        model = Insight
        fields: list[str] = []

    def filter_study(self, queryset, name, value):
        studies = Study.objects.filter(slug=value)
        if value.isdigit():
            studies = Study.objects.filter(pk=int(value)) | studies
        evidence = Evidence.objects.filter(observation__study__in=studies).values("insight_id")
        return queryset.filter(pk__in=evidence)

    def filter_method(self, queryset, name, values):
        if not values:
            return queryset
        evidence = Evidence.objects.filter(observation__study__method__in=values)
        return queryset.filter(pk__in=evidence.values("insight_id"))

    def filter_owner(self, queryset, name, value):
        if value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset.filter(owner__username=value)

    def filter_has_decisions(self, queryset, name, value):
        if value is None:
            return queryset
        with_decisions = Decision.insights.through.objects.values("insight_id")
        if value:
            return queryset.filter(pk__in=with_decisions)
        return queryset.exclude(pk__in=with_decisions)

    def filter_needs_review(self, queryset, name, value):
        if value is None:
            return queryset
        due = needs_review_q()
        return queryset.filter(due) if value else queryset.exclude(due)

    def filter_ordering(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset, once q has added its rank

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset).annotate(confidence_rank=CONFIDENCE_RANK)
        requested = self.form.cleaned_data.get("ordering")
        if not requested:
            requested = "relevance" if self.has_query else "-updated_at"
        if requested == "relevance" and not self.has_query:
            requested = "-updated_at"
        return queryset.order_by(*INSIGHT_ORDERINGS[requested])

    @property
    def current_ordering(self) -> str:
        requested = self.form.cleaned_data.get("ordering") if self.is_valid() else None
        if requested and (requested != "relevance" or self.has_query):
            return requested
        return "relevance" if self.has_query else "-updated_at"


class StudyFilterSet(TaggedFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Study.Status.choices, label=_("Status"))
    method = django_filters.MultipleChoiceFilter(choices=Study.Method.choices, label=_("Method"))
    started_after, started_before = date_range(
        "started_on", _("Started on or after"), _("Started before")
    )
    updated_after = updated_after_filter()

    class Meta:
        model = Study
        fields: list[str] = []


class ObservationFilterSet(TaggedFilterSet):
    study = django_filters.CharFilter(method="filter_study", label=_("Study (ID or slug)"))
    kind = django_filters.MultipleChoiceFilter(choices=Observation.Kind.choices, label=_("Kind"))
    metric = django_filters.MultipleChoiceFilter(
        choices=Observation.Metric.choices, label=_("Metric")
    )
    participant = django_filters.CharFilter(
        field_name="participant__code", label=_("Participant code")
    )
    observed_after, observed_before = date_range(
        "observed_on", _("Observed on or after"), _("Observed before")
    )
    updated_after = updated_after_filter()

    class Meta:
        model = Observation
        fields: list[str] = []

    def filter_study(self, queryset, name, value):
        if value.isdigit():
            return queryset.filter(study_id=int(value))
        return queryset.filter(study__slug=value)


class TagFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Words (name, alias)"))
    group = django_filters.CharFilter(field_name="group__slug", label=_("Tag group slug"))
    parent = django_filters.CharFilter(field_name="parent__slug", label=_("Parent tag slug"))

    class Meta:
        model = Tag
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        parsed = search.parse_query(value)
        return queryset if parsed.is_empty else search.search(queryset, parsed)
