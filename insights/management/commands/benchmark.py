"""Measure the repository at scale (after generate_dataset): latency of each read beside its
SQL floor, write rates, and gunicorn throughput; print a table and write JSON."""

import time

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import override_settings

from ...benchmarking import load, report, writes
from ...benchmarking.scenarios import READS, Context, measure
from ...models import Insight, Observation, SearchDocument, Study, Tag

WRITES = ["tag_merge", "import_csv", "api_bulk_post", "rebuild_search_index"]
LOAD = ["gunicorn_throughput"]
OPTIONS_KEPT = (
    "repetitions", "warmup", "budget", "timeout", "import_rows", "bulk_rows", "clients",
    "seconds", "seed",
)  # fmt: skip
ALL = [scenario.name for scenario in READS] + WRITES + LOAD


class Command(BaseCommand):
    help = (
        "Benchmark the repository in this database (fill it with generate_dataset first): "
        "p50/p95/p99, queries per request and throughput of each scenario, beside the floor "
        "(the best hand-written SQL for the same answer). Write scenarios run in transactions "
        "that are rolled back. Scenarios: " + ", ".join(ALL) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scenarios",
            default="",
            help="Comma-separated scenario names or prefixes (default: all). E.g. api_search,"
            "page_detail",
        )
        parser.add_argument("--skip", default="", help="Comma-separated names or prefixes.")
        parser.add_argument("--repetitions", type=int, default=20, help="Timed runs each.")
        parser.add_argument("--warmup", type=int, default=2, help="Untimed runs first.")
        parser.add_argument(
            "--timeout",
            type=float,
            default=0,
            help="Stop a read scenario whose first request has a query running longer than "
            "this many seconds (default: no limit).",
        )
        parser.add_argument(
            "--budget",
            type=float,
            default=120,
            help="Seconds per read scenario after which repetitions stop early.",
        )
        parser.add_argument(
            "--import-rows", type=int, default=100_000, help="CSV rows of import_csv."
        )
        parser.add_argument(
            "--bulk-rows", type=int, default=5_000, help="Rows of api_bulk_post (at most 5,000)."
        )
        parser.add_argument("--clients", type=int, default=20, help="Load-test client threads.")
        parser.add_argument("--seconds", type=int, default=20, help="Load-test duration.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", dest="json_path", help="Write the results to this file.")

    def handle(self, *args, **options):
        chosen = self._chosen(options["scenarios"], options["skip"])
        if options["repetitions"] < 1:
            raise CommandError("--repetitions must be at least 1.")
        if not Insight.objects.exists():
            raise CommandError("No insights here: run generate_dataset first.")
        if settings.DEBUG:
            self.stderr.write("Warning: DEBUG is on; figures include Django's debug overhead.")
        elif isinstance(staticfiles_storage, ManifestFilesMixin) and not staticfiles_storage.exists(
            staticfiles_storage.manifest_name
        ):
            # Pages need the static manifest when DEBUG is off, as in production.
            call_command("collectstatic", interactive=False, verbosity=0)
        sizes = {
            "studies": Study.objects.count(),
            "observations": Observation.objects.count(),
            "insights": Insight.objects.count(),
            "tags": Tag.objects.count(),
            "search_documents": SearchDocument.objects.count(),
        }
        self.stdout.write(f"{connection.vendor}, {sizes}")
        # The test client calls itself "testserver" and speaks plain HTTP, as the app server
        # behind an HTTPS proxy does.
        hosts = override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], SECURE_SSL_REDIRECT=False
        )
        hosts.enable()
        ctx = Context(seed=options["seed"])
        results = []
        try:
            for scenario in READS:
                if scenario.name in chosen:
                    results.append(
                        self._show(
                            measure(
                                scenario,
                                ctx,
                                options["repetitions"],
                                options["warmup"],
                                options["budget"],
                                options["timeout"],
                            )
                        )
                    )
                    reset_queries()
            write_calls = {
                "tag_merge": writes.tag_merge_scenario,
                "import_csv": lambda: writes.import_scenario(options["import_rows"]),
                "api_bulk_post": lambda: writes.bulk_post_scenario(
                    ctx.api_client, options["bulk_rows"]
                ),
                "rebuild_search_index": writes.rebuild_scenario,
            }
            for name in WRITES:
                if name in chosen:
                    result = writes.timed(name, write_calls[name])
                    result.setdefault("name", name)
                    results.append(self._show(result))
            if "gunicorn_throughput" in chosen:
                try:
                    result = load.throughput(
                        ctx.key, clients=options["clients"], seconds=options["seconds"]
                    )
                except (OSError, RuntimeError) as error:
                    result = {"name": "gunicorn_throughput", "error": str(error)}
                results.append(self._show(result))
        finally:
            ctx.close()
            hosts.disable()
        if options["json_path"]:
            keep = {k: options[k] for k in OPTIONS_KEPT}
            report.write_json(options["json_path"], report.document(results, sizes, keep))
            self.stdout.write(f"Results written to {options['json_path']}")

    def _chosen(self, wanted: str, skipped: str) -> list[str]:
        def match(spec: str) -> set[str]:
            names = set()
            for part in filter(None, (p.strip() for p in spec.split(","))):
                found = {name for name in ALL if name == part or name.startswith(part)}
                if not found:
                    raise CommandError(f"Unknown scenario: {part}. Known: {', '.join(ALL)}.")
                names |= found
            return names

        chosen = match(wanted) if wanted.strip() else set(ALL)
        return [name for name in ALL if name in chosen - match(skipped)]

    def _show(self, result: dict) -> dict:
        result["measured_at"] = time.strftime("%H:%M:%S")
        self.stdout.write(report.line(result))
        return result
