"""Unlink the evidence of participants whose consent has expired; the evidence itself stays."""

import argparse
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...history import command_surface
from ...services import participants_expire_consent
from ...services.participants import CONSENT_MODES


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        # argparse turns this into a usage error (a CommandError under call_command).
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date; use YYYY-MM-DD.") % {"value": value}
        ) from error


class Command(BaseCommand):
    help = _(
        "Handle participants whose consent expired: move their observations to new anonymous "
        "participants (anonymise, the default) or to no participant (remove), then delete them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--mode",
            choices=CONSENT_MODES,
            default="anonymise",
            help=_(
                "anonymise: a new random code that keeps the segment tags, so confidence stays; "
                "remove: the observations keep no participant."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Only report what would change; write nothing."),
        )
        parser.add_argument(
            "--date",
            type=_iso_date,
            default=None,
            help=_("Consent expiring before this day counts (default: today)."),
        )

    @command_surface
    def handle(self, *args, mode, dry_run, **options):
        today = options["date"] or timezone.localdate()
        result = participants_expire_consent(today=today, mode=mode, dry_run=dry_run)
        if not result.participants:
            self.stdout.write(
                _("No participant's consent expired before %(date)s.") % {"date": today.isoformat()}
            )
            return
        self.stdout.write(
            ngettext(
                "Consent expired before %(date)s for %(count)d participant.",
                "Consent expired before %(date)s for %(count)d participants.",
                result.participants,
            )
            % {"date": today.isoformat(), "count": result.participants}
        )
        self.stdout.write(
            ngettext(
                "Their evidence: %(count)d observation.",
                "Their evidence: %(count)d observations.",
                result.observations,
            )
            % {"count": result.observations}
        )
        if options["verbosity"] > 1:
            self.stdout.write(", ".join(result.codes))
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
        elif mode == "anonymise":
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Anonymised: the observations now belong to new anonymous participants "
                        "with the same segments; the old participants were deleted."
                    )
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Removed: the observations no longer name a participant; the "
                        "participants were deleted."
                    )
                )
            )
        if result.insights and not dry_run:
            self.stdout.write(
                ngettext(
                    "Confidence recomputed for %(count)d insight.",
                    "Confidence recomputed for %(count)d insights.",
                    result.insights,
                )
                % {"count": result.insights}
            )
