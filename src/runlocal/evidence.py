"""Published measurements in place of the formula: the same setup measured (at the same or
another depth), or the same model and quantization measured on other hardware of the same
backend, scaled by the formula's ratio between the two."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .catalog import Catalog, PickledEach, code_stamp, derived_cached, pickled_each
from .estimate import Estimate, cached_estimate
from .frozen import interpreted
from .hardware import Device
from .runtimes import Runtime
from .sources import ResolvedModel
from .spec import WeightInventory


@interpreted
@dataclass(frozen=True)
class BenchRow:
    """One published llama.cpp result: a model and quant's decode or prefill tokens/s on
    some hardware."""

    hardware: str
    backend: str
    n_devices: int
    metric: str
    depth: int
    context: int
    value: float
    source: str
    build: str
    community: bool = False


@lru_cache(maxsize=8)
def _bench_index(catalog: Catalog) -> Mapping[tuple[str, str], list[BenchRow]]:
    """(model id, quant) → published llama.cpp results (kept beside the parse cache, each
    key's rows pickled on their own: a question reads one model's)."""
    built: dict[tuple[str, str], list[BenchRow]] = {}

    def build() -> dict[tuple[str, str], bytes]:
        built.update(_build_bench_index(catalog))
        return pickled_each(built)

    pickled = derived_cached(catalog, "benchmarks", "rows", code_stamp(__file__), build)
    return PickledEach(pickled, built or None)


def _build_bench_index(catalog: Catalog) -> dict[tuple[str, str], list[BenchRow]]:
    index: dict[tuple[str, str], list[BenchRow]] = {}
    for bench in catalog.benchmarks.values():
        source = bench.sources[0] if bench.sources else ""
        community = bench.get("trust") == "community"
        for row in bench.get("results", []):
            metric = str(row.get("metric"))
            if metric not in ("tg_tok_s", "pp_tok_s"):
                continue
            base = int(row.get("context_tokens", 0) or 0)
            size = int(row.get("gen_tokens" if metric == "tg_tok_s" else "prompt_tokens", 0) or 0)
            index.setdefault((str(row.get("model")), str(row.get("quant"))), []).append(
                BenchRow(
                    hardware=str(bench.get("hardware")),
                    backend=str(row.get("backend", "")),
                    n_devices=int(row.get("n_devices", 1)),
                    metric=metric,
                    depth=base + size // 2,
                    context=max(base + size, 1),
                    value=float(row["value"]),
                    source=str(row.get("source") or source),
                    build=str(row.get("build", "")),
                    community=community,
                )
            )
    return index


def apply_measurements(
    catalog: Catalog,
    model: ResolvedModel,
    quant: str,
    devices: list[Device],
    runtime: Runtime,
    inv: WeightInventory,
    est: Estimate,
    depth: int,
    prefill_wanted: bool = True,
) -> tuple[str, float | None, float | None, list[dict[str, Any]]]:
    """Replace formula speeds by published measurements where they exist.

    measured: this model, quant, hardware and device count, at a similar KV depth.
    measured-near: the same setup measured at another depth, scaled by the formula's ratio.
    extrapolated: the same model and quant measured on other hardware of the same backend,
    scaled by the formula's ratio between the two.

    prefill_wanted=False (a caller that shows no prefill speed, check_brief's tables): the
    prefill speed given back is None, and the formula's prefill (Estimate.prefill_tok_s, worked
    out when read) is read only where a prefill measurement of this model and quantization
    could set the evidence label, so the label is the one a whole answer gives.
    """
    decode = est.decode_tok_s
    # A setup that does not fit, nor may (at the edge of memory), has no speed to replace.
    runs = est.fits or est.plan.at_edge
    if model.entry is None or runtime.engine != "llama.cpp" or not runs:
        return "estimated", decode, est.prefill_tok_s if prefill_wanted else None, []
    rows = _bench_index(catalog).get((model.entry.id, quant), [])
    if not rows:
        return "estimated", decode, est.prefill_tok_s if prefill_wanted else None, []
    prefill = est.prefill_tok_s if prefill_wanted or _has_prefill_rows(rows) else None
    same_hw = len({d.id for d in devices}) == 1 and devices[0].id is not None
    rank = {"measured": 4, "measured-near": 3, "community": 2, "extrapolated": 1, "estimated": 0}
    evidence = "estimated"
    used: list[dict[str, Any]] = []
    for metric in ("tg_tok_s", "pp_tok_s"):
        formula = decode if metric == "tg_tok_s" else prefill
        if formula is None:
            continue
        candidates = [r for r in rows if r.metric == metric and r.n_devices == len(devices)]
        exact = [r for r in candidates if same_hw and r.hardware == devices[0].id]
        label = "measured"
        if exact:
            # Published measurements first; approved community results when none exists.
            best = min(exact, key=lambda r: (r.community, abs(r.depth - depth)))
            near = abs(best.depth - depth) <= max(512, depth // 4)
            label = "community" if best.community else ("measured" if near else "measured-near")
            bench_devices = devices
        else:
            others = [
                r
                for r in candidates
                if r.backend == est.backend and r.hardware in catalog.hardware and not r.community
            ]
            if not others:
                continue
            bw = devices[0].bandwidth_bytes_per_s
            best = min(
                others,
                key=lambda r: (
                    abs(
                        math.log(
                            float(catalog.hardware[r.hardware].get("bandwidth_gb_s")) * 1e9 / bw
                        )
                    ),
                    abs(r.depth - depth),
                ),
            )
            label = "extrapolated"
            from .hardware import device_from_entry

            bench_devices = [device_from_entry(catalog.hardware[best.hardware])] * best.n_devices
            near = False
        value = best.value
        if not near:
            ref = cached_estimate(
                model.spec,
                inv,
                tuple(bench_devices),
                None,
                runtime,
                best.context,
                "f16",
                1,
                best.depth,
            )
            ref_rate = ref.decode_tok_s if metric == "tg_tok_s" else ref.prefill_tok_s
            if not ref_rate:
                continue
            value = best.value * formula / ref_rate
        if metric == "tg_tok_s":
            decode = value
        else:
            prefill = value
        if rank[label] > rank[evidence]:
            evidence = label
        used.append(
            {
                "metric": metric,
                "evidence": label,
                "measured_value": best.value,
                "hardware": best.hardware,
                "n_devices": best.n_devices,
                "depth": best.depth,
                "build": best.build,
                "source": best.source,
                "value_used": round(value, 2),
            }
        )
    return evidence, decode, prefill, used


def _has_prefill_rows(rows: list[BenchRow]) -> bool:
    """Whether any of a model and quantization's measurements is a prefill speed."""
    return any(r.metric == "pp_tok_s" for r in rows)
