"""Decisions with their insights and dated status history."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .. import access
from ..models import Decision, DecisionStatusChange
from ..services import decision_save
from .base import ServiceModelAdmin, https_formfield
from .history import HistoryAdminMixin


class DecisionStatusChangeInline(admin.TabularInline):
    """The history is written by the service; here it is read-only."""

    model = DecisionStatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("status history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DecisionForm(forms.ModelForm):
    status_note = forms.CharField(
        label=_("Note on the status change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the status history, e.g. why it was rejected."),
    )

    class Meta:
        model = Decision
        formfield_callback = https_formfield
        fields = [
            "title",
            "description",
            "status",
            "decided_on",
            "shipped_on",
            "owner",
            "external_url",
            "outcome",
            "insights",
            "target_metric",
            "target_tags",
        ]


@admin.register(Decision)
class DecisionAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = DecisionForm
    list_display = ["title", "status", "decided_on", "owner", "insight_count", "updated_at"]
    list_filter = ["status", "decided_on", "target_metric"]
    list_select_related = ["owner"]
    search_fields = ["title", "description", "outcome"]
    autocomplete_fields = ["insights", "owner", "target_tags"]
    inlines = [DecisionStatusChangeInline]
    service_m2m = ("insights", "target_tags")

    def get_queryset(self, request):
        visible = Q(insights__in=access.visible_insights(request.user))
        return super().get_queryset(request).annotate(insight_count=Count("insights", visible))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if access.can_see_drafts(request.user):
            return fields
        # Readers who may not see drafts get the linked insights they may see, by name.
        return [("visible_insights" if name == "insights" else name) for name in fields]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "visible_insights"]

    @admin.display(description=_("insights"), ordering="insight_count")
    def insight_count(self, obj):
        return obj.insight_count

    def get_object(self, request, object_id, from_field=None):
        decision = super().get_object(request, object_id, from_field)
        if decision is not None:
            decision.insights_for_reader = list(
                access.visible_insights(request.user, decision.insights.all())
            )
        return decision

    @admin.display(description=_("insights"))
    def visible_insights(self, obj):
        return ", ".join(str(insight) for insight in getattr(obj, "insights_for_reader", [])) or "—"

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def service_save(self, request, obj, form, m2m):
        decision_save(
            decision=obj, user=request.user, note=form.cleaned_data.get("status_note", ""), **m2m
        )
