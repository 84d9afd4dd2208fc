"""Fit the speed model's few physical parameters on the published measurements.

    python bench/calibrate_speed.py ../shared/calibration/measured-llm-inference.csv [--write]

Minimises the log error of predicted vs measured tok/s (decode and prefill separately) with
weak priors that keep backends with few rows near physically sensible values. Prints the
fitted values, the in-sample error and a leave-one-hardware-family-out cross-validation
(each family predicted by parameters fitted without it). --write stores the parameters in
src/runlocal/data/speed_params.json, which the engine reads.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import replace

import numpy as np
from scipy.optimize import least_squares

from runlocal.accuracy import Row, evaluate, map_rows
from runlocal.catalog import load_catalog
from runlocal.speed import (
    PARAMS_PATH,
    SpeedParams,
    decode_seconds_per_token,
    load_params,
    prefill_seconds_per_token,
)

BACKENDS = ("cuda", "rocm", "metal", "vulkan", "cpu")
FAMILIES = ("f16", "q8", "q_legacy", "k_quant", "iq")
# Priors (value, log-sd): where the data is thin, stay near what the hardware allows.
PRIOR_ETA = (0.75, 0.2)  # llama.cpp decode kernels reach 70–85% of peak bandwidth
PRIOR_FIXED_MS = (1.0, 1.0)
PRIOR_LAYER_US = (20.0, 1.0)  # 10–15 kernels per layer and token, 1–3 µs each to launch
# FP32 operations to unpack one weight: none for F16, a scale for Q8_0, bit games for K/IQ.
PRIOR_DEQUANT_OPS = {"f16": 1.0, "q8": 3.0, "q_legacy": 4.0, "k_quant": 6.0, "iq": 10.0}
# GPUs without dp4a (NVIDIA below compute capability 6.1) emulate each 4-byte int8 dot
# product with byte extracts and 32-bit multiplies: several times the integer work.
PRIOR_NO_DP4A = (4.0, 1.0)
PRIOR_WEIGHT = 0.3  # a prior weighs like a third of one row; the rows decide
PRIOR_PREFILL = (0.4, 0.7)


def decode_vector(p: SpeedParams) -> np.ndarray:
    return np.log(
        [p.bandwidth_efficiency[b] for b in BACKENDS]
        + [max(p.fixed_ms[b], 1e-3) for b in BACKENDS]
        + [max(p.per_layer_us, 1e-3)]
        + [max(p.dequant_ops[f], 1e-3) for f in FAMILIES]
        + [p.no_dp4a_dequant_factor if p.no_dp4a_dequant_factor > 1.0 else PRIOR_NO_DP4A[0]]
    )


def with_decode(p: SpeedParams, x: np.ndarray) -> SpeedParams:
    v = np.exp(x)
    return replace(
        p,
        bandwidth_efficiency={b: float(min(v[i], 1.0)) for i, b in enumerate(BACKENDS)},
        fixed_ms={b: float(v[5 + i]) for i, b in enumerate(BACKENDS)},
        per_layer_us=float(v[10]),
        dequant_ops={f: float(v[11 + i]) for i, f in enumerate(FAMILIES)},
        no_dp4a_dequant_factor=float(max(v[16], 1.0)),
    )


def prefill_vector(p: SpeedParams) -> np.ndarray:
    return np.log(
        [p.prefill_efficiency[b] for b in BACKENDS]
        + [p.prefill_quant_factor[f] for f in FAMILIES[1:]]
        # Start the power cap where it binds, so the fit can see its gradient.
        + [p.attention_factor, p.pipeline_efficiency, min(p.tflops_per_watt, 1.0)]
    )


def with_prefill(p: SpeedParams, x: np.ndarray) -> SpeedParams:
    v = np.exp(x)
    return replace(
        p,
        prefill_efficiency={b: float(min(v[i], 1.0)) for i, b in enumerate(BACKENDS)},
        prefill_quant_factor={
            "f16": 1.0,
            **{f: float(v[5 + i]) for i, f in enumerate(FAMILIES[1:])},
        },
        attention_factor=float(v[9]),
        pipeline_efficiency=float(min(v[10], 1.0)),
        tflops_per_watt=float(v[11]),
    )


def predict(row: Row, p: SpeedParams) -> float | None:
    assert row.est is not None
    f = row.est.features
    if not row.est.plan.fits or not f.loads:
        return None
    prompt = int(row.raw.get("prompt_tokens") or 0) or 512
    if row.metric == "tg_tok_s":
        t = decode_seconds_per_token(f, p)
    else:
        t = prefill_seconds_per_token(f, p, row.depth, prompt)
    return None if not t else 1.0 / t


def residuals(rows: list[Row], p: SpeedParams) -> list[float]:
    out = []
    for r in rows:
        pred = predict(r, p)
        if pred is not None and r.value:
            out.append(math.log(pred / r.value))
    return out


def fit(rows: list[Row], base: SpeedParams) -> SpeedParams:
    dec = [r for r in rows if r.metric == "tg_tok_s"]
    pre = [r for r in rows if r.metric == "pp_tok_s"]

    def r_dec(x: np.ndarray) -> np.ndarray:
        p = with_decode(base, x)
        prior = [(x[i] - math.log(PRIOR_ETA[0])) / PRIOR_ETA[1] for i in range(5)]
        prior += [(x[5 + i] - math.log(PRIOR_FIXED_MS[0])) / PRIOR_FIXED_MS[1] for i in range(5)]
        prior += [(x[10] - math.log(PRIOR_LAYER_US[0])) / PRIOR_LAYER_US[1]]
        prior += [
            (x[11 + i] - math.log(PRIOR_DEQUANT_OPS[f])) / 0.7 for i, f in enumerate(FAMILIES)
        ]
        prior += [(x[16] - math.log(PRIOR_NO_DP4A[0])) / PRIOR_NO_DP4A[1]]
        return np.array(residuals(dec, p) + [PRIOR_WEIGHT * v for v in prior])

    x = least_squares(r_dec, decode_vector(base), loss="soft_l1", f_scale=0.2).x
    p = with_decode(base, x)

    def r_pre(x: np.ndarray) -> np.ndarray:
        q = with_prefill(p, x)
        prior = [(x[i] - math.log(PRIOR_PREFILL[0])) / PRIOR_PREFILL[1] for i in range(5)]
        prior += [x[5 + i] / 1.0 for i in range(4)]
        prior += [x[9] / 1.0, (x[10] - math.log(0.5)) / 1.0, (x[11] - math.log(1.0)) / 2.0]
        return np.array(residuals(pre, q) + [PRIOR_WEIGHT * v for v in prior])

    x = least_squares(r_pre, prefill_vector(p), loss="soft_l1", f_scale=0.3).x
    p = with_prefill(p, x)
    return replace(p, decode_spread=spreads(dec, p), prefill_spread=spreads(pre, p))


def spreads(rows: list[Row], p: SpeedParams) -> dict[str, tuple[float, float]]:
    ratios: dict[str, list[float]] = {}
    for r in rows:
        pred = predict(r, p)
        if pred and r.value:
            ratios.setdefault(r.backend, []).append(r.value / pred)
            ratios.setdefault("default", []).append(r.value / pred)
    out = {}
    for k, v in ratios.items():
        if len(v) >= 8:
            q = statistics.quantiles(v, n=10)
            out[k] = (round(min(q[0], 0.95), 3), round(max(q[-1], 1.05), 3))
    return out


def ape_summary(rows: list[Row], p: SpeedParams, metric: str) -> str:
    errs = []
    for r in rows:
        if r.metric != metric:
            continue
        pred = predict(r, p)
        if pred and r.value:
            errs.append(abs(pred - r.value) / r.value * 100)
    if not errs:
        return "n=0"
    errs.sort()
    return f"n={len(errs)} median={statistics.median(errs):.1f}% p90={errs[int(0.9 * (len(errs) - 1))]:.1f}%"


def to_json(p: SpeedParams, n_rows: int) -> dict[str, object]:
    return {
        "bandwidth_efficiency": {k: round(v, 4) for k, v in p.bandwidth_efficiency.items()},
        "fixed_ms": {k: round(v, 4) for k, v in p.fixed_ms.items()},
        "per_layer_us": round(p.per_layer_us, 3),
        "dequant_ops": {k: round(v, 3) for k, v in p.dequant_ops.items()},
        "prefill_efficiency": {k: round(v, 4) for k, v in p.prefill_efficiency.items()},
        "prefill_quant_factor": {k: round(v, 4) for k, v in p.prefill_quant_factor.items()},
        "attention_factor": round(p.attention_factor, 4),
        "pipeline_efficiency": round(p.pipeline_efficiency, 4),
        "tflops_per_watt": round(p.tflops_per_watt, 4),
        "no_dp4a_dequant_factor": round(p.no_dp4a_dequant_factor, 3),
        "decode_spread": p.decode_spread,
        "prefill_spread": p.prefill_spread,
        "fitted_on_rows": n_rows,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows, _skipped = map_rows(args.csv, load_catalog())
    evaluate(rows)
    rows = [r for r in rows if r.metric in ("tg_tok_s", "pp_tok_s")]
    base = load_params()
    p = fit(rows, base)
    print(json.dumps(to_json(p, len(rows)), indent=1))
    for metric in ("tg_tok_s", "pp_tok_s"):
        print(f"in-sample {metric}: {ape_summary(rows, p, metric)}")
    print("leave-one-family-out (fitted without the family, then predicting it):")
    for fam in sorted({r.family for r in rows}):
        train = [r for r in rows if r.family != fam]
        test = [r for r in rows if r.family == fam]
        q = fit(train, base)
        print(
            f"  {fam:<20} decode {ape_summary(test, q, 'tg_tok_s'):<40} prefill {ape_summary(test, q, 'pp_tok_s')}"
        )
    if args.write:
        PARAMS_PATH.write_text(json.dumps(to_json(p, len(rows)), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {PARAMS_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
