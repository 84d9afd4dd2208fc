"""`runlocal digest --month YYYY-MM [--send]`: the month's catalog changes as an e-mail.

Without --send it prints the digest (plain text, or --html). With --send it e-mails every
confirmed subscriber, each with their own unsubscribe link, and records the issue so the
month is not sent twice; a run cut short or with failed deliveries is finished by running
it again (those who already have it are skipped). --force sends a month again.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from runlocal_web.community import mail, subscriptions
from runlocal_web.community.digest import BadMonth, Digest, compose, next_month, parse_month, render
from runlocal_web.community.models import DigestDelivery, DigestIssue, Subscriber

BAD_INPUT = 2


def check_site_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise CommandError(
            f"--site-url {value!r}: must start with http:// or https://", returncode=BAD_INPUT
        )
    return value


def base_url(option: str) -> str:
    try:
        return check_site_url(option) or subscriptions.site_url()
    except subscriptions.NoSiteUrl as exc:
        raise CommandError(str(exc), returncode=BAD_INPUT) from None


# A delivery being sent; one that keeps it was sent or not, nobody knows: it is not retried.
SENDING = "sending; if this stays, the run stopped before the outcome was recorded"


class Command(BaseCommand):
    help = "Compose the monthly digest from Pulse and print it, or e-mail it with --send."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, metavar="YYYY-MM")
        parser.add_argument(
            "--send", action="store_true", help="e-mail it to every confirmed subscriber"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="with --send: send a month again, or one that is not over yet",
        )
        parser.add_argument("--html", action="store_true", help="print the HTML version")
        parser.add_argument(
            "--site-url", default="", metavar="URL", help="base of links (default: SITE_URL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first = parse_month(options["month"])
        except BadMonth as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        if not options["send"]:
            base = check_site_url(options["site_url"]) or subscriptions.site_url_or_dev()
            digest = compose(first, base)
            placeholder = f"{base}/digest/unsubscribe/<each reader's own link>/"
            text, html = render(digest, placeholder)
            self.stdout.write(f"Subject: {digest.subject}\n")
            self.stdout.write(html if options["html"] else text)
            return
        base = base_url(options["site_url"])
        digest = compose(first, base)
        self.send(digest, force=options["force"])

    def send(self, digest: Digest, *, force: bool) -> None:
        now = timezone.now()
        ends = next_month(digest.month)
        if ends > now.date() and not force:
            raise CommandError(
                f"{digest.key} is not over yet (it ends on {ends:%Y-%m-%d}); send it then, "
                "or pass --force to send it now"
            )
        if digest.is_empty:
            self.stdout.write(f"No catalog changes in {digest.key}: nothing to send.")
            return
        with transaction.atomic():
            issue, _created = DigestIssue.objects.select_for_update().get_or_create(
                month=digest.key, defaults={"subject": digest.subject, "started_at": now}
            )
            if issue.sent_at is not None:
                if not force:
                    self.stdout.write(
                        f"The {digest.key} digest was already sent on "
                        f"{issue.sent_at:%Y-%m-%d %H:%M} UTC to {issue.recipients} "
                        "subscriber(s): nothing sent. --force sends it again."
                    )
                    return
                issue.started_at, issue.sent_at = now, None
            issue.subject = digest.subject
            issue.save()
        # Sent this pass, or claimed and never settled (the run stopped between the send and
        # its record): never twice, so those are not tried again.
        already = set(
            issue.deliveries.filter(
                Q(sent_at__gte=issue.started_at)
                | Q(error=SENDING, attempted_at__gte=issue.started_at)
            )
            .exclude(subscriber=None)
            .values_list("subscriber_id", flat=True)
        )
        recipients = list(
            Subscriber.objects.filter(status=Subscriber.CONFIRMED)
            .exclude(pk__in=already)
            .order_by("pk")
        )
        sent = failed = 0
        connection = get_connection()
        try:
            for sub in recipients:
                if self.deliver(digest, issue, sub, connection):
                    sent += 1
                else:
                    failed += 1
        finally:
            connection.close()
        issue.recipients = issue.deliveries.filter(sent_at__gte=issue.started_at).count()
        issue.failed = failed
        if failed == 0:
            issue.sent_at = timezone.now()
        issue.save(update_fields=["recipients", "failed", "sent_at"])
        self.stdout.write(self.report(digest, sent, failed, len(already)))
        if failed:
            raise CommandError(
                f"{failed} e-mail(s) not sent (see Digest deliveries in the admin); run the "
                "same command again to retry them"
            )

    def deliver(self, digest: Digest, issue: DigestIssue, sub: Subscriber, connection: Any) -> bool:
        unsubscribe = subscriptions.unsubscribe_url(digest.site_url, sub)
        text, html = render(digest, unsubscribe)
        message = EmailMultiAlternatives(
            subject=digest.subject,
            body=text,
            to=[sub.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(html, "text/html")
        # Claimed (committed) before the send, settled after it.
        delivery = DigestDelivery.objects.create(
            issue=issue, subscriber=sub, email=sub.email, error=SENDING
        )
        try:
            delivery.tries = mail.send_with_retry(message, connection, f"subscriber {sub.pk}")
        except mail.SendFailed as exc:
            delivery.tries, delivery.error = exc.tries, str(exc)
        else:
            delivery.sent_at, delivery.error = timezone.now(), ""
        delivery.save(update_fields=["tries", "error", "sent_at"])
        return delivery.sent_at is not None

    def report(self, digest: Digest, sent: int, failed: int, already: int) -> str:
        rows = Subscriber.objects.values("status").annotate(n=Count("pk")).order_by()
        others = {row["status"]: row["n"] for row in rows}
        line = f"Sent the {digest.key} digest ({digest.summary()}) to {sent} subscriber(s)"
        if already:
            line += f"; {already} already had it"
        line += f"; {failed} failed"
        line += (
            f". Not sent to {others.get(Subscriber.PENDING, 0)} pending and "
            f"{others.get(Subscriber.UNSUBSCRIBED, 0)} unsubscribed address(es)."
        )
        return line
