"""Models released since 2025, each predicted by parameters fitted without its hardware
family (the "newest families on unseen hardware" figure of bench/calibrate_speed.py), split
by hardware family, and the same figure without each family in turn.

    python bench/recent_by_family.py ../shared/calibration/measured-llm-inference.csv \
        bench/data/measured-extra.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import calibrate_speed as cs
from runlocal.accuracy import percentile
from runlocal.speed import load_params


def _stats(errors: list[float]) -> str:
    if not errors:
        return "n=0"
    median, p90 = percentile(errors, 0.5), percentile(errors, 0.9)
    return f"n={len(errors)} median={median:.1f}% p90={p90:.1f}%"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+", help="calibration CSVs (the shared one, then ours)")
    args = ap.parse_args()
    rows = cs.speed_rows(args.csv)
    base = load_params()
    errors: list[tuple[str, str, float]] = []  # metric, family, absolute % error
    for family in sorted({r.family for r in rows}):
        test = [r for r in rows if r.family == family and cs.recent_model(r)]
        if not test:
            continue
        q = cs.fit([r for r in rows if r.family != family], base)
        for r in test:
            pred = cs.predict(r, q)
            if pred and r.value:
                errors.append((r.metric, family, abs(pred - r.value) / r.value * 100))
    families = sorted({f for _, f, _ in errors})
    for metric in ("tg_tok_s", "pp_tok_s"):
        print(f"{metric}: all {_stats([e for m, _, e in errors if m == metric])}")
        for fam in families:
            own = [e for m, f, e in errors if m == metric and f == fam]
            rest = [e for m, f, e in errors if m == metric and f != fam]
            print(f"  {fam:<20} {_stats(own):<36} without it: {_stats(rest)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
