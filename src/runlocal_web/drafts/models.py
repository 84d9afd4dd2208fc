"""Draft catalog entries: a model read from the Hub or the Ollama registry, or a candidate
from `runlocal catalog candidates`, written as a TOML record for an editor to complete.

The TOML is candidates.draft_toml's, whatever the source; the admin exports it into the
drafts folder (RUNLOCAL_DRAFTS_DIR), where an editor finishes it and moves it into the
catalog, or dismisses it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class DraftEntry(models.Model):
    HUB, OLLAMA, CANDIDATE = "hub", "ollama", "candidate"
    SOURCES = (
        (HUB, "read from the Hub"),
        (OLLAMA, "read from the Ollama registry"),
        (CANDIDATE, "runlocal catalog candidates"),
    )
    NEW, EXPORTED, DISMISSED = "new", "exported", "dismissed"
    STATUSES = ((NEW, "new"), (EXPORTED, "exported"), (DISMISSED, "dismissed"))

    source = models.CharField(max_length=16, choices=SOURCES, db_index=True)
    ref = models.CharField(
        "reference", max_length=300, help_text="Hub repository (owner/name) or Ollama name:tag"
    )
    name = models.CharField(max_length=200)
    toml = models.TextField("generated TOML")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=NEW, db_index=True)
    exported_to = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-created", "-pk")
        verbose_name = "draft entry"
        verbose_name_plural = "draft entries"
        # One open draft per model: promoting it again refreshes that draft.
        constraints = (
            models.UniqueConstraint(
                fields=("source", "ref"),
                condition=models.Q(status="new"),
                name="drafts_one_new_draft_per_ref",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.get_source_display()}, {self.status})"
