"""What a run of layers reads and computes per decoded token at a depth (the KV bytes with the
recurrent state's write-back, the attention FLOPs split between llama.cpp's vector and matrix
kernels, the layers that route to experts), from prefix sums bound once per model, runtime,
cache type, sequences and kernel choice: the same values as kv_read_bytes,
recurrent_state_bytes, vector_kernel_attention_flops, attention_flops and
layers_with_experts, without their calls."""

from __future__ import annotations

from functools import lru_cache

from ..runtimes import Runtime
from ..spec import ModelSpec, attending_spec
from .kv import (
    GqaPacking,
    _attention_widths,
    _expert_layer_prefix,
    _packed_gqa_layers,
    _sparse_layers,
    _wide_head_runs,
    attention_flops,
    caches_mla_latent,
    kv_cell_counts,
    kv_profile,
    kv_read_bytes,
    layers_with_experts,
    recurrent_state_bytes,
    vector_kernel_attention_flops,
    windows_swa,
)

# Integers below 2**53 are floats exactly, and so are their sums and differences: below it
# the attention FLOPs summed as integers and converted once are the floats the layer-run
# functions add up (each term a float of an integer); at or above it they are asked instead.
_EXACT = 2**53


def layer_terms_uncached(
    spec: ModelSpec,
    runtime: Runtime,
    kv_type: str,
    sequences: int,
    depth: int,
    lo: int,
    hi: int,
    vector_kernel: bool,
    packing: GqaPacking | None = None,
) -> tuple[float, float, float, int]:
    """(KV bytes, attention FLOPs, the part in matrix kernels, layers with experts) of layers
    [lo, hi) per decoded token at ``depth``, from the model's functions one by one: the
    reference LayerTerms is held to (tests/core/test_fast_paths.py)."""
    layers = range(lo, hi)
    kv = kv_read_bytes(spec, depth, runtime, kv_type, sequences, layers)
    kv += recurrent_state_bytes(spec, runtime, kv_type, sequences, layers)
    if vector_kernel:
        attn, attn_matrix = vector_kernel_attention_flops(spec, runtime, depth, lo, hi, packing)
    else:
        attn = attention_flops(spec, runtime, depth, lo, hi, decode=True)
        attn_matrix = 0.0
    return kv, attn, attn_matrix, layers_with_experts(spec, lo, hi)


