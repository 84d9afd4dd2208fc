"""The KV cache and the attention that reads it: bytes per token and layer for each runtime and
cache type (sliding windows, MLA latents, compressed and indexed rows, recurrent state), the
KV read and the attention FLOPs at a depth."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import accumulate

from ..quant import kv_row_bytes
from ..runtimes import Runtime
from ..spec import LayerSpec, ModelSpec, attending_spec
from .records import pad

# llama.cpp defaults (common/common.h, src/llama-context.cpp): physical batch 512, KV cells
# padded to 256, flash attention "auto" (on for CUDA, Metal, ROCm and Vulkan). The logical
# batch (n_batch 2048) is the tokens the scheduler splits into physical micro-batches and may
# pipeline across layer-split GPUs.
LLAMA_UBATCH = 512
LLAMA_BATCH = 2048
LLAMA_KV_PAD = 256
VLLM_MAX_BATCHED_TOKENS = 8192
VLLM_BLOCK = 16  # tokens per KV block (CacheConfig.block_size)
# mlx-lm's model code absorbs MLA and caches the latent for these architectures (models/
# deepseek_v3.py, glm4_moe_lite.py; Kimi K2 runs on deepseek_v3) but not deepseek_v2.
MLX_LATENT_MLA_ARCHITECTURES = frozenset({"deepseek_v3", "glm4_moe_lite", "kimi_k2"})


# mlx-lm model code that keeps every layer's whole context although the config slides some:
# gemma2.py builds no make_cache (every layer a KVCache) and masks without a window.
MLX_UNWINDOWED_ARCHITECTURES = frozenset({"gemma2"})


def windows_swa(spec: ModelSpec, runtime: Runtime) -> bool:
    """Whether ``runtime`` keeps only the window of ``spec``'s sliding-window layers.

    mlx-lm windows a layer only where the model's code makes it a RotatingKVCache: the
    layers that layer_types marks sliding in llama.py (the code Mistral and Ministral run),
    and the sliding layers of gemma3_text, cohere2 and gpt_oss, whose configs mix sliding and
    full layers. A config whose sliding_window key alone makes every layer slide (Mistral
    7B v0.1, Mixtral, Starcoder2, Qwen2 with use_sliding_window) runs in a KVCache of the
    whole context (llama.py keys the rotating cache to layer_types; mixtral.py, qwen2.py and
    starcoder2.py have none)."""
    if not runtime.swa_windowed or not spec.sliding_window:
        return False
    if runtime.engine == "mlx":
        if spec.architecture in MLX_UNWINDOWED_ARCHITECTURES:
            return False
        # DeepSeek-V4's layers all slide, beside their compressed rows: deepseek_v4.py
        # rotates every one.
        return any(layer.kind == "full" or layer.compress_ratio for layer in spec.layers)
    return True


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
    # Most models repeat one or two kinds of layer: each is sized once, by layer object (equal
    # layers are one object since a spec is built; a LayerSpec's own hash is a Python call
    # over its fields, and its equality another), and the prefix sums are C loops (map,
    # accumulate) over the layers' ids, so a layer costs no Python code beyond its kind's.
    ids = list(map(id, spec.layers))
    windows = windows_swa(spec, runtime)
    full_add: dict[int, int] = {}
    swa_add: dict[int, int] = {}
    state_add: dict[int, int] = {}
    for key, layer in dict(zip(ids, spec.layers, strict=True)).items():
        row = kv_layer_bytes_per_cell(layer, spec, runtime, kv_type)
        if not layer.compress_ratio:  # DeepSeek-V3.2: an indexer key beside each token
            row += index_row_bytes(layer, kv_type)
        # A layer that compresses (DeepSeek-V4) keeps its raw rows for the window and adds
        # its compressed rows, with their indexer keys, for the whole context. Bytes × 32.
        per_cell = math.ceil(row * 32)
        compressed = math.ceil(compressed_bytes_per_token(layer, spec, runtime, kv_type) * 32)
        windowed = layer.kind == "swa" and windows
        full_add[key] = (0 if windowed else per_cell) + compressed
        swa_add[key] = per_cell if windowed else 0
        # Recurrent state (Mamba, delta-net, short conv) is F32 per sequence; Falcon-H1
        # layers carry both that state and an attention KV cache.
        state_add[key] = layer.recurrent_state_elements * 4
    return KVProfile(
        tuple(accumulate(map(full_add.__getitem__, ids), initial=0)),
        tuple(accumulate(map(swa_add.__getitem__, ids), initial=0)),
        tuple(accumulate(map(state_add.__getitem__, ids), initial=0)),
    )


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
        cap = window + LLAMA_UBATCH
        swa = pad(cap if cap < context else context, LLAMA_KV_PAD)  # min of two (speed.features)
    elif runtime.engine == "vllm":
        # vllm/v1/kv_cache_interface.py SlidingWindowSpec.max_memory_usage_bytes: the last
        # window - 1 tokens plus one scheduled chunk, in blocks of 16, one more block because
        # the window need not start on a block boundary.
        tokens = min(window - 1 + VLLM_MAX_BATCHED_TOKENS, context)
        swa = (-(-tokens // VLLM_BLOCK) + 1) * VLLM_BLOCK
    elif runtime.engine == "transformers":
        # cache_utils.py DynamicSlidingWindowLayer.update keeps states[-sliding_window + 1:],
        # a view of torch.cat([kept, new]): once a token is decoded the storage it holds is
        # the window - 1 kept tokens and the new one, ``sliding_window`` tokens.
        swa = min(context, window)
    else:
        swa = min(context, window)
    return full, swa


# mlx_lm.generate prefills a prompt in steps of this many tokens (generate_step's
# prefill_step_size).
MLX_PREFILL_STEP = 2048


def swa_prefill_bytes(
    spec: ModelSpec, context: int, runtime: Runtime, kv_type: str, sequences: int = 1
) -> int:
    """Bytes the sliding-window layers hold beyond their window at the end of a prompt's
    prefill, before the first decoded token trims them (0 where nothing is held beyond it).

    - transformers (4.54+): DynamicSlidingWindowLayer.update returns the prompt's whole K and V
      and keeps ``full[:, :, -sliding_window + 1:]``, a view, so the whole prompt's storage
      stays allocated in every sliding layer until the next update replaces it with a
      window-sized tensor (cache_utils.py): the prefill's peak holds every layer at the
      prompt's length.
    - mlx-lm: RotatingKVCache._update_concat keeps ``max_size - 1`` tokens and appends the
      whole step ("the largest size is self.max_size + S - 1", models/cache.py), a prefill
      step being MLX_PREFILL_STEP tokens; a decoded token trims it to the window."""
    window = spec.sliding_window
    if not window or not windows_swa(spec, runtime):
        return 0
    if runtime.engine == "transformers":
        held = context
    elif runtime.engine == "mlx":
        held = min(context, window - 1 + MLX_PREFILL_STEP)
    else:
        return 0
    _, swa = kv_cell_counts(spec, context, runtime)
    if held <= swa:
        return 0
    profile = kv_profile(spec, runtime, kv_type)
    n = spec.n_layers
    return profile.bytes(0, n, 0, held, sequences) - profile.bytes(0, n, 0, swa, sequences)


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
    the index_topk rows the indexer selects, besides its raw window. A shared-KV layer reads
    its source layer's cache (attending_spec)."""
    spec = attending_spec(spec)
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


