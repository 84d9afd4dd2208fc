"""Memory a runtime takes on each device: weights, KV cache, compute buffers, overhead."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from .hardware import Device
from .quant import kv_row_bytes
from .runtimes import Runtime
from .spec import LayerSpec, ModelSpec, WeightInventory
from .units import GIB, MIB

# llama.cpp defaults (common/common.h, src/llama-context.cpp): physical batch 512, KV cells
# padded to 256, flash attention "auto" (on for CUDA, Metal, ROCm and Vulkan).
LLAMA_UBATCH = 512
LLAMA_KV_PAD = 256
# Per-device runtime context outside llama.cpp's own buffers: the CUDA/ROCm context and
# cuBLAS workspace (gguf-parser's default 250 MiB; Ollama reserves 457 MiB), Metal's is small.
BACKEND_OVERHEAD_BYTES = {
    "cuda": 300 * MIB,
    "rocm": 350 * MIB,
    "vulkan": 200 * MIB,
    "sycl": 300 * MIB,
    "metal": 64 * MIB,
    "cpu": 0,
}
# Python + PyTorch + CUDA context for vLLM / transformers / ExLlamaV2 processes.
TORCH_CONTEXT_BYTES = 500 * MIB
# A transformers process holds more than the bare context: the kernels of cuBLAS, cuBLASLt
# and SDPA loaded on first use (CUDA lazy loading defers, it does not avoid them), their
# workspaces, and the blocks the caching allocator keeps after loading the weights. PyTorch
# measured ~300 MB for the lazily loaded context alone (pytorch#107667) and 1,008 MiB once
# every kernel is resident (pytorch#28394); it does not shrink with the model, which is
# why a 1B model's total is far above its weights.
TRANSFORMERS_PROCESS_BYTES = 1 * GIB
# What PyTorch's caching allocator reserves beyond its peak allocation, as a share of the
# activations and KV cache it serves.
TRANSFORMERS_RESERVE_SHARE = 0.1
VLLM_GPU_MEMORY_UTILIZATION = (
    0.9  # vLLM's default; Runtime.gpu_memory_utilization holds the one used
)
VLLM_MAX_BATCHED_TOKENS = 8192
# CUDA graphs are captured after the KV pool is allocated (v1 gpu_worker.py
# compile_or_warm_up_model), so they sit outside the preallocation: "Graph capturing
# finished ... took 0.5–1.8 GiB" on H100s (llm-d-planner's v0.19.0 sweep, mean 1.0 GiB).
VLLM_CUDA_GRAPHS_BYTES = 512 * MIB
# The CUDA driver reports a little less than the board's memory: torch.cuda.mem_get_info
# gives 79.19 GiB on an 80 GiB H100 ("total_gpu_memory (79.19GiB)"), 79.15 on an A100 80GB.
# gpu_memory_utilization is a share of what the driver reports.
CUDA_DRIVER_RESERVED_SHARE = 0.01
# Memory vLLM's profile finds allocated outside PyTorch during the profile run (mem_utils.py
# MemorySnapshot.non_torch_memory: cuBLAS workspaces, attention-backend buffers): 0.24–0.27 GiB
# on one H100 (llm-d-planner v0.19.0, 40 runs). Tensor parallelism over NVSwitch adds NCCL's
# NVLink SHARP buffers and vLLM's all-reduce buffers, first touched in the profile's
# collectives: 2.06–2.21 GiB per GPU at TP 2 and 4 on H100 SXM. PCIe cards have neither
# NVLS nor custom all-reduce over P2P: a TP-2 RTX 4090 pair logs 0.25 GiB (vllm#13061).
VLLM_NON_TORCH_BYTES = 256 * MIB
VLLM_NVLS_BYTES = 1900 * MIB
# The profile's sampler (v1 gpu_model_runner._dummy_sampler_run) takes logits for
# max_num_seqs rows over the whole vocabulary, all TP ranks alike (logits are all-gathered):
# the bf16 logits (2 B), their float32 copy (4), softmax probabilities (4) and the
# exponential noise the random sample divides by (4): 14 bytes per row and vocabulary entry.
# Before 0.17 top-k/top-p sorted the float32 logits with int64 indices and scattered them
# back (4 + 8 + 4 + 4 + mask): 37 bytes, what Qwen3-14B's 5.64 GiB peak in 0.16 implies.
VLLM_SAMPLER_BYTES = 14
VLLM_SAMPLER_SORT_BYTES = 37
# While the sampler runs, the profile still holds hidden states of the whole batch: three
# bf16 tensors of max_num_batched_tokens × hidden (the output, the residual, the last norm).
VLLM_HIDDEN_COPIES_BYTES = 6
VLLM_BLOCK = 16  # tokens per KV block (CacheConfig.block_size)
# Headroom below which a full fit is "tight": llama.cpp's --fit keeps 1 GiB free per device;
# desktops lose a few hundred MiB to the display and other programs, so we ask for 10%.
COMFORT_MARGIN_BYTES = 1 * GIB
COMFORT_MARGIN_SHARE = 0.10
# Share of system RAM the OS and other programs keep when the model runs on the CPU.
HOST_RESERVE_SHARE = 0.15


def _comfort_margin(budget_bytes: int) -> int:
    return max(COMFORT_MARGIN_BYTES, int(budget_bytes * COMFORT_MARGIN_SHARE))


def pad(n: int, to: int) -> int:
    return -(-n // to) * to


@dataclass(slots=True)
class DeviceUse:
    device: Device
    layers: int = 0
    weights_bytes: int = 0
    kv_cache_bytes: int = 0
    compute_bytes: int = 0
    overhead_bytes: int = 0
    budget_bytes: int = 0
    # vLLM: what must fit inside its preallocation, and the KV pool it sizes from what is left
    # (the pool, even where it is smaller than the context needs and vLLM refuses to start).
    fit_limit_bytes: int | None = None
    required_bytes: int | None = None
    kv_pool_bytes: int | None = None

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.compute_bytes + self.overhead_bytes

    @property
    def fits(self) -> bool:
        if self.fit_limit_bytes is not None and self.required_bytes is not None:
            return self.required_bytes <= self.fit_limit_bytes
        used = self.weights_bytes + self.kv_cache_bytes + self.compute_bytes + self.overhead_bytes
        return used <= self.budget_bytes

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.device.name,
            "id": self.device.id,
            "layers": self.layers,
            "weights_bytes": self.weights_bytes,
            "kv_cache_bytes": self.kv_cache_bytes,
            "compute_bytes": self.compute_bytes,
            "overhead_bytes": self.overhead_bytes,
            "total_bytes": self.total_bytes,
            "budget_bytes": self.budget_bytes,
        }
        if self.kv_pool_bytes is not None:
            out["kv_pool_bytes"] = self.kv_pool_bytes
        return out


@dataclass(slots=True)
class MemoryPlan:
    devices: list[DeviceUse]
    host: DeviceUse | None
    gpu_layers: int
    total_layers: int
    experts_on_host_layers: int = 0
    notes: list[str] = field(default_factory=list)
    kv_tokens: int = 0
    tensor_parallel: bool = False
    # Per device: bytes of embedding tables it holds that a token only looks up (one row),
    # so decoding never streams them.
    lookup_bytes: tuple[int, ...] = ()

    @property
    def fits(self) -> bool:
        for d in self.devices:
            if not d.fits:
                return False
        return self.host is None or self.host.fits

    @property
    def full_offload(self) -> bool:
        return self.gpu_layers == self.total_layers and self.experts_on_host_layers == 0

    def sum(self, attr: str) -> int:
        return sum(int(getattr(d, attr)) for d in self.devices)

    @property
    def tight(self) -> bool:
        return any(
            d.budget_bytes - d.total_bytes < _comfort_margin(d.budget_bytes) for d in self.devices
        )


# --- KV cache ---------------------------------------------------------------------------


# mlx-lm's model code absorbs MLA and caches the latent for these architectures (models/
# deepseek_v3.py, glm4_moe_lite.py; Kimi K2 runs on deepseek_v3) but not deepseek_v2.
MLX_LATENT_MLA_ARCHITECTURES = frozenset({"deepseek_v3", "glm4_moe_lite", "kimi_k2"})


def caches_mla_latent(spec: ModelSpec, runtime: Runtime) -> bool:
    """Whether ``runtime`` keeps MLA's compressed latent rather than per-head K and V."""
    if spec.mla is None:
        return False
    if runtime.engine == "mlx":
        return spec.architecture in MLX_LATENT_MLA_ARCHITECTURES
    return runtime.mla_latent


