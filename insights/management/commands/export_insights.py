"""Export insights with their evidence and tags as CSV, JSON or a Markdown report."""

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_filters import ChoiceFilter, MultipleChoiceFilter
from django_filters.filters import BooleanFilter

from ...exports import FORMATS, export_insights, write_file
from ...filtersets import InsightFilterSet, TagValuesFilter
from ...selectors import filter_labels, search_base


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


class Command(BaseCommand):
    help = _(
        "Export insights with their evidence and tags as CSV, JSON or a Markdown report. "
        "The filters are the search page's and the API's; without --status, current insights "
        "(draft and published) are exported, as on the search page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=list(FORMATS), default="csv")
        parser.add_argument(
            "--output",
            "-o",
            help=_(
                "File to write (default: standard output). It appears only once complete: "
                "a failed export leaves no half-written file."
            ),
        )
        parser.add_argument(
            "--base-url",
            default="",
            help=_("Site address for links to insights, e.g. https://research.example.com"),
        )
        parser.add_argument(
            "--no-evidence",
            action="store_true",
            help=_("Leave out observation texts and decisions."),
        )
        group = parser.add_argument_group(_("filters"))
        # Every filter of the FilterSet, so the command can never fall behind the web and API.
        for name, spec in InsightFilterSet.base_filters.items():
            repeatable = isinstance(spec, MultipleChoiceFilter | TagValuesFilter)
            choices = None
            if isinstance(spec, ChoiceFilter | MultipleChoiceFilter):
                choices = [value for value, _label in spec.extra["choices"]]
            elif isinstance(spec, BooleanFilter):
                choices = ["true", "false"]
            label = str(spec.label)
            group.add_argument(
                _option(name),
                dest=f"filter_{name}",
                action="append" if repeatable else "store",
                choices=choices,
                metavar=None if choices else name.upper(),
                help=_("%(label)s (repeatable)") % {"label": label} if repeatable else label,
            )

    def handle(self, *args, **options):
        params = QueryDict(mutable=True)
        for name in InsightFilterSet.base_filters:
            value = options.get(f"filter_{name}")
            if value is not None:
                params.setlist(name, value if isinstance(value, list) else [value])
        filterset = InsightFilterSet(params, queryset=search_base(params))
        if not filterset.is_valid():
            problems = [
                f"{_option(field)}: {error}"
                for field, errors in filterset.errors.items()
                for error in errors
            ]
            raise CommandError(
                _("Some filters could not be used: %(errors)s") % {"errors": "; ".join(problems)}
            )
        queryset = filterset.qs
        chunks = export_insights(
            queryset,
            options["format"],
            include_evidence=not options["no_evidence"],
            base_url=options["base_url"],
            filters=[text for _key, _value, text in filter_labels(params, filterset)],
        )
        path = options["output"]
        if not path or path == "-":
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        try:
            write_file(path, chunks)
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        if options["verbosity"] > 0:
            count = queryset.order_by().count()
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "Exported %(count)d insight to %(path)s.",
                        "Exported %(count)d insights to %(path)s.",
                        count,
                    )
                    % {"count": count, "path": path}
                )
            )
