"""New queries timed paired: another checkout's engine and this one's in one process.

    python bench/engine_ab.py OTHER/src

The other checkout's package is copied to a temporary folder as ``rl_base`` (the engine's
imports are relative), both answer bench_engine.py's 20,000 queries, then each of the 2,000
queries never asked before is timed on both sides in turn, alternating which goes first,
collections off while timing (a collection every 200 queries between them). On a machine
busy with other work both sides see the same load from one query to the next, so the median
of the per-query ratios says what the changes save where whole runs do not (docs/performance.md);
the ratio of the summed times, what a change to some queries only (a search few of them make)
saves.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_engine import varied_queries  # noqa: E402


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(Path(sys.argv[1]) / "runlocal", tmp / "rl_base")
    sys.path.insert(0, str(tmp))
    sides: dict[str, Any] = {}
    others_q, fresh_q = varied_queries(20_000, seed=8), varied_queries(3_000, seed=7)
    for name in ("rl_base", "runlocal"):
        eng = importlib.import_module(f"{name}.engine")
        cat = importlib.import_module(f"{name}.catalog").load_catalog()
        err = importlib.import_module(f"{name}.errors").RunlocalError
        others = [eng.CheckQuery.from_mapping(q) for q in others_q]
        asked = set(others)
        fresh = [eng.CheckQuery.from_mapping(q) for q in fresh_q]
        keep = [i for i, q in enumerate(fresh) if q not in asked][:2000]
        eng.clear_caches()
        for q in others:
            with contextlib.suppress(err):
                eng.check(q, cat)
        sides[name] = (eng, cat, err, fresh, keep)
    keep = sides["runlocal"][4]
    if keep != sides["rl_base"][4]:
        raise SystemExit("the two sides draw different queries (their catalogs differ)")
    times: dict[str, list[int]] = {"rl_base": [], "runlocal": []}
    clock = time.perf_counter_ns
    gc.collect()
    gc.disable()
    for k, i in enumerate(keep):
        for name in ("rl_base", "runlocal") if k % 2 == 0 else ("runlocal", "rl_base"):
            eng, cat, err, fresh, _ = sides[name]
            t0 = clock()
            with contextlib.suppress(err):
                eng.check(fresh[i], cat)
            times[name].append(clock() - t0)
        if k % 200 == 199:
            gc.collect()
    gc.enable()
    base, this = times["rl_base"], times["runlocal"]
    ratios = [b / a for a, b in zip(base, this, strict=True)]
    print(
        f"new queries: other checkout median {statistics.median(base) / 1e3:.0f} µs, this one "
        f"{statistics.median(this) / 1e3:.0f} µs; median per-query ratio this/other "
        f"{statistics.median(ratios):.3f}; all {len(keep):,} queries' time this/other "
        f"{sum(this) / sum(base):.3f} (a change to a few queries' work shows here only)"
    )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
