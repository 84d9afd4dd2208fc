"""Draft entries from `runlocal catalog candidates`: asks the sources itself, or imports the
TOML files `runlocal catalog candidates --write-drafts DIR` wrote. Either way the TOML comes
from runlocal.candidates' one draft builder."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from runlocal.candidates import SOURCES, build_drafts, find_candidates
from runlocal.catalog import load_catalog
from runlocal.errors import RunlocalError
from runlocal_web.drafts.models import DraftEntry
from runlocal_web.drafts.store import save_draft


class Command(BaseCommand):
    help = "Create draft entries for the admin from runlocal catalog candidates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-dir",
            metavar="DIR",
            help="import the drafts `runlocal catalog candidates --write-drafts DIR` wrote",
        )
        parser.add_argument("--limit", type=int, default=30, help="candidates per source")
        parser.add_argument(
            "--source", action="append", choices=SOURCES, help="repeatable; default: all"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        drafts: list[tuple[str, str]] = []  # (ref, TOML)
        if opts["from_dir"]:
            folder = Path(opts["from_dir"])
            if not folder.is_dir():
                raise CommandError(f"{folder}: no such folder")
            for path in sorted(folder.glob("*.toml")):
                text = path.read_text(encoding="utf-8")
                try:
                    data = tomllib.loads(text)
                except tomllib.TOMLDecodeError as exc:
                    self.stderr.write(f"skipped {path}: {exc}")
                    continue
                ref = data.get("hf_repo") or data.get("ollama_tag") or data.get("id")
                if not isinstance(ref, str) or not ref:
                    self.stderr.write(f"skipped {path}: no hf_repo, ollama_tag or id")
                    continue
                drafts.append((ref, text))
        else:
            try:
                report = find_candidates(
                    load_catalog(), limit=opts["limit"], sources=opts["source"] or SOURCES
                )
            except RunlocalError as exc:
                raise CommandError(str(exc)) from None
            drafts = [(c.name, text) for c, text in build_drafts(report)]
            for problem in report.unreachable:
                self.stderr.write(f"skipped: {problem}")
        created = 0
        for ref, text in drafts:
            _draft, new = save_draft(DraftEntry.CANDIDATE, ref, text)
            created += new
        self.stdout.write(f"{created} new draft(s), {len(drafts) - created} refreshed")
