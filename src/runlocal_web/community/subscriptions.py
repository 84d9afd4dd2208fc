"""The digest's double opt-in: subscribe, confirm, unsubscribe.

A sign-up stores the subscriber and queues its confirmation e-mail in one transaction; the
task queue's worker sends it (never the web request), at most once per confirmation, with
retries, and a failed send only records `last_error` on the row (it stays pending;
`resend_confirmations` tries again later), so a mail server outage never loses a sign-up
nor holds a request. Nothing here tells the caller whether an address was already on the
list: the sign-up form answers the same, after the same work, for every address.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from . import addresses, mail, tokens
from .models import Subscriber, new_key

log = logging.getLogger(__name__)

# A pending address gets at most one confirmation e-mail in this long, however often it is
# submitted. Change with the COMMUNITY_CONFIRM_RESEND_SECONDS setting.
DEFAULT_RESEND_SECONDS = 15 * 60
# A confirmation that could not be sent is tried again this long after each failed attempt
# (each attempt is itself three tries a few seconds apart); then resend_confirmations' cron.
DEFAULT_RETRY_SECONDS = (60, 300, 1800)
DEV_SITE_URL = "http://127.0.0.1:8000"


class NoSiteUrl(Exception):
    pass


def site_url(request: HttpRequest | None = None) -> str:
    """Absolute base for links in e-mails: SITE_URL, else the request's own address."""
    if settings.SITE_URL:
        return str(settings.SITE_URL).rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    if settings.DEBUG:
        return DEV_SITE_URL
    raise NoSiteUrl(
        "SITE_URL is not set: links in e-mails need the site's public address "
        "(set SITE_URL, or pass --site-url)"
    )


def site_url_or_dev() -> str:
    """For previews: SITE_URL, else the development server's address."""
    return str(settings.SITE_URL).rstrip("/") or DEV_SITE_URL


def confirm_url(base: str, subscriber: Subscriber) -> str:
    token = tokens.confirm_token(subscriber.confirm_key)
    return base + reverse("community:digest_confirm", args=[token])


def unsubscribe_url(base: str, subscriber: Subscriber) -> str:
    token = tokens.unsubscribe_token(subscriber.unsubscribe_key)
    return base + reverse("community:digest_unsubscribe", args=[token])


def resend_interval() -> dt.timedelta:
    seconds = getattr(settings, "COMMUNITY_CONFIRM_RESEND_SECONDS", DEFAULT_RESEND_SECONDS)
    return dt.timedelta(seconds=seconds)


@dataclass
class SubscribeResult:
    """For logs and tests only; never shown to the visitor."""

    subscriber: Subscriber
    created: bool
    queued: bool  # a confirmation e-mail is due (the task sends it)


def new_request() -> str:
    return uuid.uuid4().hex


def subscribe(email: str, base: str) -> SubscribeResult:
    """Add or re-activate `email` as pending, and queue a confirmation when one is due: new
    mailboxes, unsubscribed ones coming back, and pending ones not mailed recently. Every
    spelling of one mailbox is the same subscriber (addresses.parse).

    Every call does the same work, whatever the address's state (one insert that may be a
    no-op, one locked read, one update, one queued task that sends only when something is
    due), so neither the answer nor its timing says whether the address was on the list.
    The e-mail is never sent here: the task queue does it (tasks.py), with retries."""
    address = addresses.parse(email)
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.bulk_create(
            [Subscriber(email=address.send_to, mailbox=address.mailbox, created_at=now)],
            ignore_conflicts=True,
        )
        sub = Subscriber.objects.select_for_update().get(mailbox=address.mailbox)
        created = sub.created_at == now and sub.confirm_request == ""
        due = sub.status != Subscriber.CONFIRMED
        if sub.status == Subscriber.UNSUBSCRIBED:
            # Back on the list only through a new confirmation.
            sub.status = Subscriber.PENDING
            sub.unsubscribed_at = None
            sub.confirm_key = new_key()
        elif (
            due
            and sub.confirm_attempted_at is not None
            and now - sub.confirm_attempted_at < resend_interval()
        ):
            due = False  # once per interval per mailbox, however it is spelled
        if due:
            sub.confirm_request = new_request()
            sub.confirm_attempted_at = now
        sub.save()
        queue_confirmation(sub.pk, sub.confirm_request if due else "", base)
    return SubscribeResult(sub, created, due)


