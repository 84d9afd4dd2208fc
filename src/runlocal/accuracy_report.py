"""The accuracy report: errors of the engine's estimates against measured rows, by hardware
family, runtime and metric, the peer baseline, and the Markdown and JSON the docs show."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .accuracy import Row, error_table, evaluate, map_rows, runtime_label
from .answer import verdict_for
from .catalog import load_catalog
from .memory_accuracy import memory_markdown, run_memory
from .speed import load_params_raw


def _ape(pred: float, meas: float) -> float:
    return abs(pred - meas) / meas * 100


def llmfit_baseline(row: Row) -> float | None:
    """llmfit's published formula: bandwidth / (active params × bytes per param) × 0.55."""
    bpp = {
        "Q4_K_M": 0.5,
        "Q4_0": 0.5,
        "Q8_0": 1.0,
        "F16": 2.0,
        "BF16": 2.0,
        "MXFP4_MOE": 0.5,
        "Q3_K_M": 0.4,
        "Q5_K_M": 0.625,
        "Q6_K": 0.75,
    }.get(row.quant)
    if bpp is None:
        return None
    active = float(row.model.get("params_active_b") or row.model.get("params_total_b") or 0)
    if not active:
        return None
    bw = float(row.hardware.get("bandwidth_gb_s"))
    return bw / (active * bpp) * 0.55


def runtime_summary(rows: list[Row]) -> dict[str, Any]:
    """Decode and prefill error of the rows of each runtime other than llama.cpp, and how many
    rows that ran the engine calls `wont-run`."""
    out: dict[str, Any] = {}
    for row in rows:
        if row.runtime == "llama.cpp" or row.metric not in ("tg_tok_s", "pp_tok_s"):
            continue
        entry = out.setdefault(
            runtime_label(row.runtime), {"tg_tok_s": [], "pp_tok_s": [], "wont_run": 0}
        )
        if _verdict(row) == "wont-run":
            entry["wont_run"] += 1
        if row.value is not None and row.predicted is not None:
            entry[row.metric].append(_ape(row.predicted, row.value))
    return {
        name: {
            "tg_tok_s": error_table(t["tg_tok_s"]) if t["tg_tok_s"] else None,
            "pp_tok_s": error_table(t["pp_tok_s"]) if t["pp_tok_s"] else None,
            "running_predicted_wont_run": t["wont_run"],
        }
        for name, t in sorted(out.items())
    }


def summarize(rows: list[Row], skipped: dict[str, int]) -> dict[str, Any]:
    others = runtime_summary(rows)
    rows = [r for r in rows if r.runtime == "llama.cpp"]
    out: dict[str, Any] = {"rows_evaluated": len(rows), "rows_skipped": skipped, "metrics": {}}
    for metric in ("tg_tok_s", "pp_tok_s"):
        errs: dict[str, list[float]] = {}
        base: list[float] = []
        for row in rows:
            if row.metric != metric or row.value is None or row.predicted is None:
                continue
            e = _ape(row.predicted, row.value)
            errs.setdefault(row.family, []).append(e)
            errs.setdefault("all", []).append(e)
            if metric == "tg_tok_s":
                b = llmfit_baseline(row)
                if b is not None:
                    base.append(_ape(b, row.value))
        table = {fam: error_table(v) for fam, v in sorted(errs.items())}
        out["metrics"][metric] = table
        if base:
            out["metrics"][metric + "_llmfit_baseline"] = error_table(base)
    oom = [r for r in rows if r.metric == "oom"]
    ran = [r for r in rows if r.metric in ("tg_tok_s", "pp_tok_s")]
    out["fit"] = {
        "oom_rows": len(oom),
        "oom_predicted_comfortable": sum(1 for r in oom if _verdict(r) == "comfortable"),
        "oom_predicted_wont_run": sum(1 for r in oom if _verdict(r) == "wont-run"),
        "running_rows": len(ran),
        "running_predicted_wont_run": sum(1 for r in ran if _verdict(r) == "wont-run"),
        "violations": [
            f"line {r.line}: {r.model.name} {r.quant} on {r.n_devices}x {r.hardware.name} "
            f"({r.metric}, predicted {_verdict(r)})"
            for r in [*oom, *ran]
            if (r.metric == "oom" and _verdict(r) == "comfortable")
            or (r.metric != "oom" and _verdict(r) == "wont-run")
        ],
    }
    if others:
        out["runtimes"] = others
    return out


def _verdict(row: Row) -> str:
    """The engine's own verdict (answer.verdict_for, what check answers) for the row's
    estimate, which the harness makes without system RAM."""
    est = row.est
    assert est is not None
    return verdict_for(est.plan, est.decode_tok_s, [], None, est.fits)[0]


def _error_cells(table: dict[str, Any] | None) -> list[str]:
    """An error table's rows, median and p90 as Markdown cells; a dash where it has none."""
    if not table:
        return ["0", "–", "–"]
    return [str(table["n"]), f"{table['median_ape']}%", f"{table['p90_ape']}%"]


