"""`runlocal accuracy`: the engine against published measurements, row by row.

Maps each row of the calibration CSV to catalog entries and to the set-up it measured (flash
attention, micro-batch, cache type, the kernel paths of its release: runlocal.accuracy_setup)
and runs the formula for it (never the measured benchmarks). Rows of the other runtimes the
engine answers for (MLX, vLLM, transformers, ExLlama) are evaluated by the engine for that
runtime. The errors, tables and verdict counts are runlocal.accuracy_report's.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .accuracy_setup import LlamaSetup, kv_type, llama_setup
from .catalog import Catalog, Entry
from .check_inputs import check_runtime_hardware
from .errors import InputError, RunlocalError
from .estimate import Estimate, estimate
from .hardware import Device, device_from_entry, tensor_rate_for
from .runtimes import FP32_ACCUMULATING_ENGINES, get_runtime
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
    setup: LlamaSetup
    est: Estimate | None = None
    kv_type: str = "f16"
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


def _device_for_row(entry: Entry, label: str) -> Device:
    """Unified-memory machines come in several sizes: use the one the row names, else the
    largest (the source ran the model, so it had the memory)."""
    configs = [float(x) for x in entry.get("memory_configs_gib", [])]
    if configs:
        m = re.search(r"(\d+)\s*GB", label)
        size = float(m.group(1)) if m and float(m.group(1)) in configs else max(configs)
        return device_from_entry(entry, size)
    return device_from_entry(entry)


def utf8_lines(handle: Iterable[str], path: str | Path) -> Iterator[str]:
    """The lines of a file opened as UTF-8; bytes that are no UTF-8 end the read with an
    InputError naming the file (the decoder's UnicodeDecodeError was a traceback)."""
    try:
        yield from handle
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a calibration CSV (not UTF-8 text)") from None


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
        reader = csv.DictReader(utf8_lines(handle, path))
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
                    setup=llama_setup(rec),
                    kv_type=kv_type(rec),
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
            runtime = replace(base, **asdict(row.setup))
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


def error_table(ape: list[float]) -> dict[str, Any]:
    """Absolute percentage errors as the reports give them: count, median and p90."""
    return {
        "n": len(ape),
        "median_ape": round(percentile(ape, 0.5), 1),
        "p90_ape": round(percentile(ape, 0.9), 1),
    }
