"""`manage.py sync_catalog`: load the TOML catalog into the database in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from runlocal.errors import CatalogError

from ...sync import sync_catalog


class Command(BaseCommand):
    help = "Add, update and delete catalog rows so the database mirrors the TOML files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--catalog-dir",
            metavar="DIR",
            help="the catalog folder (default: the RUNLOCAL_CATALOG_DIR setting)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["catalog_dir"] or settings.RUNLOCAL_CATALOG_DIR).resolve()
        try:
            report = sync_catalog(root)
        except CatalogError as exc:
            raise CommandError(f"catalog not synced, database unchanged: {exc}") from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.changed:
            self.stdout.write("no changes")