def kv_layer_bytes_per_cell(
    layer: LayerSpec, spec: ModelSpec, runtime: Runtime, kv_type: str
) -> Fraction:
    if layer.kind in ("recurrent", "none"):
        return Fraction(0)
    if spec.mla is not None and caches_mla_latent(spec, runtime):
        # Only the compressed latent and the rope part are cached: llama.cpp (PR #19067, no V),
        # vLLM's MLA backends (one latent vector per token) and transformers 5 (PR #47761).
        return kv_row_bytes(kv_type, spec.mla.latent_elements)
    k = kv_row_bytes(kv_type, layer.n_kv_heads * layer.head_dim_k)
    return k + (kv_row_bytes(kv_type, layer.n_kv_heads * layer.head_dim_v) if k else 0)


def index_row_bytes(layer: LayerSpec, kv_type: str) -> Fraction:
    """The lightning-indexer key cached beside each row (DeepSeek-V3.2, V4), in the cache
    type: llama.cpp's DSV4 cache keeps it as a third K cache (kv_lid) of that type."""
    return kv_row_bytes(kv_type, layer.index_head_dim) if layer.index_head_dim else Fraction(0)


def compressed_bytes_per_token(
    layer: LayerSpec, spec: ModelSpec, runtime: Runtime, kv_type: str
) -> Fraction:
    """Bytes per context token of a compressing layer's whole-context stream (DeepSeek-V4):
    one row and its indexer key per compress_ratio tokens; its raw window is counted apart."""
    if layer.compress_ratio <= 0:
        return Fraction(0)
    row = kv_layer_bytes_per_cell(layer, spec, runtime, kv_type) + index_row_bytes(layer, kv_type)
    return row / layer.compress_ratio


