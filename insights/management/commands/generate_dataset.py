"""Fill an empty database with a synthetic repository at scale, for the benchmark."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ...benchmarking import writers
from ...benchmarking.generator import Generator, Sizes


class Command(BaseCommand):
    help = (
        "Build a synthetic repository (Russian and English CX text, Zipf-like tags with aliases "
        "and parents, evidence, decisions, NPS answers) with bulk inserts, then rebuild the "
        "search index. Defaults: 5,000 studies, 1,000,000 observations, 100,000 insights, "
        "2,000 tags, 20,000 participants; --scale 0.1 for a tenth. Refuses a database that "
        "already holds research unless --force, which deletes it first."
    )

    def add_arguments(self, parser):
        for name in ("studies", "observations", "insights", "tags", "participants"):
            parser.add_argument(f"--{name}", type=int, help=f"Number of {name}.")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply the default sizes (e.g. 0.1)."
        )
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete the studies, observations, insights, tags... already in the database.",
        )
        parser.add_argument(
            "--no-index", action="store_true", help="Skip rebuilding the search index."
        )

    def handle(self, *args, **options):
        sizes = Sizes().scaled(options["scale"])
        for name in ("studies", "observations", "insights", "tags", "participants"):
            if options[name] is not None:
                if options[name] < 1:
                    raise CommandError(f"--{name} must be at least 1.")
                setattr(sizes, name, options[name])
        if not writers.is_empty():
            if not options["force"]:
                raise CommandError(
                    "The database already holds research; generate_dataset refuses to add to "
                    "it. Use an empty database, or --force to delete what is there first."
                )
            self.stdout.write("Deleting the research already in the database (--force)…")
            writers.empty_tables()
        log = self.stdout.write if options["verbosity"] else (lambda *a: None)
        log(f"Generating on {connection.vendor}: {sizes}")
        started = time.perf_counter()
        counts = Generator(sizes, seed=options["seed"], log=log).run()
        generated = time.perf_counter() - started
        log(f"Rows written in {generated:.1f} s: {counts}")
        if not options["no_index"]:
            indexing = time.perf_counter()
            call_command("rebuild_search_index", verbosity=options["verbosity"])
            log(f"Search index rebuilt in {time.perf_counter() - indexing:.1f} s")
        if not connection.in_atomic_block:
            # Planner statistics of the fresh index, and its dead rows gone, as autovacuum
            # would leave them after a while: the benchmark measures a settled database.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Dataset ready in {time.perf_counter() - started:.1f} s.")
        )
