"""`runlocal restore FILE`: replace the database's contents with a backup, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from runlocal_web.ops.backup import BadBackup, restore_backup


class Command(BaseCommand):
    help = (
        "Load a file written by `backup` into the database, replacing the contents of the "
        "tables it covers, in one transaction (nothing changes if anything fails). "
        "Migrations are applied first if needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"]).expanduser()
        if not path.is_file():
            # Refused before the database is touched: a mistyped path once migrated (and so
            # created) a database before it was read.
            raise CommandError(f"{path}: no such file", returncode=2)
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("restore: database schema brought up to date")
        try:
            counts = restore_backup(path)
        except BadBackup as exc:
            raise CommandError(str(exc), returncode=2) from None
        total = sum(counts.values())
        self.stdout.write(f"restore: {total} rows loaded into {len(counts)} tables from {path}")
