"""Per-layer blocks of NVIDIA's neural-architecture-searched Llama derivatives (DeciLM,
model_type "nemotron-nas": Llama-3.1-Nemotron-51B, Llama-3.3-Nemotron-Super-49B,
Llama-3.1-Nemotron-Ultra-253B).

Their config.json has no global num_key_value_heads or intermediate_size; each of the
num_hidden_layers entries of ``block_configs`` says what its layer keeps:

- attention with ``n_heads_in_group`` set: grouped-query attention with
  num_attention_heads // n_heads_in_group KV heads;
- attention ``replace_with_linear``: one hidden × hidden projection and no KV cache;
- attention ``no_op`` (or no group and no linear): no attention at all;
- ffn with ``ffn_mult``: a gated MLP of width int(2 × ffn_mult × hidden / 3) rounded up to a
  multiple of 256; ``replace_with_linear``: one hidden × hidden projection; ``no_op`` or no
  multiplier: no MLP.

Sources: llama.cpp's converter (convert_hf_to_gguf.py, DeciModel: the linear-attention,
attention-free and dummy layers, and _ffn_mult_to_intermediate_size) and NVIDIA's
modeling_decilm.py on the Hub (the same width rule; DeciLMLinearAttention and
DeciLMLinearMLP are single hidden × hidden linears; a block's RMSNorm exists only where its
attention or MLP does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .hfconfig_read import Reader
from .spec import LayerSpec


def _flag(r: Reader, part: Mapping[str, Any], key: str, where: str) -> bool:
    value = part.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise r._fail(where, f"{key}: expected true or false, got {value!r}")
    return value


def _ffn_width(ffn_mult: float, hidden: int) -> int:
    width = int(2 * ffn_mult * hidden / 3)
    return width if width % 256 == 0 else width + 256 - width % 256


def nas_layers(
    c: Mapping[str, Any], r: Reader, *, n_layers: int, hidden: int, n_heads: int, head_dim: int
) -> list[LayerSpec] | None:
    """The layers a ``block_configs`` list describes, or None when the config has none."""
    blocks = r.get_list("block_configs")
    if blocks is None:
        return None
    if len(blocks) != n_layers:
        raise r._fail(
            "block_configs", f"has {len(blocks)} blocks, num_hidden_layers says {n_layers}"
        )
    layers: list[LayerSpec] = []
    for i, block in enumerate(blocks):
        where = f"block_configs[{i}]"
        if not isinstance(block, Mapping):
            raise r._fail(where, "expected an object")
        attention, ffn = block.get("attention") or {}, block.get("ffn") or {}
        if not isinstance(attention, Mapping) or not isinstance(ffn, Mapping):
            raise r._fail(where, "attention and ffn must be objects")
        group = attention.get("n_heads_in_group")
        n_kv = 0
        attn = attn_v = norms = 0
        if _flag(r, attention, "no_op", where):
            pass
        elif group is not None:
            if isinstance(group, bool) or not isinstance(group, int) or group < 1:
                raise r._fail(
                    where, f"n_heads_in_group: expected a positive integer, got {group!r}"
                )
            if n_heads % group:
                raise r._fail(where, f"n_heads_in_group: {group} does not divide {n_heads} heads")
            n_kv = n_heads // group
            attn = 2 * hidden * n_heads * head_dim + hidden * n_kv * head_dim
            attn_v = hidden * n_kv * head_dim
            norms += hidden
        elif _flag(r, attention, "replace_with_linear", where):
            attn, norms = hidden * hidden, norms + hidden
        width = linear = 0
        mult = ffn.get("ffn_mult")
        if _flag(r, ffn, "no_op", where):
            pass
        elif _flag(r, ffn, "replace_with_linear", where):
            linear, norms = hidden * hidden, norms + hidden
        elif mult is not None:
            if isinstance(mult, bool) or not isinstance(mult, int | float) or not 0 < mult < 1000:
                raise r._fail(where, f"ffn_mult: expected a positive number, got {mult!r}")
            width, norms = _ffn_width(float(mult), hidden), norms + hidden
        layers.append(
            LayerSpec(
                kind="full" if n_kv else "none",
                n_kv_heads=n_kv,
                head_dim_k=head_dim,
                head_dim_v=head_dim,
                params_attn=attn,
                params_attn_v=attn_v,
                params_ffn=2 * hidden * width + linear,
                params_ffn_down=hidden * width,
                params_other=norms,
                down_rows=width,
            )
        )
    return layers
