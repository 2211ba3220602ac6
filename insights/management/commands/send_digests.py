"""Send the daily and weekly e-mail digests that are due (run it from cron, e.g. hourly), or
schedule their hourly run on the task queue (--schedule)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from insights.digests import send_digests
from insights.tasks import schedule_digests


class Command(BaseCommand):
    help = _(
        "Send each user the digest of what is new in what they follow, once per day or week. "
        "Safe to run as often as you like: a period's digest is sent at most once."
    )

    def add_arguments(self, parser):
        switches = {
            "--dry-run": _(
                "Show who would get a digest and how many items, without sending anything."
            ),
            "--schedule": _(
                "Queue the hourly digest run for the task workers (once is enough: each run "
                "queues the next; run again, nothing is queued twice)."
            ),
        }
        for switch, text in switches.items():
            parser.add_argument(switch, action="store_true", help=text)

    def handle(self, *args, dry_run: bool = False, schedule: bool = False, **options):
        if schedule:
            if schedule_digests():
                self.stdout.write(_("Digests scheduled: the task workers send them every hour."))
            else:
                self.stdout.write(_("Digests were already scheduled; nothing changed."))
            return
        report = send_digests(dry_run=dry_run)
        if dry_run:
            for digest in report.digests:
                self.stdout.write(
                    _(
                        "%(user)s: new insights: %(insights)d, decisions: %(decisions)d, "
                        "to review: %(review)d"
                    )
                    % {
                        "user": digest.user.get_username(),
                        "insights": len(digest.insights),
                        "decisions": len(digest.decisions),
                        "review": len(digest.needs_review),
                    }
                )
            return
        self.stdout.write(
            _(
                "Digests sent: %(sent)d; nothing new: %(empty)d; already sent this period: "
                "%(already)d; skipped (no e-mail or role): %(skipped)d; failed: %(failed)d."
            )
            % {
                "sent": report.sent,
                "empty": report.nothing_new,
                "already": report.already_sent,
                "skipped": report.skipped,
                "failed": report.failed,
            }
        )
        if report.failed:
            raise SystemExit(1)
