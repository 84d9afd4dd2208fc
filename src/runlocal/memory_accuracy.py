"""The memory part of `runlocal accuracy`: the engine's memory answer against published sizes.

Every row of the calibration CSVs whose metric is a size (weights, KV cache, compute buffer,
allocator peak, GPU total) is asked of `check`, the function the CLI answers with, for the
row's model, quantization, hardware, context, runtime and release, and the part of the
answer that the measurement covers is compared with it.

A metric's name says what was measured and in which unit: ``<part>_<unit>[_per_gpu]``.

- Units: ``mib`` and ``gib`` are binary; ``gb`` is decimal unless the row's notes say the
  source's "GB" is GiB, or the row is llama.cpp's, which reports sizes only in MiB and GiB
  (a "GB" copied from it is its GiB), or vLLM's before 0.8.3: its logs divided by 2**30 and
  printed "GB" from the first "Loading model weights took %.4f GB" (PR #3120, March 2024)
  until PR #15807 (merged 31 March 2025, closing issue #14979 "Model weights in GiB") changed
  the word to "GiB"; a row dated before April 2025 without a release is such a row.
- ``weights`` in GiB or GB: every weight tensor once, wherever it sits (llama.cpp's "model size",
  llama-bench's size column, vLLM's "Model loading took"); ``weights`` in MiB: the weights
  on the accelerators, as load logs print their buffers ("CUDA0 model buffer size", summed
  over devices); ``weights_host``: the host buffer of the same logs.
- ``kv``: the KV cache (and recurrent state), wherever it sits ("KV self size", "KV buffer").
- ``compute_buf``: the accelerators' compute buffers (llama.cpp "CUDA0 compute buffer size").
- ``kv_pool``: vLLM's KV pool on one GPU ("Available KV cache memory", "the rest of the
  memory reserved for KV Cache"), compared with the pool the engine sizes even where the
  context needs more and the setup does not start.
- ``activation``: vLLM's profiled activation peak on one GPU ("PyTorch activation peak
  memory", "torch peak memory increase"), compared with the device's compute bytes.
- ``peak``: what the framework's allocator held at its peak: weights + KV + activations, no
  process context (torch.cuda.max_memory_allocated, mlx's mx.get_peak_memory). The engine's
  answer for a context prefills all of it at once; a row that prefilled a prompt and then
  generated tokens peaked at the larger of two moments, each a question of its own: the
  prompt's prefill (the answer's peak at the prompt's length, its KV cache that long) and the
  last generated token: weights + the KV cache of prompt and generated tokens + what that
  token's forward pass holds over the cache (transformers: one layer's cache update, and the
  grouped-query K and V expanded to every head where the release does so,
  memory.transformers_decode_bytes; elsewhere a token's activations, negligible).
- ``resident``: what stays allocated once a run ends: weights + KV cache, the activations
  freed (torch.cuda.memory_allocated after generate).
- ``vram_total``: the accelerators' whole use, process context included (nvidia-smi).
- ``_per_gpu``: one device of a tensor-parallel set rather than the sum.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .accuracy import (
    _GENERIC_HARDWARE,
    _default_context,
    _int,
    _quant,
    error_table,
    other_runtime,
    percentile,
    runtime_label,
    utf8_lines,
)
from .accuracy_setup import BUILD_RE, kv_type
from .catalog import Catalog, Entry
from .engine import CheckQuery, check
from .errors import InputError, RunlocalError
from .memory import transformers_decode_bytes
from .runtimes import get_runtime
from .sources import catalog_spec
from .units import GB, GIB, MIB

_METRIC_RE = re.compile(
    r"^(weights|weights_host|kv|compute_buf|kv_pool|activation|peak|resident|vram_total)"
    r"_(mib|gib|gb)(_per_gpu)?$"
)
_UNITS = {"mib": MIB, "gib": GIB, "gb": GB}
# The row's own statement that its "GB" are GiB.
_GB_IS_GIB = re.compile(r"GB\s*=\s*GiB|\(GiB\)|GiB\)", re.IGNORECASE)
_MEMORY_SIZE_RE = re.compile(r"(?<![\w.])\d+\s*GB$", re.I)
_FA_OFF_RE = re.compile(r"\bfa\s*[=:]?\s*0\b|flash_attn\s*[=:]?\s*0\b|-fa\s+off\b", re.I)
_FA_ON_RE = re.compile(r"\bfa\s*[=:]?\s*1\b|flash_attn\s*[=:]?\s*1\b|-fa\s+on\b", re.I)
_GMU_RE = re.compile(r"gpu[_-]memory[_-]utilization\s*[=:(]?\s*(0?\.\d+|1(?:\.0+)?)\b", re.I)
# The last llama.cpp build whose --flash-attn defaulted to off (runtimes.BEHAVIOUR_CHANGES):
# a row that turned flash attention off is asked of the runtime as it behaved then.
_LAST_BUILD_FA_OFF = "b6324"
METRIC_PARTS = {
    "weights": "weights: all tensors (GiB/GB) or the accelerators' buffers (MiB)",
    "weights_host": "weights in host buffers",
    "kv": "KV cache",
    "compute_buf": "compute buffers",
    "kv_pool": "vLLM KV pool per GPU",
    "activation": "vLLM profiled activation peak per GPU",
    "peak": "allocator peak (weights + KV + activations)",
    "resident": "allocated after the run (weights + KV)",
    "vram_total": "accelerator total (process context included)",
}


@dataclass
class MemoryRow:
    data: str  # the CSV's file name
    line: int
    source_url: str
    metric: str
    part: str
    per_gpu: bool
    measured_bytes: float
    runtime: str  # the runtime label of the table (llama.cpp, vLLM, …)
    query: CheckQuery
    predicted_bytes: float | None = None
    verdict: str | None = None
    # A peak measured over a prompt and then generated tokens: the prompt's length, asked of
    # its own (see the module docstring); None where the row prefilled its whole context.
    prompt: int | None = None


def metric_unit(metric: str, notes: str, binary_gb: bool = False) -> tuple[str, int, bool] | None:
    """(part, bytes per unit, per GPU) of a size metric; None for speed and fit rows.
    ``binary_gb``: the row's runtime reports only binary units."""
    m = _METRIC_RE.match(metric)
    if m is None:
        return None
    part, unit, per_gpu = m.group(1), m.group(2), bool(m.group(3))
    gib = binary_gb or bool(_GB_IS_GIB.search(notes))
    scale = GIB if unit == "gb" and gib else _UNITS[unit]
    return part, scale, per_gpu


