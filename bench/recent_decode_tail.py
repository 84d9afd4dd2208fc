"""The decode rows that make the tail of the "models released since 2025 on unseen hardware"
figure: each hardware family's recent-model decode rows predicted by decode parameters
fitted without that family (as bench/recent_by_family.py does, decode only: the prefill
parameters do not enter a decode prediction), listed where |error| exceeds a threshold with
the row's hardware, build, model, quantization and depth and the engine's own breakdown of
the predicted token (milliseconds per device: weights, KV cache, dequantization, vector and
matrix attention, per-layer costs).

    python bench/recent_decode_tail.py ../shared/calibration/measured-llm-inference.csv \
        bench/data/measured-extra.csv --out /tmp/tail [--families AMD,Intel] [--threshold 25]

Writes OUT.txt (the summary line, then the rows, largest error first) and OUT.params.pkl
(the fold parameters; --reuse OUT.params.pkl lists again without refitting). Keep the output
outside the repository: it holds rows of the shared calibration data.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

sys.path.insert(0, str(Path(__file__).parent))

import calibrate_speed as cs
from runlocal.accuracy import Row, percentile
from runlocal.speed import SpeedFeatures, SpeedParams, cuda_graphs_apply, load_params
from runlocal.speed.decode import dequant_rate_factor, mla_layer_share


def fit_decode(rows: list[Row], base: SpeedParams) -> SpeedParams:
    """calibrate_speed.fit's decode half."""
    dec = [r for r in rows if r.metric == "tg_tok_s"]
    centre, sd = cs.decode_prior(base)

    def r_dec(x: np.ndarray) -> np.ndarray:
        prior = cs.PRIOR_WEIGHT * (x - centre) / sd
        return np.concatenate([cs.residuals(dec, cs.with_decode(base, x)), prior])

    x0 = cs.start_unconstrained_at_prior(
        lambda x: cs.residuals(dec, cs.with_decode(base, x)), cs.decode_vector(base), centre
    )
    x = least_squares(r_dec, x0, loss="soft_l1", f_scale=0.2, diff_step=1e-3).x
    return cs.with_decode(base, x)


def breakdown(f: SpeedFeatures, p: SpeedParams) -> list[dict[str, object]]:
    """Each device's share of the predicted token, in ms (llama.cpp's terms)."""
    out: list[dict[str, object]] = []
    ops = p.dequant_ops.get(f.quant_family, 0.0)
    for load in f.loads:
        rate = load.bandwidth_bytes_per_s * p.bandwidth_efficiency[load.backend]
        d: dict[str, object] = {
            "backend": load.backend,
            "weights_gb": round(load.weight_bytes / 1e9, 2),
            "kv_gb": round(load.kv_bytes / 1e9, 3),
            "t_weights": round(load.weight_bytes / rate * 1e3, 2),
            "t_kv": round(load.kv_bytes / rate * 1e3, 2),
            "layers": load.layers,
            "moe_layers": load.moe_layers,
        }
        if load.fp32_flops and load.backend != "cpu":
            factor = dequant_rate_factor(f, load, p.no_dp4a_dequant_factor)
            d["t_dequant"] = round(load.weight_params * ops * factor / load.fp32_flops * 1e3, 2)
            attn = load.attn_flops / (load.fp32_flops * p.decode_attention_efficiency)
            d["t_attn_vector"] = round(attn * 1e3, 2)
            d["attn_matrix_gflop"] = round(load.attn_matrix_flops / 1e9, 2)
        t_layers = load.layers * p.per_layer_us[load.backend] * mla_layer_share(f, p)
        t_layers += load.moe_layers * p.per_moe_layer_us
        if cuda_graphs_apply(f, load):
            t_layers *= p.cuda_graph_layer_factor
        d["t_layers"] = round(t_layers * 1e-3, 2)
        out.append(d)
    return out


def describe(r: Row, fam: str, pred: float, p: SpeedParams) -> str:
    assert r.est is not None
    f = r.est.features
    error = (pred - (r.value or 0.0)) / (r.value or 1.0) * 100
    fixed = p.fixed_ms[f.loads[0].backend]
    return " | ".join(
        [
            f"{error:+.0f}% measured={r.value:.1f} predicted={pred:.1f}",
            fam,
            f"{r.hardware.id} x{r.n_devices}",
            f"{r.backend} {r.runtime} {r.raw.get('runtime_version_or_date', '')}",
            f"{r.model.id} {r.quant} kv={r.kv_type} depth={r.depth} ctx={r.context}",
            f"line {r.line} {r.source_url}",
            f"mla={f.mla} experts={f.n_experts} active={f.active_params / 1e9:.2f}B",
            f"fixed={fixed:.2f}ms {json.dumps(breakdown(f, p))}",
        ]
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+", help="calibration CSVs (the shared one, then ours)")
    ap.add_argument("--out", required=True, help="output prefix, outside the repository")
    ap.add_argument("--reuse", help="fold parameters from an earlier run (OUT.params.pkl)")
    ap.add_argument("--families", help="comma-separated hardware families (default: all)")
    ap.add_argument("--threshold", type=float, default=25.0, help="|error| in percent")
    args = ap.parse_args()
    rows = cs.speed_rows(args.csv, ("tg_tok_s",))
    base = load_params()
    families = sorted({r.family for r in rows if cs.recent_model(r)})
    if args.families:
        families = args.families.split(",")
    params: dict[str, SpeedParams] = {}
    if args.reuse:
        with open(args.reuse, "rb") as fh:
            params = pickle.load(fh)
    for fam in families:
        if fam not in params:
            params[fam] = fit_decode([r for r in rows if r.family != fam], base)
            print("fitted without", fam, file=sys.stderr, flush=True)
    if not args.reuse:
        with open(args.out + ".params.pkl", "wb") as fh:
            pickle.dump(params, fh)
    errors: list[float] = []
    tail: list[tuple[float, str]] = []
    for fam in families:
        p = params[fam]
        for r in rows:
            if r.family != fam or not cs.recent_model(r):
                continue
            pred = cs.predict(r, p)
            if not pred or not r.value:
                continue
            error = abs(pred - r.value) / r.value * 100
            errors.append(error)
            if error > args.threshold:
                tail.append((error, describe(r, fam, pred, p)))
    tail.sort(reverse=True)
    summary = (
        f"n={len(errors)} median={percentile(errors, 0.5):.1f}% "
        f"p90={percentile(errors, 0.9):.1f}% above {args.threshold:g}%: {len(tail)}"
    )
    with open(args.out + ".txt", "w") as fh:
        fh.write(summary + "\n")
        fh.writelines(line + "\n" for _, line in tail)
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
