"""Merge observations of a study that repeat each other's content into the oldest."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...models import Study
from ...services.repeats import observations_merge_repeats


class Command(BaseCommand):
    help = _(
        "Merge the observations of a study that repeat each other's content (same kind, text, "
        "participant, date, score and source, no external ID) into the oldest: evidence links "
        "and tags move to it, the copies are deleted. Check with --dry-run first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help=_("Slug of the study."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Count what would be merged; change nothing.")
        )

    def handle(self, *args, **options):
        study = Study.objects.filter(slug=options["study"]).first()
        if study is None:
            raise CommandError(_("No study with the slug “%(slug)s”.") % {"slug": options["study"]})
        result = observations_merge_repeats(study=study, dry_run=options["dry_run"])
        summary = _(
            "Repeated contents: %(contents)d; copies merged into the oldest: %(removed)d; "
            "evidence links moved: %(moved)d."
        ) % {"contents": result.contents, "removed": result.removed, "moved": result.moved_evidence}
        if result.dry_run:
            summary = _("Dry run, nothing written. %(summary)s") % {"summary": summary}
        self.stdout.write(summary)
