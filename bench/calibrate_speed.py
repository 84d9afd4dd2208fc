"""Fit the speed model's few physical parameters on the published measurements.

    python bench/calibrate_speed.py ../shared/calibration/measured-llm-inference.csv \
        bench/data/measured-extra.csv [--write]

Minimises the log error of predicted vs measured tok/s (decode and prefill separately) with
weak priors that keep backends with few rows near physically sensible values. Prints the
fitted values, the in-sample error and two cross-validations: leave one hardware family
out, and leave one model family out (each group predicted by parameters fitted without it).
--write stores the parameters and the cross-validation in src/runlocal/data/speed_params.json,
which the engine reads and `runlocal accuracy` reports. --only-fold FAMILY (e.g. Intel) fits
on every row and without that hardware family only, and prints the family's in-sample and
held-out figures: one fold in the time of two fits, for measuring a change aimed at it.
--model-folds gpt-oss,glm does the same for model families: the in-sample fit and
those families' held-out folds only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import statistics
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np
from scipy.optimize import least_squares

from runlocal.accuracy import Row, error_table, evaluate, map_rows
from runlocal.catalog import load_catalog
from runlocal.speed import (
    BACKEND_CLASSES,
    PARAMS_PATH,
    UNPACKING_BASE,
    VULKAN_COOPMAT2_ATTENTION,
    SpeedParams,
    decode_seconds_per_token,
    load_params,
    prefill_seconds_per_token,
)

BACKENDS = BACKEND_CLASSES
NB = len(BACKENDS)
FAMILIES = ("f16", "q8", "q_legacy", "q_table", "k_quant", "iq", "k_quant_low")
# Priors (value, log-sd): where the data is thin, stay near what the hardware allows.
PRIOR_ETA = (0.75, 0.2)  # llama.cpp decode kernels reach 70–85% of peak bandwidth
PRIOR_FIXED_MS = (1.0, 1.0)
PRIOR_LAYER_US = (20.0, 1.0)  # 10–15 kernels per layer and token, 1–3 µs each to launch
# FP32 operations to unpack one weight: none for F16, a scale for Q8_0, bit games for K/IQ.
PRIOR_DEQUANT_OPS = {
    "f16": 1.0,
    "q8": 3.0,
    "q_legacy": 4.0,
    # q_table: held as a ratio to q_legacy's (relative_to_base), whose prior is 1.
    "k_quant": 6.0,
    "iq": 10.0,
}
# GPUs without dp4a (NVIDIA below compute capability 6.1) emulate each 4-byte int8 dot
# product with byte extracts and 32-bit multiplies: several times the integer work.
PRIOR_NO_DP4A = (4.0, 1.0)
PRIOR_WEIGHT = 0.3  # a prior weighs like a third of one row; the rows decide
PRIOR_PREFILL = (0.4, 0.7)
# CPUs (llama.cpp's CPU backend), where a new family has no rows of its own to lean on.
# Decode: client DDR and LPDDR reach 70-80% of peak in streaming reads; llama.cpp's threads
# stream weights in strides with barriers between operations, a little below that.
PRIOR_CPU_ETA = (0.6, 0.2)
# Prompt GEMMs: for every two int8 dot products on a 32-weight block the cores also unpack
# nibbles (mask, shift), load and convert the block scales and accumulate in FP32: about a
# quarter of the issue slots are dot products.
PRIOR_CPU_PREFILL = (0.25, 0.5)
# Flash-attention decode kernels reach a small share of the FP32 rate: they are latency-bound
# loops over the cache (one query row per head).
PRIOR_DECODE_ATTN = (0.1, 1.0)
PRIOR_MOE_LAYER_US = (20.0, 1.0)  # a few more kernels per MoE layer: router, top-k, gathers
# CPU decode arithmetic per weight, in int8 operations at the SDOT/VNNI rate: a 4-bit block of
# 32 weights takes about eight vector instructions (loads, masks and shifts, two dot products,
# the scale), each worth one 32-op int8 dot-product slot: about 8 ops per weight.
PRIOR_CPU_DECODE_OPS = (8.0, 0.7)
# CUDA graphs replace a token's host launches (~5 µs each, a dozen or more per layer) by one
# graph launch; the GPU still runs the kernels one after another, each ramping up and draining.
PRIOR_CUDA_GRAPH = (0.5, 0.7)
# Multi-head latent attention adds 8 kernels to a GQA layer's 18 in llama.cpp's decode graph
# (speed.decode.MLA_EXTRA_ATTENTION_KERNELS, GQA_LAYER_KERNELS).
PRIOR_MLA_LAYER = (8 / 18, 0.5)
# A decoded token in the MMA or tile flash-attention kernel fills at most 16 query rows of a
# tile (the heads sharing a KV head) and splits the cache across blocks with a combine pass:
# a fraction of a prompt's share of the rate. GLM-4.7-Flash on an RTX 3090 (20 heads on one
# latent, PR #19097's micro-batch-1 rows) slows by what ~0.2 of the FP16 tensor rate gives.
PRIOR_DECODE_MATRIX_ATTN = (0.3, 1.0)
# Prefill paths other than the matrix units, relative to the backend's efficiency there.
PATHS = ("dp4a", "fp32", "vector", "mmq", "coopmat2")
# dp4a: about 0.3 of 4 × FP32 on CUDA and HIP, whose matrix paths reach about half their
# peak, so some 0.6 of the backend's efficiency.
# coopmat2 against Vulkan's KHR_coopmat shaders: 4,259 / 3,154 tokens/s on one RTX 3090
# (llama.cpp PR #12135, Llama 3 8B Q4_0 pp512, the same build).
PRIOR_PATH = {
    "dp4a": (0.6, 0.7),
    "fp32": (1.0, 0.5),
    "vector": (1.0, 0.5),
    "mmq": (0.5, 1.0),
    "coopmat2": (1.35, 0.3),
}
# A 450 W RTX 4090 holds its 2.52 GHz boost on 128 SMs (0.72 SM·GHz per watt); 300 W cards
# with as many SMs cannot.
PRIOR_SM_GHZ_PER_WATT = (0.8, 0.7)
# Power ∝ f·V² with the voltage rising with the clock: between 1 (voltage fixed) and 3.
PRIOR_CLOCK_POWER = (2.5, 0.3)
# Loading and unpacking a quantized weight tile costs about as much as multiplying it with
# a few dozen tokens (MMQ tiles hold 32-128 tokens; a tile load is several instructions per
# weight against one multiply-add per weight and token).
PRIOR_TILE_LOAD_TOKENS = (16.0, 1.0)
# Flash-attention kernels of the other backends relative to CUDA's (log-sd): near 1 unless
# the rows say otherwise.
ATTENTION_BACKENDS = (*(b for b in BACKENDS if b != "cuda"), VULKAN_COOPMAT2_ATTENTION)
PRIOR_ATTENTION_BACKEND = 1.0
# Flash-attention kernels process 16-128 query rows per K/V tile load (llama.cpp's CUDA mma
# kernel up to 128 with the GQA heads packed in, Vulkan and Metal 16-64).
PRIOR_ATTENTION_TILE_ROWS = (64.0, 1.0)
# One GEMM call per expert from the host (SYCL's prompt MUL_MAT_ID): a handful of kernel
# submissions (gather, quantize or dequantize, GEMM, scatter) at a few µs each.
PRIOR_EXPERT_LOOP_US = (20.0, 1.0)


def relative_to_base(values: dict[str, float], families: Iterable[str]) -> list[float]:
    """Each family's unpacking cost as the fit holds it: its own value, or for a family that
    does its base family's unpacking work and more (speed.UNPACKING_BASE: the table-decoded
    4-bit formats over the legacy ones) the ratio to the base's value. A fit with no rows of
    that family then keeps the base's cost (the ratio's prior, 1) instead of the prior of a
    free value, which knows nothing of the family."""
    out = []
    for f in families:
        v = max(values.get(f, 1.0), 1e-3)
        base = UNPACKING_BASE.get(f)
        if base is not None:
            v /= max(values.get(base, 1.0), 1e-3)
        out.append(v)
    return out


def absolute_from_base(ratios: dict[str, float]) -> dict[str, float]:
    """The inverse of relative_to_base: each family's own unpacking cost."""
    out = dict(ratios)
    for f, base in UNPACKING_BASE.items():
        if f in out and base in out:
            out[f] = ratios[f] * ratios[base]
    return out


