"""Insights with their evidence and links; publishing, superseding and archiving."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .. import access
from ..filtersets import needs_review_q
from ..models import Evidence, Insight, InsightLink
from ..services import (
    evidence_delete,
    evidence_save,
    insight_archive,
    insight_confirm_review,
    insight_link_save,
    insight_publish,
    insight_save,
    insight_supersede,
    insight_supersede_check,
)
from .base import ENTRY_CSS, ROWS_TEMPLATE, ServiceInline, ServiceModelAdmin, service_action
from .evidence_picker import EvidencePickerSelect, observation_label
from .history import HistoryAdminMixin
from .studies import TagGroupListFilter, TagListFilter
from .widgets import FILL_CELL, PreloadedAutocompleteInlineMixin, PreloadedLabelsFormSet

PUBLISH_BUTTON = "_publish"


class EvidenceFormSet(PreloadedLabelsFormSet):
    # Set when the form was sent with "Save and publish": the insight must end up supported.
    publishing = False

    def clean(self):
        super().clean()
        insight = self.instance
        published = insight.pk is not None and insight.status == Insight.Status.PUBLISHED
        if not (published or self.publishing):
            return
        supporting = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("observation")
            and form.cleaned_data.get("relation") == Evidence.Relation.SUPPORTS
        ]
        if not supporting and published:
            raise ValidationError(
                _(
                    "A published insight needs at least one supporting observation; "
                    "archive it instead."
                )
            )
        if not supporting:
            raise ValidationError(_("Add at least one supporting observation before publishing."))


class EditableWithInsightMixin:
    """Inline rows are editable exactly when their insight is."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_edit(request, obj)


def _may_edit(request, insight: Insight | None) -> bool:
    """On the add page there is no insight yet: adding it is what is being checked."""
    return insight is None or access.may_edit_insight(request.user, insight)


