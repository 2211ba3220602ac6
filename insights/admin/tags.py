"""Tag groups, tags with their aliases, and the merge action that fights tag sprawl."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import access
from ..models import Insight, Observation, Participant, Study, Tag, TagAlias, TagGroup
from ..search.fold import fold
from ..selectors import tag_usage, usage_subquery
from ..services import (
    MergePlan,
    WriteConflict,
    describe_usage,
    tag_alias_delete,
    tag_alias_save,
    tag_delete,
    tag_group_save,
    tag_merge,
    tag_save,
)
from .base import ServiceInline, ServiceModelAdmin
from .history import HistoryAdminMixin
from .search import search_words


@admin.register(TagGroup)
class TagGroupAdmin(ServiceModelAdmin):
    list_display = ["display_name", "slug", "position", "review_months", "tag_count"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug", "description"]
    service_m2m = ()

    def extra_search_matches(self, request, term):
        # The built-in groups are named in English and shown translated: match what is shown.
        words = [fold(word) for word in search_words(term)]
        shown = [
            group.pk
            for group in TagGroup.objects.all()
            if all(word in fold(group.display_name) for word in words)
        ]
        return [Q(pk__in=shown)] if words and shown else []

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tag_count=Count("tags"))

    @admin.display(description=_("name"), ordering="name")
    def display_name(self, obj):
        return obj.display_name

    @admin.display(description=_("tags"), ordering="tag_count")
    def tag_count(self, obj):
        return obj.tag_count

    def service_save(self, request, obj, form, m2m):
        tag_group_save(group=obj)


class TagAliasInline(ServiceInline, admin.TabularInline):
    model = TagAlias
    extra = 1
    fields = ["name"]

    def service_save(self, request, obj, form):
        tag_alias_save(alias=obj)

    def service_delete(self, request, obj):
        tag_alias_delete(alias=obj)


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Tag.objects.select_related("group"),
        label=_("Merge into"),
        help_text=_("Every use of the selected tags moves to this tag."),
    )


@admin.register(Tag)
class TagAdmin(HistoryAdminMixin, ServiceModelAdmin):
    history_children = (TagAlias, "tag_id")
    list_display = ["name", "group", "position", "parent", "alias_list", "usage_count"]
    list_filter = ["group"]
    list_select_related = ["group", "parent"]
    # Plus the tag's search document: name, aliases and description.
    search_fields = ["name", "slug"]
    autocomplete_fields = ["parent"]
    fields = ["name", "slug", "group", "parent", "position", "description"]
    inlines = [TagAliasInline]
    actions = ["merge_selected"]
    service_m2m = ()
    protected_hint = _("A tag in use cannot be deleted: merge it into another tag instead.")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("aliases")
            .annotate(
                usage_total=usage_subquery(Study)
                + usage_subquery(Observation)
                + usage_subquery(Insight)
                + usage_subquery(Participant)
            )
        )

    @admin.display(description=_("aliases"))
    def alias_list(self, obj):
        return ", ".join(alias.name for alias in obj.aliases.all())

    @admin.display(description=_("uses"), ordering="usage_total")
    def usage_count(self, obj):
        return obj.usage_total

    def service_save(self, request, obj, form, m2m):
        tag_save(tag=obj)

    def service_delete(self, request, obj):
        tag_delete(tag=obj)

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for tag in objs:
            usage = tag_usage(tag)
            if any(usage.values()):
                protected.append(f"{tag}: {describe_usage(usage)}")
        return to_delete, model_count, perms_needed, protected

    def has_merge_permission(self, request):
        return access.may_merge_tags(request.user)

    @admin.action(description=_("Merge selected tags into…"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        form = MergeForm(request.POST if "merge_confirmed" in request.POST else None)
        if form.is_valid():
            target = form.cleaned_data["target"]
            sources = [tag for tag in queryset if tag.pk != target.pk]
            try:
                plans = tag_merge(sources=sources, target=target)
            except ValidationError as error:
                form.add_error("target", error)
            except WriteConflict as error:
                # A tag was merged or deleted meanwhile: the list shows what is left.
                self.message_user(request, error.message, messages.ERROR)
                return None
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Merged %(count)d tag into “%(target)s”.",
                        "Merged %(count)d tags into “%(target)s”.",
                        len(plans),
                    )
                    % {"count": len(plans), "target": target.name},
                    messages.SUCCESS,
                )
                return None
        plans = [MergePlan.describe(tag) for tag in queryset]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge tags"),
            "opts": self.model._meta,
            "form": form,
            "plans": plans,
            "queryset": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/insights/tag/merge_confirmation.html", context)
