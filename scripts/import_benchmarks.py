"""Turn the measured rows of the calibration CSV into catalog benchmark files.

    python scripts/import_benchmarks.py ../shared/calibration/measured-llm-inference.csv

One file per (source, hardware) in src/runlocal/catalog/benchmarks/, each row with its
source, runtime build, test sizes and the llama-bench command that reproduces it. Rows whose
model or hardware the catalog lacks are reported and left out. Re-running rewrites the files.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict

from runlocal.accuracy import Row, map_rows
from runlocal.catalog import CATALOG_DIR, load_catalog

OUT = CATALOG_DIR / "benchmarks"


def slug(text: str) -> str:
    text = re.sub(r"^https?://(www\.)?", "", text)
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:60].strip("-")


def command(row: Row) -> str:
    p, g = row.raw.get("prompt_tokens", ""), row.raw.get("gen_tokens", "")
    depth = row.raw.get("context_tokens", "")
    parts = [f"llama-bench -m {row.model.id}-{row.quant}.gguf -ngl 99"]
    if row.metric == "pp_tok_s" and p:
        parts.append(f"-p {p} -n 0")
    elif row.metric == "tg_tok_s" and g:
        parts.append(f"-p 0 -n {g}")
    if depth and depth != "0":
        parts.append(f"-d {depth}")
    if row.n_devices > 1:
        parts.append("-sm layer")
    return " ".join(parts)


def q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def main() -> int:
    catalog = load_catalog()
    rows, skipped = map_rows(sys.argv[1], catalog)
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row.metric in ("tg_tok_s", "pp_tok_s"):
            groups[(row.source_url, row.hardware.id)].append(row)
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.toml"):
        old.unlink()
    for (url, hw), items in sorted(groups.items()):
        bench_id = f"{slug(url)}-{hw}"[:120].strip("-")
        lines = [
            "schema_version = 1",
            f"id = {q(bench_id)}",
            f"name = {q(f'{catalog.hardware[hw].name}: published llama.cpp measurements')}",
            f"hardware = {q(hw)}",
            f"sources = [{q(url)}]",
            "last_verified = 2026-11-26",
            'reviewed_by = "runlocal editors"',
            'trust = "published"',
            'capture = "llama-bench, as published by the source; transcribed into '
            'shared/calibration/measured-llm-inference.csv"',
        ]
        for row in items:
            r = row.raw
            lines += [
                "",
                "[[results]]",
                f"model = {q(row.model.id)}",
                f"quant = {q(row.quant)}",
                f"runtime = {q(r.get('runtime', ''))}",
                f"backend = {q(row.backend)}",
                f"build = {q(r.get('runtime_version_or_date', ''))}",
                f"n_devices = {row.n_devices}",
                f"metric = {q(row.metric)}",
                f"prompt_tokens = {int(r['prompt_tokens'] or 0)}" if r.get("prompt_tokens") else "",
                f"gen_tokens = {int(r['gen_tokens'] or 0)}" if r.get("gen_tokens") else "",
                f"context_tokens = {int(r['context_tokens'])}" if r.get("context_tokens") else "",
                f"value = {float(r['value'])}",
                f"command = {q(command(row))}",
                f"notes = {q(r.get('notes', ''))}",
                f"csv_line = {row.line}",
            ]
        text = "\n".join(line for line in lines if line != "") + "\n"
        text = text.replace("\n[[results]]", "\n\n[[results]]")
        (OUT / f"{bench_id}.toml").write_text(text, encoding="utf-8")
    print(
        f"wrote {len(groups)} benchmark files with {sum(len(v) for v in groups.values())} results"
    )
    for reason, n in sorted(skipped.items()):
        print(f"  skipped {n}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
