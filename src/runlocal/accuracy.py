"""`runlocal accuracy`: the engine against published measurements, row by row.

Maps each row of the calibration CSV to catalog entries and to the setup it measured (flash
attention, micro-batch, cache type, runtime release) and runs the formula for it (never the
measured benchmarks). Rows of the other runtimes the engine answers for (MLX, vLLM,
transformers, ExLlama) are evaluated by the engine for that runtime. The errors, tables and
verdict counts are runlocal.accuracy_report's.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .catalog import Catalog, Entry
from .check_inputs import check_runtime_hardware
from .errors import InputError, RunlocalError
from .estimate import Estimate, estimate
from .hardware import Device, device_from_entry, tensor_rate_for
from .runtimes import (
    FP32_ACCUMULATING_ENGINES,
    LLAMA_AMD_VULKAN_TILES_BUILD,
    LLAMA_CDNA_MMQ_BUILD,
    LLAMA_CUDA_GRAPHS_BUILD,
    LLAMA_CUDA_GRAPHS_VOLTA_BUILD,
    LLAMA_FP4_MMA_BUILD,
    LLAMA_INTEL_VULKAN_COOPMAT_BUILD,
    LLAMA_METAL_TENSOR_TILES_BUILD,
    LLAMA_RDNA3_FATTN_MMA_BUILD,
    LLAMA_RDNA3_MMQ_BUILD,
    LLAMA_RDNA4_FATTN_MMA_BUILD,
    LLAMA_RDNA4_MMQ_BUILD,
    LLAMA_SYCL_COUNTING_SORT_BUILD,
    LLAMA_SYCL_XMX_ATTENTION_BUILD,
    LLAMA_VULKAN_CM1_PV_BUILD,
    get_runtime,
)
from .sources import catalog_spec, inventory_for
from .weights import normalize_quant

# Published anomalies (calibration README): set-up problems at the source, left out.
_ANOMALY_F16_PREFILL = re.compile(r"L40S|A100 SXM|RTX 5000 Ada", re.IGNORECASE)
_GENERIC_HARDWARE = re.compile(r"^\(any\)$|^Apple Silicon|GPUs? \(|not stated in excerpt", re.I)


@dataclass
class Row:
    line: int
    source_url: str
    metric: str
    value: float | None
    hardware: Entry
    n_devices: int
    model: Entry
    quant: str
    backend: str
    context: int
    depth: int
    family: str
    year: str
    raw: dict[str, str]
    est: Estimate | None = None
    flash_attn: bool = True
    ubatch: int = 512
    kv_type: str = "f16"
    mmq: bool = True
    fp4_mma: bool = True
    rdna4_fattn_mma: bool = True
    rdna3_fattn_mma: bool = True
    cdna_mmq: bool = True
    rdna4_mmq: bool = True
    rdna3_mmq: bool = True
    amd_vulkan_tiles: bool = True
    vulkan_cm1_pv: bool = True
    sycl_xmx_attention: bool = True
    sycl_counting_sort: bool = True
    intel_vulkan_coopmat: bool = True
    vulkan_mesa: bool = False
    metal_tensor_tiles: bool = True
    cuda_graphs_min_cc: float | None = 7.0
    # The runtime the row measured, as get_runtime names it ("llama.cpp", "vllm@0.6.3", "mlx").
    runtime: str = "llama.cpp"

    @property
    def predicted(self) -> float | None:
        if self.est is None:
            return None
        return self.est.decode_tok_s if self.metric == "tg_tok_s" else self.est.prefill_tok_s


def _backend(runtime: str, device: Device) -> str | None:
    r = runtime.lower()
    if any(k in r for k in ("vllm", "mlx", "transformers", "exllama", "sglang")):
        return None
    if re.match(r"ds4\b", r):  # antirez's DeepSeek-V4 engine: its own kernels and graph
        return None
    for key, backend in (
        ("vulkan", "vulkan"),
        ("rocm", "rocm"),
        ("hip", "rocm"),
        ("metal", "metal"),
        ("cpu", "cpu"),
        ("cuda", "cuda"),
        ("sycl", "sycl"),
    ):
        if key in r:
            return backend
    return device.backend


# Runtimes other than llama.cpp that the engine answers for, by a word of the CSV's runtime
# column: (runtime id, how its version is written there).
_OTHER_RUNTIMES = (
    ("mlx", "mlx", re.compile(r"mlx-lm (\d+\.\d+(?:\.\d+)?)", re.I)),
    ("vllm", "vllm", re.compile(r"vllm (\d+\.\d+(?:\.\d+)?)", re.I)),
    ("transformers", "transformers", re.compile(r"transformers (\d+\.\d+(?:\.\d+)?)", re.I)),
    ("exllama", "exllamav2", re.compile(r"exllamav2 (\d+\.\d+(?:\.\d+)?)", re.I)),
)


def other_runtime(rec: dict[str, str]) -> str | None:
    """The engine's runtime for a row measured with MLX, vLLM, transformers or ExLlama, at the
    release the row states where the engine knows behaviour changes ("vllm@0.6.3"); None for
    llama.cpp rows and for engines the engine does not model (ds4, SGLang)."""
    name = rec.get("runtime", "").lower()
    for word, runtime_id, version_re in _OTHER_RUNTIMES:
        if word in name:
            m = version_re.search(rec.get("runtime_version_or_date", ""))
            return f"{runtime_id}@{m.group(1)}" if m else runtime_id
    return None


def runtime_label(runtime: str) -> str:
    """A row's runtime without its release: the accuracy table's row label."""
    return get_runtime(runtime.partition("@")[0]).name


def hardware_family(entry: Entry) -> str:
    """Cross-validation group: CPUs (machines llama.cpp runs on their cores alone) form one
    family whatever their vendor; GPUs group by vendor and segment."""
    if list(entry.get("backends", [])) == ["cpu"]:
        return "CPU"
    vendor = str(entry.get("vendor", "other"))
    name = entry.name
    if vendor == "Apple":
        m = re.search(r"\bM(\d)", name)
        return f"Apple M{m.group(1)}" if m else "Apple"
    if vendor == "NVIDIA":
        segment = str(entry.get("segment", "consumer"))
        if entry.get("kind") == "unified":
            return "NVIDIA unified"
        return {"datacenter": "NVIDIA datacenter", "workstation": "NVIDIA workstation"}.get(
            segment, "NVIDIA GeForce"
        )
    return vendor


def _int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None


def _quant(text: str) -> str | None:
    m = re.search(r"q4_0", text, re.I)
    if m and "bit" in text.lower():
        return "Q4_0"
    try:
        return normalize_quant(text)
    except InputError:
        return None


def _default_context(rec: dict[str, str], model: Entry) -> int:
    """An out-of-memory row that names no context ran at its runtime's default: llama-bench
    512 tokens; Ollama 2048 (before 2025); llama-server, llama-cpp-python behind
    xinference and the like, the model's training context."""
    runtime = rec.get("runtime", "").lower()
    if "ollama" in runtime:
        return 2048
    if "server" in runtime or "xinference" in runtime:
        arch = model.get("architecture") or {}
        ctx = arch.get("max_position_embeddings") if isinstance(arch, dict) else None
        return int(ctx) if isinstance(ctx, int) and ctx > 0 else 4096
    return 512