def queue_confirmation(
    subscriber_id: int,
    request_id: str,
    base: str,
    attempt: int = 1,
    run_after: dt.datetime | None = None,
) -> None:
    """Queue the task that sends confirmation `request_id` ("" : nothing is due).

    A queue kept in this database gets the task in the caller's transaction, so the sign-up
    and its e-mail are stored together or not at all; any other queue gets it once the
    transaction has committed."""
    from django_tasks_db import DatabaseBackend

    from .tasks import deliver_confirmation

    task = deliver_confirmation
    if run_after is not None:
        task = task.using(run_after=run_after)
    args = (subscriber_id, request_id, base, attempt)
    backend = task.get_backend()
    if isinstance(backend, DatabaseBackend) or backend.__class__.__name__ == "ImmediateBackend":
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def retry_delays() -> tuple[int, ...]:
    return tuple(getattr(settings, "COMMUNITY_CONFIRM_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


def deliver(subscriber_id: int, request_id: str, base: str, attempt: int = 1) -> bool | None:
    """Send confirmation `request_id` once: True sent, False failed (queued again while
    retries are left), None nothing to do (not due, superseded, or already taken).

    The row is claimed (confirm_claim = request_id, committed) before the e-mail goes out, so
    a second task, a retry or `resend_confirmations` never sends it again, even when the
    database fails between the send and the record of it. A send that fails releases the
    claim."""
    if not request_id:
        return None
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if (
            sub is None
            or sub.status != Subscriber.PENDING
            or sub.confirm_request != request_id
            or sub.confirm_claim == request_id
        ):
            return None
        sub.confirm_claim = request_id
        sub.save(update_fields=["confirm_claim"])
    message = _confirmation_message(sub, base)
    now = timezone.now()
    try:
        tries = mail.send_with_retry(message, label=f"subscriber {sub.pk}")
    except mail.SendFailed as exc:
        log.warning("confirmation to subscriber %s not sent: %s", sub.pk, exc)
        Subscriber.objects.filter(pk=sub.pk, confirm_claim=request_id).update(
            confirm_claim="",
            confirm_tries=F("confirm_tries") + exc.tries,
            last_error=str(exc),
            last_error_at=now,
        )
        delays = retry_delays()
        if attempt <= len(delays) and _can_defer():
            later = now + dt.timedelta(seconds=delays[attempt - 1])
            queue_confirmation(sub.pk, request_id, base, attempt + 1, run_after=later)
        return False
    Subscriber.objects.filter(pk=sub.pk).update(
        confirm_sent_at=now,
        confirm_tries=F("confirm_tries") + tries,
        last_error="",
    )
    return True


def _can_defer() -> bool:
    from .tasks import deliver_confirmation

    return bool(deliver_confirmation.get_backend().supports_defer)


def send_confirmation(sub: Subscriber, base: str) -> bool:
    """A new confirmation for `sub`, sent now (an editor's resend in the admin)."""
    request_id = new_request()
    Subscriber.objects.filter(pk=sub.pk).update(
        confirm_request=request_id, confirm_attempted_at=timezone.now()
    )
    sent = deliver(sub.pk, request_id, base) is True
    sub.refresh_from_db()
    return sent


def _confirmation_message(sub: Subscriber, base: str) -> Any:
    context = {
        "confirm_url": confirm_url(base, sub),
        "site_url": base,
        "digest_url": base + reverse("community:digest"),
        "valid_days": tokens.CONFIRM_MAX_AGE.days,
    }
    return mail.build(
        "confirm",
        context,
        to=sub.email,
        subject="Confirm your runlocal monthly digest",
        headers={"Auto-Submitted": "auto-generated"},
    )


def confirm(key: str) -> Subscriber | None:
    """Mark the subscriber with this confirm key confirmed (again: no change)."""
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().filter(confirm_key=key).first()
        if sub is None or sub.status == Subscriber.UNSUBSCRIBED:
            return None
        if sub.status == Subscriber.PENDING:
            sub.status = Subscriber.CONFIRMED
            sub.confirmed_at = timezone.now()
            sub.last_error = ""
            sub.save(update_fields=["status", "confirmed_at", "last_error"])
    return sub


def unsubscribe(sub: Subscriber) -> None:
    """Off the list; old confirm links stop working too."""
    with transaction.atomic():
        sub = Subscriber.objects.select_for_update().get(pk=sub.pk)
        if sub.status == Subscriber.UNSUBSCRIBED:
            return
        sub.status = Subscriber.UNSUBSCRIBED
        sub.unsubscribed_at = timezone.now()
        sub.confirm_key = new_key()
        sub.save(update_fields=["status", "unsubscribed_at", "confirm_key"])


def masked(email: str) -> str:
    """'ada@example.org' → 'a**@example.org': enough to recognise, not to harvest."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}{'*' * max(2, len(local) - 1)}@{domain}"
