"""HIP's MMQ column tiles for routed experts on AMD GPUs: a prompt's expert GEMMs compute
every column of the tiles they are given, the empty ones too.

llama.cpp's MMQ kernel multiplies a weight tile by ``mmq_x`` columns (tokens) at a time, and
the host picks ``mmq_x`` (ggml-cuda mmq.cuh, ``mul_mat_q_case``) as the width that covers
``ncols_max`` columns in the fewest tiles, up to ``get_mmq_x_max_host`` (128 on GPUs with
WMMA or Turing MMA, 64 on the dp4a path of AMD GPUs without matrix units), in steps of
the MMA granularity (``mmq_get_granularity_host``: 16 below 128 on AMD's matrix units, 8 on
the dp4a path). For ``MUL_MAT_ID`` (mmq.cu, ``ggml_cuda_mul_mat_q`` with ids) ``ncols_max``
is the micro-batch's token count (``ne12``), so a 512-token micro-batch takes 128-wide
tiles while each expert of a 128-expert top-8 model holds 32 of the tokens: the kernel runs
each expert's tile over all 128 columns, three quarters of them padding. On AMD's GPUs the
padded columns are not free: the WMMA and dp4a instructions issue on the same SIMDs that
unpack the weight tiles (NVIDIA's tensor cores are a pipe of their own, and the change
below measured nothing there). PR #24546 (recreated as PR #28552, merged in September
2026) sizes the tile from the mean tokens per expert (``ne12 × n_expert_used / ne02``)
on RDNA3 (gfx110x) and RDNA4, and measured on a Radeon Pro W7800 (gfx1100, Qwen3-30B-A3B
Q4_K_M, pp8192): 1.234× faster at ``-ub 512`` (32 tokens per expert, 128-wide tiles →
32), 1.098× at ``-ub 1024`` (64 → 64), unchanged at 2,048 (128 either way).

A padded column costs a share ``HIP_PADDED_COLUMN_COST`` of a useful one (the tile's
weights are unpacked once either way; what the padding adds is the multiply-adds and the
activation tile it stages): the share the PR's two speed-ups give together in this
formula. With an expert's tile load worth ``tile_load_tokens`` (about 37) columns, a
micro-batch of n tokens costs the experts (37 + r + w × padding) / r per useful column,
r = n × k / E; the ratio of the PR's gains, (1.234 − 1) / (1.098 − 1) = 2.39 =
3 × (1 + 1.57 x) / (1 + 2.14 x) with x the experts' share of the prompt against the rest,
gives x = 1.52 and then w = 0.098 × (1 + 1.57 × 1.52) / 1.52 = 0.22.
"""

from __future__ import annotations

import math

from .expert_reach import touched_expert_share
from .features import DeviceLoad, SpeedFeatures, rdna_generation
from .kernels import amd_dp4a_mmq

# Measured share of a useful column's cost that a padded one costs (see the module doc).
HIP_PADDED_COLUMN_COST = 0.22
# get_mmq_x_max_host: AMD's WMMA GPUs, and the dp4a path of AMD GPUs without matrix units.
HIP_MMQ_X_MAX_WMMA = 128
HIP_MMQ_X_MAX_DP4A = 64
# mmq_get_granularity_host: the step of the tile widths the host tries.
HIP_MMQ_GRANULARITY_WMMA = 16
HIP_MMQ_GRANULARITY_WMMA_128 = 32
HIP_MMQ_GRANULARITY_DP4A = 8


def mmq_tile_width(columns: float, width_max: int, granularity: int, step_max: int) -> int:
    """The ``mmq_x`` llama.cpp's ``mul_mat_q_case`` picks for ``columns`` columns: the
    narrowest multiple of ``granularity`` (``step_max`` at ``width_max``) up to
    ``width_max`` that covers them in the fewest tiles."""
    best, best_tiles = width_max, _ceil(columns / width_max)
    width = granularity
    while width <= width_max:
        step = step_max if width == width_max else granularity
        if width % step == 0:
            tiles = _ceil(columns / width)
            if tiles < best_tiles or (tiles == best_tiles and width < best):
                best, best_tiles = width, tiles
                if tiles == 1:
                    break
        width += granularity
    return best


def hip_expert_padding(f: SpeedFeatures, load: DeviceLoad, path: str, tokens: int) -> float:
    """Padded columns a routed expert's MMQ tiles compute per useful column, for a micro-batch
    of ``tokens`` on this device: (tile width × tiles − rows) / rows for the mean rows of
    an expert the micro-batch reaches, weighted by the share of experts it reaches. 0 where
    llama.cpp does not run the experts in HIP's MMQ on an AMD GPU (``path`` is the weights'
    arithmetic path: "matrix" for WMMA MMQ, "dp4a"), for dense models, and on builds that
    size the tiles from the tokens per expert (``Runtime.moe_expert_tiles`` on RDNA3 and
    RDNA4; RDNA3.5 is not in PR #28552's list)."""
    if load.backend != "rocm" or not f.llama_kernels or not f.n_experts:
        return 0.0
    if f.expert_share <= 0 or f.quant_family == "f16":
        return 0.0
    generation = rdna_generation(load)
    if path == "matrix" and generation:
        width_max, granularity = HIP_MMQ_X_MAX_WMMA, HIP_MMQ_GRANULARITY_WMMA
        step_max = HIP_MMQ_GRANULARITY_WMMA_128
        per_expert_tiles = f.moe_expert_tiles and not is_rdna3_5(load)
    elif path == "dp4a" and amd_dp4a_mmq(load.gpu_arch):
        width_max, granularity = HIP_MMQ_X_MAX_DP4A, HIP_MMQ_GRANULARITY_DP4A
        step_max = HIP_MMQ_GRANULARITY_DP4A
        per_expert_tiles = False
    else:
        return 0.0
    rows = tokens * f.expert_share  # mean tokens per expert, n × k / E
    reached = touched_expert_share(f, tokens)
    if rows <= 0 or reached <= 0:
        return 0.0
    rows_each = rows / reached  # mean tokens of an expert that has some
    # ne12 × n_expert_used / ne02 rounded up, in integers there (k / E here is a float).
    columns = _ceil(rows) if per_expert_tiles else tokens
    width = mmq_tile_width(columns, width_max, granularity, step_max)
    computed = width * _ceil(rows_each / width)
    padding = computed - rows_each
    return reached * padding / rows if padding > 0 else 0.0


def _ceil(x: float) -> int:
    """x rounded up, ignoring the float error of k / E × tokens (32.000000000000004)."""
    return math.ceil(x - 1e-9)


def is_rdna3_5(load: DeviceLoad) -> bool:
    """RDNA3.5 (gfx115x: Strix Halo, Strix Point), which PR #28552 leaves out."""
    return (load.gpu_arch or "").startswith("gfx115")
