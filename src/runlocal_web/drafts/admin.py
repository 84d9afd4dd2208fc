"""Editors review drafts: export one as a TOML file into the drafts folder, or dismiss it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import DraftEntry
from .store import ExportError, export


@admin.register(DraftEntry)
class DraftEntryAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "ref", "status", "created", "exported_to")
    list_filter = ("status", "source")
    search_fields = ("name", "ref")
    readonly_fields = ("source", "ref", "created", "status", "exported_to")
    fields = ("name", "source", "ref", "created", "status", "exported_to", "toml")
    actions = ("export_as_toml", "dismiss")

    @admin.action(description="Export as TOML draft (into the drafts folder)")
    def export_as_toml(self, request: HttpRequest, queryset: QuerySet[DraftEntry]) -> None:
        done: list[str] = []
        for draft in queryset.exclude(status=DraftEntry.DISMISSED):
            try:
                done.append(str(export(draft)))
            except ExportError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        if done:
            self.message_user(request, f"Exported {len(done)}: {', '.join(done)}", messages.SUCCESS)

    @admin.action(description="Dismiss")
    def dismiss(self, request: HttpRequest, queryset: QuerySet[DraftEntry]) -> None:
        n = queryset.update(status=DraftEntry.DISMISSED)
        self.message_user(request, f"{n} draft(s) dismissed.", messages.SUCCESS)
