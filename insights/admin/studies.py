"""Studies (logged with their observations on one page), observations and participants."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Count
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ..models import Observation, Participant, Study, Tag
from ..selectors import similar_studies
from ..services import (
    observation_delete,
    observation_save,
    participant_delete,
    participant_save,
    study_archive,
    study_save,
)
from .base import (
    ENTRY_CSS,
    ENTRY_JS,
    ROWS_TEMPLATE,
    ServiceInline,
    ServiceModelAdmin,
    service_action,
)
from .evidence_picker import EvidencePickerView
from .formsets import LatestRowsFormSet
from .history import HistoryAdminMixin
from .observation_forms import ObservationForm, ObservationRowForm, ReadableObservationMixin
from .study_import import StudyImportMixin
from .study_paste import StudyPasteMixin
from .widgets import PreloadedAutocompleteInlineMixin


class TagGroupListFilter(admin.SimpleListFilter):
    """Filter by the group of any of the object's tags."""

    title = _("tag group")
    parameter_name = "tag_group"

    def lookups(self, request, model_admin):
        from ..models import TagGroup

        return [(group.slug, group.display_name) for group in TagGroup.objects.all()]

    def queryset(self, request, queryset):
        # A pk__in subquery keeps annotated counts exact (a join would multiply them).
        return queryset.tagged_in_group(self.value()) if self.value() else queryset


class TagListFilter(admin.SimpleListFilter):
    """Filter by one tag (and the tags below it, as everywhere), listing tags in use."""

    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        related = model_admin.model.tags.field.related_query_name()
        tags = Tag.objects.filter(**{f"{related}__isnull": False}).distinct()
        return [(tag.slug, tag.name) for tag in tags.order_by("name")]

    def queryset(self, request, queryset):
        tag = Tag.objects.filter(slug=self.value()).first() if self.value() else None
        return queryset.tagged_with([tag]) if tag else queryset