class LayerTerms:
    """layer_terms_uncached for one model, runtime, cache type, sequences and kernel choice,
    as arithmetic on prefix sums over layers (the KV profile, the attention widths, the
    experts' layers) bound once: a new device set or depth for a known model costs a few
    subtractions. The layers the matrix kernels run (wide heads, and the grouped-query layers
    ``packing`` sends there) have prefix sums of their own where that does not depend on the
    depth (a packing without a minimum of cells: every one llama.cpp's CUDA rules use).
    Models whose layers compress or index their cache (sparse reads), and runs outside
    [0, n_layers), are answered by the reference."""

    def __init__(
        self,
        spec: ModelSpec,
        runtime: Runtime,
        kv_type: str,
        sequences: int,
        vector_kernel: bool,
        packing: GqaPacking | None,
    ) -> None:
        spec = attending_spec(spec)  # shared-KV layers read their source layer's cache
        self.spec, self.runtime, self.kv_type = spec, runtime, kv_type
        self.sequences, self.vector_kernel, self.packing = sequences, vector_kernel, packing
        self.n = spec.n_layers
        profile = kv_profile(spec, runtime, kv_type)
        self.kv_full, self.kv_swa, self.kv_state = profile.full, profile.swa, profile.state
        # attention_flops of a decoded token: latent as caches_mla_latent says (decode).
        self.latent = latent = caches_mla_latent(spec, runtime)
        full, swa = _attention_widths(spec, windows_swa(spec, runtime), latent)
        self.exact = full is not None and swa is not None and not _sparse_layers(spec)
        self.width_full: list[int] = full or []
        self.width_swa: list[int] = swa or []
        self.heads2 = 2 * spec.n_heads
        self.window = spec.sliding_window  # attended_window of a decoded token
        self.experts = _expert_layer_prefix(spec)
        # The matrix kernels' layers as prefix sums of their widths, where they do not depend
        # on the depth; else (a packing with a minimum of cells) the packed layers are asked
        # per depth (_packed_gqa_layers) and only the wide-head runs are summed here.
        self.packed_by_depth = packing is not None and packing.min_cells > 0
        # Most models on most kernels have none: then no layer is visited.
        matrix: set[int] = set()
        if vector_kernel and self.exact:
            for a, b in _wide_head_runs(spec, latent):
                matrix.update(range(a, b))
            if packing is not None and not self.packed_by_depth:
                # min_cells 0: every layer's cells pass, so any depth packs the same layers.
                matrix.update(_packed_gqa_layers(spec, runtime, 0, latent, packing))
        self.has_matrix = bool(matrix)
        mf, ms = [0], [0]
        if matrix:
            full_w, swa_w = self.width_full, self.width_swa
            for i in range(self.n):
                wide = i in matrix
                mf.append(mf[-1] + (full_w[i + 1] - full_w[i] if wide else 0))
                ms.append(ms[-1] + (swa_w[i + 1] - swa_w[i] if wide else 0))
        self.matrix_full, self.matrix_swa = mf, ms

    def at(self, depth: int, lo: int, hi: int) -> tuple[float, float, float, int]:
        """layer_terms_uncached(..., depth, lo, hi, ...), the same floats."""
        if not self.exact or lo < 0 or hi > self.n or hi < lo:
            return layer_terms_uncached(
                self.spec,
                self.runtime,
                self.kv_type,
                self.sequences,
                depth,
                lo,
                hi,
                self.vector_kernel,
                self.packing,
            )
        if hi == lo:
            return 0.0, 0.0, 0.0, 0
        sequences = self.sequences
        # kv_read_bytes (no sparse layer: kv_cache_bytes as a float) and the recurrent state.
        full_cells, swa_cells = kv_cell_counts(self.spec, depth, self.runtime)
        kv_full, kv_swa, kv_state = self.kv_full, self.kv_swa, self.kv_state
        cells = (kv_full[hi] - kv_full[lo]) * full_cells + (kv_swa[hi] - kv_swa[lo]) * swa_cells
        state = (kv_state[hi] - kv_state[lo]) * sequences
        kv = float(-(-cells * sequences // 32) + state)
        kv += state
        # attention_flops: the widths a token reads over the whole depth and over the window
        # (min(depth, window) of sliding-window layers; the depth without a window).
        window = self.window or depth
        capped = window if window < depth else depth
        full, swa = self.width_full, self.width_swa
        total = self.heads2 * ((full[hi] - full[lo]) * depth + (swa[hi] - swa[lo]) * capped)
        moe = self.experts[hi] - self.experts[lo]
        if not self.vector_kernel:  # attention_flops converts this integer once, too
            return kv, float(total), 0.0, moe
        wide = 0
        if self.has_matrix:
            mf, ms = self.matrix_full, self.matrix_swa
            wide = (mf[hi] - mf[lo]) * depth + (ms[hi] - ms[lo]) * capped
        if self.packed_by_depth:
            assert self.packing is not None
            packed = _packed_gqa_layers(self.spec, self.runtime, depth, self.latent, self.packing)
            for i in packed:
                if lo <= i < hi:
                    wide += (full[i + 1] - full[i]) * depth + (swa[i + 1] - swa[i]) * capped
        if total >= _EXACT:
            attn, attn_matrix = vector_kernel_attention_flops(
                self.spec, self.runtime, depth, lo, hi, self.packing
            )
            return kv, attn, attn_matrix, moe
        wide *= self.heads2
        return kv, float(total - wide), float(wide), moe


@lru_cache(maxsize=4096)
def layer_terms_of(
    spec: ModelSpec,
    runtime: Runtime,
    kv_type: str,
    sequences: int,
    vector_kernel: bool,
    packing: GqaPacking | None,
) -> LayerTerms:
    """LayerTerms, kept per its arguments (ModelSpec hashes by identity)."""
    return LayerTerms(spec, runtime, kv_type, sequences, vector_kernel, packing)