@dataclass(frozen=True)
class KVProfile:
    """Per-cell KV bytes of a model for one runtime and cache type, as prefix sums over
    layers, so the KV of any run of layers costs O(1) (placement searches ask often)."""

    # Bytes × 32: GGML cache types store whole blocks of 32 elements, so these are integers.
    full: tuple[int, ...]  # layers holding the whole context
    swa: tuple[int, ...]  # layers holding only the window
    state: tuple[int, ...]  # recurrent state bytes per sequence (not scaled)

    def bytes(self, start: int, stop: int, full_cells: int, swa_cells: int, sequences: int) -> int:
        kv = (self.full[stop] - self.full[start]) * full_cells
        kv += (self.swa[stop] - self.swa[start]) * swa_cells
        return -(-kv * sequences // 32) + (self.state[stop] - self.state[start]) * sequences


@lru_cache(maxsize=1024)
def kv_profile(spec: ModelSpec, runtime: Runtime, kv_type: str) -> KVProfile:
    full, swa, state = [0], [0], [0]
    # Most models repeat one or two kinds of layer: (per cell, compressed per token) × 32.
    cells: dict[LayerSpec, tuple[int, int]] = {}
    for layer in spec.layers:
        sized = cells.get(layer)
        if sized is None:
            row = kv_layer_bytes_per_cell(layer, spec, runtime, kv_type)
            if not layer.compress_ratio:  # DeepSeek-V3.2: an indexer key beside each token
                row += index_row_bytes(layer, kv_type)
            # A layer that compresses (DeepSeek-V4) keeps its raw rows for the window and adds
            # its compressed rows, with their indexer keys, for the whole context.
            stream = compressed_bytes_per_token(layer, spec, runtime, kv_type)
            sized = cells[layer] = (math.ceil(row * 32), math.ceil(stream * 32))
        per_cell, compressed = sized
        windowed = layer.kind == "swa" and runtime.swa_windowed and bool(spec.sliding_window)
        full.append(full[-1] + (0 if windowed else per_cell) + compressed)
        swa.append(swa[-1] + (per_cell if windowed else 0))
        # Recurrent state (Mamba, delta-net, short conv) is F32 per sequence; Falcon-H1
        # layers carry both that state and an attention KV cache.
        state.append(state[-1] + layer.recurrent_state_elements * 4)
    return KVProfile(tuple(full), tuple(swa), tuple(state))


def kv_cell_counts(spec: ModelSpec, context: int, runtime: Runtime) -> tuple[int, int]:
    """Token slots per sequence of (full-context layers, sliding-window layers)."""
    if runtime.engine == "llama.cpp":
        full = pad(context, LLAMA_KV_PAD)
    elif runtime.engine == "vllm":
        full = pad(context, VLLM_BLOCK)
    else:
        full = context
    window = spec.sliding_window or context
    if runtime.engine == "llama.cpp":
        # llama-kv-cache-iswa.cpp: pad256(min(n_ctx, n_swa + n_ubatch)).
        swa = pad(min(context, window + LLAMA_UBATCH), LLAMA_KV_PAD)
    elif runtime.engine == "vllm":
        # vllm/v1/kv_cache_interface.py SlidingWindowSpec.max_memory_usage_bytes: the last
        # window - 1 tokens plus one scheduled chunk, in blocks of 16, one more block because
        # the window need not start on a block boundary.
        tokens = min(window - 1 + VLLM_MAX_BATCHED_TOKENS, context)
        swa = (-(-tokens // VLLM_BLOCK) + 1) * VLLM_BLOCK
    elif runtime.engine == "transformers":
        # cache_utils.py DynamicSlidingWindowLayer.update keeps states[-sliding_window + 1:].
        swa = min(context, max(window - 1, 1))
    else:
        swa = min(context, window)
    return full, swa


def kv_cache_bytes(
    spec: ModelSpec,
    context: int,
    runtime: Runtime,
    kv_type: str,
    sequences: int = 1,
    layers: range | None = None,
) -> int:
    """KV cache (and recurrent state) of the given layers for ``sequences`` × ``context``."""
    profile = kv_profile(spec, runtime, kv_type)
    start, stop = (0, spec.n_layers) if layers is None else (layers.start, layers.stop)
    if stop <= start:
        return 0
    full_cells, swa_cells = kv_cell_counts(spec, context, runtime)
    return profile.bytes(start, stop, full_cells, swa_cells, sequences)


def kv_read_bytes(
    spec: ModelSpec,
    depth: int,
    runtime: Runtime,
    kv_type: str,
    sequences: int = 1,
    layers: range | None = None,
) -> float:
    """KV bytes one decoded token reads at ``depth``. Dense attention reads the whole cache
    (kv_cache_bytes); a sparse layer (DeepSeek-V3.2, V4) reads every indexer key but only
    the index_topk rows the indexer selects, besides its raw window."""
    start, stop = (0, spec.n_layers) if layers is None else (layers.start, layers.stop)
    total = float(kv_cache_bytes(spec, depth, runtime, kv_type, sequences, range(start, stop)))
    sparse = [i for i in _sparse_layers(spec) if start <= i < stop]
    if not sparse:
        return total
    for i in sparse:
        layer = spec.layers[i]
        rows = depth / max(layer.compress_ratio, 1)
        skipped = max(rows - layer.index_topk, 0.0)
        row = kv_layer_bytes_per_cell(layer, spec, runtime, kv_type)
        total -= float(row) * skipped * sequences
    return total


@lru_cache(maxsize=1024)
def _sparse_layers(spec: ModelSpec) -> tuple[int, ...]:
    """The layers that read only the rows an indexer selects (most models: none)."""
    return tuple(i for i, layer in enumerate(spec.layers) if layer.index_topk)


def layers_with_experts(spec: ModelSpec, start: int, stop: int) -> int:
    """How many of layers [start, stop) route to experts."""
    counts = _expert_layer_prefix(spec)
    start, stop, _ = slice(start, stop).indices(spec.n_layers)
    return counts[stop] - counts[start] if stop > start else 0


@lru_cache(maxsize=1024)
def _expert_layer_prefix(spec: ModelSpec) -> tuple[int, ...]:
    out = [0]
    for layer in spec.layers:
        out.append(out[-1] + (1 if layer.moe else 0))
    return tuple(out)


def kv_bytes_per_token(spec: ModelSpec, runtime: Runtime, kv_type: str) -> float:
    """KV bytes one more token adds to full-context layers (SWA layers are capped)."""
    return kv_profile(spec, runtime, kv_type).full[-1] / 32


def attention_flops(
    spec: ModelSpec, runtime: Runtime, depth: int, start: int, stop: int, decode: bool
) -> float:
    """FLOPs one token spends attending over ``depth`` earlier tokens in layers [start, stop):
    2 × heads × (K + V width) per cached token it reads. Sliding-window layers read at most
    their window, recurrent and cache-less layers read none. Decoding MLA in latent space
    (llama.cpp, vLLM, transformers 5) scores the 576-wide latent and mixes the 512-wide one,
    which is why its decode attention costs more arithmetic per cached byte than GQA.
    llama.cpp attends in latent space for prompts too (its cache holds only the latent);
    vLLM and transformers expand the latent into per-head K and V for prefill."""
    window = spec.sliding_window or depth
    latent = caches_mla_latent(spec, runtime) and (decode or runtime.engine == "llama.cpp")
    full, swa = _attention_widths(spec, runtime.swa_windowed, latent)
    if full is None or swa is None:  # compressed or indexed (sparse) attention
        return _attention_flops_by_layer(spec, runtime, depth, start, stop, latent)
    start, stop, _ = slice(start, stop).indices(spec.n_layers)
    if stop <= start:
        return 0.0
    # Integers throughout: exact, so the same as summing layer by layer.
    widths = (full[stop] - full[start]) * depth + (swa[stop] - swa[start]) * min(depth, window)
    return float(2 * spec.n_heads * widths)


def _attention_flops_by_layer(
    spec: ModelSpec, runtime: Runtime, depth: int, start: int, stop: int, latent: bool
) -> float:
    """attention_flops summed layer by layer: for compressed and sparse attention, and the
    reference the prefix sums are tested against."""
    window = spec.sliding_window or depth
    total = 0.0
    for layer in spec.layers[start:stop]:
        if layer.kind in ("recurrent", "none") or not layer.n_kv_heads:
            continue
        cells = min(depth, window) if layer.kind == "swa" and runtime.swa_windowed else depth
        rows = depth / layer.compress_ratio if layer.compress_ratio else 0.0
        if layer.index_head_dim:
            # The indexer scores every row it keys (each token's, or each compressed one's),
            # then the attention reads only the index_topk best.
            keyed = rows if layer.compress_ratio else float(cells)
            total += 2.0 * layer.index_heads * layer.index_head_dim * keyed
            if layer.compress_ratio:
                rows = min(rows, float(layer.index_topk))
            else:
                cells = min(cells, layer.index_topk)
        if latent and spec.mla is not None:
            width = spec.mla.latent_elements + spec.mla.kv_lora_rank
        else:
            width = layer.head_dim_k + layer.head_dim_v
        total += 2.0 * spec.n_heads * width * (cells + rows)
    return total


@lru_cache(maxsize=1024)
def _attention_widths(
    spec: ModelSpec, swa_windowed: bool, latent: bool
) -> tuple[list[int] | None, list[int] | None]:
    """Prefix sums over layers of the K + V width a token reads per cached token: layers that
    read the whole depth, and sliding-window layers (which read at most their window). None
    when a layer compresses its cache or reads only the rows an indexer picks."""
    if any(layer.compress_ratio or layer.index_head_dim for layer in spec.layers):
        return None, None
    full, swa = [0], [0]
    for layer in spec.layers:
        width, windowed = 0, False
        if layer.kind not in ("recurrent", "none") and layer.n_kv_heads:
            if latent and spec.mla is not None:
                width = spec.mla.latent_elements + spec.mla.kv_lora_rank
            else:
                width = layer.head_dim_k + layer.head_dim_v
            windowed = layer.kind == "swa" and swa_windowed
        full.append(full[-1] + (0 if windowed else width))
        swa.append(swa[-1] + (width if windowed else 0))
    return full, swa


# --- compute buffers --------------------------------------------------------------------


def llama_compute_bytes(
    spec: ModelSpec, n_kv: int, on_output_device: bool, flash_attn: bool
) -> int:
    """Largest scratch of one graph evaluation at ubatch 512 (gguf-parser's model, checked
    against llama.cpp logs: Llama-3-8B 258.5 MiB at n_ctx 512 and 560 MiB at 8192, FA off)."""
    ub = min(LLAMA_UBATCH, max(n_kv, 1))
    if flash_attn:
        attn = n_kv * ub * 2 + 4 * spec.n_heads * ub * 128 * 4
    else:
        attn = n_kv * ub * spec.n_heads * 4
    inter = spec.intermediate_size or 4 * spec.hidden_size
    ffn = inter * ub * 4 * 2
    if spec.is_moe:
        ffn += spec.n_experts * ub * 4 + spec.hidden_size * spec.n_experts_used * ub * 4
    logits = spec.vocab_size * ub * 4 if on_output_device else 0
    fixed = 8 * MIB
    return max(attn, ffn, logits) + fixed


@lru_cache(maxsize=4096)
def _llama_compute_pair(spec: ModelSpec, n_kv: int) -> tuple[int, int]:
    """llama_compute_bytes with flash attention, on the output device and off it."""
    return (
        llama_compute_bytes(spec, n_kv, True, True),
        llama_compute_bytes(spec, n_kv, False, True),
    )


# --- placement --------------------------------------------------------------------------


def _split_layers(n_units: int, devices: list[Device]) -> list[int]:
    """Units per device, as llama.cpp assigns them (llama-model.cpp, load_tensors): unit u goes
    to the first device whose cumulative share of free memory exceeds u / n_units."""
    budgets = [d.budget_bytes for d in devices]
    total = sum(budgets)
    counts = []
    running, taken = 0, 0
    for b in budgets:
        running += b
        # units with u / n_units < running / total, i.e. u < n_units · running / total
        upto = min(n_units, -(-n_units * running // total))
        counts.append(upto - taken)
        taken = upto
    counts[-1] += n_units - taken
    return counts


class _GpuRow(NamedTuple):  # immutable and cheaper to build than a frozen dataclass
    layers: int
    weights: int
    kv: int
    compute: int
    overhead: int
    budget: int

    @property
    def total(self) -> int:
        return self.weights + self.kv + self.compute + self.overhead


class _LlamaCells:
    """What llama.cpp's placement needs besides the weights, for one model, set of GPUs,
    runtime and cache type: how units split between GPUs and, per context, the KV cells and
    compute buffers. Shared by the layouts of every quantization (see _llama_cells)."""

    def __init__(
        self,
        spec: ModelSpec,
        gpus: tuple[Device, ...],
        runtime: Runtime,
        kv_type: str,
        sequences: int,
    ) -> None:
        self.spec, self.gpus, self.runtime = spec, gpus, runtime
        self.n = spec.n_layers
        self.profile = kv_profile(spec, runtime, kv_type)
        self.sequences = sequences
        self.overheads = [BACKEND_OVERHEAD_BYTES.get(d.backend, 300 * MIB) for d in gpus]
        self.budgets = [d.budget_bytes for d in gpus]
        self._splits: dict[int, tuple[list[int], int]] = {}
        self._contexts: dict[int, tuple[int, int, int, int]] = {}
        self._full_rest: dict[int, list[int]] = {}
        self._full_weights: dict[WeightInventory, list[int]] = {}

    def full_usage(self, inv: WeightInventory, context: int) -> list[tuple[int, int]]:
        """(total, budget) per GPU with every unit offloaded: the weights ``inv`` puts on each
        GPU plus what does not depend on the weights (KV, compute buffers, overhead), each kept
        per inventory and per context, so that the largest context and the best quantization,
        which ask this many times, add two lists."""
        weights = self._full_weights.get(inv)
        if weights is None:
            if len(self._full_weights) > 64:
                self._full_weights.clear()
            weights = self._full_weights[inv] = self._weights_full(inv)
        rest = self._full_rest.get(context)
        if rest is None:
            if len(self._full_rest) > 64:
                self._full_rest.clear()
            rest = self._full_rest[context] = self._rest_full(context)
        return [(w + r, b) for w, r, b in zip(weights, rest, self.budgets, strict=True)]

    def _weights_full(self, inv: WeightInventory) -> list[int]:
        counts, output_dev = self.split(self.n + 1)
        layer_sum = _prefix(inv.layer_bytes)
        output = _output_bytes(self.spec, inv)
        out, start = [], 0
        for k, count in enumerate(counts):
            stop = start + count
            out.append(layer_sum[stop] - layer_sum[start] + (output if k == output_dev else 0))
            start = stop
        return out

    def _rest_full(self, context: int) -> list[int]:
        counts, output_dev = self.split(self.n + 1)
        full, swa, compute_output, compute_other = self.at(context)
        out, start = [], 0
        for k, count in enumerate(counts):
            stop = start + count
            kv = self.profile.bytes(start, stop, full, swa, self.sequences) if stop > start else 0
            compute = compute_output if k == output_dev else compute_other
            out.append(kv + compute + self.overheads[k])
            start = stop
        return out

    def split(self, ngl: int) -> tuple[list[int], int]:
        """Blocks per GPU with ``ngl`` units offloaded, and the GPU holding the output."""
        if ngl not in self._splits:
            on_gpu_blocks = max(0, min(self.n, ngl - 1))
            units = on_gpu_blocks + (1 if ngl >= 1 else 0)
            counts = _split_layers(units, list(self.gpus)) if units else [0] * len(self.gpus)
            # The output layer is the last unit: it sits on the last device that got any.
            output_dev = max((k for k, c in enumerate(counts) if c), default=-1)
            if ngl >= 1 and output_dev >= 0:
                counts[output_dev] -= 1
            self._splits[ngl] = (counts, output_dev if ngl >= 1 else -1)
        return self._splits[ngl]

    def at(self, context: int) -> tuple[int, int, int, int]:
        """(full-layer cells, SWA cells, compute with the output, compute without)."""
        hit = self._contexts.get(context)
        if hit is None:
            if len(self._contexts) > 64:
                self._contexts.clear()
            full, swa = kv_cell_counts(self.spec, context, self.runtime)
            n_kv = pad(context * self.sequences, LLAMA_KV_PAD)
            hit = self._contexts[context] = (full, swa, *_llama_compute_pair(self.spec, n_kv))
        return hit


def _output_bytes(spec: ModelSpec, inv: WeightInventory) -> int:
    """The output layer's bytes on its GPU. Tied embeddings: the token embedding matrix again
    (never the per-layer embedding tables of Gemma 3n / 4, which stay with the input on the
    host)."""
    tied = inv.output_bytes <= spec.hidden_size * 4
    return int(inv.input_bytes * spec.token_embedding_share) if tied else inv.output_bytes


@lru_cache(maxsize=1024)
def _llama_cells(
    spec: ModelSpec, gpus: tuple[Device, ...], runtime: Runtime, kv_type: str, sequences: int
) -> _LlamaCells:
    return _LlamaCells(spec, gpus, runtime, kv_type, sequences)


class _LlamaLayout:
    """llama.cpp's placement arithmetic for one model, quantization, set of GPUs and cache
    type; the offload search, the largest context and the best quantization all use it.
    Built once per combination (see _llama_layout) and asked for any context."""

    def __init__(
        self,
        spec: ModelSpec,
        inv: WeightInventory,
        gpus: tuple[Device, ...],
        runtime: Runtime,
        kv_type: str,
        sequences: int,
    ) -> None:
        cells = _llama_cells(spec, gpus, runtime, kv_type, sequences)
        self.spec, self.gpus, self.runtime = spec, gpus, runtime
        self.n = cells.n
        self.profile = cells.profile
        self.sequences = sequences
        self._split, self._at = cells.split, cells.at
        self.overheads, self.budgets = cells.overheads, cells.budgets
        self.layer_sum = _prefix(inv.layer_bytes)
        self.expert_sum = _prefix(inv.layer_expert_bytes)
        self.output_bytes = _output_bytes(spec, inv)
        self.has_experts = bool(inv.expert_bytes)
        self._rows: dict[tuple[int, int, int], tuple[tuple[_GpuRow, ...], int]] = {}
        self._fits: dict[tuple[int, int, int], bool] = {}
        self._searches: dict[int, tuple[int, int, str | None]] = {}

    def kv(self, start: int, stop: int, context: int) -> int:
        if stop <= start:
            return 0
        full, swa, _, _ = self._at(context)
        return self.profile.bytes(start, stop, full, swa, self.sequences)

    def rows(
        self, ngl: int, expert_host_layers: int, context: int
    ) -> tuple[tuple[_GpuRow, ...], int]:
        """Per-GPU usage with ``ngl`` units offloaded (the output layer counts as the first)
        and the routed experts of the first ``expert_host_layers`` layers kept on the host;
        also the first block that runs on a GPU. Memoized: the rows are immutable."""
        key = (ngl, expert_host_layers, context)
        hit = self._rows.get(key)
        if hit is None:
            if len(self._rows) > 256:
                self._rows.clear()
            hit = self._rows[key] = self._make_rows(ngl, expert_host_layers, context)
        return hit

    def _make_rows(
        self, ngl: int, expert_host_layers: int, context: int
    ) -> tuple[tuple[_GpuRow, ...], int]:
        counts, output_dev = self._split(ngl)
        full, swa, compute_output, compute_other = self._at(context)
        first = self.n - max(0, min(self.n, ngl - 1))
        rows = []
        start = first
        for k, count in enumerate(counts):
            stop = start + count
            weights = self.layer_sum[stop] - self.layer_sum[start]
            moved = max(start, min(stop, expert_host_layers))
            weights -= self.expert_sum[moved] - self.expert_sum[start]
            if k == output_dev:
                weights += self.output_bytes
            rows.append(
                _GpuRow(
                    layers=count,
                    weights=weights,
                    kv=self.profile.bytes(start, stop, full, swa, self.sequences)
                    if stop > start
                    else 0,
                    compute=compute_output if k == output_dev else compute_other,
                    overhead=self.overheads[k],
                    budget=self.gpus[k].budget_bytes,
                )
            )
            start = stop
        return tuple(rows), first

    def fits(self, ngl: int, expert_host_layers: int, context: int) -> bool:
        key = (ngl, expert_host_layers, context)
        hit = self._fits.get(key)
        if hit is None:
            if len(self._fits) > 1024:
                self._fits.clear()
            hit = self._fits[key] = all(
                used <= budget for used, budget in self.usage(ngl, expert_host_layers, context)
            )
        return hit

    def usage(self, ngl: int, expert_host_layers: int, context: int) -> list[tuple[int, int]]:
        """(total, budget) per GPU: the sums of rows(), without building them."""
        if len(self.budgets) == 1:
            return self._usage_one(ngl, expert_host_layers, context)
        return self._usage_split(ngl, expert_host_layers, context)

    def _usage_one(self, ngl: int, expert_host_layers: int, context: int) -> list[tuple[int, int]]:
        """usage() on one GPU, which holds the last ngl - 1 blocks and, with ngl >= 1, the
        output layer: the same sums without splitting units between devices."""
        full, swa, compute_output, compute_other = self._at(context)
        n = self.n
        start = n - max(0, min(n, ngl - 1))
        moved = max(start, min(n, expert_host_layers))
        weights = self.layer_sum[n] - self.layer_sum[start]
        weights -= self.expert_sum[moved] - self.expert_sum[start]
        if ngl >= 1:
            weights += self.output_bytes
        kv = self.profile.bytes(start, n, full, swa, self.sequences) if n > start else 0
        compute = compute_output if ngl >= 1 else compute_other
        return [(weights + kv + compute + self.overheads[0], self.budgets[0])]

    def _usage_split(
        self, ngl: int, expert_host_layers: int, context: int
    ) -> list[tuple[int, int]]:
        counts, output_dev = self._split(ngl)
        full, swa, compute_output, compute_other = self._at(context)
        n = self.n
        start = n - max(0, min(n, ngl - 1))
        layer_sum, expert_sum = self.layer_sum, self.expert_sum
        profile_bytes, sequences = self.profile.bytes, self.sequences
        out = []
        for k, count in enumerate(counts):
            stop = start + count
            weights = layer_sum[stop] - layer_sum[start]
            moved = max(start, min(stop, expert_host_layers))
            weights -= expert_sum[moved] - expert_sum[start]
            if k == output_dev:
                weights += self.output_bytes
            kv = profile_bytes(start, stop, full, swa, sequences) if stop > start else 0
            compute = compute_output if k == output_dev else compute_other
            out.append((weights + kv + compute + self.overheads[k], self.budgets[k]))
            start = stop
        return out

    def search(self, context: int) -> tuple[int, int, str | None]:
        """plan_llama's offload search at ``context``: (-ngl, --n-cpu-moe, note). Memoized."""
        hit = self._searches.get(context)
        if hit is None:
            if len(self._searches) > 256:
                self._searches.clear()
            hit = self._searches[context] = self._search(context)
        return hit

    def _search(self, context: int) -> tuple[int, int, str | None]:
        spec, n = self.spec, self.n

        def fits(ngl: int, experts: int = 0) -> bool:
            return self.fits(ngl, experts, context)

        # GPU memory shrinks as experts or layers move to the host, so binary searches find
        # the fewest experts (MoE, llama.cpp --n-cpu-moe) or the most GPU layers (-ngl) that
        # fit.
        ngl, experts, note = n + 1, 0, None
        if not fits(n + 1):
            if spec.is_moe and self.has_experts and fits(n + 1, n):
                experts = first_true(1, n, lambda k: fits(n + 1, k))
                note = (
                    f"experts of the first {experts} layers stay in system RAM "
                    f"(llama.cpp: --n-cpu-moe {experts})"
                )
            elif not fits(1):
                ngl = 0
            else:
                ngl = n + 1 - first_true(1, n, lambda drop: fits(n + 1 - drop))
        return ngl, experts, note


@lru_cache(maxsize=1024)
def _llama_layout(
    spec: ModelSpec,
    inv: WeightInventory,
    gpus: tuple[Device, ...],
    runtime: Runtime,
    kv_type: str,
    sequences: int,
) -> _LlamaLayout:
    return _LlamaLayout(spec, inv, gpus, runtime, kv_type, sequences)


def llama_full_offload_usage(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> list[tuple[int, int]]:
    """(bytes used, budget) per device with every layer on the accelerators — the cheap
    question behind the largest context and the best quantization."""
    gpus = tuple(d for d in devices if d.kind != "cpu")
    if not gpus:
        plan = _cpu_plan(spec, inv, devices, runtime, context, kv_type, sequences)
        return [(u.total_bytes, u.budget_bytes) for u in plan.devices]
    return _llama_cells(spec, gpus, runtime, kv_type, sequences).full_usage(inv, context)


def usage(use: DeviceUse) -> tuple[int, int]:
    """(bytes that must fit, the limit they must fit in) for one device of a plan."""
    if use.required_bytes is not None and use.fit_limit_bytes is not None:
        return use.required_bytes, use.fit_limit_bytes
    return use.total_bytes, use.budget_bytes


def is_tight(used: int, budget: int) -> bool:
    return budget - used < _comfort_margin(budget)


def plan_llama(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    host_ram_bytes: int | None,
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> MemoryPlan:
    """llama.cpp placement: the output layer goes to the GPU first (PR #18148), blocks are
    split across GPUs by free memory, the remainder and token embeddings stay on the host."""
    n = spec.n_layers
    gpus = tuple(d for d in devices if d.kind != "cpu")
    if not gpus:
        return _cpu_plan(spec, inv, devices, runtime, context, kv_type, sequences)
    layout = _llama_layout(spec, inv, gpus, runtime, kv_type, sequences)
    ngl, experts, note = layout.search(context)

    rows, first = layout.rows(ngl, experts, context)
    uses = [
        DeviceUse(
            device=dev,
            layers=r.layers,
            weights_bytes=r.weights,
            kv_cache_bytes=r.kv,
            compute_bytes=r.compute,
            overhead_bytes=r.overhead,
            budget_bytes=r.budget,
        )
        for dev, r in zip(gpus, rows, strict=True)
    ]
    host_weights = inv.input_bytes + layout.layer_sum[first]
    moved = max(first, min(n, experts))
    host_weights += layout.expert_sum[moved] - layout.expert_sum[first]
    if ngl < 1:
        host_weights += inv.output_bytes
    gpu_fits = all(u.fits for u in uses)
    if all(d.kind == "unified" for d in gpus):
        # Apple/UMA: the host part lives in the same RAM the GPU budget came from.
        host_budget = max(
            0, (host_ram_bytes or gpus[0].memory_bytes) - sum(u.total_bytes for u in uses)
        )
    else:
        host_budget = host_ram_bytes if host_ram_bytes is not None else 0
    host = DeviceUse(
        device=_SYSTEM_RAM,
        weights_bytes=host_weights,
        kv_cache_bytes=layout.kv(0, first, context),
        # Host output buffer (logits of one row per sequence) and CPU compute scratch.
        compute_bytes=spec.vocab_size * 4 * sequences + (32 * MIB if first else 0),
        budget_bytes=host_budget,
    )
    if gpu_fits and ngl == n + 1 and not experts:
        # Token embeddings stay in host RAM (mmap'd page cache); never the reason to fail.
        host.budget_bytes = max(host.budget_bytes, host.total_bytes)
    plan = MemoryPlan(
        devices=uses,
        host=host,
        gpu_layers=min(ngl, n + 1),
        total_layers=n + 1,
        experts_on_host_layers=experts,
        kv_tokens=context * sequences,
    )
    if note:
        plan.notes.append(note)
    return plan


_SYSTEM_RAM = Device(
    name="system RAM",
    kind="cpu",
    backend="cpu",
    memory_bytes=0,
    bandwidth_bytes_per_s=0.0,
    fp16_flops=None,
    fp32_flops=None,
)


@lru_cache(maxsize=4096)
def _prefix(values: tuple[int, ...]) -> list[int]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return out


def first_true(lo: int, hi: int, ok: Callable[[int], bool]) -> int:
    """Smallest x in [lo, hi] with ok(x), for ok monotonic (false … true); hi if none."""
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _cpu_plan(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> MemoryPlan:
    cpu = devices[0]
    use = DeviceUse(
        device=cpu,
        layers=spec.n_layers,
        weights_bytes=inv.total_bytes,
        kv_cache_bytes=kv_cache_bytes(spec, context, runtime, kv_type, sequences),
        compute_bytes=llama_compute_bytes(spec, pad(context * sequences, LLAMA_KV_PAD), True, True),
        overhead_bytes=0,
        budget_bytes=min(int(cpu.memory_bytes * (1 - HOST_RESERVE_SHARE)), cpu.budget_bytes),
    )
    return MemoryPlan(
        devices=[use],
        host=None,
        gpu_layers=0,
        total_layers=spec.n_layers + 1,
        kv_tokens=context * sequences,
        lookup_bytes=(_lookup_bytes(spec, inv),),
    )


def _lookup_bytes(spec: ModelSpec, inv: WeightInventory, share: float = 1.0) -> int:
    """Embedding bytes a token looks up rather than reads: the whole input table, less the
    token table when it doubles as the (tied) output head."""
    tied = inv.output_bytes <= spec.hidden_size * 4
    lookup = inv.input_bytes * (1 - spec.token_embedding_share) if tied else inv.input_bytes
    return int(lookup * share)


def vllm_batch_defaults(device: Device, runtime: Runtime, context: int) -> tuple[int, int]:
    """(max_num_batched_tokens, max_num_seqs) of `vllm serve` left at its defaults.

    V1 (engine/arg_utils.py get_batch_defaults): 8192 tokens and 1024 sequences on GPUs
    whose driver reports at least 70 GiB, A100s excepted (PR #17885); 2048 and 256 below.
    V0: 256 sequences; without chunked prefill (the default up to a 32K context) a batch
    holds a whole context."""
    if not runtime.v1_engine:
        return (max(context, 2048) if context <= 32768 else 2048), 256
    visible = device.memory_bytes * (1 - CUDA_DRIVER_RESERVED_SHARE)
    if visible >= 70 * GIB and "a100" not in device.name.lower():
        return VLLM_MAX_BATCHED_TOKENS, 1024
    return 2048, 256


def _expert_width(spec: ModelSpec) -> int:
    """One routed expert's intermediate width (moe_intermediate_size)."""
    for layer in spec.layers:
        if layer.moe:
            if layer.expert_down_rows:
                return layer.expert_down_rows
            if spec.n_experts:
                return layer.params_experts // (3 * spec.n_experts * spec.hidden_size)
    return 0


def vllm_activation_bytes(
    spec: ModelSpec, runtime: Runtime, device: Device, tp: int, context: int
) -> int:
    """The activation peak vLLM's memory profile reserves on one GPU ("PyTorch activation
    peak memory"): the larger of the forward pass over max_num_batched_tokens and the sampler
    over max_num_seqs rows (v1 gpu_model_runner.profile_run: _dummy_run, then
    _dummy_sampler_run)."""
    tokens, seqs = vllm_batch_defaults(device, runtime, context)
    seqs = min(seqs, tokens)
    hidden = spec.hidden_size
    per_entry = VLLM_SAMPLER_SORT_BYTES if runtime.profile_sampler_sorts else VLLM_SAMPLER_BYTES
    sampler = tokens * hidden * VLLM_HIDDEN_COPIES_BYTES + seqs * spec.vocab_size * per_entry
    # Forward: the MLP's gate/up output and its activation (3 × intermediate / TP) beside the
    # hidden state and residual, bf16. Routed experts: each token's top-k copies through the
    # fused-MoE workspaces (model_executor/layers/fused_moe: intermediate caches 1–3).
    width = _expert_width(spec) if spec.is_moe else 0
    if width:
        per_token = spec.n_experts_used * (3 * width // tp + hidden) + 2 * hidden
    else:
        inter = spec.intermediate_size or 4 * hidden
        per_token = 3 * inter // tp + 2 * hidden
    forward = tokens * per_token * 2
    return max(sampler, forward)


def vllm_non_torch_bytes(devices: list[Device]) -> int:
    """Non-torch memory the profile counts on each GPU (see VLLM_NVLS_BYTES)."""
    first = devices[0]
    nvswitch = (
        first.backend == "cuda"
        and (first.interface or "").startswith("SXM")
        and (first.compute_capability or 0) >= 9.0
    )
    return VLLM_NON_TORCH_BYTES + (VLLM_NVLS_BYTES if len(devices) > 1 and nvswitch else 0)


def plan_vllm(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> MemoryPlan:
    """vLLM preallocates gpu_memory_utilization of what the driver reports on each GPU and
    profiles one forward pass and one sampler pass; the KV pool is what remains:

        pool = util × reported − (weights + activation peak + non-torch memory)

    (v1/worker/gpu_worker.py determine_available_memory; utils/mem_utils.py
    memory_profiling: non_kv_cache_memory = weights + torch_peak_increase + non_torch_increase).
    The CUDA context and NCCL's start-up buffers exist before the baseline snapshot and CUDA
    graphs are captured after the pool: both sit outside the preallocation. vLLM starts only
    if one sequence of max_model_len fits the pool."""
    gpus = devices
    tp = len(gpus)
    weights_per = math.ceil(inv.total_bytes / tp)
    need_kv = math.ceil(kv_cache_bytes(spec, context, runtime, kv_type, sequences) / tp)
    non_torch = vllm_non_torch_bytes(gpus)
    uses = []
    for dev in gpus:
        visible = int(dev.memory_bytes * (1 - CUDA_DRIVER_RESERVED_SHARE))
        prealloc = int(visible * runtime.gpu_memory_utilization)
        act = vllm_activation_bytes(spec, runtime, dev, tp, context)
        fixed = weights_per + act + non_torch
        pool = max(prealloc - fixed, 0)
        uses.append(
            DeviceUse(
                device=dev,
                layers=spec.n_layers,
                weights_bytes=weights_per,
                kv_cache_bytes=max(pool, need_kv),
                compute_bytes=act,
                overhead_bytes=non_torch + VLLM_CUDA_GRAPHS_BYTES + TORCH_CONTEXT_BYTES,
                budget_bytes=dev.budget_bytes,
                fit_limit_bytes=prealloc,
                required_bytes=fixed + need_kv,
                kv_pool_bytes=pool,
            )
        )
    plan = MemoryPlan(
        devices=uses,
        host=None,
        gpu_layers=spec.n_layers + 1,
        total_layers=spec.n_layers + 1,
        kv_tokens=context * sequences,
        tensor_parallel=tp > 1,
        lookup_bytes=(_lookup_bytes(spec, inv, 1 / tp),) * tp,
    )
    if plan.fits and need_kv:
        pool_tokens = int(uses[0].kv_cache_bytes / need_kv * context * sequences)
        plan.notes.append(
            f"vLLM preallocates {runtime.gpu_memory_utilization:.0%} of each GPU "
            "(--gpu-memory-utilization); its KV pool "
            f"holds about {pool_tokens:,} tokens ({pool_tokens // max(context, 1)} sequences "
            f"of {context:,})"
        )
    return plan


# MLX's fused prefill attention (the steel kernel) takes head dimensions 64, 80 and 128
# (mlx/backend/metal/scaled_dot_product_attention.cpp, sdpa_full_supported_head_dim); other
# widths fall back to mx.fast's unfused path, which materialises the [heads, step, keys]
# score matrix of one layer in the activation dtype (bf16/fp16).
MLX_FUSED_PREFILL_HEAD_DIMS = frozenset({64, 80, 128})


def mlx_unfused_scores_bytes(spec: ModelSpec, step: int, context: int) -> int:
    """The score matrix of a prefill step whose attention MLX cannot fuse: the last step's
    queries against every key of the context, 2 bytes each; 0 where the kernel is fused."""
    widths = {
        layer.head_dim_k for layer in spec.layers if layer.kind == "full" and layer.n_kv_heads
    }
    if spec.mla is not None or not widths or widths <= MLX_FUSED_PREFILL_HEAD_DIMS:
        return 0
    return spec.n_heads * step * context * 2


def plan_simple(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> MemoryPlan:
    """transformers, MLX and ExLlamaV2: all weights on the accelerator(s), split by layers."""
    kv = kv_cache_bytes(spec, context, runtime, kv_type, sequences)
    inter = spec.intermediate_size or 4 * spec.hidden_size
    if runtime.engine == "transformers":
        # Peak of prefilling the whole context in one pass: MLP intermediates, SDPA
        # attention chunks, last-token logits in float32 — what torch.cuda.max_memory_allocated
        # reports. The caching allocator reserves more than it hands out (blocks split and
        # rounded, the KV cache regrown by torch.cat): that reserve is the process's, with the
        # context, not an allocation, so it sits in the overhead.
        tokens = context * sequences
        act = tokens * (3 * inter + 6 * spec.hidden_size) * 2 + spec.vocab_size * 4 * sequences
        overhead = TRANSFORMERS_PROCESS_BYTES + int((act + kv) * TRANSFORMERS_RESERVE_SHARE)
    elif runtime.engine == "mlx":
        step = min(context, 2048)  # mlx_lm prefills in steps of 2048 tokens
        act = step * (3 * inter + 6 * spec.hidden_size) * 2 + spec.vocab_size * 4 * step
        act += mlx_unfused_scores_bytes(spec, step, context)
        overhead = 256 * MIB
    else:  # exllamav2: scratch for max_input_len 2048 plus the logits of one chunk
        act = 2048 * (3 * inter + 6 * spec.hidden_size) * 2 + spec.vocab_size * 4 * 256
        overhead = TORCH_CONTEXT_BYTES
    counts = _split_layers(spec.n_layers, devices)
    uses = []
    for k, (dev, count) in enumerate(zip(devices, counts, strict=True)):
        share = count / spec.n_layers
        weights = int(sum(inv.layer_bytes) * share)
        if k == 0:
            weights += inv.input_bytes
        if k == len(devices) - 1:
            weights += inv.output_bytes + inv.other_bytes
        uses.append(
            DeviceUse(
                device=dev,
                layers=count,
                weights_bytes=weights,
                kv_cache_bytes=int(kv * share),
                compute_bytes=act,
                overhead_bytes=overhead,
                budget_bytes=dev.budget_bytes,
            )
        )
    return MemoryPlan(
        devices=uses,
        host=None,
        gpu_layers=spec.n_layers + 1,
        total_layers=spec.n_layers + 1,
        kv_tokens=context * sequences,
        lookup_bytes=(_lookup_bytes(spec, inv),) + (0,) * (len(uses) - 1),
    )


@lru_cache(maxsize=64)  # only valid names are cached: an unknown one raises every time
def kv_bytes_per_cell_check(kv_type: str) -> None:
    """Raise InputError for an unknown cache type before any sizing starts."""
    kv_row_bytes(kv_type, 1)
