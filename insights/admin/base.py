"""What every admin page of the repository shares: writes go through the services."""

from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .search import RepositorySearchMixin

# The layout of the logging forms (rows that fit the window) and their small script.
ENTRY_CSS = "insights/admin-entry.css"
ENTRY_JS = "insights/admin-entry.js"
# Inline rows as a table whose cells are labelled, and cards on narrow screens.
ROWS_TEMPLATE = "admin/insights/edit_inline/rows.html"

# Links typed without a scheme are taken as https (Django 6's default, chosen now).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def https_formfield(db_field, **kwargs):
    """formfield_callback for hand-written ModelForms: the same https default."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class ServiceInline:
    """An inline whose rows are saved and deleted through service functions."""

    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def service_save(self, request, obj, form):
        raise NotImplementedError

    def service_delete(self, request, obj):
        obj.delete()


class ServiceModelAdmin(RepositorySearchMixin, admin.ModelAdmin):
    """A ModelAdmin that saves through the services, so rules hold for admin edits too.

    Its search box and autocompletes use the project's search (see admin/search.py).

    Subclasses implement ``service_save``; many-to-many fields named in ``service_m2m`` are
    handed to it instead of being saved by the form behind the service's back.
    """

    service_m2m: tuple[str, ...] = ("tags",)
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    # Shown on the delete page when related evidence protects the object.
    protected_hint = ""
    # Shown on the delete page otherwise: what deleting does to the evidence.
    delete_hint = ""

    def service_save(self, request, obj, form, m2m: dict):
        raise NotImplementedError

    def service_delete(self, request, obj):
        obj.delete()

    def save_model(self, request, obj, form, change):
        m2m = {
            name: form.cleaned_data[name] for name in self.service_m2m if name in form.cleaned_data
        }
        self.service_save(request, obj, form, m2m)

    def save_related(self, request, form, formsets, change):
        for name in self.service_m2m:
            form.cleaned_data.pop(name, None)
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        inline = self._inline_for(formset)
        if inline is None:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        # Saves before deletes: replacing the only supporting observation of a published
        # insight must add the new one before the old one goes.
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            inline.service_save(request, inline_form.instance, inline_form)
        for obj in formset.deleted_objects:
            inline.service_delete(request, obj)
        return None

    def _inline_for(self, formset):
        for inline in self.inlines:
            if inline.model is formset.model and issubclass(inline, ServiceInline):
                return inline(self.model, self.admin_site)
        return None

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj)

    def get_deleted_objects(self, objs, request):
        """What a delete takes with it, without Django's rows for many-to-many link tables.

        Those rows ("Decision-insight relationship: Decision_insights object (1)") carry
        untranslatable, meaningless names; the links simply go with the object.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        all_models = apps.get_models(include_auto_created=True)
        links = [model._meta for model in all_models if model._meta.auto_created]
        link_names = {str(capfirst(meta.verbose_name)) for meta in links}
        link_plurals = {str(meta.verbose_name_plural) for meta in links}
        counts = {name: n for name, n in counts.items() if str(name) not in link_plurals}
        return _without_links(deleted, link_names), counts, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "protected_hint": self.protected_hint,
            "delete_hint": self.delete_hint,
        }
        return super().delete_view(request, object_id, extra_context)

    def run_service_action(self, request, queryset, action, success_message):
        """Apply a service to each selected object; report successes and each refusal."""
        done = 0
        for obj in queryset:
            try:
                action(obj)
            except (ValidationError, ProtectedError) as error:
                text = (
                    error.args[0]
                    if isinstance(error, ProtectedError)
                    else "; ".join(error.messages)
                )
                self.message_user(request, f"{obj}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, success_message % {"count": done}, messages.SUCCESS)


def service_action(description, permission: str, service, success_message):
    """An admin action (for ServiceModelAdmin.actions) that calls ``service(obj, request)`` on
    each selected object, reporting as run_service_action does."""

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        modeladmin.run_service_action(
            request, queryset, lambda obj: service(obj, request), success_message
        )

    return action


def _without_links(items: list, link_names: set[str]) -> list:
    """The nested list of a delete page, minus entries of link-table rows."""
    kept = []
    for item in items:
        if isinstance(item, list):
            kept.append(_without_links(item, link_names))
        elif not any(str(item).startswith(f"{name}: ") for name in link_names):
            kept.append(item)
    return [item for item in kept if item != []]


EMPTY = _("—")