_FA_RE = re.compile(r"\bfa\s*[=:]?\s*([01])\b", re.IGNORECASE)
_UBATCH_RE = re.compile(r"n_ubatch\s*[=:]?\s*(\d+)", re.IGNORECASE)
# The KV cache type a row states in its settings ("KV q4_0", "-ctk q8_0"); f16 otherwise.
_KV_RE = re.compile(
    r"(?:\bKV(?:\s+cache)?|-ctk|--cache-type-k)\s*[=:]?\s*(q4_0|q4_1|q5_0|q5_1|q8_0|f16|bf16|f32)\b",
    re.IGNORECASE,
)
_BUILD_RE = re.compile(r"\((\d{4,5})\)|\bb(\d{4,5})\b")
_DATE_RE = re.compile(r"\b(20\d\d)(?:-(\d\d))?")


def _since(
    rec: dict[str, str],
    build: int,
    month: tuple[int, int],
    unstated: bool,
    year_alone_unstated: bool = False,
) -> bool:
    """Whether a row's llama.cpp is at least ``build``: by the build number it states, else by
    the month it states (``month``, when that build appeared); ``unstated`` when neither, and
    with ``year_alone_unstated`` also when it states only the year of ``month``."""
    version = rec.get("runtime_version_or_date", "")
    b = _BUILD_RE.search(version)
    if b:
        return int(b.group(1) or b.group(2)) >= build
    d = _DATE_RE.search(version)
    if d:
        if year_alone_unstated and not d.group(2) and int(d.group(1)) == month[0]:
            return unstated
        return (int(d.group(1)), int(d.group(2) or 1)) >= month
    return unstated


