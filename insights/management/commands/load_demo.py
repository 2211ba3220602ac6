"""Load the bilingual demo dataset; running it again creates nothing twice."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ...demo import load_demo
from ...history import command_surface


class Command(BaseCommand):
    help = _(
        "Load a demo dataset about a fictional money app and online store (studies, "
        "observations, insights, tags, decisions). Existing demo rows are left as they are."
    )

    @command_surface
    def handle(self, *args, **options):
        summary = load_demo()
        if options["verbosity"] > 0:
            self.stdout.write(
                _(
                    "Demo data: %(studies)d studies, %(observations)d observations, "
                    "%(insights)d insights, %(tags)d tags, %(decisions)d decisions "
                    "(%(created)d new objects)."
                )
                % summary.__dict__
            )