class EvidenceInline(
    PreloadedAutocompleteInlineMixin, EditableWithInsightMixin, ServiceInline, admin.TabularInline
):
    model = Evidence
    formset = EvidenceFormSet
    template = ROWS_TEMPLATE
    autocomplete_fields = ["observation"]
    fields = ["observation", "relation", "note"]
    verbose_name = _("evidence")
    verbose_name_plural = _("evidence: observations that support or contradict it")

    def get_extra(self, request, obj=None, **kwargs):
        # A new insight usually gets its first pieces of evidence at once.
        return 2 if obj is None else 1

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("observation__study", "observation__participant")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "observation":
            kwargs["widget"] = EvidencePickerSelect(
                db_field, self.admin_site, attrs=FILL_CELL, using=kwargs.get("using")
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "observation":
            field.queryset = field.queryset.select_related("study", "participant")
            field.label_from_instance = observation_label
        return field

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "observation" and isinstance(field.widget, RelatedFieldWidgetWrapper):
            # Evidence is picked from logged observations; no pop-ups to make or edit one here.
            field.widget.can_add_related = field.widget.can_change_related = False
            field.widget.can_delete_related = field.widget.can_view_related = False
        if db_field.name == "note":
            field.widget = forms.Textarea(attrs={"rows": 1})
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.publishing = PUBLISH_BUTTON in request.POST and access.may_publish(request.user)
        observation = formset.form.base_fields.get("observation")
        if obj is not None and observation is not None:
            picker = getattr(observation.widget, "widget", observation.widget)
            picker.insight_id = obj.pk
        return formset

    def service_save(self, request, obj, form):
        evidence_save(evidence=obj)

    def service_delete(self, request, obj):
        evidence_delete(evidence=obj)


class InsightLinkInline(
    PreloadedAutocompleteInlineMixin, EditableWithInsightMixin, ServiceInline, admin.TabularInline
):
    model = InsightLink
    fk_name = "from_insight"
    template = ROWS_TEMPLATE
    extra = 0
    autocomplete_fields = ["to_insight"]
    fields = ["kind", "to_insight"]
    verbose_name = _("link to another insight")
    verbose_name_plural = _("links to other insights")

    def service_save(self, request, obj, form):
        insight_link_save(link=obj)


class InsightForm(forms.ModelForm):
    class Meta:
        model = Insight
        fields = ["statement", "details", "tags", "owner", "review_by", "superseded_by"]
        widgets = {"statement": forms.TextInput}

    def clean(self):
        cleaned = super().clean()
        successor = cleaned.get("superseded_by")
        if "superseded_by" in self.changed_data and successor is not None and self.instance.pk:
            insight_supersede_check(insight=self.instance, successor=successor)
        return cleaned


class NeedsReviewListFilter(admin.SimpleListFilter):
    """Published insights past their review date (the search's needs_review filter)."""

    title = _("needs review")
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("true", _("Yes")), ("false", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "true":
            return queryset.filter(needs_review_q())
        if self.value() == "false":
            return queryset.exclude(needs_review_q())
        return queryset


@admin.register(Insight)
class InsightAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = InsightForm
    history_children = (Evidence, "insight_id")
    history_children_related = ("observation",)

    def history_child_label(self, record) -> str:
        # The row's own link to the observation, read with the list (no query per row).
        return f"{record.get_relation_display()}: {record.observation or '—'}"

    list_display = [
        "statement",
        "status",
        "confidence",
        "evidence_summary",
        "review_by",
        "updated_at",
    ]
    list_filter = [
        "status",
        "confidence",
        NeedsReviewListFilter,
        TagGroupListFilter,
        TagListFilter,
        "review_by",
    ]
    # Plus the insight's search document: statement, details, tags and their aliases.
    search_fields = ["statement"]
    autocomplete_fields = ["tags", "owner", "superseded_by"]
    inlines = [EvidenceInline, InsightLinkInline]

    class Media:
        css = {"all": [ENTRY_CSS]}

    actions = ["publish_selected", "confirm_selected", "archive_selected"]

    def get_fieldsets(self, request, obj=None):
        main = ["statement", "details", "tags", "owner", "review_by"]
        status = ["status", "confidence_summary", "published_at", "reviewed_at", "reviewed_by"]
        if obj is not None and obj.status != Insight.Status.SUPERSEDED:
            status.append("superseded_by")
        elif obj is not None:
            status.append("successor")
        return [
            (None, {"fields": main}),
            (_("Status and confidence"), {"fields": status}),
            (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "status",
            "confidence_summary",
            "published_at",
            "reviewed_at",
            "reviewed_by",
            "created_at",
            "updated_at",
        ]
        readonly.append("successor")
        if not access.may_supersede(request.user):
            readonly.append("superseded_by")
        return readonly

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def get_queryset(self, request):
        # The changelist, change pages and every insight autocomplete go through here.
        return access.visible_insights(request.user, super().get_queryset(request))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or access.may_edit_insight(request.user, obj)
        )

    @admin.display(description=_("evidence"), ordering="supporting_count")
    def evidence_summary(self, obj):
        return _("%(supporting)d supporting / %(contradicting)d contradicting") % {
            "supporting": obj.supporting_count,
            "contradicting": obj.contradicting_count,
        }

    @admin.display(description=_("confidence"))
    def confidence_summary(self, obj):
        return f"{obj.get_confidence_display()}: {obj.confidence_explanation}"

    @admin.display(description=_("superseded by"))
    def successor(self, obj):
        return obj.superseded_by or "—"

    def service_save(self, request, obj, form, m2m):
        successor = form.cleaned_data.get("superseded_by")
        supersede = "superseded_by" in form.changed_data and successor is not None
        if supersede:
            obj.superseded_by = None  # set by insight_supersede below, after its checks
        insight_save(insight=obj, user=request.user, **m2m)
        if supersede:
            insight_supersede(insight=obj, successor=successor)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        # A new insight may be published with its first save, once it has its evidence.
        context["can_publish"] = (
            obj is None or obj.status in {Insight.Status.DRAFT, Insight.Status.ARCHIVED}
        ) and access.may_publish(user)
        context["can_archive"] = (
            obj is not None and obj.status != Insight.Status.ARCHIVED and access.may_archive(user)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _status_button(self, request, obj) -> bool | None:
        """Apply "Save and publish" / "Save and archive" if pressed: None if neither was,
        else whether the service accepted it (its refusal is shown as a message)."""
        for button, service, allowed in [
            (PUBLISH_BUTTON, insight_publish, access.may_publish),
            ("_archive", insight_archive, access.may_archive),
        ]:
            if button in request.POST and allowed(request.user):
                try:
                    service(insight=obj)
                except ValidationError as error:
                    self.message_user(request, "; ".join(error.messages), messages.ERROR)
                    return False
                self.message_user(
                    request,
                    _("“%(insight)s”: %(status)s.")
                    % {"insight": obj, "status": obj.get_status_display()},
                    messages.SUCCESS,
                )
                return True
        return None

    def response_add(self, request, obj, post_url_continue=None):
        done = self._status_button(request, obj)
        if done is None:
            return super().response_add(request, obj, post_url_continue)
        if done:
            return self.response_post_save_add(request, obj)
        # Saved as a draft: stay on it, so the missing evidence can be added.
        return HttpResponseRedirect(reverse("admin:insights_insight_change", args=[obj.pk]))

    def response_change(self, request, obj):
        if self._status_button(request, obj) is None:
            return super().response_change(request, obj)
        return self.response_post_save_change(request, obj)

    def has_publish_permission(self, request):
        return access.may_publish(request.user)

    def has_archive_permission(self, request):
        return access.may_archive(request.user)

    publish_selected = service_action(
        _("Publish selected insights"),
        "publish",
        lambda insight, request: insight_publish(insight=insight),
        ngettext_lazy("Published %(count)d insight.", "Published %(count)d insights.", "count"),
    )

    def has_confirm_permission(self, request):
        return access.may_confirm_review(request.user)

    confirm_selected = service_action(
        _("Confirm selected insights still hold (new review date)"),
        "confirm",
        lambda insight, request: insight_confirm_review(insight=insight, user=request.user),
        ngettext_lazy("Confirmed %(count)d insight.", "Confirmed %(count)d insights.", "count"),
    )
    archive_selected = service_action(
        _("Archive selected insights"),
        "archive",
        lambda insight, request: insight_archive(insight=insight),
        ngettext_lazy("Archived %(count)d insight.", "Archived %(count)d insights.", "count"),
    )