def _flash_attn(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row ran with flash attention: as its settings say, else by its
    build or date (the default became "auto" at the end of August 2025, about build 6325)."""
    text = " ".join(rec.get(k, "") for k in ("batch", "notes"))
    m = _FA_RE.search(text)
    if m:
        return m.group(1) == "1"
    return _since(rec, 6325, (2025, 9), unstated=False)


def _kv_type(rec: dict[str, str]) -> str:
    m = _KV_RE.search(rec.get("batch", "") + " " + rec.get("notes", ""))
    return m.group(1).lower() if m else "f16"


def _mmq(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp CUDA row ran quantized prompt GEMMs in MMQ (the default from
    24 June 2024, PR #8075) rather than FP16 cuBLAS: by the date it states; rows that state
    none (build hashes, numbered builds) are taken as later."""
    return _since(rec, 0, (2024, 7), unstated=True)


# llama.cpp's native FP4 MMA on Blackwell: PR #17906, merged 2025-12-24 as build b7536.
FP4_MMA_DATE = (2026, 1)


def _fp4_mma(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row's build multiplies MXFP4/NVFP4 weights in the native FP4 MMA
    (Runtime.fp4_mma): by its build number, else the month it states (after December 2025);
    rows that state neither are taken as later, as for MMQ."""
    return _since(rec, LLAMA_FP4_MMA_BUILD, FP4_MMA_DATE, unstated=True)


# llama.cpp's HIP flash attention in the WMMA (MMA) kernel: RDNA4 from PR #18481, merged in
# the second week of January 2026 (after b7600 of 31 December 2025; the build number is taken
# as 7700), RDNA3 from PR #22880, build b9158 (May 2026). Runtime.rdna4_fattn_mma/rdna3_fattn_mma.
RDNA4_FATTN_MMA_DATE = (2026, 2)
RDNA3_FATTN_MMA_DATE = (2026, 6)


def _rdna_fattn_mma(rec: dict[str, str]) -> tuple[bool, bool]:
    """Whether a llama.cpp row's build runs HIP flash attention on the WMMA units (RDNA4,
    RDNA3): by its build number, else the month it states; rows that state neither, or only
    the year the kernel arrived in, are taken as later, as for MMQ."""
    return (
        _since(
            rec, LLAMA_RDNA4_FATTN_MMA_BUILD, RDNA4_FATTN_MMA_DATE, True, year_alone_unstated=True
        ),
        _since(
            rec, LLAMA_RDNA3_FATTN_MMA_BUILD, RDNA3_FATTN_MMA_DATE, True, year_alone_unstated=True
        ),
    )


# llama.cpp's HIP MMQ on AMD's matrix units (Runtime.cdna_mmq, rdna4_mmq, rdna3_mmq): CDNA in
# late July 2025, RDNA4 on 24 November 2025, RDNA3 on 5 December 2025 (the first whole months
# with each).
CDNA_MMQ_DATE = (2025, 8)
RDNA4_MMQ_DATE = (2025, 12)
RDNA3_MMQ_DATE = (2026, 1)


def _hip_mmq(rec: dict[str, str]) -> tuple[bool, bool, bool]:
    """Whether a llama.cpp row's build runs HIP MMQ on CDNA's, RDNA4's and RDNA3's matrix
    units for prompts (kernels.hip_dequant_blas): by its build number, else the month it
    states; rows that state neither, or only the year, are taken as later, as for MMQ."""
    return (
        _since(rec, LLAMA_CDNA_MMQ_BUILD, CDNA_MMQ_DATE, True, year_alone_unstated=True),
        _since(rec, LLAMA_RDNA4_MMQ_BUILD, RDNA4_MMQ_DATE, True, year_alone_unstated=True),
        _since(rec, LLAMA_RDNA3_MMQ_BUILD, RDNA3_MMQ_DATE, True, year_alone_unstated=True),
    )


# llama.cpp's Vulkan matmul tiles for AMD's cooperative matrices: PR #18749, merged in the
# same week as PR #18481 (January 2026; the build number is taken as 7700 likewise).
AMD_VULKAN_TILES_DATE = (2026, 2)


def _amd_vulkan_tiles(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row's build has the Vulkan matmul tiles tuned for AMD's
    cooperative matrices (Runtime.amd_vulkan_tiles): by its build number, else the month it
    states; rows that state neither, or only the year, are taken as later, as for MMQ."""
    return _since(
        rec, LLAMA_AMD_VULKAN_TILES_BUILD, AMD_VULKAN_TILES_DATE, True, year_alone_unstated=True
    )


# llama.cpp's Vulkan coopmat1 flash attention with S·V on the matrix units: PR #19075, merged on
# 28 January 2026 (dates from February 2026).
VULKAN_CM1_PV_DATE = (2026, 2)


def _vulkan_cm1_pv(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row's build multiplies Vulkan flash attention's softmax x V on AMD's
    cooperative matrices (Runtime.vulkan_cm1_pv): by its build number, else the month it
    states; rows that state neither, or only the year, are taken as later, as for MMQ."""
    return _since(
        rec, LLAMA_VULKAN_CM1_PV_BUILD, VULKAN_CM1_PV_DATE, True, year_alone_unstated=True
    )


# llama.cpp's SYCL prompt attention on the XMX engines (Runtime.sycl_xmx_attention): PRs
# #25025 and #25222, merged in July 2026 after b9856 (dates from August 2026).
SYCL_XMX_ATTENTION_DATE = (2026, 8)


def _sycl_xmx_attention(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row's build runs SYCL prompt attention on the XMX engines
    (Runtime.sycl_xmx_attention): by its build number, else the month it states; rows that
    state neither, or only the year, are taken as later, as for MMQ."""
    return _since(
        rec,
        LLAMA_SYCL_XMX_ATTENTION_BUILD,
        SYCL_XMX_ATTENTION_DATE,
        True,
        year_alone_unstated=True,
    )


# llama.cpp's SYCL counting sort of MUL_MAT_ID's rows (Runtime.sycl_counting_sort): PR #23142,
# opened on 16 May 2026 (dates from July 2026, as its merge month is not verified).
SYCL_COUNTING_SORT_DATE = (2026, 7)


def _sycl_counting_sort(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row's build sorts SYCL's routed rows by counting rather than by the
    host's scan (Runtime.sycl_counting_sort): by its build number, else the month it states;
    rows that state neither, or only the year, are taken as later, as for MMQ."""
    return _since(
        rec,
        LLAMA_SYCL_COUNTING_SORT_BUILD,
        SYCL_COUNTING_SORT_DATE,
        True,
        year_alone_unstated=True,
    )


# llama.cpp's Vulkan matmuls on Intel Xe2's XMX engines (Runtime.intel_vulkan_coopmat): PR
# #14001, June 2025 (b5589).
INTEL_VULKAN_COOPMAT_DATE = (2025, 7)


def _intel_vulkan_coopmat(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row's build runs Vulkan matmuls on Intel Xe2's XMX engines
    (Runtime.intel_vulkan_coopmat): by its build number, else the month it states; rows that
    state neither, or only the year, are taken as later, as for MMQ."""
    return _since(
        rec,
        LLAMA_INTEL_VULKAN_COOPMAT_BUILD,
        INTEL_VULKAN_COOPMAT_DATE,
        True,
        year_alone_unstated=True,
    )


# A row's Vulkan driver as its notes name it: Mesa's (its Intel driver ANV, its AMD driver
# RADV, or Mesa by name), else the GPU vendor's (Runtime.vulkan_mesa).
_MESA_RE = re.compile(r"\b(?:Mesa|ANV|RADV)\b")


def _vulkan_mesa(rec: dict[str, str]) -> bool:
    """Whether a row ran under Mesa's Vulkan driver (Runtime.vulkan_mesa): as its notes say;
    rows that name no driver are taken to run the vendor's."""
    return bool(_MESA_RE.search(rec.get("notes", "")))


# llama.cpp's Metal tensor-API GEMM kernel (Runtime.metal_tensor_tiles): PR #20962, opened on
# 24 March 2026 and merged in April (dates from May 2026).
METAL_TENSOR_TILES_DATE = (2026, 5)


def _metal_tensor_tiles(rec: dict[str, str]) -> bool:
    """Whether a llama.cpp row's build multiplies Metal prompts on the M5's Neural
    Accelerators in the tensor-API kernel of PR #20962 (Runtime.metal_tensor_tiles): by its
    build number, else the month it states; rows that state neither, or only the year, are
    taken as later, as for MMQ."""
    return _since(
        rec,
        LLAMA_METAL_TENSOR_TILES_BUILD,
        METAL_TENSOR_TILES_DATE,
        True,
        year_alone_unstated=True,
    )


# llama.cpp's CUDA graphs for decode (Runtime.cuda_graphs_min_cc): PR #6766, merged on
# 8 May 2024 (about build b2830; dates from June 2024, as a May date may precede it), for
# compute capability 8.0 and later; PR #25749 took them to Volta and Turing (7.0), merged in
# the second half of July 2026 (dates from August 2026; build b10000 taken as its number).
CUDA_GRAPHS_DATE = (2024, 6)
CUDA_GRAPHS_VOLTA_DATE = (2026, 8)


def _cuda_graphs_min_cc(rec: dict[str, str]) -> float | None:
    """The lowest compute capability a llama.cpp row's build decodes with CUDA graphs on, by
    its build number, else the month it states; rows that state neither are taken as recent
    builds of their time: Ampere on (the Volta gate is too recent to assume)."""
    if not _since(rec, LLAMA_CUDA_GRAPHS_BUILD, CUDA_GRAPHS_DATE, unstated=True):
        return None
    if _since(rec, LLAMA_CUDA_GRAPHS_VOLTA_BUILD, CUDA_GRAPHS_VOLTA_DATE, unstated=False):
        return 7.0
    return 8.0


def _ubatch(rec: dict[str, str]) -> int:
    m = _UBATCH_RE.search(rec.get("batch", "") + " " + rec.get("notes", ""))
    return int(m.group(1)) if m else 512


def _device_for_row(entry: Entry, label: str) -> Device:
    """Unified-memory machines come in several sizes: use the one the row names, else the
    largest (the source ran the model, so it had the memory)."""
    configs = [float(x) for x in entry.get("memory_configs_gib", [])]
    if configs:
        m = re.search(r"(\d+)\s*GB", label)
        size = float(m.group(1)) if m and float(m.group(1)) in configs else max(configs)
        return device_from_entry(entry, size)
    return device_from_entry(entry)


def map_rows(
    path: str | Path, catalog: Catalog, other_runtimes: bool = False
) -> tuple[list[Row], dict[str, int]]:
    """Rows the engine can evaluate, and counts of the rows skipped, by reason.

    llama.cpp rows only (what bench/calibrate_speed.py fits), unless ``other_runtimes``: then
    the rows of MLX, vLLM, transformers and ExLlama too, each with its runtime."""
    skipped: dict[str, int] = {}

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    rows: list[Row] = []
    try:
        handle = open(path, encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    with handle:
        reader = csv.DictReader(handle)
        need = {"hardware", "model", "quant", "metric", "value", "runtime", "n_devices"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise InputError(
                f"{path}: not a calibration CSV (needs columns {', '.join(sorted(need))})"
            )
        for rec in reader:
            line = reader.line_num
            metric = rec["metric"]
            if metric not in ("tg_tok_s", "pp_tok_s", "oom"):
                skip("memory or size rows (the memory section)")
                continue
            if _GENERIC_HARDWARE.search(rec["hardware"]):
                skip("hardware not named")
                continue
            try:
                hw = catalog.find_hardware(rec["hardware"])
                model = catalog.find_model(rec["model"])
            except RunlocalError:
                skip("model or hardware not in the catalog")
                continue
            quant = _quant(rec["quant"])
            if quant is None:
                skip("quantization not modelled")
                continue
            device = device_from_entry(hw)
            backend = _backend(rec["runtime"], device)
            if backend == "cpu" and "cpu" not in hw.get("backends", []):
                # A CPU-only run on a machine whose catalog rates are its GPU's (Strix Halo,
                # Apple): the engine has no figures for its cores, and the GPU's would answer.
                skip("CPU-only run on a machine the catalog rates by its GPU")
                continue
            runtime = "llama.cpp"
            if backend is None:
                other = other_runtime(rec) if other_runtimes else None
                if other is None:
                    skip(
                        "runtime not modelled (ds4, SGLang)"
                        if other_runtimes
                        else "not a llama.cpp measurement"
                    )
                    continue
                try:
                    check_runtime_hardware(get_runtime(other), [device])
                except InputError:
                    skip("runtime does not run on that hardware")
                    continue
                backend, runtime = device.backend, other
            prompt, gen = _int(rec.get("prompt_tokens", "")), _int(rec.get("gen_tokens", ""))
            depth0 = _int(rec.get("context_tokens", "")) or 0
            if metric in ("tg_tok_s", "pp_tok_s") and prompt is None and gen is None:
                skip("test lengths not stated")
                continue
            n_dev = _int(rec.get("n_devices", "")) or 1
            year = rec.get("runtime_version_or_date", "")
            if (
                metric == "pp_tok_s"
                and quant == "F16"
                and _ANOMALY_F16_PREFILL.search(rec["hardware"])
            ):
                skip("published anomaly (F16 prefill set-up problem)")
                continue
            if metric == "pp_tok_s" and n_dev > 1 and "2023" in year:
                skip("published anomaly (2023 multi-GPU prefill)")
                continue
            if metric == "tg_tok_s":
                context, depth = depth0 + (gen or 0), depth0 + (gen or 0) // 2
            elif metric == "pp_tok_s":
                context, depth = depth0 + (prompt or 0), depth0 + (prompt or 0) // 2
            else:
                context = depth0 or (prompt or 0) + (gen or 0) or _default_context(rec, model)
                depth = context // 2
            try:
                value = None if metric == "oom" else float(rec["value"])
            except ValueError:
                skip("value not a number")
                continue
            rdna4_fattn_mma, rdna3_fattn_mma = _rdna_fattn_mma(rec)
            cdna_mmq, rdna4_mmq, rdna3_mmq = _hip_mmq(rec)
            rows.append(
                Row(
                    line=line,
                    source_url=rec.get("source_url", ""),
                    metric=metric,
                    value=value,
                    hardware=hw,
                    n_devices=n_dev,
                    model=model,
                    quant=quant,
                    backend=backend,
                    context=max(context, 1),
                    depth=depth,
                    family=hardware_family(hw),
                    year=year,
                    raw=dict(rec),
                    flash_attn=_flash_attn(rec),
                    mmq=_mmq(rec),
                    fp4_mma=_fp4_mma(rec),
                    rdna4_fattn_mma=rdna4_fattn_mma,
                    rdna3_fattn_mma=rdna3_fattn_mma,
                    cdna_mmq=cdna_mmq,
                    rdna4_mmq=rdna4_mmq,
                    rdna3_mmq=rdna3_mmq,
                    amd_vulkan_tiles=_amd_vulkan_tiles(rec),
                    vulkan_cm1_pv=_vulkan_cm1_pv(rec),
                    sycl_xmx_attention=_sycl_xmx_attention(rec),
                    sycl_counting_sort=_sycl_counting_sort(rec),
                    intel_vulkan_coopmat=_intel_vulkan_coopmat(rec),
                    vulkan_mesa=_vulkan_mesa(rec),
                    metal_tensor_tiles=_metal_tensor_tiles(rec),
                    cuda_graphs_min_cc=_cuda_graphs_min_cc(rec),
                    ubatch=_ubatch(rec),
                    kv_type=_kv_type(rec),
                    runtime=runtime,
                )
            )
    return rows, skipped


def evaluate(rows: Iterable[Row]) -> None:
    """The engine's estimate for each row, on its runtime: llama.cpp with the row's flash
    attention, micro-batch and MMQ; other runtimes as `check` sees them (PyTorch runtimes'
    tensor rate with FP32 accumulation)."""
    base = get_runtime("llama.cpp")
    for row in rows:
        device = replace(_device_for_row(row.hardware, row.raw["hardware"]), backend=row.backend)
        if row.runtime == "llama.cpp":
            runtime = replace(
                base,
                flash_attn=row.flash_attn,
                ubatch=row.ubatch,
                mmq=row.mmq,
                fp4_mma=row.fp4_mma,
                rdna4_fattn_mma=row.rdna4_fattn_mma,
                rdna3_fattn_mma=row.rdna3_fattn_mma,
                cdna_mmq=row.cdna_mmq,
                rdna4_mmq=row.rdna4_mmq,
                rdna3_mmq=row.rdna3_mmq,
                amd_vulkan_tiles=row.amd_vulkan_tiles,
                vulkan_cm1_pv=row.vulkan_cm1_pv,
                sycl_xmx_attention=row.sycl_xmx_attention,
                sycl_counting_sort=row.sycl_counting_sort,
                intel_vulkan_coopmat=row.intel_vulkan_coopmat,
                vulkan_mesa=row.vulkan_mesa,
                metal_tensor_tiles=row.metal_tensor_tiles,
                cuda_graphs_min_cc=row.cuda_graphs_min_cc,
            )
        else:
            runtime = get_runtime(row.runtime)
            fp32_acc = runtime.engine in FP32_ACCUMULATING_ENGINES
            device = tensor_rate_for(device, fp32_acc)
        spec = catalog_spec(row.model)
        inv = inventory_for(spec, row.model, row.quant)
        devices = [device] * row.n_devices
        prompt = int(row.raw.get("prompt_tokens") or 0) or 512
        row.est = estimate(
            spec, inv, devices, None, runtime, row.context, row.kv_type, 1, row.depth, prompt
        )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)
