"""The engine's error on rows of a calibration CSV that the accuracy harness records but does
not evaluate (another engine, e.g. ds4), asked as if they were llama.cpp runs on the same
device: a proxy for how far llama.cpp's physics is from that engine, not an accuracy claim.

    PYTHONPATH=src python bench/rows_as_llamacpp.py bench/data/measured-extra.csv DeepSeek-V4-Flash
"""

from __future__ import annotations

import csv
import statistics
import sys
import tempfile

from runlocal.accuracy import evaluate, map_rows
from runlocal.catalog import load_catalog


def main(path: str, model: str) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["model"] == model]
    if not rows:
        raise SystemExit(f"{path}: no rows for {model!r}")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as tmp:
        writer = csv.DictWriter(tmp, fieldnames=list(rows[0]))
        writer.writeheader()
        for r in rows:
            backend = "CUDA" if "cuda" in r["runtime"].lower() else "Metal"
            writer.writerow({**r, "runtime": f"llama.cpp ({backend})"})
    mapped, skipped = map_rows(tmp.name, load_catalog())
    evaluate(mapped)
    errors: dict[str, list[float]] = {}
    for r in mapped:
        predicted = r.predicted
        if predicted is None or r.value is None:
            continue
        error = (predicted - r.value) / r.value * 100
        errors.setdefault(r.metric, []).append(abs(error))
        print(
            f"{r.metric} {r.raw['hardware'][:36]:36} {r.quant:8} depth {r.depth:6}: "
            f"measured {r.value:7.2f}, engine {predicted:7.2f} ({error:+.0f}%)"
        )
    for metric, values in errors.items():
        print(f"{metric}: {len(values)} rows, median |error| {statistics.median(values):.0f}%")
    if skipped:
        print("skipped:", skipped)


if __name__ == "__main__":
    main(*sys.argv[1:3])
