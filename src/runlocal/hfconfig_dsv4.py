"""DeepSeek-V4 and V3.2 attention in config.json: compressed KV rows per layer, the low-rank
attention's parameters and the lightning indexer's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import UnsupportedArchitectureError
from .hfconfig_read import Reader

# DeepSeek-V4's reference code (inference/model.py) gives the indexer, and an overlapping
# compressor of twice the width, to the layers that compress 4 tokens into a row; the
# heavily compressed ones (128 tokens a row) attend to every compressed row.
DSV4_INDEXED_RATIO = 4


def compress_ratios(c: Mapping[str, Any], r: Reader, n_layers: int) -> list[int] | None:
    """DeepSeek-V4's per-layer compression (0: sliding window only), backbone layers only:
    entries past num_hidden_layers belong to the multi-token-prediction layers."""
    values = r.get_list("compress_ratios")
    if values is None:
        return None
    if c.get("kv_source_layers") is not None:
        raise UnsupportedArchitectureError(
            "compress_ratios with kv_source_layers (layers sharing another layer's cache) "
            "is not supported yet"
        )
    if len(values) < n_layers or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values
    ):
        raise r._fail("compress_ratios", f"expected {n_layers} non-negative integers")
    if r.opt_int("sliding_window") is None:
        raise r._fail("sliding_window", "missing for a model with compress_ratios")
    return [int(v) for v in values[:n_layers]]


def dsv4_attention_params(r: Reader, hidden: int, n_heads: int, head_dim: int, ratio: int) -> int:
    """DeepSeek-V4 attention: low-rank Q, one shared KV projection, grouped low-rank output
    (o_groups groups of o_lora_rank), per-head sinks, and a gated compressor where ratio > 0
    (its kv and gate projections twice as wide where rows overlap)."""
    q_lora = r.get_int("q_lora_rank")
    o_lora = r.get_int("o_lora_rank")
    o_groups = r.get_int("o_groups", default=1)
    q = hidden * q_lora + q_lora + q_lora * n_heads * head_dim
    kv = hidden * head_dim + head_dim
    o = n_heads * head_dim * o_lora + o_groups * o_lora * hidden
    params = q + kv + o + n_heads
    if ratio:
        width = (2 if ratio == DSV4_INDEXED_RATIO else 1) * head_dim
        params += 2 * hidden * width + ratio * width + head_dim
    return params


def indexer_params(r: Reader, hidden: int, heads: int, dim: int, ratio: int) -> int:
    """Lightning indexer: query heads from the Q latent, a per-head weight, and its key: one
    projection (V3.2) or, compressed like the KV (V4), an overlapping gated compressor."""
    q_lora = r.get_int("q_lora_rank", default=hidden)
    params = q_lora * heads * dim + hidden * heads
    if ratio:
        width = 2 * dim
        params += 2 * hidden * width + ratio * width + dim
    else:
        params += hidden * dim + 2 * dim
    return params