def decode_vector(p: SpeedParams) -> np.ndarray:
    return np.log(
        [p.bandwidth_efficiency[b] for b in BACKENDS]
        + [max(p.fixed_ms[b], 1e-3) for b in BACKENDS]
        + [max(p.per_layer_us[b], 1e-3) for b in BACKENDS]
        + relative_to_base(p.dequant_ops, FAMILIES)
        + [p.no_dp4a_dequant_factor if p.no_dp4a_dequant_factor > 1.0 else PRIOR_NO_DP4A[0]]
        + [min(p.decode_attention_efficiency, PRIOR_DECODE_ATTN[0])]
        + [max(p.per_moe_layer_us, PRIOR_MOE_LAYER_US[0])]
        + [p.cpu_decode_ops or PRIOR_CPU_DECODE_OPS[0]]
        + [p.cuda_graph_layer_factor if p.cuda_graph_layer_factor != 1.0 else PRIOR_CUDA_GRAPH[0]]
        + [p.mla_layer_factor or PRIOR_MLA_LAYER[0]]
        + [p.decode_matrix_attention_efficiency or PRIOR_DECODE_MATRIX_ATTN[0]]
    )


# Where each group of decode parameters starts in the fitted vector.
D_FIXED, D_LAYER, D_DEQUANT = NB, 2 * NB, 3 * NB
D_REST = D_DEQUANT + len(FAMILIES)


