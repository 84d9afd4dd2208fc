"""How far the decode constants of the runtimes other than llama.cpp (vLLM, MLX, transformers)
generalise: each runtime's rows held out by hardware family, by hardware and by model family,
the constants re-read without the held-out group, then the group predicted with them.

    PYTHONPATH=src python bench/runtime_holdout.py ../shared/calibration/measured-llm-inference.csv \
        bench/data/measured-extra.csv [--runtime vllm] [--metric tg_tok_s]

The constants of RUNTIME_DECODE (speed/decode.py) were read by hand off these rows
(docs/methodology.md, "Other runtimes"), so the in-sample table of docs/accuracy.md flatters
them. Here a re-read is automated: a coordinate search over a grid of each runtime's main
constants (vLLM's per-layer floor and per-token cost, MLX's per-layer floor, transformers'
host time per layer) that minimises the median |log(predicted / measured)| of the rows left
in. The rarer constants (transformers' per-linear host costs by scheme, its per-expert loop,
the repeat_kv efficiency) each rest on one or two setups and stay as they are: a fold holding
out their only rows says so by its error, not by a refit. For prefill (--metric pp_tok_s)
nothing is refitted; the per-group errors are in-sample.

Each line: the group, its rows, rows left to re-read from, the constants re-read, and the
group's median / p90 absolute percentage error in-sample (the shipped constants) and held out.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import replace

from runlocal.accuracy import Row, evaluate, map_rows, percentile
from runlocal.catalog import load_catalog
from runlocal.speed import RUNTIME_DECODE

# The constants a re-read may move, by runtime: field of RuntimeDecode -> grid of values.
GRIDS: dict[str, dict[str, list[float]]] = {
    "vllm": {
        "per_layer_us": [float(x) for x in range(0, 301, 20)],
        "fixed_ms": [x / 10 for x in range(0, 21, 2)],
    },
    "mlx": {"per_layer_us": [float(x) for x in range(0, 251, 10)]},
    "transformers": {"host_per_layer_us": [float(x) for x in range(300, 1201, 50)]},
}


def runtime_of(row: Row) -> str:
    return row.runtime.partition("@")[0]


def load_rows(paths: list[str], runtime: str, metric: str) -> list[Row]:
    catalog = load_catalog()
    out: list[Row] = []
    for path in paths:
        rows, _ = map_rows(path, catalog, other_runtimes=True)
        out += [r for r in rows if runtime_of(r) == runtime and r.metric == metric and r.value]
    return out


def apes(rows: list[Row]) -> list[float]:
    evaluate(rows)
    return [
        abs(r.predicted - r.value) / r.value * 100
        for r in rows
        if r.predicted is not None and r.value
    ]


def log_loss(rows: list[Row]) -> float:
    """Median |log(predicted / measured)|: symmetric in over- and under-prediction."""
    evaluate(rows)
    logs = [abs(math.log(r.predicted / r.value)) for r in rows if r.predicted and r.value]
    return percentile(logs, 0.5) if logs else float("inf")


def coordinate_search(
    loss: Callable[[dict[str, float]], float],
    start: dict[str, float],
    grid: dict[str, list[float]],
    sweeps: int = 2,
) -> dict[str, float]:
    """The grid point ``loss`` finds lowest, one constant at a time from ``start``: each sweep
    moves every constant in turn to its best value with the others held (ties: the lower
    value)."""
    best = dict(start)
    for _ in range(sweeps):
        for key, values in grid.items():
            best[key] = min((loss({**best, key: v}), v) for v in values)[1]
    return best


def reread(runtime: str, train: list[Row]) -> dict[str, float]:
    """The runtime's grid constants that best fit ``train`` (coordinate_search from the
    shipped values). Leaves RUNTIME_DECODE[runtime] set to them."""
    grid = GRIDS[runtime]
    shipped = RUNTIME_DECODE[runtime]

    def loss(values: dict[str, float]) -> float:
        RUNTIME_DECODE[runtime] = replace(shipped, **values)
        return log_loss(train)

    best = coordinate_search(loss, {k: float(getattr(shipped, k)) for k in grid}, grid)
    RUNTIME_DECODE[runtime] = replace(shipped, **best)
    return best


def holdout(
    runtime: str, rows: list[Row], group_of: Callable[[Row], str], refit: bool
) -> list[tuple[str, int, int, dict[str, float], list[float], list[float]]]:
    """(group, rows, training rows, constants re-read, in-sample APEs, held-out APEs) per
    group; RUNTIME_DECODE is restored afterwards."""
    shipped = RUNTIME_DECODE[runtime]
    groups = sorted({group_of(r) for r in rows})
    out = []
    try:
        for g in groups:
            test = [r for r in rows if group_of(r) == g]
            train = [r for r in rows if group_of(r) != g]
            RUNTIME_DECODE[runtime] = shipped
            inside = apes(test)
            fitted: dict[str, float] = {}
            held = inside
            if refit and train:
                fitted = reread(runtime, train)
                held = apes(test)
            out.append((g, len(test), len(train), fitted, inside, held))
    finally:
        RUNTIME_DECODE[runtime] = shipped
    return out


def _cell(values: list[float]) -> str:
    return f"{percentile(values, 0.5):5.1f}/{percentile(values, 0.9):5.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="+", help="calibration CSVs (the shared one, then ours)")
    ap.add_argument("--runtime", action="append", choices=sorted(GRIDS))
    ap.add_argument("--metric", default="tg_tok_s", choices=("tg_tok_s", "pp_tok_s"))
    args = ap.parse_args()
    splits: dict[str, Callable[[Row], str]] = {
        "hardware family": lambda r: r.family,
        "hardware": lambda r: r.hardware.name,
        "model family": lambda r: str(r.model.get("family") or "other"),
    }
    for runtime in args.runtime or sorted(GRIDS):
        rows = load_rows(args.csv, runtime, args.metric)
        if not rows:
            continue
        refit = args.metric == "tg_tok_s"
        print(f"== {runtime} {args.metric}: {len(rows)} rows, all {_cell(apes(rows))}")
        for split, group_of in splits.items():
            print(f"-- by {split}")
            pooled_in: list[float] = []
            pooled_out: list[float] = []
            for g, n, n_train, fitted, inside, held in holdout(runtime, rows, group_of, refit):
                pooled_in += inside
                pooled_out += held
                consts = " ".join(f"{k}={v:g}" for k, v in fitted.items()) or "-"
                print(
                    f"  {g[:30]:30} n={n:3} train={n_train:3} in {_cell(inside)}  "
                    f"held out {_cell(held)}  {consts}"
                )
            print(
                f"  {'(pooled)':30} n={len(pooled_in):3}           in {_cell(pooled_in)}  "
                f"held out {_cell(pooled_out)}"
            )


if __name__ == "__main__":
    main()