def recurrent_state_bytes(
    spec: ModelSpec,
    runtime: Runtime,
    kv_type: str,
    sequences: int = 1,
    layers: range | None = None,
) -> int:
    """The recurrent state (Mamba's conv and SSM state, gated delta-net's, short conv's) of
    the given layers for ``sequences``: F32, whatever the cache type. A decoded token reads it
    and writes the updated state back (llama.cpp's graph copies the scan's last state into the
    recurrent cache every micro-batch: build_recurrent_state, ggml_cpy), so it moves twice."""
    start, stop = (0, spec.n_layers) if layers is None else (layers.start, layers.stop)
    if stop <= start:
        return 0
    state = kv_profile(spec, runtime, kv_type).state
    return (state[stop] - state[start]) * sequences


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
    vLLM and transformers expand the latent into per-head K and V for prefill.
    llama.cpp's prompts attend over more than the window in sliding-window layers
    (attended_window). A shared-KV layer attends like its source layer (attending_spec)."""
    spec = attending_spec(spec)
    window = attended_window(spec, runtime, depth, decode)
    latent = caches_mla_latent(spec, runtime) and (decode or runtime.engine == "llama.cpp")
    full, swa = _attention_widths(spec, windows_swa(spec, runtime), latent)
    if full is None or swa is None:  # compressed or indexed (sparse) attention
        return _attention_flops_by_layer(spec, runtime, depth, start, stop, latent, decode)
    start, stop, _ = slice(start, stop).indices(spec.n_layers)
    if stop <= start:
        return 0.0
    # Integers throughout: exact, so the same as summing layer by layer.
    capped = window if window < depth else depth  # min(depth, window) (see speed.features)
    widths = (full[stop] - full[start]) * depth + (swa[stop] - swa[start]) * capped
    return float(2 * spec.n_heads * widths)


def attended_cells(spec: ModelSpec, runtime: Runtime, depth: int, start: int, stop: int) -> float:
    """Cached cells one decoded token's attention visits in layers [start, stop), summed over
    the layers whatever their heads and widths: ``depth`` for a layer that reads the whole
    cache, at most the window for a sliding-window one, none for recurrent and cache-less
    layers; a shared-KV layer as its source layer (attending_spec)."""
    spec = attending_spec(spec)
    window = attended_window(spec, runtime, depth, True)
    windowed = window if window < depth else depth  # min(depth, window) (see speed.features)
    windows = windows_swa(spec, runtime)
    total = 0
    for layer in spec.layers[start:stop]:
        if layer.kind in ("recurrent", "none") or not layer.n_kv_heads:
            continue
        total += windowed if layer.kind == "swa" and windows else depth
    return float(total)


# llama.cpp's CUDA/HIP flash attention decodes in its vector kernel only for K head sizes up
# to 256 (ggml-cuda/fattn.cu, can_use_vector_kernel). Wider heads, MLA's 576-wide latent and
# Gemma 4's 512-wide global layers, run the MMA or tile kernel with the query heads that share
# a KV head packed as the rows of one tile: their arithmetic is a small matrix product, bound
# by reading the cache, not the vector kernel's latency-bound loop over it.
VECTOR_KERNEL_MAX_HEAD_DIM = 256


@dataclass(frozen=True)
class GqaPacking:
    """When llama.cpp's CUDA flash attention decodes a grouped-query layer (heads up to
    VECTOR_KERNEL_MAX_HEAD_DIM wide) in its MMA or tile kernel, the query heads that share a KV
    head packed as the rows of one tile, rather than in the vector kernel
    (ggml-cuda/fattn.cu, ggml_cuda_get_best_fattn_kernel with gqa_opt_applies): at least
    ``min_groups`` query heads per KV head, of which a power of two of at least
    ``min_power_of_two`` (Volta's gqa_ratio_eff), and at least ``min_cells`` cached cells in
    the layer's view (K->ne[1])."""

    min_groups: int = 2
    min_power_of_two: int = 1
    min_cells: int = 0

    def packs(self, groups: int, cells: int) -> bool:
        power = 1
        while power < groups and groups % (2 * power) == 0:
            power *= 2
        return (
            groups >= self.min_groups
            and power >= self.min_power_of_two
            and (cells >= self.min_cells)
        )


def vector_kernel_attention_flops(
    spec: ModelSpec,
    runtime: Runtime,
    depth: int,
    start: int,
    stop: int,
    packing: GqaPacking | None = None,
) -> tuple[float, float]:
    """attention_flops of one decoded token in layers [start, stop), split into what llama.cpp's
    CUDA/HIP vector kernel computes and what the layers too wide for it compute in the matrix
    (MMA or tile) kernel; with ``packing``, the grouped-query layers it packs go to the matrix
    kernel too."""
    spec = attending_spec(spec)
    total = attention_flops(spec, runtime, depth, start, stop, decode=True)
    wide = 0.0
    latent = caches_mla_latent(spec, runtime)
    for lo, hi in _wide_head_runs(spec, latent):
        lo, hi = max(lo, start), min(hi, stop)
        if hi > lo:
            wide += attention_flops(spec, runtime, depth, lo, hi, decode=True)
    if packing is not None:
        for i in _packed_gqa_layers(spec, runtime, depth, latent, packing):
            if start <= i < stop:
                wide += attention_flops(spec, runtime, depth, i, i + 1, decode=True)
    narrow = total - wide
    return (0.0 if narrow < 0.0 else narrow), wide  # max of two (see speed.features)


@lru_cache(maxsize=1024)
def _packed_gqa_layers(
    spec: ModelSpec, runtime: Runtime, depth: int, latent: bool, packing: GqaPacking
) -> tuple[int, ...]:
    """The attention layers narrow enough for the vector kernel that ``packing`` sends to the
    matrix kernel at ``depth``: a sliding-window layer's view holds its window's cells."""
    wide = {i for lo, hi in _wide_head_runs(spec, latent) for i in range(lo, hi)}
    window = spec.sliding_window
    out = []
    for i, layer in enumerate(spec.layers):
        if i in wide or layer.kind in ("recurrent", "none") or not layer.n_kv_heads:
            continue
        cells = depth
        if layer.kind == "swa" and window and windows_swa(spec, runtime):
            cells = min(depth, window)
        if packing.packs(spec.n_heads // layer.n_kv_heads, cells):
            out.append(i)
    return tuple(out)


# llama.cpp's HIP flash attention on RDNA3/RDNA4 (ggml-cuda/fattn.cu,
# ggml_cuda_get_best_fattn_kernel: "AMD WMMA is always faster than the tile kernel if the full
# tile width of 16 can be utilized") runs a prompt in the MMA kernel on the WMMA units only for
# K heads up to 128 wide with the GQA optimisation (two or more query heads per KV head); other
# layers take the tile kernel on the vector ALUs (PR #22880: "For RDNA3/4 I was not able to get
# better performance than the tile kernel for head sizes > 128").
HIP_MMA_ATTENTION_MAX_HEAD_DIM = 128
HIP_MMA_ATTENTION_MIN_GQA = 2


def hip_tile_attention_flops(
    spec: ModelSpec, runtime: Runtime, depth: int, start: int, stop: int
) -> float:
    """attention_flops of one prompt token in layers [start, stop) that llama.cpp's HIP flash
    attention on RDNA3/RDNA4 runs in its tile kernel rather than the WMMA (MMA) kernel: K heads
    wider than HIP_MMA_ATTENTION_MAX_HEAD_DIM, or fewer than HIP_MMA_ATTENTION_MIN_GQA query
    heads per KV head."""
    spec = attending_spec(spec)
    tile = 0.0
    latent = caches_mla_latent(spec, runtime)
    for lo, hi in _wide_head_runs(
        spec, latent, HIP_MMA_ATTENTION_MAX_HEAD_DIM, HIP_MMA_ATTENTION_MIN_GQA
    ):
        lo, hi = max(lo, start), min(hi, stop)
        if hi > lo:
            tile += attention_flops(spec, runtime, depth, lo, hi, decode=False)
    return tile


@lru_cache(maxsize=1024)
def _wide_head_runs(
    spec: ModelSpec, latent: bool, max_width: int = VECTOR_KERNEL_MAX_HEAD_DIM, min_gqa: int = 1
) -> tuple[tuple[int, int], ...]:
    """Runs [lo, hi) of consecutive attention layers whose cached K rows are wider than
    ``max_width`` (the vector kernel's limit by default), or whose KV heads serve fewer than
    ``min_gqa`` query heads each (most models: none)."""
    # Judged once per distinct layer object (see kv_profile); most models have no wide layer,
    # and then no layer is visited.
    wide: dict[int, bool] = {}
    for key, layer in dict(zip(map(id, spec.layers), spec.layers, strict=True)).items():
        if layer.kind in ("recurrent", "none") or not layer.n_kv_heads:
            wide[key] = False
            continue
        latent_here = latent and spec.mla is not None
        width = spec.mla.latent_elements if latent_here and spec.mla else layer.head_dim_k
        kv_heads = 1 if latent_here else layer.n_kv_heads
        wide[key] = not (width <= max_width and spec.n_heads >= min_gqa * kv_heads)
    if not any(wide.values()):
        return ()
    runs: list[tuple[int, int]] = []
    for i, layer in enumerate(spec.layers):
        if not wide[id(layer)]:
            continue
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return tuple(runs)


def attended_window(spec: ModelSpec, runtime: Runtime, depth: int, decode: bool) -> int:
    """Cached tokens a sliding-window layer attends over per query (``depth`` if none).

    A decoded token reads its window. A prompt's query in llama.cpp reads more: the
    sliding-window cache holds window + n_ubatch cells (llama-kv-cache-iswa.cpp, the cells
    kv_cell_counts sizes) so a micro-batch's own tokens fit beside the window before it, and
    the flash-attention kernels visit every cell of that view, the ones outside a query's
    window masked to -inf, not skipped: the CUDA/HIP kernels trim only the tail past the
    last unmasked cell (fattn-common.cuh, flash_attn_mask_to_KV_max, and only for 1,024 or
    more query rows), Metal, Vulkan and the CPU none. So a prompt token attends over up to
    window + n_ubatch cells of each such layer, the whole micro-batch where the depth is
    shorter (the cells a causal query sees, as in full layers)."""
    window = spec.sliding_window
    if not window:
        return depth
    if not decode and runtime.engine == "llama.cpp":
        window += runtime.ubatch
    return window


def _attention_flops_by_layer(
    spec: ModelSpec,
    runtime: Runtime,
    depth: int,
    start: int,
    stop: int,
    latent: bool,
    decode: bool = True,
) -> float:
    """attention_flops summed layer by layer: for compressed and sparse attention, and the
    reference the prefix sums are tested against."""
    spec = attending_spec(spec)
    window = attended_window(spec, runtime, depth, decode)
    windows = windows_swa(spec, runtime)
    total = 0.0
    for layer in spec.layers[start:stop]:
        if layer.kind in ("recurrent", "none") or not layer.n_kv_heads:
            continue
        cells = min(depth, window) if layer.kind == "swa" and windows else depth
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
    # Each distinct layer object judged once, the prefix sums C loops (see kv_profile).
    ids = list(map(id, spec.layers))
    distinct = dict(zip(ids, spec.layers, strict=True))
    if any(layer.compress_ratio or layer.index_head_dim for layer in distinct.values()):
        return None, None
    full_add: dict[int, int] = {}
    swa_add: dict[int, int] = {}
    for key, layer in distinct.items():
        width, windowed = 0, False
        if layer.kind not in ("recurrent", "none") and layer.n_kv_heads:
            if latent and spec.mla is not None:
                width = spec.mla.latent_elements + spec.mla.kv_lora_rank
            else:
                width = layer.head_dim_k + layer.head_dim_v
            windowed = layer.kind == "swa" and swa_windowed
        full_add[key] = 0 if windowed else width
        swa_add[key] = width if windowed else 0
    full = list(accumulate(map(full_add.__getitem__, ids), initial=0))
    swa = list(accumulate(map(swa_add.__getitem__, ids), initial=0))
    return full, swa


@lru_cache(maxsize=64)  # only valid names are cached: an unknown one raises every time
def kv_bytes_per_cell_check(kv_type: str) -> None:
    """Raise InputError for an unknown cache type before any sizing starts."""
    kv_row_bytes(kv_type, 1)
