"""The catalog mirrored into the database by `sync_catalog`.

Each row keeps its TOML record whole in `data` (the source of truth for pages and the engine);
the other columns copy the fields that pages filter and sort on, so they can be indexed.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class Entry(models.Model):
    id = models.CharField(primary_key=True, max_length=100)
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list)
    sources = models.JSONField(default=list)
    last_verified = models.DateField()
    reviewed_by = models.CharField(max_length=200)
    # Normalized id, name, aliases and a few fields, for `?q=` search on any database.
    search_text = models.TextField(default="")
    source_file = models.CharField(max_length=300)
    data = models.JSONField()

    class Meta:
        abstract = True
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Model(Entry):
    family = models.CharField(max_length=50, blank=True, db_index=True)
    modality = models.CharField(max_length=30, blank=True, db_index=True)
    params_total_b = models.FloatField(null=True, db_index=True)
    params_active_b = models.FloatField(null=True)
    release_date = models.DateField(null=True, db_index=True)
    license = models.CharField(max_length=100, blank=True)
    hf_repo = models.CharField(max_length=200, blank=True)

    class Meta(Entry.Meta):
        pass

    @property
    def is_moe(self) -> bool:
        return (
            self.params_active_b is not None
            and self.params_total_b is not None
            and self.params_active_b < self.params_total_b
        )


class Hardware(Entry):
    vendor = models.CharField(max_length=50, blank=True, db_index=True)
    kind = models.CharField(max_length=20, db_index=True)
    segment = models.CharField(max_length=30, blank=True, db_index=True)
    memory_gib = models.FloatField(db_index=True)
    bandwidth_gb_s = models.FloatField(db_index=True)
    fp16_tensor_tflops = models.FloatField(null=True)
    tdp_w = models.FloatField(null=True)
    release_date = models.DateField(null=True, db_index=True)
    launch_price_usd = models.FloatField(null=True)

    class Meta(Entry.Meta):
        verbose_name_plural = "hardware"

    def street_prices(self) -> list[dict[str, Any]]:
        """The record's `[[street_prices]]` (usd, condition, date as YYYY-MM-DD, source,
        note), newest first; rows `runlocal catalog check` would reject are left out."""
        rows = self.data.get("street_prices") if isinstance(self.data, dict) else None
        out: list[dict[str, Any]] = []
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict):
                continue
            usd, when, source = row.get("usd"), row.get("date"), row.get("source")
            if (
                isinstance(usd, bool)
                or not isinstance(usd, int | float)
                or row.get("condition") not in ("new", "used")
                or not isinstance(when, str)
                or not isinstance(source, str)
            ):
                continue
            note = row.get("note")
            out.append(
                {
                    "usd": float(usd),
                    "condition": row["condition"],
                    "date": when,
                    "source": source,
                    "note": note if isinstance(note, str) else "",
                }
            )
        out.sort(key=lambda r: (r["date"], -r["usd"]), reverse=True)
        return out


class Benchmark(Entry):
    hardware_id = models.CharField(max_length=100, blank=True, db_index=True)
    n_results = models.PositiveIntegerField(default=0)

    class Meta(Entry.Meta):
        pass


class Record(Entry):
    """Every other catalog kind (runtimes, prices, glossary, errors, guides, learn, kits,
    answers, pages), one row per file; pages read `data`. The key is "kind/id"."""

    id = models.CharField(primary_key=True, max_length=130)
    kind = models.CharField(max_length=20, db_index=True)
    slug = models.CharField(max_length=100, db_index=True)
    category = models.CharField(max_length=60, blank=True, db_index=True)

    class Meta(Entry.Meta):
        ordering = ("kind", "name")
        indexes = (models.Index(fields=["kind", "slug"]),)


class Change(models.Model):
    """One catalog change a sync made: what Pulse shows and the monthly digest summarises."""

    ADDED, UPDATED, DELETED = "added", "updated", "deleted"
    ACTIONS = ((ADDED, "added"), (UPDATED, "updated"), (DELETED, "deleted"))

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, db_index=True)
    entity_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=ACTIONS)
    # Top-level fields whose value changed (updates only).
    fields = models.JSONField(default=list)

    class Meta:
        ordering = ("-at", "kind", "entity_id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.kind}/{self.entity_id} {self.action}"


class SyncState(models.Model):
    """One row: what the last successful sync loaded. `digest` changes only with content."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    digest = models.CharField(max_length=64)
    catalog_dir = models.CharField(max_length=500)
    n_models = models.PositiveIntegerField(default=0)
    n_hardware = models.PositiveIntegerField(default=0)
    n_benchmarks = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField()
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"catalog {self.digest[:12]} synced {self.synced_at:%Y-%m-%d %H:%M}"