# vLLM's first release whose logs say "GiB" (PR #15807, 31 March 2025; 0.8.2 is of 25 March).
_VLLM_GIB_WORD = (0, 8, 3)
_RELEASE_RE = re.compile(r"\bv?(\d+)\.(\d+)(?:\.(\d+))?\b")
_MONTH_RE = re.compile(r"\b(20\d\d)-(\d\d)\b")


def vllm_gb_is_gib(rec: dict[str, str]) -> bool:
    """Whether a vLLM row's "GB" is its logs' GiB: a release before 0.8.3, or without a
    release, a row dated before April 2025 (see the module docstring)."""
    if "vllm" not in rec.get("runtime", "").lower():
        return False
    when = rec.get("runtime_version_or_date", "")
    release = _RELEASE_RE.search(when)
    if release:
        at = tuple(int(g or 0) for g in release.groups())
        return at < _VLLM_GIB_WORD
    month = _MONTH_RE.search(when)
    return month is not None and (int(month.group(1)), int(month.group(2))) < (2025, 4)


def _runtime(rec: dict[str, str]) -> tuple[str, str] | None:
    """(runtime for `check`, table label): llama.cpp and what embeds it at the row's build
    (flash attention as the row set it), the other runtimes at their stated release."""
    name = rec.get("runtime", "").lower()
    if re.match(r"ds4\b", name) or "sglang" in name:
        return None
    other = other_runtime(rec)
    if other is not None:
        return other, runtime_label(other)
    base = "ollama" if "ollama" in name else "llama.cpp"
    b = BUILD_RE.search(rec.get("runtime_version_or_date", ""))
    version = f"b{b.group(1) or b.group(2)}" if b else None
    settings = " ".join(rec.get(k, "") for k in ("batch", "notes"))
    if _FA_OFF_RE.search(settings) and (version is None or int(version[1:]) > 6324):
        version = _LAST_BUILD_FA_OFF
    elif _FA_ON_RE.search(settings):
        version = None  # today's default: on
    return (f"{base}@{version}" if version else base), "llama.cpp"


