"""Instructions of the engine's work, for valgrind's callgrind (figures in docs/performance.md).

    PYTHONHASHSEED=0 valgrind --tool=callgrind --instr-atstart=no \\
        --callgrind-out-file=OUT "$(python -c 'import sys; print(sys.executable)')" \\
        bench/bench_instructions.py new|batch

Counting is switched on (``callgrind_control -i on``) around the measured part only, so the
totals in OUT (``grep ^totals OUT``) compare two codes on any machine, however loaded:

- new: 2,000 queries never asked before, in a process that has answered 20,000 others
  (bench_engine.py's sets);
- batch: lines 2–2,000 of a 10,000-line batch (bench_engine.varied_queries, seed 15) answered
  as `runlocal check --from` answers them in one process, the catalog loaded and the first
  line answered before counting.

`new-nogc` and `batch-nogc` count the same with the garbage collector off while counting:
a full collection costs ~80 M instructions here and falls inside or outside the counted part
by the number of objects allocated before it, so two codes compare more closely without it
(the plain rows count what a process pays, collections included).

Run the real interpreter, not a shim (pyenv's is a shell script valgrind would measure).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import varied_queries
from runlocal import engine
from runlocal.batch import answer_line
from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import RunlocalError

_NO_GC = sys.argv[1].endswith("-nogc") if __name__ == "__main__" else False


def _counting(on: bool) -> None:
    if _NO_GC and on:
        gc.disable()
    subprocess.run(
        ["callgrind_control", "-i", "on" if on else "off", str(os.getpid())],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Collections back on after counting stops: re-enabled first, the collection that the
    # counted part's allocations had made due ran inside the count (a full one, ~170 M
    # instructions, or a young one, by the objects allocated before: a change of a few
    # objects moved the -nogc rows by that much until 2026-12-07).
    if _NO_GC and not on:
        gc.enable()


def new_queries() -> None:
    cat = load_catalog()
    others = [CheckQuery.from_mapping(q) for q in varied_queries(20_000, seed=8)]
    asked = set(others)
    fresh = [CheckQuery.from_mapping(q) for q in varied_queries(3_000, seed=7)]
    fresh = [q for q in fresh if q not in asked][:2000]
    engine.clear_caches()
    for q in others:
        with contextlib.suppress(RunlocalError):
            check(q, cat)
    _counting(True)
    for q in fresh:
        with contextlib.suppress(RunlocalError):
            check(q, cat)
    _counting(False)


def batch_lines() -> None:
    cat = load_catalog()
    lines = [json.dumps(q) for q in varied_queries(10_000, seed=15)][:2000]
    answer_line(1, lines[0], cat)
    _counting(True)
    for lineno, line in enumerate(lines[1:], 2):
        answer_line(lineno, line, cat)
    _counting(False)


if __name__ == "__main__":
    {"new": new_queries, "batch": batch_lines}[sys.argv[1].removesuffix("-nogc")]()
