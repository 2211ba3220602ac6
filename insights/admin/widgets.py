"""Autocomplete widgets for long inline tables: one label query per field, not per row."""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.forms.models import BaseInlineFormSet


class PreloadedLabelsMixin:
    """Takes the labels of selected values from a dict the formset fills once for all rows."""

    preloaded_labels: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        empty = self.choices.field.empty_values
        selected = [str(v) for v in value if str(v) not in empty]
        if self.preloaded_labels is None or not set(selected) <= self.preloaded_labels.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in selected:
            label = self.preloaded_labels[pk]
            options.append(self.create_option(name, pk, label, set(selected), len(options)))
        return [(None, options, 0)]


class PreloadedAutocompleteSelect(PreloadedLabelsMixin, AutocompleteSelect):
    pass


class PreloadedAutocompleteSelectMultiple(PreloadedLabelsMixin, AutocompleteSelectMultiple):
    pass


class PreloadedLabelsFormSet(BaseInlineFormSet):
    """Fills the preloaded-label widgets of every row with one query per field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.forms:
            return
        for name, field in self.forms[0].fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if not isinstance(widget, PreloadedLabelsMixin):
                continue
            wanted = set()
            for form in self.forms:
                value = form[name].value()
                values = value if isinstance(value, list | tuple) else [value]
                wanted |= {str(v) for v in values if v not in field.empty_values}
            labels = {
                str(obj.pk): field.label_from_instance(obj)
                for obj in field.queryset.filter(pk__in=wanted)
            }
            for form in self.forms:
                form_widget = form.fields[name].widget
                getattr(form_widget, "widget", form_widget).preloaded_labels = labels


# select2 sizes its box from this attribute: as wide as the table cell, never wider.
FILL_CELL = {"data-width": "100%"}


class PreloadedAutocompleteInlineMixin:
    """Use the preloaded-label widgets for this inline's autocomplete fields."""

    formset = PreloadedLabelsFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, attrs=FILL_CELL, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = PreloadedAutocompleteSelectMultiple(
                db_field, self.admin_site, attrs=FILL_CELL, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