def _context(rec: dict[str, str], model: Entry) -> int:
    ctx = _int(rec.get("context_tokens", ""))
    if ctx:
        return ctx
    prompt, gen = _int(rec.get("prompt_tokens", "")), _int(rec.get("gen_tokens", ""))
    if prompt or gen:
        return (prompt or 0) + (gen or 0)
    return _default_context(rec, model)


def map_memory_rows(path: str | Path, catalog: Catalog) -> tuple[list[MemoryRow], dict[str, int]]:
    """The size rows of one CSV as `check` queries, and counts of those skipped, by reason."""
    skipped: dict[str, int] = {}
    rows: list[MemoryRow] = []

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(utf8_lines(handle, path))
        for rec in reader:
            if metric_unit(rec["metric"], "") is None:
                continue
            rt = _runtime(rec)
            binary_gb = (rt is not None and rt[1] == "llama.cpp") or vllm_gb_is_gib(rec)
            sized = metric_unit(rec["metric"], rec.get("notes", ""), binary_gb)
            assert sized is not None
            part, scale, per_gpu = sized
            try:
                value = float(rec["value"])
            except ValueError:
                skip("value not a number")
                continue
            try:
                model = catalog.find_model(rec["model"])
            except RunlocalError:
                skip("model not in the catalog")
                continue
            quant = _quant(rec["quant"])
            if quant is None or rt is None:
                skip("quantization or runtime not modelled")
                continue
            n_dev = _int(rec.get("n_devices", "")) or 1
            gmu = _GMU_RE.search(rec.get("batch", "") + " " + rec.get("notes", ""))
            hardware: tuple[str, ...] = ()
            vram = bandwidth = None
            if _GENERIC_HARDWARE.search(rec["hardware"]):
                # The size of weights, cache and buffers does not depend on which GPU: a
                # device large enough to hold the model whole stands in for an unnamed one.
                vram, bandwidth = 4096.0, 1000.0
            else:
                try:
                    hw_id = catalog.find_hardware(rec["hardware"]).id
                    # A row that names the machine's memory ("… 128GB") is asked with it:
                    # a Mac's GPU budget is a share of its RAM.
                    size = _MEMORY_SIZE_RE.search(rec["hardware"])
                    hardware = (f"{hw_id} {size.group(0)}" if size else hw_id,) * n_dev
                except RunlocalError:
                    skip("hardware not in the catalog")
                    continue
            query = CheckQuery(
                model=model.id,
                hardware=hardware,
                quant=quant,
                context=_context(rec, model),
                runtime=rt[0],
                kv_type=kv_type(rec),
                no_measured=True,
                vram_gb=vram,
                bandwidth_gb_s=bandwidth,
                gpu_memory_utilization=float(gmu.group(1)) if gmu and "vllm" in rt[0] else None,
            )
            prompt, gen = _int(rec.get("prompt_tokens", "")), _int(rec.get("gen_tokens", ""))
            generated = part == "peak" and prompt and gen and not _int(rec["context_tokens"])
            rows.append(
                MemoryRow(
                    data=Path(path).name,
                    line=reader.line_num,
                    source_url=rec.get("source_url", ""),
                    metric=rec["metric"],
                    part=part,
                    per_gpu=per_gpu,
                    measured_bytes=value * scale,
                    runtime=rt[1],
                    query=query,
                    prompt=prompt if generated else None,
                )
            )
    return rows, skipped