class ObservationInline(
    ReadableObservationMixin, PreloadedAutocompleteInlineMixin, ServiceInline, admin.TabularInline
):
    """A whole study's evidence on one page: each row is one observation."""

    model = Observation
    form = ObservationRowForm
    formset = LatestRowsFormSet
    template = ROWS_TEMPLATE
    extra = 3
    autocomplete_fields = ["tags"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant").prefetch_related("tags")

    def service_save(self, request, obj, form):
        form.set_participant()
        observation_save(observation=obj, tags=form.cleaned_data.get("tags"), user=request.user)

    def service_delete(self, request, obj):
        observation_delete(observation=obj)


@admin.register(Study)
class StudyAdmin(HistoryAdminMixin, StudyPasteMixin, StudyImportMixin, ServiceModelAdmin):
    list_display = [
        "title",
        "method",
        "status",
        "started_on",
        "finished_on",
        "observation_count",
        "owner",
    ]
    list_filter = ["method", "status", TagListFilter, TagGroupListFilter]
    list_select_related = ["owner"]
    # Plus the study's search document: title, questions, summary, team and tags.
    search_fields = ["title", "slug"]
    date_hierarchy = "started_on"
    autocomplete_fields = ["owner", "tags"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "method", "status", "research_questions"]}),
        (_("When and who"), {"fields": [("started_on", "finished_on"), "owner", "team"]}),
        (_("Results"), {"fields": ["summary", "report_url", "tags"]}),
    ]
    inlines = [ObservationInline]

    class Media:
        css = {"all": [ENTRY_CSS]}
        js = [ENTRY_JS]

    actions = ["archive_selected"]
    protected_hint = _(
        "A study with observations cannot be deleted: archive it instead, so its evidence stays."
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(observation_count=Count("observations"))

    @admin.display(description=_("observations"), ordering="observation_count")
    def observation_count(self, obj):
        return obj.observation_count

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        study = self.get_object(request, object_id)
        if study is not None:
            # Before logging more, show studies that may already have asked the same questions.
            extra_context = {**(extra_context or {}), "similar_studies": similar_studies(study)}
        return super().change_view(request, object_id, form_url, extra_context)

    def service_save(self, request, obj, form, m2m):
        study_save(study=obj, **m2m)

    archive_selected = service_action(
        _("Archive selected studies"),
        "change",
        lambda study, request: study_archive(study=study),
        ngettext_lazy("Archived %(count)d study.", "Archived %(count)d studies.", "count"),
    )


@admin.register(Observation)
class ObservationAdmin(HistoryAdminMixin, ReadableObservationMixin, ServiceModelAdmin):
    form = ObservationForm
    list_display = [
        "__str__",
        "kind",
        "study",
        "participant",
        "observed_on",
        "metric",
        "score_display",
        "evidence_count",
    ]
    list_filter = ["kind", "metric", "study__method", TagListFilter, TagGroupListFilter]
    list_select_related = ["study", "participant"]
    ordering = Observation._meta.ordering
    # Plus the observation's search document (text, tags, source) and its study's.
    search_fields = ["participant__code", "external_id"]
    search_related = {"study": Study}
    date_hierarchy = "observed_on"
    autocomplete_fields = ["study", "tags"]
    readonly_fields = ["scrubbed_count", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["study", "kind", "text", "participant_code", "observed_on", "tags"]}),
        (_("Metric reading"), {"fields": [("metric", "score")]}),
        (_("Source"), {"fields": ["source_url", "source_ref", "external_id"]}),
        (_("Record"), {"fields": ["scrubbed_count", "created_by", "created_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": [ENTRY_CSS]}
        js = [ENTRY_JS]

    protected_hint = _(
        "An observation that backs an insight cannot be deleted: unlink it from the insight "
        "first, so no evidence is lost silently."
    )

    def get_urls(self):
        picker = EvidencePickerView.as_view(admin_site=self.admin_site)
        return [
            path(
                "evidence-picker/",
                self.admin_site.admin_view(picker),
                name="insights_observation_evidence_picker",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(evidence_total=Count("evidence"))

    @admin.display(description=_("score"), ordering="score")
    def score_display(self, obj):
        return obj.score_display

    @admin.display(description=_("insights"), ordering="evidence_total")
    def evidence_count(self, obj):
        return obj.evidence_total

    def service_save(self, request, obj, form, m2m):
        form.set_participant()
        observation_save(observation=obj, user=request.user, **m2m)

    def service_delete(self, request, obj):
        observation_delete(observation=obj)


class ConsentListFilter(admin.SimpleListFilter):
    """Participants by consent: expired ones must be anonymised (manage.py expire_consent)."""

    title = _("consent")
    parameter_name = "consent"
    SOON_DAYS = 30

    def lookups(self, request, model_admin):
        return [
            ("expired", _("expired")),
            ("soon", _("expires within 30 days")),
            ("none", _("no date")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "expired":
            return queryset.filter(consent_expires_on__lt=today)
        if self.value() == "soon":
            return queryset.filter(
                consent_expires_on__gte=today,
                consent_expires_on__lte=today + timedelta(days=self.SOON_DAYS),
            )
        if self.value() == "none":
            return queryset.filter(consent_expires_on__isnull=True)
        return queryset


@admin.register(Participant)
class ParticipantAdmin(ServiceModelAdmin):
    list_display = ["code", "segment_list", "consent_expires_on", "observation_count"]
    list_filter = [TagListFilter, ConsentListFilter]
    ordering = ["code"]
    search_fields = ["code", "notes"]
    search_related = {"tags": Tag}
    autocomplete_fields = ["tags"]
    fields = ["code", "tags", "consent_expires_on", "notes"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("tags")
            .annotate(observation_count=Count("observations"))
        )

    @admin.display(description=_("segment tags"))
    def segment_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    @admin.display(description=_("observations"), ordering="observation_count")
    def observation_count(self, obj):
        return obj.observation_count

    delete_hint = _(
        "Their observations stay as evidence without a participant, and the confidence of "
        "the insights they back is recomputed. To keep the evidence counted per person, "
        "run expire_consent --mode anonymise instead."
    )

    def service_save(self, request, obj, form, m2m):
        participant_save(participant=obj, **m2m)

    def service_delete(self, request, obj):
        participant_delete(participant=obj)
