"""Pasting many observations into a study from its own page, saved with the study.

The pasted rows are checked with the study's form (a dry run through the bulk path), so a
problem in any row is shown on the page, located by line, and nothing at all is saved:
neither the study nor its other rows. On a clean check they are written after the study and
its typed rows, in the same transaction. No script is needed: it is a plain form field.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpResponseRedirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from .. import access
from ..importing.rows import MappingError
from ..importing.sources import SourceError
from ..models import Observation, Study
from ..services import WriteConflict, observations_paste
from .base import https_formfield

PASTE_FIELD = "paste"
# Problems listed under the paste box; the rest are counted.
SHOWN_PROBLEMS = 20
# Import fields named after a different observation field.
MODEL_FIELDS = {"date": "observed_on"}


class PasteRaced(Exception):
    """The rows checked fine but were refused when written: someone changed the study."""


def field_label(name: str) -> str:
    """The observation field an import field fills, as the reader's language calls it."""
    try:
        return str(Observation._meta.get_field(MODEL_FIELDS.get(name, name)).verbose_name)
    except FieldDoesNotExist:  # "__all__": a problem of the row as a whole
        return ""


def describe_columns(mapping: dict[str, str]) -> str:
    """ "Текст → text, NPS → score", in the reader's language."""
    return ", ".join(f"{column} → {field_label(name) or name}" for name, column in mapping.items())


class StudyForm(forms.ModelForm):
    """The study with a box for pasting its observations."""

    paste = forms.CharField(
        label=gettext_lazy("Rows to add"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One observation per line, or a table copied from a spreadsheet with its header "
            "row (Текст, Респондент, Дата, Теги, NPS…): columns are recognised as in a file "
            "import, new participant codes are added, tags must exist. Saved with the study; "
            "if any line has a problem, nothing is saved and the lines are listed here."
        ),
    )

    class Meta:
        model = Study
        fields = [
            "title", "slug", "method", "status", "research_questions", "started_on",
            "finished_on", "owner", "team", "summary", "report_url", "tags",
        ]  # fmt: skip
        formfield_callback = https_formfield

    def clean_paste(self):
        text = self.cleaned_data.get(PASTE_FIELD, "")
        if not text.strip():
            return ""
        try:
            check = observations_paste(study=self.instance, text=text, dry_run=True)
        except (SourceError, MappingError) as error:
            raise ValidationError(str(error)) from None
        if check.errors:
            raise ValidationError(_problems(check))
        return text


def _problems(check) -> list[str]:
    problems = [
        _("%(where)s, %(field)s: %(problem)s")
        % {
            "where": capfirst(problem.location),
            "field": field_label(problem.field) or problem.field,
            "problem": " ".join(problem.messages),
        }
        for problem in check.errors[:SHOWN_PROBLEMS]
    ]
    hidden = len(check.errors) - SHOWN_PROBLEMS
    if hidden > 0:
        problems.append(
            ngettext("…and %(count)d more problem.", "…and %(count)d more problems.", hidden)
            % {"count": hidden}
        )
    if check.pasted.is_table:
        problems.append(
            _("Columns recognised: %(columns)s.")
            % {"columns": describe_columns(check.pasted.mapping)}
        )
    return problems


class StudyPasteMixin:
    """Adds the paste box to the study admin, for those who may add observations."""

    form = StudyForm

    def may_paste(self, request, obj=None) -> bool:
        return access.may_import(request.user) and (
            (obj is None and self.has_add_permission(request))
            or (obj is not None and self.has_change_permission(request, obj))
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.may_paste(request, obj):
            return fieldsets
        return [*fieldsets, (_("Paste observations"), {"fields": [PASTE_FIELD]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not self.may_paste(request, obj):
            form.base_fields.pop(PASTE_FIELD, None)
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        text = form.cleaned_data.get(PASTE_FIELD)
        if not text:
            return
        try:
            result = observations_paste(study=form.instance, text=text, user=request.user)
        except WriteConflict as error:  # other writers kept writing the same rows
            raise PasteRaced from error
        if result.errors:
            raise PasteRaced
        self.message_user(request, _pasted_message(result), messages.SUCCESS)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PasteRaced:
            # The save's transaction was rolled back: nothing of this save was written.
            self.message_user(
                request,
                _(
                    "The study changed while the pasted rows were being saved, so nothing was "
                    "saved. Paste them again and check the result."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())


ADDED = ngettext_lazy(
    "Added %(count)d observation from the pasted rows.",
    "Added %(count)d observations from the pasted rows.",
    "count",
)
UPDATED = ngettext_lazy(
    "%(count)d pasted row updated an observation the study already had.",
    "%(count)d pasted rows updated observations the study already had.",
    "count",
)
REPEATED = ngettext_lazy(
    "%(count)d pasted row repeated another and was merged with it.",
    "%(count)d pasted rows repeated others and were merged with them.",
    "count",
)


def _pasted_message(result) -> str:
    # How many were added is said even when none were; the other counts only when not zero.
    parts = [ADDED % {"count": result.created}]
    parts.extend(
        message % {"count": count}
        for count, message in ((result.updated, UPDATED), (result.repeated, REPEATED))
        if count
    )
    if result.pasted.is_table:
        parts.append(
            _("Columns recognised: %(columns)s.")
            % {"columns": describe_columns(result.pasted.mapping)}
        )
    ignored = result.pasted.ignored
    if ignored:
        parts.append(_("Columns left out: %(columns)s.") % {"columns": ", ".join(ignored)})
    return " ".join(parts)