def with_decode(p: SpeedParams, x: np.ndarray) -> SpeedParams:
    v = np.exp(x)
    return replace(
        p,
        bandwidth_efficiency={b: float(min(v[i], 1.0)) for i, b in enumerate(BACKENDS)},
        fixed_ms={b: float(v[D_FIXED + i]) for i, b in enumerate(BACKENDS)},
        per_layer_us={b: float(v[D_LAYER + i]) for i, b in enumerate(BACKENDS)},
        dequant_ops=absolute_from_base(
            {f: float(v[D_DEQUANT + i]) for i, f in enumerate(FAMILIES)}
        ),
        no_dp4a_dequant_factor=float(max(v[D_REST], 1.0)),
        decode_attention_efficiency=float(min(v[D_REST + 1], 1.0)),
        per_moe_layer_us=float(v[D_REST + 2]),
        cpu_decode_ops=float(v[D_REST + 3]),
        cuda_graph_layer_factor=float(min(v[D_REST + 4], 1.0)),
        mla_layer_factor=float(v[D_REST + 5]),
        decode_matrix_attention_efficiency=float(min(v[D_REST + 6], 1.0)),
    )


def prefill_vector(p: SpeedParams) -> np.ndarray:
    return np.log(
        [p.prefill_efficiency[b] for b in BACKENDS]
        + relative_to_base(p.prefill_quant_factor, FAMILIES[1:])
        + [p.prefill_path_efficiency.get(k, 1.0) for k in PATHS]
        # Start the power cap where it binds, so the fit can see its gradient.
        + [p.attention_factor, p.pipeline_efficiency, min(p.tflops_per_watt, 1.0)]
        + [p.attention_factor_no_fa, p.tile_load_tokens or PRIOR_TILE_LOAD_TOKENS[0]]
        + [p.sm_ghz_per_watt or PRIOR_SM_GHZ_PER_WATT[0]]
        + [max(p.clock_power_exponent, PRIOR_CLOCK_POWER[0])]
        + [p.attention_backend_factor.get(b, 1.0) for b in ATTENTION_BACKENDS]
        + [p.attention_tile_rows or PRIOR_ATTENTION_TILE_ROWS[0]]
        + [p.expert_loop_us or PRIOR_EXPERT_LOOP_US[0]]
    )


# Where each group of prefill parameters starts in the fitted vector.
P_QUANT = NB
P_PATH = P_QUANT + len(FAMILIES) - 1
P_REST = P_PATH + len(PATHS)
P_ATTN_BACKEND = P_REST + 7