def predicted_part(answer: dict[str, Any], part: str, per_gpu: bool, unit_mib: bool) -> float:
    """The bytes of ``part`` in a `check` answer (see the module docstring)."""
    mem, devices, host = answer["memory"], answer["devices"], answer.get("host") or {}
    if per_gpu:
        key = {
            "weights": "weights_bytes",
            "kv": "kv_cache_bytes",
            "compute_buf": "compute_bytes",
            "activation": "compute_bytes",
            "vram_total": "total_bytes",
        }.get(part, "total_bytes")
        if part == "kv_pool":
            return float(max(d.get("kv_pool_bytes", d["kv_cache_bytes"]) for d in devices))
        if part == "peak":
            return float(max(d["total_bytes"] - d["overhead_bytes"] for d in devices))
        if part == "resident":
            return float(max(d["weights_bytes"] + d["kv_cache_bytes"] for d in devices))
        return float(max(d[key] for d in devices))
    if part == "weights" and unit_mib:
        return float(mem["weights_bytes"])
    if part == "weights":
        # Every tensor of the file once (llama_model_size sums the loader's tensors; vLLM's
        # "Model loading took" the parameters it loaded). A tied token table sits twice in
        # llama.cpp's buffers, looked up on the host and read as the output head on the GPU
        # (each model loader, llama-model.cpp or src/models/*.cpp, creates token_embd again as
        # output with TENSOR_DUPLICATED when the file has none), so the buffers' sum would
        # count it twice.
        return float(answer["basis"]["weights"]["bytes"])
    if part == "weights_host":
        return float(host.get("weights_bytes", 0))
    if part == "kv":
        return float(mem["kv_cache_bytes"] + host.get("kv_cache_bytes", 0))
    if part == "kv_pool":
        return float(devices[0].get("kv_pool_bytes", devices[0]["kv_cache_bytes"]))
    if part == "activation":
        return float(devices[0]["compute_bytes"])
    if part == "compute_buf":
        return float(mem["compute_bytes"])
    if part == "peak":
        return float(mem["total_bytes"] - mem["overhead_bytes"])
    if part == "resident":
        return float(mem["weights_bytes"] + mem["kv_cache_bytes"])
    return float(mem["total_bytes"])  # vram_total


def generate_peak(
    prefill: dict[str, Any],
    whole: dict[str, Any],
    per_gpu: bool,
    unit_mib: bool,
    decode_bytes: int = 0,
) -> float:
    """The allocator peak of a prompt prefilled and then generated from (see the module
    docstring): the larger of the answer for the prompt alone, ``prefill``, and the weights and
    KV cache of the answer for prompt and generated tokens together, ``whole``, with the last
    token's transient ``decode_bytes`` beside them."""
    prompt_peak = predicted_part(prefill, "peak", per_gpu, unit_mib)
    last_token = predicted_part(whole, "resident", per_gpu, unit_mib) + decode_bytes
    return max(prompt_peak, last_token)


def decode_step_bytes(query: CheckQuery, catalog: Catalog) -> int:
    """What the last generated token's forward pass holds beside the weights and the whole
    KV cache (memory.transformers_decode_bytes); 0 for runtimes other than transformers."""
    runtime = get_runtime(query.runtime)
    if runtime.engine != "transformers" or not query.context:
        return 0
    spec = catalog_spec(catalog.find_model(query.model))
    return transformers_decode_bytes(spec, runtime, query.context, query.batch)


# The context a failed setup's weight buffers are asked at (evaluate_memory): llama.cpp's
# micro-batch, where the KV cache and compute buffers are smallest.
WEIGHTS_ONLY_CONTEXT = 512


