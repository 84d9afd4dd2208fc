"""Each measured row of a runtime other than llama.cpp beside the engine's answer for it,
sorted by predicted / measured: the rows behind the "Other runtimes" table of docs/accuracy.md.

    PYTHONPATH=src python bench/runtime_rows.py ../shared/calibration/measured-llm-inference.csv \
        bench/data/measured-extra.csv --runtime transformers --metric tg_tok_s

One line a row: predicted / measured, both rates, model, scheme, hardware, runtime release,
prompt, generated and context tokens, and the start of the row's notes.
"""

from __future__ import annotations

import argparse

from runlocal.accuracy import Row, evaluate, map_rows
from runlocal.catalog import load_catalog


def runtime_rows(paths: list[str], runtime: str, metric: str) -> list[tuple[float, Row]]:
    """(predicted / measured, row) for the rows of ``runtime`` (a prefix of the engine's
    runtime id: transformers, mlx, vllm) and ``metric``, lowest ratio first."""
    catalog = load_catalog()
    out: list[tuple[float, Row]] = []
    for path in paths:
        rows, _ = map_rows(path, catalog, other_runtimes=True)
        rows = [r for r in rows if r.runtime.startswith(runtime) and r.metric == metric]
        evaluate(rows)
        for row in rows:
            if row.value and row.predicted is not None:
                out.append((row.predicted / row.value, row))
    out.sort(key=lambda pair: pair[0])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="+", help="calibration CSVs (the shared one, then ours)")
    ap.add_argument("--runtime", default="transformers", help="transformers, mlx or vllm")
    ap.add_argument("--metric", default="tg_tok_s", choices=("tg_tok_s", "pp_tok_s"))
    args = ap.parse_args()
    for ratio, row in runtime_rows(args.csv, args.runtime, args.metric):
        raw = row.raw
        print(
            f"{ratio:5.2f}  predicted {row.predicted:8.1f}  measured {row.value:8.1f}  "
            f"{row.model.name[:28]:28} {row.quant:9} {row.n_devices}x {row.hardware.name[:24]:24} "
            f"{row.runtime:22} p={raw.get('prompt_tokens') or '-'} "
            f"g={raw.get('gen_tokens') or '-'} c={raw.get('context_tokens') or '-'}  "
            f"{raw.get('notes', '')[:100]}"
        )


if __name__ == "__main__":
    main()