def with_prefill(p: SpeedParams, x: np.ndarray) -> SpeedParams:
    v = np.exp(x)
    return replace(
        p,
        prefill_efficiency={b: float(min(v[i], 1.0)) for i, b in enumerate(BACKENDS)},
        prefill_quant_factor={
            "f16": 1.0,
            **absolute_from_base({f: float(v[P_QUANT + i]) for i, f in enumerate(FAMILIES[1:])}),
        },
        prefill_path_efficiency={k: float(v[P_PATH + i]) for i, k in enumerate(PATHS)},
        attention_factor=float(v[P_REST]),
        pipeline_efficiency=float(min(v[P_REST + 1], 1.0)),
        tflops_per_watt=float(v[P_REST + 2]),
        attention_factor_no_fa=float(v[P_REST + 3]),
        tile_load_tokens=float(v[P_REST + 4]),
        sm_ghz_per_watt=float(v[P_REST + 5]),
        clock_power_exponent=float(min(max(v[P_REST + 6], 1.0), 4.0)),
        attention_backend_factor={
            "cuda": 1.0,
            **{b: float(v[P_ATTN_BACKEND + i]) for i, b in enumerate(ATTENTION_BACKENDS)},
        },
        attention_tile_rows=float(v[P_ATTN_BACKEND + len(ATTENTION_BACKENDS)]),
        expert_loop_us=float(v[P_ATTN_BACKEND + len(ATTENTION_BACKENDS) + 1]),
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


# Backends built from another backend's source, whose decode parameters (bandwidth share, cost
# per token, cost per layer) are centred on that backend's where their own rows are missing.
# ggml's HIP backend is ggml-cuda compiled with hipcc (ggml/src/ggml-hip/CMakeLists.txt globs
# ../ggml-cuda/*.cu; ggml-cuda/vendors/hip.h maps the CUDA API onto HIP's): the same mat-vec
# kernels (mmvq, mmvf), the same host code per token and the same launch of every kernel
# from one stream. It ran without graphs until PR #22254 (April 2026: GGML_HIP_GRAPHS "use
# HIP graph, experimental, slow" OFF -> ON, which measured 1.01-1.11x on tg64), the cost per
# layer of CUDA without graphs, which is what SpeedParams.per_layer_us["cuda"] holds
# (cuda_graph_layer_factor scales it where graphs apply). Vulkan on Intel GPUs is ggml-vulkan
# too, but on another driver whose cost per kernel its own rows show to be ~8x RADV's, so it
# keeps the generic prior (tried December 2026: the Intel fold's p90 58% -> 72%).
SOURCE_ORIGIN = {"rocm": "cuda"}


def decode_prior(base: SpeedParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(centre, log-sd) of each decode parameter's prior, in decode_vector's order. With
    ``base``, a backend of SOURCE_ORIGIN has its bandwidth efficiency, fixed and per-layer
    costs centred on its origin's values in ``base``: a fit without rows of that backend
    (its hardware family held out) predicts it as its source's kernels run, not from the
    generic priors."""
    pairs = [PRIOR_CPU_ETA if b == "cpu" else PRIOR_ETA for b in BACKENDS]
    pairs += [PRIOR_FIXED_MS] * NB + [PRIOR_LAYER_US] * NB
    # A family held relative to its base (relative_to_base): the ratio's prior is 1.
    pairs += [(1.0 if f in UNPACKING_BASE else PRIOR_DEQUANT_OPS[f], 0.7) for f in FAMILIES]
    pairs += [PRIOR_NO_DP4A, PRIOR_DECODE_ATTN, PRIOR_MOE_LAYER_US, PRIOR_CPU_DECODE_OPS]
    pairs += [PRIOR_CUDA_GRAPH, PRIOR_MLA_LAYER, PRIOR_DECODE_MATRIX_ATTN]
    if base is not None:
        for backend, origin in SOURCE_ORIGIN.items():
            i = BACKENDS.index(backend)
            for group, values in (
                (0, base.bandwidth_efficiency),
                (D_FIXED, base.fixed_ms),
                (D_LAYER, base.per_layer_us),
            ):
                pairs[group + i] = (values[origin], pairs[group + i][1])
    return np.log([v for v, _ in pairs]), np.array([sd for _, sd in pairs])


def prefill_prior() -> tuple[np.ndarray, np.ndarray]:
    """(centre, log-sd) of each prefill parameter's prior, in prefill_vector's order."""
    pairs = [PRIOR_CPU_PREFILL if b == "cpu" else PRIOR_PREFILL for b in BACKENDS]
    pairs += [(1.0, 1.0)] * (len(FAMILIES) - 1)
    pairs += [PRIOR_PATH[k] for k in PATHS]
    # attention factor, pipeline efficiency, TFLOPS per watt, attention factor without FA
    pairs += [(1.0, 1.0), (0.5, 1.0), (1.0, 2.0), (1.0, 1.0), (PRIOR_TILE_LOAD_TOKENS[0], 1.0)]
    pairs += [PRIOR_SM_GHZ_PER_WATT, PRIOR_CLOCK_POWER]
    pairs += [(1.0, PRIOR_ATTENTION_BACKEND)] * len(ATTENTION_BACKENDS)
    pairs += [PRIOR_ATTENTION_TILE_ROWS, PRIOR_EXPERT_LOOP_US]
    return np.log([v for v, _ in pairs]), np.array([sd for _, sd in pairs])


def start_unconstrained_at_prior(
    data: Callable[[np.ndarray], list[float]], x: np.ndarray, centre: np.ndarray
) -> np.ndarray:
    """The starting vector with every parameter that no row of this fit depends on (a backend,
    kernel path or feature the fit has no row of) moved to its prior's centre.

    The fits start from the stored parameters, which were fitted on every row. A parameter
    no row constrains is held only by its prior, which soft_l1 weighs like an absolute value
    far from its centre, so the optimizer stops close to where it started: a fit without a
    hardware family would then keep that family's own values, learnt from the rows it is
    meant to predict blind (the held-out Intel fold kept SYCL's 186 µs per layer)."""
    ref = data(x)
    out = x.copy()
    for i in range(len(x)):
        moved = False
        for step in (0.1, -0.1):
            y = x.copy()
            y[i] += step
            got = data(y)
            if len(got) != len(ref) or any(
                abs(a - b) > 1e-12 for a, b in zip(got, ref, strict=True)
            ):
                moved = True
                break
        if not moved:
            out[i] = centre[i]
    return out


def fit(rows: list[Row], base: SpeedParams) -> SpeedParams:
    dec = [r for r in rows if r.metric == "tg_tok_s"]
    pre = [r for r in rows if r.metric == "pp_tok_s"]
    centre, sd = decode_prior(base)

    def r_dec(x: np.ndarray) -> np.ndarray:
        prior = PRIOR_WEIGHT * (x - centre) / sd
        return np.concatenate([residuals(dec, with_decode(base, x)), prior])

    # Unit scaling and a finite-difference step of 0.1% in log space. With x_scale="jac" the
    # trust region stopped where it started (status 3 after 14 evaluations, no step taken) on
    # the full fit from the stored parameters, so rows added since never moved the decode
    # parameters: the Jacobian's columns vary over orders of magnitude, and the predictions are
    # piecewise (layer splits, kernel choices), which a step of 1e-8 differentiates as flat.
    x0 = start_unconstrained_at_prior(
        lambda x: residuals(dec, with_decode(base, x)), decode_vector(base), centre
    )
    x = least_squares(r_dec, x0, loss="soft_l1", f_scale=0.2, diff_step=1e-3).x
    p = with_decode(base, x)
    centre_pre, sd_pre = prefill_prior()

    def r_pre(x: np.ndarray) -> np.ndarray:
        prior = PRIOR_WEIGHT * (x - centre_pre) / sd_pre
        return np.concatenate([residuals(pre, with_prefill(p, x)), prior])

    x0 = start_unconstrained_at_prior(
        lambda x: residuals(pre, with_prefill(p, x)), prefill_vector(p), centre_pre
    )
    x = least_squares(r_pre, x0, loss="soft_l1", f_scale=0.3).x
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


def _apes(pairs: Iterable[tuple[Row, SpeedParams]], metric: str) -> list[float]:
    """Absolute percentage errors of ``metric`` rows, each predicted with its parameters."""
    errs = []
    for r, q in pairs:
        if r.metric != metric:
            continue
        pred = predict(r, q)
        if pred and r.value:
            errs.append(abs(pred - r.value) / r.value * 100)
    return errs


def _error_stats(errs: list[float]) -> dict[str, float | int] | None:
    return error_table(errs) if errs else None


def ape_summary(rows: list[Row], p: SpeedParams, metric: str) -> str:
    stats = _error_stats(_apes(((r, p) for r in rows), metric))
    if stats is None:
        return "n=0"
    return f"n={stats['n']} median={stats['median_ape']:.1f}% p90={stats['p90_ape']:.1f}%"


def to_json(p: SpeedParams, n_rows: int) -> dict[str, object]:
    return {
        "bandwidth_efficiency": {k: round(v, 4) for k, v in p.bandwidth_efficiency.items()},
        "fixed_ms": {k: round(v, 4) for k, v in p.fixed_ms.items()},
        "per_layer_us": {k: round(v, 3) for k, v in p.per_layer_us.items()},
        "dequant_ops": {k: round(v, 3) for k, v in p.dequant_ops.items()},
        "prefill_efficiency": {k: round(v, 4) for k, v in p.prefill_efficiency.items()},
        "prefill_quant_factor": {k: round(v, 4) for k, v in p.prefill_quant_factor.items()},
        "attention_factor": round(p.attention_factor, 4),
        "attention_factor_no_fa": round(p.attention_factor_no_fa, 4),
        "tile_load_tokens": round(p.tile_load_tokens, 3),
        "attention_tile_rows": round(p.attention_tile_rows, 3),
        "attention_backend_factor": {k: round(v, 4) for k, v in p.attention_backend_factor.items()},
        "pipeline_efficiency": round(p.pipeline_efficiency, 4),
        "tflops_per_watt": round(p.tflops_per_watt, 4),
        "sm_ghz_per_watt": round(p.sm_ghz_per_watt, 4),
        "clock_power_exponent": round(p.clock_power_exponent, 3),
        "no_dp4a_dequant_factor": round(p.no_dp4a_dequant_factor, 3),
        "decode_attention_efficiency": round(p.decode_attention_efficiency, 4),
        "per_moe_layer_us": round(p.per_moe_layer_us, 3),
        "cuda_graph_layer_factor": round(p.cuda_graph_layer_factor, 4),
        "mla_layer_factor": round(p.mla_layer_factor, 4),
        "decode_matrix_attention_efficiency": round(p.decode_matrix_attention_efficiency, 4),
        "cpu_decode_ops": round(p.cpu_decode_ops, 3),
        "expert_loop_us": round(p.expert_loop_us, 3),
        "prefill_path_efficiency": {k: round(v, 4) for k, v in p.prefill_path_efficiency.items()},
        "decode_spread": p.decode_spread,
        "prefill_spread": p.prefill_spread,
        "fitted_on_rows": n_rows,
    }


def model_family(row: Row) -> str:
    return str(row.model.get("family") or "other")


def fold_errors(test: list[Row], p: SpeedParams, metric: str) -> dict[str, float | int] | None:
    return _error_stats(_apes(((r, p) for r in test), metric))


# The newest architectures, by the catalog's release date rather than by name.
RECENT_SINCE = dt.date(2025, 1, 1)


def recent_model(row: Row) -> bool:
    released = row.model.get("release_date")
    return isinstance(released, dt.date) and released >= RECENT_SINCE


def recent_errors(
    pairs: list[tuple[Row, SpeedParams]], metric: str
) -> dict[str, float | int] | None:
    return _error_stats(_apes(pairs, metric))


def cross_validate(
    rows: list[Row],
    base: SpeedParams,
    key: Callable[[Row], str],
    label: str,
    recent: list[tuple[Row, SpeedParams]] | None = None,
    only: Iterable[str] | None = None,
) -> dict[str, dict[str, object]]:
    """Each group predicted by parameters fitted without it; ``recent`` collects the held-out
    rows of models released since 2025 with the parameters that predicted them; ``only``
    limits the folds to those groups."""
    out: dict[str, dict[str, object]] = {}
    print(f"leave-one-{label}-out (fitted without the group, then predicting it):")
    groups = sorted({key(r) for r in rows})
    if only is not None:
        wanted = set(only)
        groups = [g for g in groups if g in wanted]
    for group in groups:
        train = [r for r in rows if key(r) != group]
        test = [r for r in rows if key(r) == group]
        q = fit(train, base)
        if recent is not None:
            recent.extend((r, q) for r in test if recent_model(r))
        out[group] = {
            "decode": fold_errors(test, q, "tg_tok_s"),
            "prefill": fold_errors(test, q, "pp_tok_s"),
        }
        print(
            f"  {group:<20} decode {ape_summary(test, q, 'tg_tok_s'):<40} "
            f"prefill {ape_summary(test, q, 'pp_tok_s')}"
        )
    return out


def only_fold(rows: list[Row], base: SpeedParams, p: SpeedParams, family: str) -> int:
    """One hardware family's figures: in-sample (the fit on every row, ``p``) and held out
    (predicted by a fit without the family's rows), each also on its models released since
    2025."""
    test = [r for r in rows if r.family == family]
    if not test:
        print(f"no rows of hardware family {family!r}", file=sys.stderr)
        return 2
    recent = [r for r in test if recent_model(r)]
    for metric in ("tg_tok_s", "pp_tok_s"):
        print(f"in-sample {family} {metric}: {ape_summary(test, p, metric)}")
    q = fit([r for r in rows if r.family != family], base)
    for metric in ("tg_tok_s", "pp_tok_s"):
        print(f"held-out {family} {metric}: {ape_summary(test, q, metric)}")
        print(f"held-out {family} {metric}, models since 2025: {ape_summary(recent, q, metric)}")
    return 0


def speed_rows(
    paths: Iterable[str], metrics: tuple[str, ...] = ("tg_tok_s", "pp_tok_s")
) -> list[Row]:
    """The speed rows of the calibration CSVs (the shared one, then ours), each mapped to the
    catalog and its features evaluated: what every fit and fold of these scripts starts from."""
    catalog = load_catalog()
    rows: list[Row] = []
    for path in paths:
        rows.extend(map_rows(path, catalog)[0])
    evaluate(rows)
    return [r for r in rows if r.metric in metrics]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+", help="calibration CSVs (the shared one, then ours)")
    ap.add_argument("--write", action="store_true")
    ap.add_argument(
        "--only-fold",
        metavar="FAMILY",
        help="cross-validate only this hardware family (e.g. Intel): the in-sample fit, its"
        " figures on the family's rows, and the family predicted by a fit without it; no"
        " model-family folds (with --write, refused: the stored report needs every fold)",
    )
    ap.add_argument(
        "--model-folds",
        metavar="FAMILIES",
        help="comma-separated model families (e.g. gpt-oss,glm): the in-sample fit and only"
        " their held-out folds (with --write, refused)",
    )
    args = ap.parse_args()
    if (args.only_fold or args.model_folds) and args.write:
        ap.error("--only-fold and --model-folds measure some folds; --write needs them all")
    rows = speed_rows(args.csv)
    base = load_params()
    p = fit(rows, base)
    result = to_json(p, len(rows))
    print(json.dumps(result, indent=1))
    for metric in ("tg_tok_s", "pp_tok_s"):
        print(f"in-sample {metric}: {ape_summary(rows, p, metric)}")
    if args.only_fold:
        return only_fold(rows, base, p, args.only_fold)
    if args.model_folds:
        families = [f.strip() for f in args.model_folds.split(",") if f.strip()]
        cross_validate(rows, base, model_family, "model-family", only=families)
        return 0
    recent: list[tuple[Row, SpeedParams]] = []
    result["cross_validation"] = {
        "hardware_family": cross_validate(
            rows, base, lambda r: r.family, "hardware-family", recent
        ),
        "model_family": cross_validate(rows, base, model_family, "model-family"),
        # Models released since 2025, each predicted without its hardware family's rows.
        "recent_models_unseen_hardware": {
            part: recent_errors(recent, metric)
            for part, metric in (("decode", "tg_tok_s"), ("prefill", "pp_tok_s"))
        },
    }
    print("models released since 2025 on unseen hardware:")
    print(json.dumps(result["cross_validation"]["recent_models_unseen_hardware"]))
    if args.write:
        PARAMS_PATH.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {PARAMS_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
