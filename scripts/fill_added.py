"""Give every catalog file an `added` date from the repository history: the day git first
saw the file (`git log --diff-filter=A`), or today for a file not committed yet. Files that
already have one keep it. Run from the repository root: python scripts/fill_added.py"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import tomllib
from pathlib import Path

CATALOG = Path("src/runlocal/catalog")
_PATHS = (str(CATALOG),)
_TOP_KEY = re.compile(r"^last_verified\s*=", re.MULTILINE)


def first_added() -> dict[str, str]:
    """path → the date of the earliest commit that added it (one git call for all files)."""
    out = subprocess.run(
        [
            "git",
            "log",
            "--no-renames",
            "--diff-filter=A",
            "--name-only",
            "--format=@%as",
            "--",
            *_PATHS,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    added: dict[str, str] = {}
    day = ""
    for line in out.splitlines():
        if line.startswith("@"):
            day = line[1:]
        elif line.strip():
            added[line.strip()] = day  # git log runs newest first: the last seen is the earliest
    return added


def main() -> int:
    added = first_added()
    today = dt.date.today().isoformat()
    changed = 0
    for path in sorted(CATALOG.glob("*/*.toml")):
        text = path.read_text(encoding="utf-8")
        if "added" in tomllib.loads(text):
            continue
        # TOML puts top-level keys before any table, so the first one at a line start is it.
        m = _TOP_KEY.search(text)
        if m is None:
            print(f"{path}: no top-level last_verified; skipped", file=sys.stderr)
            continue
        day = added.get(str(path), today)
        path.write_text(text[: m.start()] + f"added = {day}\n" + text[m.start() :], "utf-8")
        changed += 1
    print(f"added dates written to {changed} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