def evaluate_memory(rows: list[MemoryRow], catalog: Catalog) -> dict[str, int]:
    """Ask `check` for each row; counts of rows whose query it refused, by reason."""
    refused: dict[str, int] = {}
    for row in rows:
        try:
            answer = check(row.query, catalog).data
        except (InputError, RunlocalError) as exc:
            reason = f"check refused: {str(exc).split(':')[0][:60]}"
            refused[reason] = refused.get(reason, 0) + 1
            continue
        unit_mib = row.metric.endswith("_mib")
        row.predicted_bytes = predicted_part(answer, row.part, row.per_gpu, unit_mib)
        row.verdict = answer["verdict"]
        if row.part == "weights" and unit_mib and row.verdict == "wont-run":
            # A setup that failed to start printed its weight buffers before its KV cache
            # failed to allocate (llama.cpp loads the tensors, then creates the context): the
            # buffers are those of its layers on the accelerators, not a placement for a
            # context that does not fit. Asked where the weights alone decide: one micro-batch.
            try:
                loaded = check(replace(row.query, context=WEIGHTS_ONLY_CONTEXT), catalog).data
            except (InputError, RunlocalError):
                continue
            row.predicted_bytes = predicted_part(loaded, row.part, row.per_gpu, unit_mib)
        if row.prompt is not None:
            try:
                prefill = check(replace(row.query, context=row.prompt), catalog).data
            except (InputError, RunlocalError):
                continue
            decode = decode_step_bytes(row.query, catalog)
            row.predicted_bytes = generate_peak(prefill, answer, row.per_gpu, unit_mib, decode)
    return refused


def _ape(pred: float, meas: float) -> float:
    return abs(pred - meas) / meas * 100


def memory_summary(rows: list[MemoryRow], skipped: dict[str, int]) -> dict[str, Any]:
    """Median and p90 absolute % error per metric and runtime, the signed median (bias), and
    the rows that ran which `check` calls `wont-run`."""
    groups: dict[tuple[str, str], list[tuple[float, float]]] = {}
    wont: list[str] = []
    for row in rows:
        if row.predicted_bytes is None or row.measured_bytes <= 0:
            continue
        signed = (row.predicted_bytes - row.measured_bytes) / row.measured_bytes * 100
        groups.setdefault((row.metric, row.runtime), []).append((abs(signed), signed))
        if row.verdict == "wont-run":
            wont.append(f"{row.data}:{row.line}")
    table: dict[str, dict[str, Any]] = {}
    for (metric, runtime), errs in sorted(groups.items()):
        ape = [e for e, _ in errs]
        table.setdefault(metric, {})[runtime] = {
            **error_table(ape),
            "median_signed": round(percentile([s for _, s in errs], 0.5), 1),
        }
    return {
        "rows_evaluated": sum(t["n"] for m in table.values() for t in m.values()),
        "rows_skipped": skipped,
        "metrics": table,
        "predicted_wont_run_lines": wont,
    }


def memory_markdown(report: dict[str, Any]) -> list[str]:
    if not report or not report.get("metrics"):
        return []
    lines = [
        "## Memory: absolute percentage error",
        "",
        "Every size row (weights, KV cache, compute buffers, allocator peak, GPU totals) asked "
        "of `check` for its model, quantization, hardware, context and runtime release; "
        "`src/runlocal/memory_accuracy.py` says which part of the answer each metric is "
        "compared with. Signed median: positive when the engine answers more than measured.",
        "",
        f"Rows evaluated: {report['rows_evaluated']}."
        + (
            " Skipped: " + "; ".join(f"{k}: {v}" for k, v in sorted(report["rows_skipped"].items()))
            if report["rows_skipped"]
            else ""
        ),
        "",
        "| metric | runtime | rows | median | p90 | signed median |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for metric, by_runtime in report["metrics"].items():
        for runtime, t in by_runtime.items():
            lines.append(
                f"| {metric} | {runtime} | {t['n']} | {t['median_ape']}% | {t['p90_ape']}% "
                f"| {t['median_signed']:+}% |"
            )
    lines += [
        "",
        "Size rows whose setup `check` calls `wont-run` (a size published for a setup that "
        "failed to start is one): "
        + (", ".join(report["predicted_wont_run_lines"]) or "none")
        + ".",
        "",
    ]
    return lines


def run_memory(files: list[str], catalog: Catalog) -> dict[str, Any]:
    rows: list[MemoryRow] = []
    skipped: dict[str, int] = {}
    for path in files:
        mapped, skips = map_memory_rows(path, catalog)
        rows.extend(mapped)
        for reason, count in skips.items():
            skipped[reason] = skipped.get(reason, 0) + count
    for reason, count in evaluate_memory(rows, catalog).items():
        skipped[reason] = skipped.get(reason, 0) + count
    return memory_summary(rows, skipped)
