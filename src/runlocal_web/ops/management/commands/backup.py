"""`runlocal backup FILE`: the database's contents to a file (gzip when FILE ends in .gz)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from runlocal_web.ops.backup import write_backup


class Command(BaseCommand):
    help = "Write every app table to FILE as JSON (gzip-compressed if FILE ends in .gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"]).expanduser()
        if path.is_dir():
            raise CommandError(f"{path}: is a folder; name a file", returncode=2)
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder", returncode=2)
        try:
            counts = write_backup(path)
        except OSError as exc:
            raise CommandError(
                f"{path}: cannot write it ({exc.strerror or exc})", returncode=2
            ) from None
        total = sum(counts.values())
        self.stdout.write(f"backup: {total} rows from {len(counts)} tables written to {path}")
