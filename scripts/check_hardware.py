"""Validate the hardware catalog: src/runlocal/catalog/hardware/*.toml.

Checks, for every file: it parses with tomllib; required fields are present with the right
types; the id equals the file name; enumerated fields use allowed values; numbers are in
plausible ranges; no registry hostnames appear. Across files: ids and normalised
names/aliases are unique. Against the calibration data: every non-generic `hardware` string
of measured-llm-inference.csv resolves to exactly one catalog file by normalised alias match
(lowercase, every run of non-alphanumerics collapsed to one space).

Usage:
    python scripts/check_hardware.py                 # all checks; CSV check if the CSV exists
    python scripts/check_hardware.py --show-csv      # also print CSV string -> id
    python scripts/check_hardware.py --csv PATH      # explicit CSV path (then it must exist)

Exit status 0 when everything passes, 1 otherwise. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HW_DIR = ROOT / "src" / "runlocal" / "catalog" / "hardware"
CSV_CANDIDATES = [
    ROOT.parent / "shared" / "calibration" / "measured-llm-inference.csv",
    ROOT / "shared" / "calibration" / "measured-llm-inference.csv",
]

# Hardware strings in the CSV that name no single device.
GENERIC_EXACT = {
    "(any)",
    "Apple Silicon",
    "NVIDIA GPUs (RunPod)",
    "NVIDIA GPU (not stated in excerpt)",
}
GENERIC_PREFIX = ("Apple Silicon Mac (recommendedMaxWorkingSetSize",)

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VENDORS = {"NVIDIA", "AMD", "Intel", "Apple", "Qualcomm"}
KINDS = {"gpu", "unified", "cpu"}
SEGMENTS = {
    "consumer",
    "laptop",
    "workstation",
    "datacenter",
    "embedded",
    "desktop-cpu",
    "server-cpu",
}
BACKENDS = {"cuda", "rocm", "metal", "vulkan", "sycl", "cpu"}
REGISTRY_HOSTS = (
    "pypi.org",
    "pythonhosted.org",
    "npmjs.org",
    "npmjs.com",
    "debian.org",
    "proxy.golang.org",
    "crates.io",
)

# field -> (type(s), required)
COMMON: dict[str, tuple[Any, bool]] = {
    "schema_version": (int, True),
    "id": (str, True),
    "name": (str, True),
    "aliases": (list, True),
    "sources": (list, True),
    "last_verified": (dt.date, True),
    "reviewed_by": (str, True),
    "notes": (str, False),
}
NUM = (int, float)
HARDWARE: dict[str, tuple[Any, bool]] = {
    "vendor": (str, True),
    "kind": (str, True),
    "segment": (str, True),
    "memory_gib": (NUM, True),
    "memory_configs_gib": (list, False),
    "memory_type": (str, True),
    "bus_width_bits": (int, False),
    "bandwidth_gb_s": (NUM, True),
    "fp16_tensor_tflops": (NUM, True),
    "fp32_tflops": (NUM, True),
    "int8_tops": (NUM, False),
    "tdp_w": (NUM, True),
    "release_date": (dt.date, True),
    "launch_price_usd": (NUM, False),
    "street_price_usd": (NUM, False),
    "street_price_date": (str, False),
    "street_prices": (list, False),  # validated by runlocal catalog check
    "interface": (str, True),
    "backends": (list, True),
    "cuda_compute_capability": (str, False),
    "gpu_cores": (int, False),
    "cpu_cores": (int, False),
    "memory_channels": (int, False),
}
FIELDS = {**COMMON, **HARDWARE}


def norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def check_file(path: Path, errors: list[str]) -> dict[str, Any] | None:
    def err(msg: str) -> None:
        errors.append(f"{path.name}: {msg}")

    raw = path.read_text(encoding="utf-8")
    low = raw.lower()
    for host in REGISTRY_HOSTS:
        if host in low:
            err(f"mentions registry host {host!r}")
    try:
        d = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        err(f"TOML parse error: {exc}")
        return None

    for k in d:
        if k not in FIELDS:
            err(f"unknown field {k!r}")
    for k, (typ, required) in FIELDS.items():
        if k not in d:
            if required:
                err(f"missing required field {k!r}")
            continue
        v = d[k]
        if isinstance(v, bool) or not isinstance(v, typ):
            err(f"{k} has type {type(v).__name__}, expected {typ}")
    if any(e.startswith(path.name) for e in errors):
        return d

    if d["schema_version"] != 1:
        err("schema_version must be 1")
    if d["id"] != path.stem:
        err(f"id {d['id']!r} != file name {path.stem!r}")
    if not ID_RE.match(d["id"]):
        err(f"id {d['id']!r} is not a lowercase [a-z0-9-] slug")
    if not all(isinstance(a, str) and a.strip() for a in d["aliases"]):
        err("aliases must be non-empty strings")
    if not d["sources"]:
        err("needs at least one source")
    for s in d["sources"]:
        if not (isinstance(s, str) and re.match(r"^https?://\S+$", s)):
            err(f"source is not a URL: {s!r}")
    if d["last_verified"] > dt.date.today() + dt.timedelta(days=3650):
        err("last_verified is implausible")
    if not d["reviewed_by"].strip():
        err("reviewed_by is empty")

    if d["vendor"] not in VENDORS:
        err(f"vendor {d['vendor']!r} not in {sorted(VENDORS)}")
    if d["kind"] not in KINDS:
        err(f"kind {d['kind']!r} not in {sorted(KINDS)}")
    if d["segment"] not in SEGMENTS:
        err(f"segment {d['segment']!r} not in {sorted(SEGMENTS)}")
    for b in d["backends"]:
        if b not in BACKENDS:
            err(f"backend {b!r} not in {sorted(BACKENDS)}")
    if not d["backends"]:
        err("backends is empty")

    if not 1 <= d["memory_gib"] <= 2048:
        err(f"memory_gib {d['memory_gib']} outside 1-2048")
    for c in d.get("memory_configs_gib", []):
        if not isinstance(c, NUM) or not 1 <= c <= 2048:
            err(f"memory_configs_gib entry {c!r} outside 1-2048")
    if "memory_configs_gib" in d and d["memory_gib"] not in d["memory_configs_gib"]:
        err("memory_gib is not one of memory_configs_gib")
    if not 10 <= d["bandwidth_gb_s"] <= 10000:
        err(f"bandwidth_gb_s {d['bandwidth_gb_s']} outside 10-10000")
    for k in ("fp16_tensor_tflops", "fp32_tflops"):
        if not 0 < d[k] <= 20000:
            err(f"{k} {d[k]} not in (0, 20000]")
    if d["fp16_tensor_tflops"] < 0.5 * d["fp32_tflops"]:
        err("fp16_tensor_tflops is less than half of fp32_tflops")
    if "int8_tops" in d and not d["int8_tops"] > 0:
        err("int8_tops must be > 0")
    if not 1 <= d["tdp_w"] <= 2000:
        err(f"tdp_w {d['tdp_w']} outside 1-2000")
    if not dt.date(2010, 1, 1) <= d["release_date"] <= d["last_verified"]:
        err(f"release_date {d['release_date']} outside 2010..last_verified")
    if "launch_price_usd" in d and not 50 <= d["launch_price_usd"] <= 100000:
        err(f"launch_price_usd {d['launch_price_usd']} implausible")
    if "street_price_date" in d and not re.match(r"^\d{4}-\d{2}$", d["street_price_date"]):
        err("street_price_date must be YYYY-MM")

    cc = d.get("cuda_compute_capability")
    if d["vendor"] == "NVIDIA":
        if cc is None:
            err("NVIDIA entries need cuda_compute_capability")
        elif not re.match(r"^\d+\.\d+$", cc):
            err(f"cuda_compute_capability {cc!r} is not like '8.9'")
        if "cuda" not in d["backends"]:
            err("NVIDIA entries should list the cuda backend")
    elif cc is not None:
        err("cuda_compute_capability on a non-NVIDIA entry")
    if d["vendor"] == "Apple" and d["backends"] != ["metal"]:
        err("Apple entries use the metal backend")
    if d["kind"] == "cpu":
        for k in ("cpu_cores", "memory_channels"):
            if k not in d:
                err(f"CPU entries need {k}")
        if d["backends"] != ["cpu"]:
            err("CPU entries use the cpu backend")
    if d["kind"] == "unified" and "cpu_cores" not in d:
        err("unified entries should give cpu_cores")
    return d


def load_csv_strings(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return sorted({row["hardware"] for row in csv.DictReader(fh)})


def is_generic(s: str) -> bool:
    return s in GENERIC_EXACT or s.startswith(GENERIC_PREFIX)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, help="calibration CSV (default: shared/calibration/...)")
    ap.add_argument("--show-csv", action="store_true", help="print CSV string -> catalog id")
    ap.add_argument("--dir", type=Path, default=HW_DIR)
    args = ap.parse_args()

    errors: list[str] = []
    files = sorted(args.dir.glob("*.toml"))
    if not files:
        print(f"no hardware files in {args.dir}", file=sys.stderr)
        return 1
    records: dict[str, dict[str, Any]] = {}
    for p in files:
        d = check_file(p, errors)
        if d is not None and isinstance(d.get("id"), str):
            if d["id"] in records:
                errors.append(f"{p.name}: duplicate id {d['id']!r}")
            records[d["id"]] = d

    # alias index: normalised id, name and aliases -> ids
    index: dict[str, set[str]] = {}
    for rid, d in records.items():
        keys = {norm(rid), norm(str(d.get("name", "")))}
        keys |= {norm(a) for a in d.get("aliases", []) if isinstance(a, str)}
        keys.discard("")
        for k in keys:
            index.setdefault(k, set()).add(rid)
    for k, ids in sorted(index.items()):
        if len(ids) > 1:
            errors.append(f"alias {k!r} is used by several files: {sorted(ids)}")

    csv_path = args.csv
    if csv_path is None:
        csv_path = next((p for p in CSV_CANDIDATES if p.exists()), None)
    elif not csv_path.exists():
        errors.append(f"CSV {csv_path} not found")
        csv_path = None
    n_csv = 0
    if csv_path is not None:
        for s in load_csv_strings(csv_path):
            if is_generic(s):
                if args.show_csv:
                    print(f"  (generic, skipped)  {s}")
                continue
            n_csv += 1
            ids = index.get(norm(s), set())
            if len(ids) != 1:
                errors.append(f"CSV hardware {s!r} resolves to {sorted(ids) or 'nothing'}")
            elif args.show_csv:
                print(f"  {next(iter(ids)):36s} <- {s}")
    else:
        print("note: calibration CSV not found; alias coverage of the CSV not checked")

    for e in errors:
        print("ERROR", e, file=sys.stderr)
    status = "FAILED" if errors else "ok"
    print(
        f"{len(files)} hardware files, {len(index)} distinct names/aliases, "
        f"{n_csv} CSV hardware strings checked: {status}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
