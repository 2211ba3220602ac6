"""Import observations into a study from CSV, JSON Lines or a Telegram export."""

import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...history import command_surface
from ...importing import FIELDS, FORMATS, MappingError, SourceError
from ...models import Study, TagGroup
from ...services import ImportOptions, WriteConflict, observations_import

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", ",": ",", ";": ";"}


class Command(BaseCommand):
    help = _(
        "Import observations into a study from a CSV file (comma or semicolon separated, "
        "UTF-8 or Windows-1251), JSON Lines, or a Telegram export (result.json). All rows or "
        "none are written; importing the same file again updates instead of duplicating."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Path of the file to import."))
        parser.add_argument("--study", required=True, help=_("Slug of the study."))
        parser.add_argument("--format", choices=FORMATS, help=_("File format (default: guess)."))
        parser.add_argument("--encoding", help=_("CSV encoding, e.g. cp1251 (default: detect)."))
        parser.add_argument(
            "--delimiter",
            choices=sorted(DELIMITERS),
            help=_("CSV delimiter (default: detect)."),
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=_(
                "Read FIELD from COLUMN (repeatable); FIELD= ignores a detected column. "
                "Fields: %(fields)s."
            )
            % {"fields": ", ".join(FIELDS)},
        )
        parser.add_argument(
            "--unknown-tags",
            choices=["reject", "create"],
            default="reject",
            help=_("Reject rows with unknown tags (default), or create the tags."),
        )
        parser.add_argument(
            "--tag-group", help=_("Slug of the tag group for created tags, e.g. theme.")
        )
        parser.add_argument("--kind", default="", help=_("Kind of rows that name none."))
        parser.add_argument(
            "--metric", default="", help=_("Metric of scores when no column names one.")
        )
        parser.add_argument(
            "--no-scrub",
            action="store_true",
            help=_("Keep e-mails, phone numbers and card numbers (off by default)."),
        )
        parser.add_argument("--user", help=_("Username recorded as the observations' author."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show what would happen; write nothing."),
        )
        parser.add_argument("--no-progress", action="store_true", help=_("Hide the progress bar."))

    @command_surface
    def handle(self, *args, **options):
        study = Study.objects.filter(slug=options["study"]).first()
        if study is None:
            raise CommandError(_("No study with the slug “%(slug)s”.") % {"slug": options["study"]})
        import_options = ImportOptions(
            format=options["format"] or "",
            encoding=options["encoding"] or "",
            delimiter=DELIMITERS.get(options["delimiter"] or "", ""),
            mapping=_mapping(options["map"]),
            unknown_tags=options["unknown_tags"],
            tag_group=_tag_group(options["tag_group"]),
            scrub=not options["no_scrub"],
            default_kind=options["kind"],
            default_metric=options["metric"],
        )
        user = _user(options["user"])
        show_progress = not options["no_progress"] and options["verbosity"] > 0
        progress = ProgressBar(sys.stderr) if show_progress else None
        try:
            with open(options["file"], "rb") as stream:
                report = observations_import(
                    study=study,
                    stream=stream,
                    name=options["file"],
                    options=import_options,
                    user=user,
                    dry_run=options["dry_run"],
                    progress=progress,
                )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": error}
            ) from error
        except (SourceError, MappingError) as error:
            raise CommandError(str(error)) from error
        except (WriteConflict, OperationalError) as error:
            # Other writers kept changing the same rows while this import retried, or (SQLite)
            # another one held the database for longer than SQLITE_TIMEOUT.
            if isinstance(error, OperationalError) and "locked" not in str(error):
                raise
            raise CommandError(
                _(
                    "Another import was writing the same rows at the same moment; nothing was "
                    "imported. Run the command again."
                )
            ) from error
        finally:
            if progress:
                progress.close()
        self._print(report, verbosity=options["verbosity"])
        if report.rejected:
            raise CommandError(
                ngettext(
                    "Nothing was imported: %(count)d row has problems (listed above).",
                    "Nothing was imported: %(count)d rows have problems (listed above).",
                    report.rejected,
                )
                % {"count": report.rejected}
            )

    def _print(self, report, *, verbosity: int) -> None:
        if verbosity > 1 or report.dry_run:
            columns = ", ".join(f"{key} ← {value}" for key, value in report.mapping.items())
            self.stdout.write(_("Format: %(format)s. Columns: %(columns)s.") % {
                "format": report.format,
                "columns": columns,
            })  # fmt: skip
        if report.dry_run and verbosity > 0:
            self.stdout.write(_("Preview of the first rows:"))
            for row in report.preview:
                text = row["text"] if len(row["text"]) <= 70 else row["text"][:69] + "…"
                score = f" {row['metric']}={row['score']}" if row["score"] else ""
                self.stdout.write(
                    f"  {row['location']}: {row['action']} [{row['kind']}]{score} {text}"
                )
        for problem in report.errors:
            self.stderr.write(str(problem))
        if report.rejected > len(report.errors):
            self.stderr.write(
                _("… and more: %(count)d rows have problems in all.") % {"count": report.rejected}
            )
        summary = (
            _(
                "%(rows)d rows: %(created)d new, %(updated)d updated, %(repeated)d repeated, "
                "%(rejected)d rejected."
            )
            % report.__dict__
        )
        if report.new_tags:
            summary += " " + _("New tags: %(tags)s.") % {"tags": ", ".join(report.new_tags)}
        if report.dry_run:
            summary = _("Dry run, nothing written. %(summary)s") % {"summary": summary}
        if verbosity > 0 or report.rejected:
            self.stdout.write(summary)


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field_name, separator, column = pair.partition("=")
        if not separator:
            raise CommandError(_("Write --map as FIELD=COLUMN, not “%(pair)s”.") % {"pair": pair})
        mapping[field_name.strip()] = column.strip()
    return mapping


def _tag_group(slug: str | None) -> TagGroup | None:
    if not slug:
        return None
    group = TagGroup.objects.filter(slug=slug).first()
    if group is None:
        slugs = ", ".join(TagGroup.objects.values_list("slug", flat=True))
        raise CommandError(
            _("No tag group “%(slug)s”; the groups are: %(slugs)s.")
            % {"slug": slug, "slugs": slugs}
        )
    return group


def _user(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user “%(username)s”.") % {"username": username})
    return user


class ProgressBar:
    """A one-line progress bar on a terminal; occasional lines when output is redirected."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.interactive = stream.isatty()
        self.started = time.monotonic()
        self.last_tenth = -1

    def __call__(self, rows: int, done: int, total: int) -> None:
        share = done / total if total else 0
        elapsed = max(time.monotonic() - self.started, 1e-6)
        line = _("%(percent)3d%% %(rows)s rows, %(rate)s rows/s") % {
            "percent": int(share * 100),
            "rows": f"{rows:,}",
            "rate": f"{rows / elapsed:,.0f}",
        }
        if self.interactive:
            filled = int(share * self.WIDTH)
            bar = "█" * filled + "·" * (self.WIDTH - filled)
            self.stream.write(f"\r{bar} {line}")
            self.stream.flush()
        elif int(share * 10) > self.last_tenth:
            self.last_tenth = int(share * 10)
            self.stream.write(line + "\n")

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
