"""The digest's double opt-in: subscribe, confirm, unsubscribe.

A subscriber row is committed before any e-mail goes out, and a failed send only records
`last_error` on it (the row stays pending; `resend_confirmations` tries again later), so a
mail server outage never loses a sign-up. Nothing here tells the caller whether an address
was already on the list: the sign-up form answers the same for every address.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
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
    sent: bool | None  # None: no e-mail was due


def subscribe(email: str, base: str) -> SubscribeResult:
    """Add or re-activate `email` as pending and send a confirmation when one is due:
    new mailboxes, unsubscribed ones coming back, and pending ones not mailed recently.
    Every spelling of one mailbox is the same subscriber (addresses.parse)."""
    address = addresses.parse(email)
    now = timezone.now()
    with transaction.atomic():
        created = False
        mine = Subscriber.objects.select_for_update().filter(mailbox=address.mailbox)
        sub = mine.first()
        if sub is None:
            try:
                with transaction.atomic():
                    sub = Subscriber.objects.create(
                        email=address.send_to, mailbox=address.mailbox, created_at=now
                    )
                created = True
            except IntegrityError:  # the same mailbox, submitted twice at once
                sub = mine.get()
        if sub.status == Subscriber.CONFIRMED:
            return SubscribeResult(sub, created, None)
        if sub.status == Subscriber.UNSUBSCRIBED:
            # Back on the list only through a new confirmation.
            sub.status = Subscriber.PENDING
            sub.unsubscribed_at = None
            sub.confirm_key = new_key()
            sub.confirm_attempted_at = None
        # Once per interval per mailbox, however it is spelled.
        elif (
            not created
            and sub.confirm_attempted_at is not None
            and now - sub.confirm_attempted_at < resend_interval()
        ):
            return SubscribeResult(sub, created, None)
        sub.confirm_attempted_at = now
        sub.save()
    # Committed: the send below may fail without taking the sign-up with it.
    return SubscribeResult(sub, created, send_confirmation(sub, base))


def send_confirmation(sub: Subscriber, base: str) -> bool:
    """E-mail the confirm link (with retries); records the outcome on the row."""
    context = {
        "confirm_url": confirm_url(base, sub),
        "site_url": base,
        "digest_url": base + reverse("community:digest"),
        "valid_days": tokens.CONFIRM_MAX_AGE.days,
    }
    message = mail.build(
        "confirm",
        context,
        to=sub.email,
        subject="Confirm your runlocal monthly digest",
        headers={"Auto-Submitted": "auto-generated"},
    )
    now = timezone.now()
    try:
        tries = mail.send_with_retry(message, label=f"subscriber {sub.pk}")
    except mail.SendFailed as exc:
        log.warning("confirmation to subscriber %s not sent: %s", sub.pk, exc)
        Subscriber.objects.filter(pk=sub.pk).update(
            confirm_attempted_at=now,
            confirm_tries=F("confirm_tries") + exc.tries,
            last_error=str(exc),
            last_error_at=now,
        )
        sub.refresh_from_db()
        return False
    Subscriber.objects.filter(pk=sub.pk).update(
        confirm_attempted_at=now,
        confirm_sent_at=now,
        confirm_tries=F("confirm_tries") + tries,
        last_error="",
    )
    sub.refresh_from_db()
    return True


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
