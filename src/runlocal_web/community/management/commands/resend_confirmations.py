"""`runlocal manage resend_confirmations`: retry the digest confirmations that failed.

A sign-up whose confirmation e-mail could not be sent (the mail server was down, or the
worker was not running) stays pending with its confirmation unclaimed; run this from cron,
e.g. every 15 minutes, to try again. A confirmation a worker took (sent, or being sent when
something failed) is never sent again. The e-mail carries the same link as before, so an
earlier one that did arrive still works.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import F, Q
from django.utils import timezone

from runlocal_web.community import subscriptions
from runlocal_web.community.models import Subscriber

from .digest import base_url


class Command(BaseCommand):
    help = "Send again the digest confirmations that failed (pending subscribers only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-age-days",
            type=int,
            default=30,
            help="skip sign-ups older than this (default 30)",
        )
        parser.add_argument(
            "--wait-minutes",
            type=int,
            default=5,
            help="skip addresses tried less than this long ago (default 5)",
        )
        parser.add_argument("--dry-run", action="store_true", help="only list who would get one")
        parser.add_argument(
            "--site-url", default="", metavar="URL", help="base of links (default: SITE_URL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["max_age_days"] < 0 or options["wait_minutes"] < 0:
            raise CommandError("--max-age-days and --wait-minutes must be 0 or more", returncode=2)
        base = base_url(options["site_url"])
        now = timezone.now()
        waited = now - dt.timedelta(minutes=options["wait_minutes"])
        due = (
            Subscriber.objects.filter(
                status=Subscriber.PENDING,
                created_at__gte=now - dt.timedelta(days=options["max_age_days"]),
            )
            .exclude(confirm_request="")
            .exclude(confirm_claim=F("confirm_request"))
            .filter(Q(confirm_attempted_at__isnull=True) | Q(confirm_attempted_at__lte=waited))
            .order_by("pk")
        )
        if options["dry_run"]:
            rows = list(due)
            for sub in rows:
                self.stdout.write(f"{sub.email}: {sub.last_error or 'never sent'}")
            self.stdout.write(f"{len(rows)} confirmation(s) due.")
            return
        sent = failed = 0
        for sub in due:
            # deliver() claims the confirmation first: two runs at once never both send.
            outcome = subscriptions.deliver(sub.pk, sub.confirm_request, base)
            if outcome is True:
                sent += 1
            elif outcome is False:
                failed += 1
        self.stdout.write(f"Resent {sent} confirmation(s); {failed} failed.")
        if failed:
            raise CommandError(
                f"{failed} confirmation(s) still not sent; the addresses stay pending "
                "(see last error on Subscribers in the admin)"
            )
