"""Editors review community submissions: approve, reject or re-queue with the list actions.

Every field a submitter wrote is read-only and shown through Django's escaping (no
format_html of user text, no mark_safe), so hostile strings display as text.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import trust
from .models import Submission

SUBMITTED = (
    "hardware_id",
    "device_name",
    "device_memory_gib",
    "device_bandwidth_gb_s",
    "device_fp16_tflops",
    "n_devices",
    "model_id",
    "quant",
    "runtime",
    "backend",
    "build",
    "prompt_tokens",
    "gen_tokens",
    "context_tokens",
    "tg_tok_s",
    "pp_tok_s",
    "ttft_ms",
    "file_sha256",
    "command",
    "notes",
    "contact",
)
COMPUTED = (
    "created_at",
    "status",
    "reproduced_by",
    "reviewed_at",
    "reviewed_by",
    "submitter_key",
    "network_key",
    "fingerprint",
    "setup_key",
)


def _review(
    modeladmin: admin.ModelAdmin[Submission],
    request: HttpRequest,
    queryset: QuerySet[Submission],
    status: str,
) -> None:
    changed = trust.review(list(queryset), status, user=request.user)
    reproduced = queryset.model.objects.filter(
        pk__in=[s.pk for s in queryset], status=Submission.REPRODUCED
    ).count()
    message = f"{changed} submission(s) {status}"
    if status == Submission.APPROVED and reproduced:
        message += f"; {reproduced} reproduced by an independent submission"
    modeladmin.message_user(request, message, messages.SUCCESS)


@admin.action(description="Approve: publish the selected submissions")
def approve(
    modeladmin: admin.ModelAdmin[Submission], request: HttpRequest, queryset: QuerySet[Submission]
) -> None:
    _review(modeladmin, request, queryset, Submission.APPROVED)


@admin.action(description="Reject the selected submissions")
def reject(
    modeladmin: admin.ModelAdmin[Submission], request: HttpRequest, queryset: QuerySet[Submission]
) -> None:
    _review(modeladmin, request, queryset, Submission.REJECTED)


@admin.action(description="Back to the queue (unpublish)")
def requeue(
    modeladmin: admin.ModelAdmin[Submission], request: HttpRequest, queryset: QuerySet[Submission]
) -> None:
    _review(modeladmin, request, queryset, Submission.QUEUED)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "status",
        "model_id",
        "quant",
        "device_label",
        "runtime",
        "backend",
        "build",
        "tg_tok_s",
        "pp_tok_s",
        "reproduced_by",
    )
    list_display_links = ("id", "created_at")
    list_filter = ("status", "backend", "runtime", "quant")
    search_fields = ("model_id", "hardware_id", "device_name", "build", "notes", "command")
    date_hierarchy = "created_at"
    actions = (approve, reject, requeue)
    readonly_fields = (*SUBMITTED, *COMPUTED)
    fieldsets = (
        (
            "Review",
            {"fields": ("status", "review_note", "reproduced_by", "reviewed_at", "reviewed_by")},
        ),
        ("Setup", {"fields": SUBMITTED[:14]}),
        ("Measured", {"fields": ("tg_tok_s", "pp_tok_s", "ttft_ms")}),
        ("Reproduce it", {"fields": ("file_sha256", "command", "notes", "contact")}),
        (
            "Identity",
            {"fields": ("created_at", "submitter_key", "network_key", "fingerprint", "setup_key")},
        ),
    )
    list_select_related = ("reproduced_by",)

    @admin.display(description="device")
    def device_label(self, obj: Submission) -> str:
        return obj.device_label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # submissions come through the API only

    def save_model(self, request: HttpRequest, obj: Submission, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        trust.recompute_setup(obj.setup_key)
