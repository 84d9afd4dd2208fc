"""What llama.cpp allocates besides the weights, per model: its compute buffers at a
micro-batch, the per-device runtime context, the KV cells per context (_ModelCells), and how
its loader splits units between devices (split_layers)."""

from __future__ import annotations

from functools import lru_cache

from ..hardware import Device
from ..runtimes import Runtime
from ..spec import ModelSpec, WeightInventory
from ..units import MIB
from .kv import LLAMA_KV_PAD, LLAMA_UBATCH, kv_cell_counts, kv_profile

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


def llama_compute_bytes(
    spec: ModelSpec, n_kv: int, on_output_device: bool, flash_attn: bool
) -> int:
    """Largest scratch of one graph evaluation at ubatch 512 (gguf-parser's model, checked
    against llama.cpp logs: Llama-3-8B 258.5 MiB at n_ctx 512 and 560 MiB at 8192, FA off)."""
    ub = min(LLAMA_UBATCH, max(n_kv, 1))
    fa_heads, ffn, logits = _compute_terms(spec, ub)
    attn = n_kv * ub * 2 + fa_heads if flash_attn else no_fa_attention_bytes(spec, n_kv, ub)
    return max(attn, ffn, logits if on_output_device else 0) + COMPUTE_FIXED_BYTES


def no_fa_attention_bytes(spec: ModelSpec, n_kv: int, ub: int) -> int:
    """One layer's attention scratch without flash attention at micro-batch ``ub``: the F32
    scores of every head (n_kv x ub x heads, soft-maxed in place), the F32 mask beside them
    (n_kv x ub; F16 with flash attention) and four F32 hidden-wide activations: Ollama's
    estimate of the graph (fs/ggml/ggml.go GraphSize, the llama case's fullOffload,
    4 x batch x (1 + 4 x embedding + context x (1 + heads))), which is what llama.cpp logs
    for Llama 3.1 8B at 8,192 cells (CUDA0 compute buffer 560 MiB, flash_attn 0)."""
    return 4 * ub * (4 * spec.hidden_size + n_kv * (1 + spec.n_heads))


COMPUTE_FIXED_BYTES = 8 * MIB  # llama_compute_bytes' fixed part


def _compute_terms(spec: ModelSpec, ub: int) -> tuple[int, int, int]:
    """llama_compute_bytes' parts that do not depend on the KV cells, at micro-batch ``ub``:
    flash attention's per-head scratch, the FFN's activations, the output's logits."""
    inter = spec.intermediate_size or 4 * spec.hidden_size
    ffn = inter * ub * 4 * 2
    if spec.is_moe:
        ffn += spec.n_experts * ub * 4 + spec.hidden_size * spec.n_experts_used * ub * 4
    return 4 * spec.n_heads * ub * 128 * 4, ffn, spec.vocab_size * ub * 4


@lru_cache(maxsize=4096)
def _llama_compute_pair(spec: ModelSpec, n_kv: int, flash_attn: bool = True) -> tuple[int, int]:
    """llama_compute_bytes on the output device and off it."""
    return (
        llama_compute_bytes(spec, n_kv, True, flash_attn),
        llama_compute_bytes(spec, n_kv, False, flash_attn),
    )


