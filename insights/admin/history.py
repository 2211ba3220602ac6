"""The change history in the admin: each object's versions, reverting, recently deleted.

The history list is simple-history's (who, when, from where, what changed). Opening a
version shows it next to the current values; curators revert to it with one button, which
calls the revert service (so rules, confidence and the search index hold). Deleted objects
are listed for RESTORE_DAYS days on their own page, where curators restore them.
"""

from itertools import pairwise

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from simple_history.admin import SimpleHistoryAdmin

from .. import access
from ..models.history import links_of
from ..selectors.history import LinkNames, recently_deleted
from ..services.history import (
    RESTORE_DAYS,
    REVERTED_FIELDS,
    object_restore,
    object_revert,
    tracked_models,
)


class HistoryAdminMixin(SimpleHistoryAdmin):
    """Adds the History page of simple-history; reverting goes through the services."""

    object_history_template = "admin/insights/history/object_history.html"
    object_history_list_template = "admin/insights/history/object_history_list.html"
    # Rows edited inline (an insight's evidence, a tag's aliases): their model and the
    # column naming this object. Their versions are listed under the object's own.
    history_children: tuple = ()
    history_children_related: tuple[str, ...] = ()
    history_children_limit = 100

    def history_child_label(self, record) -> str:
        return str(record.history_object)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to the last version of an object the queryset hides;
        # only curators see the history of what is deleted, and no one what they may not see.
        if self.get_object(request, unquote(object_id)) is None:
            try:
                exists = self.model._default_manager.filter(pk=unquote(object_id)).exists()
            except (ValueError, ValidationError):
                raise Http404 from None
            if exists or not access.may_revert(request.user):
                raise Http404
        children = []
        if self.history_children:
            model, column = self.history_children
            children = list(
                model.history.filter(**{column: unquote(object_id)})
                .select_related("history_user", *self.history_children_related)
                .order_by("-history_date", "-history_id")[: self.history_children_limit]
            )
            for record in children:
                record.label = self.history_child_label(record)
        extra_context = {
            **(extra_context or {}),
            "child_records": children,
            "child_title": self.history_children[0]._meta.verbose_name_plural
            if self.history_children
            else "",
        }
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """simple-history's field changes, then the links added and removed by each version
        (the names come in one query per linked model for the whole page)."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        names = LinkNames(self.model, [record.history_links for record in records])
        for newer, older in pairwise(records):
            if changes := names.changes(older.history_links, newer.history_links):
                newer.history_delta_changes = [
                    *getattr(newer, "history_delta_changes", []),
                    *changes,
                ]

    def revert_disabled(self, request, obj=None):
        return not access.may_revert(request.user)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One version beside the current values; POST reverts to it (curators only)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        record = self.model.history.filter(pk=version_id, id=obj.pk).first()
        if record is None:
            raise Http404
        history_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk]
        )
        # Local time in the reader's format, as the page shows it (history dates are UTC).
        when = date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
        if request.method == "POST":
            if not access.may_revert(request.user):
                raise PermissionDenied
            try:
                reverted = object_revert(user=request.user, obj=obj, history_id=record.pk)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(history_url)
            text = _("“%(object)s” was reverted to its version of %(date)s.") % {
                "object": obj,
                "date": when,
            }
            self.message_user(request, _with_skipped(text, reverted.skipped), messages.SUCCESS)
            return HttpResponseRedirect(history_url)
        rows = []
        version = record.instance
        for name in REVERTED_FIELDS[self.model]:
            field = self.model._meta.get_field(name)
            old = _value(field, version)
            new = _value(field, obj)
            rows.append({"label": field.verbose_name, "old": old, "new": new, "same": old == new})
        context = {
            "link_rows": _link_rows(self.model, record, obj),
            **self.admin_site.each_context(request),
            "title": _("Version of %(date)s: %(object)s") % {"date": when, "object": obj},
            "opts": self.opts,
            "object": obj,
            "record": record,
            "rows": rows,
            "history_url": history_url,
            "may_revert": access.may_revert(request.user),
            **(extra_context or {}),
        }
        return render(request, "admin/insights/history/version.html", context)


def _value(field, obj) -> str:
    """A field's value as the admin shows it (a related object by its name)."""
    if field.is_relation:
        try:
            value = getattr(obj, field.name)
        except field.related_model.DoesNotExist:
            return _("(deleted, id %(id)s)") % {"id": getattr(obj, field.attname)}
    else:
        value = getattr(obj, field.attname)
    return str(display_for_field(value, field, "—"))


def _link_rows(model, record, obj) -> list[dict]:
    """The links of a version beside the current ones, with what changed since."""
    now = links_of(model, [obj.pk]).get(obj.pk, {})
    recorded = record.history_links or {}
    names = LinkNames(model, [recorded, now])
    changes = {change["name"]: change for change in names.changes(recorded, now)}
    rows = []
    for field in names.fields:
        then = recorded.get(field.name)
        rows.append(
            {
                "label": field.verbose_name,
                # None: this version was written before links were recorded.
                "old": None if then is None else names.names(field, then),
                "new": names.names(field, now.get(field.name, [])),
                "change": changes.get(field.name),
            }
        )
    return rows


def _with_skipped(text: str, skipped: int) -> str:
    """A success message, saying how many links could not come back."""
    if skipped:
        text += " " + _(
            "%(count)d of its links could not come back: what they pointed at is gone."
        ) % {"count": skipped}
    return text


def _model_by_label(label: str):
    for model in tracked_models():
        if model._meta.model_name == label:
            return model
    raise Http404


@require_http_methods(["GET", "POST"])
def recently_deleted_view(request):
    """What was deleted in the last RESTORE_DAYS days; curators restore it from here."""
    if not access.is_member(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if not access.may_revert(request.user):
            raise PermissionDenied
        model = _model_by_label(request.POST.get("model", ""))
        try:
            history_id = int(request.POST.get("history_id", ""))
            restored = object_restore(user=request.user, model=model, history_id=history_id)
        except ValueError:
            raise Http404 from None
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            text = _("“%(object)s” was restored.") % {"object": restored.obj}
            messages.success(request, _with_skipped(text, restored.skipped))
        return HttpResponseRedirect(request.path)
    context = {
        **admin.site.each_context(request),
        "title": _("Recently deleted"),
        "entries": recently_deleted(),
        "days": RESTORE_DAYS,
        "may_revert": access.may_revert(request.user),
    }
    return render(request, "admin/insights/history/recently_deleted.html", context)
