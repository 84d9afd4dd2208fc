"""What readers send us (contact messages, corrections) and the monthly digest's list.

Everything a visitor typed is stored exactly as typed and shown only through Django's
escaping (templates and the admin), never marked safe.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone


def new_key() -> str:
    """A random, unguessable key (192 bits); links carry it signed (tokens.py)."""
    return secrets.token_urlsafe(24)


class ContactMessage(models.Model):
    CORRECTION, QUESTION, PARTNERSHIP, OTHER = "correction", "question", "partnership", "other"
    TOPICS = (
        (CORRECTION, "Correction: something on the site is wrong"),
        (QUESTION, "Question"),
        (PARTNERSHIP, "Partnership"),
        (OTHER, "Something else"),
    )
    NEW, HANDLED, DECLINED, SPAM = "new", "handled", "declined", "spam"
    STATUSES = (
        (NEW, "new"),
        (HANDLED, "handled"),
        (DECLINED, "declined"),
        (SPAM, "spam"),
    )

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    topic = models.CharField(max_length=20, choices=TOPICS, db_index=True)
    message = models.TextField()
    page_url = models.CharField("page", max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW, db_index=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.CharField(max_length=150, blank=True)
    editor_note = models.TextField(blank=True, help_text="For editors only; never shown.")

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "contact message"

    def __str__(self) -> str:
        return f"{self.get_topic_display()} from {self.name} ({self.created_at:%Y-%m-%d})"


class CorrectionManager(models.Manager["Correction"]):
    def get_queryset(self) -> models.QuerySet[Correction]:
        return super().get_queryset().filter(topic=ContactMessage.CORRECTION)


class Correction(ContactMessage):
    """Contact messages about an error on the site, moderated on their own in the admin."""

    objects = CorrectionManager()

    class Meta:
        proxy = True
        verbose_name = "correction"


class Subscriber(models.Model):
    """One address on the monthly digest's list: pending until the link in the confirmation
    e-mail is followed (double opt-in), confirmed, or unsubscribed (kept, so the address is
    not mailed again without a fresh confirmation)."""

    PENDING, CONFIRMED, UNSUBSCRIBED = "pending", "confirmed", "unsubscribed"
    STATUSES = ((PENDING, "pending"), (CONFIRMED, "confirmed"), (UNSUBSCRIBED, "unsubscribed"))

    email = models.EmailField(max_length=254)
    # One row per mailbox, whatever the spelling (addresses.parse); empty only on rows that
    # shared a mailbox with an older one when the key was introduced (those are unsubscribed).
    mailbox = models.CharField(max_length=254, null=True, blank=True, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=STATUSES, default=PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Secrets behind the confirm and unsubscribe links; replaced when they must stop working.
    confirm_key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    unsubscribe_key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    # The confirmation e-mail: last attempt, last success, tries in all, and the last failure.
    confirm_attempted_at = models.DateTimeField(null=True, blank=True)
    # The confirmation now due (a new id each time one is due), and the one a worker took:
    # equal once it is being or has been sent, so it is never sent twice.
    confirm_request = models.CharField(max_length=32, blank=True, editable=False)
    confirm_claim = models.CharField(max_length=32, blank=True, editable=False)
    confirm_sent_at = models.DateTimeField(null=True, blank=True)
    confirm_tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.email


class DigestIssue(models.Model):
    """One month's digest. `sent_at` is set once every confirmed subscriber has it, which is
    what keeps the month from being sent twice; until then a new run resumes."""

    month = models.CharField(max_length=7, unique=True, help_text="YYYY-MM")
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    # Start of the current sending pass (a --force resend starts a new one).
    started_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-month",)
        verbose_name = "digest issue"

    def __str__(self) -> str:
        return f"digest {self.month}"


class DigestDelivery(models.Model):
    """One e-mail of one issue to one subscriber: sent, or the error that stopped it."""

    issue = models.ForeignKey(DigestIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, null=True, on_delete=models.SET_NULL)
    email = models.EmailField(max_length=254)
    attempted_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-attempted_at", "-pk")
        verbose_name = "digest delivery"
        verbose_name_plural = "digest deliveries"

    def __str__(self) -> str:
        return f"{self.issue.month} → {self.email}"
