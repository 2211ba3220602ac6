"""Rebuild the full-text index from every insight, observation, study and tag."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from ... import search


class Command(BaseCommand):
    help = _("Rebuild the search index from scratch (the write paths keep it current otherwise).")

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = search.get_backend().rebuild()
        summary = ", ".join(f"{kind}: {count}" for kind, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(_("Search index rebuilt (%(summary)s).") % {"summary": summary})
        )
