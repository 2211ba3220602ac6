"""The study's "Import observations" admin page: upload, check (dry run), then import.

The uploaded file waits as an Upload (importing/uploads.py) between the check and the import.
Each run is an ImportJob row (importing/jobs.py): small files run within the request, larger
ones on the task queue (a `db_worker` process), and the page polls the job's state and
progress (a meta refresh: no JavaScript needed).
"""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import access
from ..importing import FIELDS, FORMATS
from ..importing.jobs import start_import
from ..importing.uploads import Upload
from ..models import ImportJob, Observation, Study, TagGroup
from ..services import ImportOptions
from ..services.import_jobs import import_jobs_fail_stale

# Files up to this size are imported while the page waits; larger ones in the background.
INLINE_BYTES = 2 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), required=False)
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("Detect")), *((name, name) for name in FORMATS)],
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding"),
        required=False,
        choices=[("", gettext_lazy("Detect")), ("utf-8", "UTF-8"), ("cp1251", "Windows-1251")],
    )
    delimiter = forms.ChoiceField(
        label=gettext_lazy("Delimiter"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect")),
            (",", gettext_lazy("Comma")),
            (";", gettext_lazy("Semicolon")),
            ("\t", gettext_lazy("Tab")),
        ],
    )
    unknown_tags = forms.ChoiceField(
        label=gettext_lazy("Unknown tags"),
        choices=[
            ("reject", gettext_lazy("Reject the row")),
            ("create", gettext_lazy("Create the tag")),
        ],
        initial="reject",
    )
    tag_group = forms.ModelChoiceField(
        label=gettext_lazy("Group for new tags"), queryset=TagGroup.objects.all(), required=False
    )
    default_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of rows that name none"),
        required=False,
        choices=[("", gettext_lazy("Detect")), *Observation.Kind.choices],
    )
    default_metric = forms.ChoiceField(
        label=gettext_lazy("Metric of scores when no column names one"),
        required=False,
        choices=[("", gettext_lazy("Detect")), *Observation.Metric.choices],
    )
    scrub = forms.BooleanField(
        label=gettext_lazy("Remove personal data (e-mails, phone and card numbers)"),
        required=False,
        initial=True,
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, headers=(), may_skip_scrub=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_skip_scrub:
            self.fields["scrub"].disabled = True
            self.fields["scrub"].help_text = _("Only curators may turn this off.")
        self.headers = list(headers)
        if self.headers:
            columns = [("", _("— not imported —")), *((h, h) for h in self.headers)]
            for name in FIELDS:
                self.fields[f"map_{name}"] = forms.ChoiceField(
                    label=name, choices=columns, required=False
                )

    @property
    def mapping_fields(self):
        return [self[f"map_{name}"] for name in FIELDS if f"map_{name}" in self.fields]

    def clean(self):
        data = super().clean()
        if data.get("unknown_tags") == "create" and not data.get("tag_group"):
            self.add_error("tag_group", _("Choose the group in which to create unknown tags."))
        if not data.get("file") and not data.get("token"):
            self.add_error("file", _("Choose a file to import."))
        return data

    def options(self) -> ImportOptions:
        data = self.cleaned_data
        return ImportOptions(
            format=data["format"],
            encoding=data["encoding"],
            delimiter=data["delimiter"],
            mapping={name: data.get(f"map_{name}", "") for name in FIELDS} if self.headers else {},
            unknown_tags=data["unknown_tags"],
            tag_group=data["tag_group"],
            scrub=data["scrub"] if not self.fields["scrub"].disabled else True,
            default_kind=data["default_kind"],
            default_metric=data["default_metric"],
        )


class StudyImportMixin:
    """Adds the "Import observations" page to the study admin."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [
            path("<int:study_id>/import/", view, name="insights_study_import"),
            *super().get_urls(),
        ]

    def import_view(self, request, study_id: int):
        study = get_object_or_404(Study, pk=study_id)
        if not (self.has_change_permission(request, study) and access.may_import(request.user)):
            raise PermissionDenied
        may_skip_scrub = access.may_import_unscrubbed(request.user)
        token = request.POST.get("token") or request.GET.get("token") or ""
        upload = self._own_upload(token, request, study) if token else None
        if upload:
            import_jobs_fail_stale()  # a job whose worker died shows as failed, with why
        state = upload.read_state() if upload else {}
        headers = (state.get("report") or {}).get("headers", [])
        initial = {**upload.saved_options(), **_initial_from(state)} if upload else {}
        if request.method == "POST" and state.get("status") in ImportJob.ACTIVE:
            # A second press while the job runs must not start it twice.
            return HttpResponseRedirect(f"{request.path}?token={upload.token}")
        if request.method == "POST":
            form = ImportForm(
                request.POST, request.FILES, headers=headers, may_skip_scrub=may_skip_scrub
            )
            if form.is_valid():
                if form.cleaned_data["file"]:
                    if upload:
                        upload.discard()
                    upload = Upload.save(form.cleaned_data["file"], study=study, user=request.user)
                dry_run = "import" not in request.POST
                options = form.options()
                self._save_options(upload, form)
                job = start_import(
                    upload,
                    study=study,
                    user=request.user,
                    options=options,
                    dry_run=dry_run,
                    language=request.LANGUAGE_CODE,
                    background=upload.source.stat().st_size > INLINE_BYTES,
                )
                state = job.state()
                if state["status"] == "done" and state["report"]["written"]:
                    return self._finished(request, study, upload, state["report"])
                return HttpResponseRedirect(f"{request.path}?token={upload.token}")
        else:
            if state.get("status") == "done" and state["report"]["written"]:
                return self._finished(request, study, upload, state["report"])
            form = ImportForm(
                initial={**initial, "token": token},
                headers=headers,
                may_skip_scrub=may_skip_scrub,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "study": study,
            "title": _("Import observations into “%(study)s”") % {"study": study.title},
            "form": form,
            "state": state,
            "report": state.get("report"),
            "upload": upload,
            "fields": FIELDS,
        }
        return TemplateResponse(request, "admin/insights/study/import.html", context)

    def _own_upload(self, token: str, request, study) -> Upload:
        upload = Upload(token)
        meta = upload.meta
        if meta["study"] != study.pk or meta["user"] != request.user.pk:
            raise Http404
        return upload

    @staticmethod
    def _save_options(upload: Upload, form: ImportForm) -> None:
        data = {
            key: value.pk if isinstance(value, TagGroup) else value
            for key, value in form.cleaned_data.items()
            if key not in {"file", "token"}
        }
        (upload.folder / "options.json").write_text(json.dumps(data))

    def _finished(self, request, study, upload: Upload, report: dict):
        upload.discard()
        messages.success(
            request,
            _(
                "Imported %(rows)d rows: %(created)d new, %(updated)d updated, "
                "%(repeated)d repeated."
            )
            % report,
        )
        return HttpResponseRedirect(reverse("admin:insights_study_change", args=[study.pk]))


def _initial_from(state: dict) -> dict:
    report = state.get("report") or {}
    return {f"map_{name}": column for name, column in report.get("mapping", {}).items()}
