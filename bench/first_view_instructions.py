"""First views counted in instructions (issue 14): what bench_web.py's in-process part times,
counted by valgrind's callgrind, which a busy shared machine does not move.

    python bench/first_view_instructions.py [--first-view-count 40] [--kinds robots model ...]

Needs valgrind (`apt-get install -y valgrind`). A child process on a fresh SQLite database
(bench_web.in_child, with its settings) syncs the catalog and asks bench_web's warm-up pages,
all uncounted; then each page kind's URLs of bench_web.first_view_urls (the same seed as its
in-process part), the cache cleared before each, run inside `operator.call`, the one function
callgrind is told to count (`--toggle-collect`) and to dump after (`--dump-after`): one count
per kind, nothing else of the process in it. Prints the instructions per page and their ratio
to `/robots.txt`'s. Minutes per run (the warm-up runs ~50 times slower under valgrind).
"""

from __future__ import annotations

import argparse
import operator
import re
import shutil
import sys
import tempfile
from pathlib import Path

from bench_web import FIRST_VIEW_KINDS, first_view_urls
from bench_web_setup import BENCH_SETTINGS, in_child

SUMMARY = re.compile(r"^summary: (\d+)$", re.MULTILINE)


def _child(n: int, kinds: list[str]) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from bench_web import _warm_set

    call_command("migrate", verbosity=0)
    call_command("sync_catalog", verbosity=0)
    client = Client(raise_request_exception=False)
    urls = first_view_urls(n, seed=14)
    for u in _warm_set(urls):
        client.get(u)

    def pages(kind: str) -> None:
        for u in urls[kind]:
            cache.clear()
            client.get(u)

    for kind in kinds:
        operator.call(pages, kind)  # counted by callgrind, one dump per kind
    print(" ".join(f"{kind}={len(urls[kind])}" for kind in kinds), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first-view-count", type=int, default=40)
    parser.add_argument(
        "--kinds", nargs="+", default=list(FIRST_VIEW_KINDS), choices=FIRST_VIEW_KINDS
    )
    parser.add_argument("--_child", dest="child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.kinds)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install -y valgrind)")
    out = Path(tempfile.mkdtemp(prefix="runlocal-callgrind-"))
    try:
        prefix = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=_operator_call",
            "--dump-after=_operator_call",
            f"--callgrind-out-file={out / 'cg.out'}",
        ]
        kinds = ["robots", *[k for k in args.kinds if k != "robots"]]
        in_child(
            __file__,
            ["--_child", str(args.first_view_count), "--kinds", *kinds],
            BENCH_SETTINGS,
            prefix=prefix,
        )
        counts = [
            int(SUMMARY.search((out / f"cg.out.{i}").read_text()).group(1))  # type: ignore[union-attr]
            for i in range(1, len(kinds) + 1)
        ]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    n = {k: len(v) for k, v in first_view_urls(args.first_view_count, seed=14).items()}
    robots = counts[0] / n["robots"]
    print("\n| page | first views | instructions per page | ÷ robots.txt |")
    print("|---|---|---|---|")
    for kind, count in zip(kinds, counts, strict=True):
        per = count / n[kind]
        print(f"| {kind} | {n[kind]} | {per / 1e6:,.2f} M | {per / robots:.1f}x |")


if __name__ == "__main__":
    main()
