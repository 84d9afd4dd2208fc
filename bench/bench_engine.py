"""Speed of the engine itself (figures recorded in docs/performance.md).

    python bench/bench_engine.py

1. One `check` in-process: median and p90 over varied queries (catalog models × hardware).
2. `runlocal check --from FILE` with 10,000 queries, wall time (taskset to one core if present).
3. `runlocal check MODEL --hardware HW --json` cold start: wall time of the whole process.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import RunlocalError

MODELS = [
    "llama-3.1-8b-instruct",
    "qwen2.5-32b-instruct",
    "gpt-oss-20b",
    "mixtral-8x7b-instruct",
    "gemma-2-9b-it",
    "meta-llama-3-70b",
    "deepseek-v2-lite",
]
HARDWARE = [
    "RTX 4090",
    "RTX 3090",
    "2x RTX 3090",
    "M2 Max 38-core",
    "A100 80GB",
    "RTX 3070",
    "RTX 4060 Ti 16GB",
    "M3 Max",
    "H100 PCIe",
    "RX 7900 XTX",
]


def queries() -> list[CheckQuery]:
    cat = load_catalog()
    models = [m for m in MODELS if m in cat.models] or list(cat.models)[:6]
    out = []
    for m, h, ctx in itertools.product(models, HARDWARE, (4096, 32768)):
        q = CheckQuery(model=m, hardware=(h,), context=ctx)
        try:
            check(q, cat)
        except RunlocalError:
            continue
        out.append(q)
    return out


def _clear_engine_caches() -> None:
    from runlocal import engine, hardware, memory

    for fn in (
        engine._catalog_spec,
        engine.inventory_for,
        engine._bench_index,
        engine._plan_answers,
        engine._estimate,
        memory.kv_profile,
        memory._prefix,
        memory._llama_layout,
        memory._llama_compute_pair,
        memory.kv_bytes_per_cell_check,
        hardware.device_from_entry,
        hardware._parse_hardware,
    ):
        fn.cache_clear()


def bench_in_process(qs: list[CheckQuery]) -> None:
    cat = load_catalog()
    _clear_engine_caches()
    cold = []
    for q in qs:
        t0 = time.perf_counter()
        check(q, cat)
        cold.append(time.perf_counter() - t0)
    times = []
    for _ in range(20):
        for q in qs:
            t0 = time.perf_counter()
            check(q, cat)
            times.append(time.perf_counter() - t0)
    times.sort()
    print(
        f"in-process check, {len(qs)} distinct queries: first call (engine caches empty) median "
        f"{statistics.median(cold) * 1e6:.0f} µs; repeated x 20: median "
        f"{statistics.median(times) * 1e6:.0f} µs, p90 {times[int(0.9 * len(times))] * 1e6:.0f} µs"
    )


def bench_batch(qs: list[CheckQuery]) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for q in itertools.islice(itertools.cycle(qs), 10_000):
            f.write(
                json.dumps({"model": q.model, "hardware": list(q.hardware), "context": q.context})
                + "\n"
            )
        path = f.name
    cmd = ["runlocal", "check", "--from", path]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    print(f"check --from with 10,000 queries on one core: {time.perf_counter() - t0:.2f} s wall")
    os.unlink(path)


def bench_cold_start(q: CheckQuery) -> None:
    cmd = [
        sys.executable,
        "-m",
        "runlocal.cli",
        "check",
        q.model,
        "--hardware",
        q.hardware[0],
        "--json",
    ]
    runlocal = shutil.which("runlocal")
    if runlocal:
        cmd = [runlocal, "check", q.model, "--hardware", q.hardware[0], "--json"]
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    print(
        f"cold start `runlocal check {q.model} --hardware '{q.hardware[0]}' --json`: median "
        f"{statistics.median(times):.3f} s, min {min(times):.3f} s over 10 runs"
    )


if __name__ == "__main__":
    qs = queries()
    bench_in_process(qs)
    bench_batch(qs)
    bench_cold_start(qs[0])
