"""Community benchmark submissions and their trust ladder.

A submission arrives through `POST /api/v1/benchmarks` and is stored as `queued`; nothing is
published until an editor approves it in the admin. An approved result becomes `reproduced`
when an independent approved submission of the same setup (another submitter, on another
network) agrees within 10% (`trust.recompute_setup`).

Free text (command, notes, names) is stored exactly as sent and escaped wherever it is shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Submission(models.Model):
    QUEUED, APPROVED, REJECTED, REPRODUCED = "queued", "approved", "rejected", "reproduced"
    STATUSES = (
        (QUEUED, "queued"),
        (APPROVED, "approved"),
        (REJECTED, "rejected"),
        (REPRODUCED, "reproduced"),
    )
    PUBLISHED = (APPROVED, REPRODUCED)

    # The device: a catalog hardware id, or a described device (name, memory, bandwidth).
    hardware_id = models.CharField(max_length=100, blank=True, db_index=True)
    device_name = models.CharField(max_length=100, blank=True)
    device_memory_gib = models.FloatField(null=True, blank=True)
    device_bandwidth_gb_s = models.FloatField(null=True, blank=True)
    device_fp16_tflops = models.FloatField(null=True, blank=True)
    n_devices = models.PositiveSmallIntegerField(default=1)

    # What ran.
    model_id = models.CharField(max_length=100, db_index=True)
    quant = models.CharField(max_length=30, db_index=True)
    runtime = models.CharField(max_length=50)
    backend = models.CharField(max_length=20)
    build = models.CharField(max_length=100, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    gen_tokens = models.PositiveIntegerField(default=0)
    context_tokens = models.PositiveIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    command = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    # What it measured (tokens per second; time to first token in milliseconds).
    tg_tok_s = models.FloatField(null=True, blank=True)
    pp_tok_s = models.FloatField(null=True, blank=True)
    ttft_ms = models.FloatField(null=True, blank=True)

    # Who sent it. The contact is optional and never published; the keys are keyed hashes
    # (of the contact or the client address, and of the address), never the address itself.
    contact = models.CharField(max_length=200, blank=True)
    submitter_key = models.CharField(max_length=64, db_index=True)
    network_key = models.CharField(max_length=64, db_index=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=12, choices=STATUSES, default=QUEUED, db_index=True)
    reproduced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reproduces"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.TextField(blank=True)

    # The same measurement sent twice has the same fingerprint; the unique constraint makes
    # concurrent duplicates fail in the database, whatever the request timing.
    fingerprint = models.CharField(max_length=64)
    # Everything that must match for two results to reproduce each other (build excluded).
    setup_key = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=["fingerprint"], name="api_submission_unique_fingerprint"
            ),
        )

    def __str__(self) -> str:
        return f"#{self.pk} {self.model_id} {self.quant} on {self.device_label} ({self.status})"

    @property
    def device_label(self) -> str:
        name = self.hardware_id or self.device_name or "unknown device"
        return f"{self.n_devices}x {name}" if self.n_devices > 1 else name

    @property
    def is_published(self) -> bool:
        return self.status in self.PUBLISHED
