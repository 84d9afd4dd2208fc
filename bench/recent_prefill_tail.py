"""The prompt rows that make the prefill tail: each group's rows predicted by prefill
parameters fitted without that group (decode parameters as stored: they enter a prompt
prediction only through the bandwidth efficiency), listed where |error| exceeds a threshold
with the row's hardware, backend, build, model, quantization, prompt, micro-batch and depth,
and the row's arithmetic path.

    python bench/recent_prefill_tail.py ../shared/calibration/measured-llm-inference.csv \
        bench/data/measured-extra.csv --out /tmp/ptail [--by model|hardware] \
        [--groups gpt-oss,qwen] [--all-models] [--threshold 25]

``--by hardware`` (default) holds out each hardware family and keeps models released since
2025 (the "models since 2025 on unseen hardware" figure); ``--by model`` holds out each model
family (every row of it). Writes OUT.txt (the summary, then the rows, largest error first)
and OUT.params.pkl (--reuse lists again without refitting); prints the summary and each
group's figures. Keep the output outside the repository: it holds rows of the shared
calibration data.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

sys.path.insert(0, str(Path(__file__).parent))

import calibrate_speed as cs
from runlocal.accuracy import Row, percentile
from runlocal.speed import SpeedParams, load_params
from runlocal.speed.kernels import prefill_path
from runlocal.speed.prefill import micro_batch


def fit_prefill(rows: list[Row], base: SpeedParams) -> SpeedParams:
    """calibrate_speed.fit's prefill half, on the stored decode parameters."""
    pre = [r for r in rows if r.metric == "pp_tok_s"]
    centre, sd = cs.prefill_prior()

    def r_pre(x: np.ndarray) -> np.ndarray:
        prior = cs.PRIOR_WEIGHT * (x - centre) / sd
        return np.concatenate([cs.residuals(pre, cs.with_prefill(base, x)), prior])

    x0 = cs.start_unconstrained_at_prior(
        lambda x: cs.residuals(pre, cs.with_prefill(base, x)), cs.prefill_vector(base), centre
    )
    x = least_squares(r_pre, x0, loss="soft_l1", f_scale=0.3).x
    return cs.with_prefill(base, x)


def _stats(errors: list[float]) -> str:
    if not errors:
        return "n=0"
    return (
        f"n={len(errors)} median={percentile(errors, 0.5):.1f}% p90={percentile(errors, 0.9):.1f}%"
    )


def describe(r: Row, group: str, pred: float) -> str:
    assert r.est is not None
    f = r.est.features
    error = (pred - (r.value or 0.0)) / (r.value or 1.0) * 100
    prompt = int(r.raw.get("prompt_tokens") or 0) or 512
    paths = ",".join(
        prefill_path(ld, f.quant_family, f.mmq, f.llama_kernels, f.quant == "BF16")[0]
        for ld in f.loads
    )
    return " | ".join(
        [
            f"{error:+.0f}% measured={r.value:.1f} predicted={pred:.1f}",
            group,
            f"{r.hardware.id} x{r.n_devices}",
            f"{r.backend} {r.runtime} {r.raw.get('runtime_version_or_date', '')}",
            f"{r.model.id} {r.quant} ({f.quant_family}) kv={r.kv_type}",
            f"pp={prompt} ub={micro_batch(f, prompt)} depth={r.depth} fa={f.flash_attn}",
            f"path={paths} experts={f.n_experts} k/E={f.expert_share:.3f}",
            f"line {r.line} {r.source_url}",
        ]
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+", help="calibration CSVs (the shared one, then ours)")
    ap.add_argument("--out", required=True, help="output prefix, outside the repository")
    ap.add_argument("--reuse", help="fold parameters from an earlier run (OUT.params.pkl)")
    ap.add_argument("--by", choices=("hardware", "model"), default="hardware")
    ap.add_argument("--groups", help="comma-separated groups to hold out (default: all)")
    ap.add_argument("--all-models", action="store_true", help="not only models since 2025")
    ap.add_argument("--threshold", type=float, default=25.0, help="|error| in percent")
    args = ap.parse_args()
    rows = cs.speed_rows(args.csv, ("pp_tok_s",))
    base = load_params()

    def key(r: Row) -> str:
        return cs.model_family(r) if args.by == "model" else r.family

    def wanted(r: Row) -> bool:
        return args.by == "model" or args.all_models or cs.recent_model(r)

    groups = sorted({key(r) for r in rows if wanted(r)})
    if args.groups:
        groups = args.groups.split(",")
    params: dict[str, SpeedParams] = {}
    if args.reuse:
        with open(args.reuse, "rb") as fh:
            params = pickle.load(fh)
    for g in groups:
        if g not in params:
            params[g] = fit_prefill([r for r in rows if key(r) != g], base)
            print("fitted without", g, file=sys.stderr, flush=True)
    if not args.reuse:
        with open(args.out + ".params.pkl", "wb") as fh:
            pickle.dump(params, fh)
    errors: dict[str, list[float]] = {}
    tail: list[tuple[float, str]] = []
    for g in groups:
        for r in rows:
            if key(r) != g or not wanted(r):
                continue
            pred = cs.predict(r, params[g])
            if not pred or not r.value:
                continue
            error = abs(pred - r.value) / r.value * 100
            errors.setdefault(g, []).append(error)
            if error > args.threshold:
                tail.append((error, describe(r, g, pred)))
    tail.sort(reverse=True)
    every = [e for errs in errors.values() for e in errs]
    summary = f"{_stats(every)} above {args.threshold:g}%: {len(tail)}"
    with open(args.out + ".txt", "w") as fh:
        fh.write(summary + "\n")
        fh.writelines(f"  {g}: {_stats(errs)}\n" for g, errs in sorted(errors.items()))
        fh.writelines(line + "\n" for _, line in tail)
    print(summary)
    for g, errs in sorted(errors.items()):
        print(f"  {g}: {_stats(errs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
