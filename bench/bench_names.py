"""What reading typed names costs, against the check it feeds (figures in docs/performance.md).

    python bench/bench_names.py

Reads every typed string of the public test set (tests/core/data/typed_names/) with the
resolver's caches cleared first, so each one is a first reading (the worst case: a 10,000-line
`--from` batch repeats names and hits the caches), then times one uncached `check` per line
of the same names by catalog id, and a 10,000-line `runlocal check --from` batch of typed names
against the same batch by catalog id, in the same run. The figures that matter are the ratios.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import RunlocalError
from runlocal.resolve import hardware as hw_names
from runlocal.resolve import models as model_names

DATA = Path(__file__).resolve().parents[1] / "tests" / "core" / "data" / "typed_names"


def typed(name: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [r[0] for r in rows if r and not r[0].startswith("#") and r[0] != "typed"]


def per_name_us(texts: list[str], read) -> list[float]:  # type: ignore[no-untyped-def]
    catalog = load_catalog()
    out = []
    for text in texts:
        hw_names._resolve.cache_clear()
        model_names._resolve.cache_clear()
        t0 = time.perf_counter()
        with contextlib.suppress(RunlocalError):
            read(catalog, text)
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def main() -> None:
    catalog = load_catalog()
    hardware, models = typed("hardware.tsv"), typed("models.tsv")
    hw_names.resolve_hardware_name(catalog, "RTX 4090")  # build the indexes once
    model_names.resolve_model_name(catalog, "llama 3.1 8b")
    hw_us = per_name_us(hardware, hw_names.resolve_hardware_name)
    model_us = per_name_us(models, model_names.resolve_model_name)
    # The same pairs by catalog id: the engine's own work, with no name to read.
    pairs = []
    for m, h in zip(models * 2, hardware, strict=False):
        try:
            mid = model_names.resolve_model_name(catalog, m).entry.id
            parts = hw_names.resolve_hardware_name(catalog, h)
        except RunlocalError:
            continue
        pairs.append((mid, parts[0].query))
    checks_us = []
    for m, h in pairs[:600]:
        q = CheckQuery(model=m, hardware=(h,), no_measured=True)
        t0 = time.perf_counter()
        with contextlib.suppress(RunlocalError):
            check(q, catalog, allow_files=False)
        checks_us.append((time.perf_counter() - t0) * 1e6)
    names_share = (statistics.median(hw_us) + statistics.median(model_us)) / statistics.median(
        checks_us
    )
    print(f"hardware names: {len(hw_us)}, first reading median {statistics.median(hw_us):.0f} µs")
    print(
        f"model names: {len(model_us)}, first reading median {statistics.median(model_us):.0f} µs"
    )
    print(
        f"checks of the same names by catalog id: {len(checks_us)}, median {statistics.median(checks_us):.0f} µs"
    )
    print(f"a hardware + a model name read for the first time = {names_share:.2f}× a check")
    batch_typed, batch_ids = batches(models, hardware, catalog)
    typed_s, ids_s = run_from(batch_typed), run_from(batch_ids)
    print(
        f"runlocal check --from, 10,000 lines: typed names {typed_s:.2f} s, "
        f"the same by catalog id {ids_s:.2f} s, ratio {typed_s / ids_s:.3f}"
    )
    sys.stdout.flush()


def batches(models: list[str], hardware: list[str], catalog) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """10,000 queries as people type them (drawn from the test set) and the same by id."""
    rng = random.Random(10)
    typed_lines, id_lines = [], []
    while len(typed_lines) < 10_000:
        m, h = rng.choice(models), rng.choice(hardware)
        try:
            name = model_names.resolve_model_name(catalog, m)
            parts = hw_names.resolve_hardware_name(catalog, h)
        except RunlocalError:
            continue
        if len(parts) != 1:
            continue
        quant = name.quant or name.default_quant  # what the typed name says, spelled out
        typed_lines.append(json.dumps({"model": m, "hardware": [h]}))
        id_lines.append(
            json.dumps({"model": name.entry.id, "hardware": [parts[0].query], "quant": quant})
        )
    return typed_lines, id_lines


def run_from(lines: list[str]) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "runlocal.cli", "check", "--from", f.name],
        stdout=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    os.unlink(f.name)
    return elapsed


if __name__ == "__main__":
    main()