def _runtime_markdown(table: dict[str, Any]) -> list[str]:
    if not table:
        return []
    lines = [
        "## Other runtimes: absolute percentage error",
        "",
        "Single-request rows measured with MLX, vLLM and transformers, each evaluated by the "
        "engine for its own runtime (the tables above are llama.cpp's alone). These rows are "
        "not in the fit, but each runtime's few constants were read off them (methodology, "
        "Other runtimes), so this table is in-sample.",
        "",
        "| runtime | decode rows | decode median | decode p90 | prefill rows "
        "| prefill median | prefill p90 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in table.items():
        cells = [c for metric in ("tg_tok_s", "pp_tok_s") for c in _error_cells(t.get(metric))]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    wont = {n: t["running_predicted_wont_run"] for n, t in table.items()}
    lines += [
        "",
        "Rows that ran, predicted `wont-run`: "
        + "; ".join(f"{n}: {c}" for n, c in wont.items())
        + ".",
        "",
    ]
    return lines


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Accuracy report",
        "",
        "Generated by `runlocal accuracy --data ../shared/calibration/measured-llm-inference.csv "
        "--data bench/data/measured-extra.csv --markdown`; do not edit by hand. Formula only: "
        "measured catalog benchmarks are not used.",
        "",
        f"Rows evaluated: {report['rows_evaluated']}. Skipped: "
        + "; ".join(f"{k}: {v}" for k, v in sorted(report["rows_skipped"].items())),
        "",
    ]
    names = {"tg_tok_s": "Decode (tg)", "pp_tok_s": "Prefill (pp)"}
    for metric, title in names.items():
        table = report["metrics"].get(metric, {})
        lines += [
            f"## {title}: absolute percentage error",
            "",
            "| hardware family | rows | median | p90 |",
            "|---|---:|---:|---:|",
        ]
        for fam, t in table.items():
            label = f"**{fam}**" if fam == "all" else fam
            lines.append(f"| {label} | {t['n']} | {t['median_ape']}% | {t['p90_ape']}% |")
        base = report["metrics"].get(metric + "_llmfit_baseline")
        if base:
            lines += [
                "",
                f"Peer baseline on the same rows (llmfit: bandwidth / weight bytes × 0.55): "
                f"median {base['median_ape']}%, p90 {base['p90_ape']}% over {base['n']} rows.",
            ]
        lines.append("")
    lines += _runtime_markdown(report.get("runtimes") or {})
    lines += memory_markdown(report.get("memory") or {})
    cv = report.get("cross_validation") or {}
    titles = {
        "hardware_family": ("Leave one hardware family out", "hardware family"),
        "model_family": ("Leave one model family out", "model family"),
    }
    for key, (title, column) in titles.items():
        table = cv.get(key)
        if not table:
            continue
        lines += [
            f"## {title}",
            "",
            "Each group predicted by parameters fitted without it (`bench/calibrate_speed.py`, "
            "stored in `src/runlocal/data/speed_params.json`): absolute percentage error.",
            "",
            f"| {column} | decode rows | decode median | decode p90 | prefill rows "
            "| prefill median | prefill p90 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for group, t in table.items():
            cells = [c for part in ("decode", "prefill") for c in _error_cells(t.get(part))]
            lines.append(f"| {group} | " + " | ".join(cells) + " |")
        recent = cv.get("recent_models_unseen_hardware") if key == "hardware_family" else None
        if recent:
            parts = [
                f"{part} {m['n']} rows, median {m['median_ape']}%, p90 {m['p90_ape']}%"
                for part, m in recent.items()
                if m
            ]
            lines += [
                "",
                "Models released since 2025 (the catalog's release dates), each on a hardware "
                "family the fit did not see: " + "; ".join(parts) + ".",
            ]
        lines.append("")
    fit = report["fit"]
    lines += [
        "## Fit verdicts",
        "",
        f"- Out-of-memory rows: {fit['oom_rows']}; predicted `comfortable`: "
        f"{fit['oom_predicted_comfortable']}; predicted `wont-run`: {fit['oom_predicted_wont_run']}.",
        f"- Rows that ran: {fit['running_rows']}; predicted `wont-run`: {fit['running_predicted_wont_run']}.",
    ]
    for v in fit["violations"]:
        lines.append(f"  - {v}")
    return "\n".join(lines) + "\n"


def run_accuracy(paths: str | list[str], as_json: bool = False, markdown: bool = False) -> int:
    catalog = load_catalog()
    files = [paths] if isinstance(paths, str) else list(paths)
    rows: list[Row] = []
    skipped: dict[str, int] = {}
    for path in files:
        mapped, skips = map_rows(path, catalog, other_runtimes=True)
        rows.extend(mapped)
        for reason, count in skips.items():
            skipped[reason] = skipped.get(reason, 0) + count
    evaluate(rows)
    report = summarize(rows, skipped)
    report["memory"] = run_memory(files, catalog)
    report["data"] = [Path(p).name for p in files]
    report["cross_validation"] = load_params_raw().get("cross_validation")
    if as_json:
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif markdown:
        sys.stdout.write(to_markdown(report))
    else:
        sys.stdout.write(to_markdown(report))
    return 0