def split_layers(n_units: int, devices: list[Device]) -> list[int]:
    """Units per device, as llama.cpp assigns them (llama-model.cpp, load_tensors): unit u goes
    to the first device whose cumulative share of free memory exceeds u / n_units."""
    total = 0
    for d in devices:  # sum(...) of a generator written out (see speed.features)
        total += d.budget_bytes
    counts = []
    running, taken = 0, 0
    for d in devices:
        running += d.budget_bytes
        # units with u / n_units < running / total, i.e. u < n_units · running / total
        upto = -(-n_units * running // total)
        upto = upto if upto < n_units else n_units  # min of two written out (speed.features)
        counts.append(upto - taken)
        taken = upto
    counts[-1] += n_units - taken
    return counts


@lru_cache(maxsize=4096)
def _even_split(n_units: int, devices: int) -> tuple[int, ...]:
    """split_layers between ``devices`` devices of one (positive) budget, which cancels from
    its shares: device j (from 1) takes the units below ceil(n_units · j / devices). Kept per
    count of units and devices, shared by every model and set of like GPUs."""
    counts, taken = [], 0
    for j in range(1, devices + 1):
        upto = -(-n_units * j // devices)
        counts.append(upto - taken)
        taken = upto
    return tuple(counts)


def _on_gpu_blocks(n: int, ngl: int) -> int:
    """Blocks on the GPUs with ``ngl`` units offloaded (the output layer counts as the first):
    max(0, min(n, ngl - 1)), written out (see speed.features)."""
    blocks = ngl - 1
    if blocks > n:
        return n
    return blocks if blocks > 0 else 0


class _ModelCells:
    """What llama.cpp's placement needs of one model at a context whatever GPUs hold it, for
    one runtime, cache type and number of sequences: the KV cells and compute buffers (at) and
    the KV and buffers of one GPU holding every block and the output (rest_one). Kept per
    model (see _model_cells), so that a new set of GPUs finds the contexts already asked of
    the model on others."""

    def __init__(self, spec: ModelSpec, runtime: Runtime, kv_type: str, sequences: int) -> None:
        self.spec, self.runtime, self.sequences = spec, runtime, sequences
        self.profile = kv_profile(spec, runtime, kv_type)
        self._contexts: dict[int, tuple[int, int, int, int]] = {}
        self._rest_one: dict[int, int] = {}
        # The full-offload rows of any set of GPUs that splits the units so (_SplitRows, per
        # blocks per GPU and the output's GPU): one GPU holding every block and the output,
        # or N GPUs of one budget, whatever GPUs they are.
        self._splits: dict[tuple[tuple[int, ...], int], _SplitRows] = {}
        # at()'s llama.cpp rules bound once: the SWA layers' cells stop growing at the window
        # plus a micro-batch; the compute buffers at a full micro-batch (n_kv >= ubatch).
        self._llama = runtime.engine == "llama.cpp"
        window = spec.sliding_window
        self._swa_cap = window + LLAMA_UBATCH if window else None
        self._terms = _compute_terms(spec, LLAMA_UBATCH)

    def split_rows(self, counts: list[int], output_dev: int) -> _SplitRows:
        """The rows kept for GPUs holding ``counts`` blocks each, the output on
        ``output_dev``."""
        key = (tuple(counts), output_dev)
        found = self._splits.get(key)
        if found is None:
            if len(self._splits) > 64:
                self._splits.clear()
            found = self._splits[key] = _SplitRows()
        return found

    def at(self, context: int) -> tuple[int, int, int, int]:
        """(full-layer cells, SWA cells, compute with the output, compute without)."""
        hit = self._contexts.get(context)
        if hit is None:
            if len(self._contexts) > 256:
                self._contexts.clear()
            hit = self._contexts[context] = self._cells_at(context)
        return hit

    def rest_one(self, context: int) -> int:
        """The KV cache and compute buffers of one GPU that holds every block and the output
        layer at ``context`` (_LlamaCells' full-offload row on one GPU, less its overhead)."""
        hit = self._rest_one.get(context)
        if hit is None:
            if len(self._rest_one) > 256:
                self._rest_one.clear()
            full, swa, compute_output, _ = self.at(context)
            n = self.spec.n_layers
            kv = self.profile.bytes(0, n, full, swa, self.sequences) if n > 0 else 0
            hit = self._rest_one[context] = kv + compute_output
        return hit

    def _cells_at(self, context: int) -> tuple[int, int, int, int]:
        """at() worked out: kv_cell_counts and _llama_compute_pair, written out for llama.cpp
        with the model's constants bound once (tests/core/test_fast_paths.py holds them to
        those functions)."""
        n_kv = -(-(context * self.sequences) // LLAMA_KV_PAD) * LLAMA_KV_PAD
        if not self._llama or n_kv < LLAMA_UBATCH:
            full, swa = kv_cell_counts(self.spec, context, self.runtime)
            return full, swa, *_llama_compute_pair(self.spec, n_kv, self.runtime.flash_attn)
        # kv_cell_counts for llama.cpp: pad256(n_ctx); SWA layers pad256(min(n_ctx, n_swa +
        # n_ubatch)), which is the full count without a window or below it.
        full = -(-context // LLAMA_KV_PAD) * LLAMA_KV_PAD
        cap = self._swa_cap
        swa = full if cap is None or context <= cap else -(-cap // LLAMA_KV_PAD) * LLAMA_KV_PAD
        # llama_compute_bytes at a full micro-batch, on the output's GPU (logits) and off it:
        # with flash attention its F16 mask and per-head scratch, without it the F32 scores.
        fa_heads, ffn, logits = self._terms
        if self.runtime.flash_attn:
            attn = n_kv * LLAMA_UBATCH * 2 + fa_heads
        else:
            attn = no_fa_attention_bytes(self.spec, n_kv, LLAMA_UBATCH)
        largest = attn if attn > ffn else ffn
        with_output = largest if largest > logits else logits
        return full, swa, with_output + COMPUTE_FIXED_BYTES, largest + COMPUTE_FIXED_BYTES


class _SplitRows:
    """What a full offload puts on each GPU that depends on the model and the split of its
    units alone (not on which GPUs, nor their budgets): the weights per inventory, the KV
    cache and compute buffers per context (without the backends' overheads), and the best
    quantization's rows along a ladder. Kept per model (_ModelCells.split_rows), so a set of
    GPUs new to a model finds them worked out on others split alike."""

    __slots__ = ("ladders", "rest", "weights")

    def __init__(self) -> None:
        self.weights: dict[WeightInventory, list[int]] = {}
        self.rest: dict[int, list[int]] = {}
        self.ladders: dict[tuple[object, tuple[str, ...]], list[list[int] | None]] = {}


def _output_bytes(spec: ModelSpec, inv: WeightInventory) -> int:
    """The output layer's bytes on its GPU. Tied embeddings: the token embedding matrix again
    (never the per-layer embedding tables of Gemma 3n / 4, which stay with the input on the
    host)."""
    tied = inv.output_bytes <= spec.hidden_size * 4
    return int(inv.input_bytes * spec.token_embedding_share) if tied else inv.output_bytes


@lru_cache(maxsize=1024)
def _model_cells(spec: ModelSpec, runtime: Runtime, kv_type: str, sequences: int) -> _ModelCells:
    return _ModelCells(spec, runtime, kv_type, sequences)
