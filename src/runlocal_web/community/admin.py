"""Editors moderate contact messages and corrections, and look after the digest's list.

What visitors typed is read-only and displayed through Django's escaping (no format_html of
their text, no mark_safe). The keys behind confirm and unsubscribe links are never shown.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator

from . import subscriptions
from .models import (
    ContactMessage,
    Correction,
    DigestDelivery,
    DigestIssue,
    Subscriber,
)

SUBMITTED = ("created_at", "name", "email", "topic", "page_url", "message")


def _set_status(
    modeladmin: admin.ModelAdmin[ContactMessage],
    request: HttpRequest,
    queryset: QuerySet[ContactMessage],
    status: str,
) -> None:
    closed = status != ContactMessage.NEW
    n = queryset.update(
        status=status,
        handled_at=timezone.now() if closed else None,
        handled_by=request.user.get_username() if closed else "",
    )
    modeladmin.message_user(request, f"{n} message(s) marked {status}.", messages.SUCCESS)


@admin.action(description="Mark handled (answered, or the correction is made)")
def mark_handled(
    modeladmin: admin.ModelAdmin[ContactMessage],
    request: HttpRequest,
    queryset: QuerySet[ContactMessage],
) -> None:
    _set_status(modeladmin, request, queryset, ContactMessage.HANDLED)


@admin.action(description="Mark declined (no action needed)")
def mark_declined(
    modeladmin: admin.ModelAdmin[ContactMessage],
    request: HttpRequest,
    queryset: QuerySet[ContactMessage],
) -> None:
    _set_status(modeladmin, request, queryset, ContactMessage.DECLINED)


@admin.action(description="Mark spam")
def mark_spam(
    modeladmin: admin.ModelAdmin[ContactMessage],
    request: HttpRequest,
    queryset: QuerySet[ContactMessage],
) -> None:
    _set_status(modeladmin, request, queryset, ContactMessage.SPAM)


@admin.action(description="Reopen (mark new)")
def mark_new(
    modeladmin: admin.ModelAdmin[ContactMessage],
    request: HttpRequest,
    queryset: QuerySet[ContactMessage],
) -> None:
    _set_status(modeladmin, request, queryset, ContactMessage.NEW)


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "status", "topic", "name", "email", "excerpt", "page_url")
    list_display_links = ("created_at", "excerpt")
    list_filter = ("status", "topic", "created_at")
    search_fields = ("name", "email", "message", "page_url")
    date_hierarchy = "created_at"
    readonly_fields = (*SUBMITTED, "handled_at", "handled_by")
    fields = (*SUBMITTED, "status", "editor_note", "handled_at", "handled_by")
    actions = (mark_handled, mark_declined, mark_spam, mark_new)
    list_per_page = 50

    @admin.display(description="message")
    def excerpt(self, obj: ContactMessage) -> str:
        return Truncator(obj.message).chars(80)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ContactMessage, form: object, change: bool
    ) -> None:
        if obj.status != ContactMessage.NEW and obj.handled_at is None:
            obj.handled_at = timezone.now()
            obj.handled_by = request.user.get_username()
        elif obj.status == ContactMessage.NEW:
            obj.handled_at, obj.handled_by = None, ""
        super().save_model(request, obj, form, change)


@admin.register(Correction)
class CorrectionAdmin(ContactMessageAdmin):
    """Only the messages whose topic is a correction: the queue editors work through."""

    list_display = ("created_at", "status", "page_url", "excerpt", "name", "email")
    list_filter = ("status", "created_at")


@admin.action(description="Resend the confirmation e-mail (pending only)")
def resend_confirmation(
    modeladmin: admin.ModelAdmin[Subscriber],
    request: HttpRequest,
    queryset: QuerySet[Subscriber],
) -> None:
    base = subscriptions.site_url(request)
    sent = failed = 0
    for sub in queryset.filter(status=Subscriber.PENDING):
        if subscriptions.send_confirmation(sub, base):
            sent += 1
        else:
            failed += 1
    level = messages.WARNING if failed else messages.SUCCESS
    modeladmin.message_user(request, f"{sent} confirmation(s) sent, {failed} failed.", level)


@admin.action(description="Unsubscribe the selected addresses")
def unsubscribe(
    modeladmin: admin.ModelAdmin[Subscriber],
    request: HttpRequest,
    queryset: QuerySet[Subscriber],
) -> None:
    n = 0
    for sub in queryset.exclude(status=Subscriber.UNSUBSCRIBED):
        subscriptions.unsubscribe(sub)
        n += 1
    modeladmin.message_user(request, f"{n} address(es) unsubscribed.", messages.SUCCESS)


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "created_at", "confirmed_at", "confirm_tries", "error")
    list_filter = ("status", "created_at", "confirmed_at")
    search_fields = ("email",)
    date_hierarchy = "created_at"
    fields = (
        "email",
        "status",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "confirm_attempted_at",
        "confirm_sent_at",
        "confirm_tries",
        "last_error",
        "last_error_at",
    )
    readonly_fields = fields
    actions = (resend_confirmation, unsubscribe)

    @admin.display(description="last error")
    def error(self, obj: Subscriber) -> str:
        return Truncator(obj.last_error).chars(60)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Only people who confirm themselves are on the list.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Subscriber | None = None) -> bool:
        return False


class DeliveryInline(admin.TabularInline):
    model = DigestDelivery
    fields = ("email", "attempted_at", "sent_at", "tries", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    max_num = 0


@admin.register(DigestIssue)
class DigestIssueAdmin(admin.ModelAdmin):
    list_display = ("month", "subject", "sent_at", "recipients", "failed")
    search_fields = ("month", "subject")
    readonly_fields = (
        "month",
        "subject",
        "created_at",
        "started_at",
        "sent_at",
        "recipients",
        "failed",
    )
    inlines = (DeliveryInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ("issue", "email", "attempted_at", "sent_at", "tries", "short_error")
    list_filter = ("issue", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "error")
    readonly_fields = ("issue", "subscriber", "email", "attempted_at", "sent_at", "tries", "error")

    @admin.display(description="error")
    def short_error(self, obj: DigestDelivery) -> str:
        return Truncator(obj.error).chars(60)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: DigestDelivery | None = None
    ) -> bool:
        return False
