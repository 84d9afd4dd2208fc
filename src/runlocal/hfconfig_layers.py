"""config.json → which kind each layer is, and the recurrent mixers' sizes.

Attention layers keep KV per token; recurrent mixers (Mamba-2, gated delta nets, Kimi delta
attention, short convolutions) keep a fixed state per sequence. Nemotron-H style stacks give
each block one mixer or one feed-forward.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import UnsupportedArchitectureError
from .hfconfig_read import Reader
from .spec import LayerKind, LayerSpec

_LAYER_TYPE_NAMES: dict[str, LayerKind] = {
    "full_attention": "full",
    "attention": "full",
    "global": "full",
    "sliding_attention": "swa",
    "sliding_window": "swa",
    "chunked_attention": "swa",
    "local": "swa",
    "linear_attention": "recurrent",
    # Qwen Sparse Attention keeps a full KV cache and reads a budget of it per query.
    "qwen_sparse_attention": "full",
    "mamba": "recurrent",
    "conv": "recurrent",
    "recurrent": "recurrent",
    # Falcon-H1: attention and a Mamba-2 mixer side by side (see parallel_ssm).
    "hybrid": "full",
}


def parallel_ssm(c: Mapping[str, Any], model_type: str) -> bool:
    """Whether every attention layer also runs a Mamba-2 mixer beside it (Falcon-H1): such a
    layer keeps both a KV cache and a fixed state, and holds both sets of weights."""
    return model_type == "falcon_h1" or "hybrid" in (c.get("layers_block_type") or ())


def linear_attn_config(r: Reader) -> Mapping[str, Any] | None:
    """Kimi Linear's nested settings of its Kimi-delta-attention (KDA) layers."""
    value = r.c.get("linear_attn_config")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise r._fail("linear_attn_config", f"expected an object, got {type(value).__name__}")
    return value


def kda_layers(c: Mapping[str, Any], r: Reader, n: int) -> set[int] | None:
    """0-based indices of Kimi Linear's KDA layers: kda_layers counts from 1 (vLLM's
    is_kda_layer tests layer_idx + 1) unless kda_layer_index_base says otherwise; the
    others are full_attn_layers (MLA)."""
    config = linear_attn_config(r)
    if config is None:
        return None
    sub = Reader(config, f"{r.where}: linear_attn_config")
    base = sub.get_int("kda_layer_index_base", default=1, minimum=0)
    listed = sub.get_list("kda_layers")
    if listed is None:
        raise sub._fail("kda_layers", "missing")
    if not all(
        isinstance(v, int) and not isinstance(v, bool) and base <= v < n + base for v in listed
    ):
        raise sub._fail("kda_layers", f"expected layer numbers from {base} to {n - 1 + base}")
    return {v - base for v in listed}


def layer_kinds(c: Mapping[str, Any], r: Reader, model_type: str, n: int) -> list[LayerKind]:
    key = "layer_types" if c.get("layer_types") is not None else "layers_block_type"
    layer_types = r.get_list(key)
    if layer_types is not None:
        if len(layer_types) < n:
            raise r._fail(key, f"expected {n} entries, got {len(layer_types)}")
        kinds: list[LayerKind] = []
        for value in layer_types[:n]:
            kind = _LAYER_TYPE_NAMES.get(str(value))
            if kind is None:
                raise UnsupportedArchitectureError(
                    f"layer type {value!r} in {model_type} is not supported yet"
                )
            kinds.append(kind)
        return kinds

    kda = kda_layers(c, r, n)
    if kda is not None:
        return ["recurrent" if i in kda else "full" for i in range(n)]
    has_window = c.get("sliding_window") is not None
    if model_type == "gemma2":
        # HF Gemma2: layer i slides when i is even.
        return ["swa" if i % 2 == 0 else "full" for i in range(n)]
    if model_type in {"gemma3", "gemma3_text", "cohere2"} or c.get("sliding_window_pattern"):
        default = 6 if model_type.startswith("gemma3") else 4
        pattern = r.get_int("sliding_window_pattern", default=default)
        return ["full" if (i + 1) % pattern == 0 else "swa" for i in range(n)]
    if model_type == "llama4_text" and c.get("attention_chunk_size"):
        no_rope = r.get_list("no_rope_layers")
        if no_rope and len(no_rope) >= n:
            return ["swa" if no_rope[i] else "full" for i in range(n)]
        return ["full" if (i + 1) % 4 == 0 else "swa" for i in range(n)]
    interval = r.opt_int("full_attention_interval")
    if interval:
        return ["full" if (i + 1) % interval == 0 else "recurrent" for i in range(n)]
    full_idxs = r.get_list("full_attn_idxs")
    if full_idxs is not None:
        return ["full" if i in full_idxs else "recurrent" for i in range(n)]
    if has_window and model_type in {"mistral", "mixtral", "qwen2", "qwen2_moe", "starcoder2"}:
        # Qwen2 configs carry a sliding_window that is off unless use_sliding_window is set.
        if model_type.startswith("qwen2") and not c.get("use_sliding_window"):
            return ["full"] * n
        return ["swa"] * n
    # phi3 configs carry sliding_window, but llama.cpp and vLLM run every layer as full.
    return ["full"] * n


def mark_shared_kv(
    c: Mapping[str, Any], r: Reader, kinds: list[LayerKind]
) -> tuple[list[LayerKind], dict[int, int]]:
    """The last num_kv_shared_layers layers (Gemma 3n, Gemma 4 E-series) store no KV ("none")
    and read an earlier layer's cache: returns the kinds and {shared layer: source layer}.
    The source is the last layer before the shared ones of the same type (transformers'
    Gemma3nTextAttention: kv_shared_layer_index, the last index of this layer's layer_types
    entry among the layers before first_kv_shared_layer_idx). llama.cpp's GEMMA3N/GEMMA4
    memory reuse callback (llama-model.cpp) picks n_layer_kv_from_start - 2 for a
    sliding-window layer and - 1 for a global one: the same layers where, as in every Gemma
    3n and 4 release, the last two cache-owning layers are a sliding one and a global one."""
    shared = min(r.get_int("num_kv_shared_layers", default=0, minimum=0), len(kinds))
    if not shared:
        return kinds, {}
    first = len(kinds) - shared
    sources: dict[int, int] = {}
    for i in range(first, len(kinds)):
        same = [j for j in range(first) if kinds[j] == kinds[i]]
        if same:
            sources[i] = same[-1]
    return kinds[:first] + ["none"] * shared, sources


# Nemotron-H block letters (transformers' NemotronHConfig._pattern_to_list): each block holds
# one mixer (a Mamba-2 layer or attention) or one feed-forward (a dense MLP or experts).
_PATTERN_BLOCKS = {"M": "mamba", "*": "attention", "-": "mlp", "E": "moe"}
_LIST_BLOCKS = {
    "mamba": "mamba",
    "linear_attention": "mamba",
    "attention": "attention",
    "full_attention": "attention",
    "mlp": "mlp",
    "moe": "moe",
}
BLOCK_KINDS: dict[str, LayerKind] = {
    "mamba": "recurrent",
    "attention": "full",
    "mlp": "none",
    "moe": "none",
}


def hybrid_blocks(c: Mapping[str, Any], r: Reader, model_type: str) -> list[str] | None:
    """Per-layer block types of a Nemotron-H style stack, or None for other layouts.

    The pattern string (``hybrid_override_pattern``) or the list transformers writes instead
    (``layers_block_type``, also read as ``layer_types`` when it names MLP or MoE blocks).
    """
    pattern = c.get("hybrid_override_pattern")
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern:
            raise r._fail("hybrid_override_pattern", "expected a string of layer letters")
        unknown = sorted(set(pattern) - set(_PATTERN_BLOCKS))
        if unknown:
            raise UnsupportedArchitectureError(
                f"hybrid layer letter {unknown[0]!r} of {model_type!r} is not supported yet"
            )
        return [_PATTERN_BLOCKS[ch] for ch in pattern]
    names = r.get_list("layers_block_type")
    if names is None:
        names = r.get_list("layer_types")
    # Only mixers (Granite 4's "mamba" / "attention"): each layer also has its own
    # feed-forward, so these are layer kinds, read by layer_kinds.
    if names is None or not any(t in ("mlp", "moe") for t in names):
        return None
    blocks: list[str] = []
    for name in names:
        block = _LIST_BLOCKS.get(name) if isinstance(name, str) else None
        if block is None:
            raise UnsupportedArchitectureError(
                f"layer block type {name!r} in {model_type} is not supported yet"
            )
        blocks.append(block)
    return blocks or None


def mamba2_dims(c: Mapping[str, Any], r: Reader, hidden: int) -> tuple[int, int, int, int, int]:
    """Mamba-2 sizes: (inner width, heads, state size, groups, conv kernel).

    The inner width is heads x head size where the config gives them (Nemotron-H, Granite 4),
    else expand x hidden.
    """
    d_state = r.get_int("mamba_d_state", "ssm_state_size")
    d_conv = r.get_int("mamba_d_conv", "conv_kernel", default=4)
    n_groups = r.get_int("mamba_n_groups", "n_groups", default=1)
    heads = r.opt_int("mamba_num_heads", "mamba_n_heads")
    # transformers' default head size "auto" is inner width / heads.
    head_dim = (
        None if c.get("mamba_d_head") == "auto" else r.opt_int("mamba_head_dim", "mamba_d_head")
    )
    d_ssm = r.opt_int("mamba_d_ssm")  # Falcon-H1 gives the inner width itself
    if heads and head_dim:
        d_inner = heads * head_dim
        if d_ssm is not None and d_ssm != d_inner:
            raise r._fail("mamba_d_ssm", f"{d_ssm} is not {heads} heads x {head_dim}")
    else:
        d_inner = d_ssm or r.get_int("mamba_expand", "expand", default=2) * hidden
        heads = heads or max(d_inner // (head_dim or 64), 1)
    return d_inner, heads, d_state, n_groups, d_conv


def mamba2_params(c: Mapping[str, Any], r: Reader, hidden: int) -> tuple[int, int]:
    """(projection, other) parameters of one Mamba-2 mixer: in_proj (x, z, B, C, dt) and
    out_proj; the depthwise convolution with its bias, dt bias, A, D and the gated norm
    (which Falcon-H1 has only with mamba_rms_norm, false in its config class)."""
    d_inner, heads, d_state, n_groups, d_conv = mamba2_dims(c, r, hidden)
    conv_channels = d_inner + 2 * n_groups * d_state
    projections = hidden * (d_inner + conv_channels + heads) + d_inner * hidden
    gated_norm = c.get("mamba_rms_norm", c.get("model_type") != "falcon_h1")
    norm = d_inner if gated_norm is True else 0
    other = conv_channels * (d_conv + 1) + 3 * heads + norm
    return projections, other


def block_layer(
    r: Reader,
    block: str,
    *,
    hidden: int,
    n_heads: int,
    n_kv: int,
    head_dim: int,
    intermediate: int,
    moe: bool,
    n_experts: int,
    moe_inter: int | None,
    shared_inter: int,
    latent: int,
    mult: int,
    state: int,
) -> LayerSpec:
    """One Nemotron-H block: a Mamba-2 mixer (fixed state), attention (KV), or a feed-forward
    (a dense MLP, or routed experts beside a shared expert) that keeps nothing per token."""
    norm = hidden
    if block == "mamba":
        projections, other = mamba2_params(r.c, r, hidden)
        return LayerSpec(
            kind="recurrent",
            n_kv_heads=0,
            head_dim_k=head_dim,
            head_dim_v=head_dim,
            recurrent_state_elements=state,
            params_attn=projections,
            params_other=other + norm,
        )
    if block == "attention":
        return LayerSpec(
            kind="full",
            n_kv_heads=n_kv,
            head_dim_k=head_dim,
            head_dim_v=head_dim,
            params_attn=2 * hidden * n_heads * head_dim + hidden * n_kv * head_dim,
            params_attn_v=hidden * n_kv * head_dim,
            params_other=norm,
        )
    if block == "moe" and moe:
        if moe_inter is None:
            raise r._fail("moe_intermediate_size", "missing for a mixture of experts")
        width = latent or hidden
        return LayerSpec(
            kind="none",
            n_kv_heads=0,
            head_dim_k=head_dim,
            head_dim_v=head_dim,
            moe=True,
            params_experts=n_experts * mult * width * moe_inter,
            # The shared expert's up projection and the latent down-projection run for
            # every token, as do the shared down projection and the latent up-projection.
            params_ffn=(mult - 1) * hidden * shared_inter + hidden * latent,
            params_ffn_down=hidden * shared_inter + latent * hidden,
            params_other=n_experts * hidden + n_experts + norm,
            down_rows=shared_inter,
            expert_up_rows=width,
            expert_down_rows=moe_inter,
        )
    width = moe_inter if block == "moe" and moe_inter else intermediate
    return LayerSpec(
        kind="none",
        n_kv_heads=0,
        head_dim_k=head_dim,
        head_dim_v=head_dim,
        params_ffn=(mult - 1) * hidden * width,
        params_ffn_down=hidden * width,
        params_other=norm,
        down_rows=width,
    )


def recurrent_state_elements(c: Mapping[str, Any], r: Reader, model_type: str, hidden: int) -> int:
    """Per-layer state of a recurrent layer, in elements (llama.cpp stores F32)."""
    kda = linear_attn_config(r)
    if kda is not None:
        # Kimi delta attention: the last kernel - 1 inputs of its q, k and v convolutions and
        # one head_dim x head_dim matrix per head (vLLM's kda_state_shape).
        heads, dim, kernel = _kda_dims(r, kda)
        return (kernel - 1) * 3 * heads * dim + heads * dim * dim
    if c.get("linear_num_value_heads") is not None:  # Qwen3-Next / Qwen3.5 gated delta net
        v_heads = r.get_int("linear_num_value_heads")
        k_heads = r.get_int("linear_num_key_heads", default=v_heads)
        k_dim = r.get_int("linear_key_head_dim")
        v_dim = r.get_int("linear_value_head_dim")
        kernel = r.get_int("linear_conv_kernel_dim", default=4)
        conv_channels = 2 * k_heads * k_dim + v_heads * v_dim
        return (kernel - 1) * conv_channels + v_heads * k_dim * v_dim
    if c.get("conv_L_cache") is not None:  # LFM2 short convolution
        return (r.get_int("conv_L_cache") - 1) * hidden
    if c.get("mamba_d_state") is not None or c.get("ssm_state_size") is not None:
        # Mamba-2: the last d_conv - 1 inputs of the convolution (x, B and C) and one
        # head_dim x d_state matrix per head, i.e. d_state x d_inner.
        d_inner, _, d_state, n_groups, d_conv = mamba2_dims(c, r, hidden)
        return (d_conv - 1) * (d_inner + 2 * n_groups * d_state) + d_state * d_inner
    return 0


def ssm_scan_state_elements(c: Mapping[str, Any], r: Reader, hidden: int) -> int:
    """Elements of a Mamba / Mamba-2 mixer's scan state, d_state x d_inner (the part of
    recurrent_state_elements that llama.cpp's GGML_OP_SSM_SCAN reads and writes back per
    token); 0 for delta-rule layers, short convolutions, RWKV and attention-only models."""
    if linear_attn_config(r) is not None or c.get("linear_num_value_heads") is not None:
        return 0
    if c.get("conv_L_cache") is not None:
        return 0
    if c.get("mamba_d_state") is None and c.get("ssm_state_size") is None:
        return 0
    d_inner, _, d_state, _, _ = mamba2_dims(c, r, hidden)
    return d_state * d_inner


def delta_rule_state_elements(c: Mapping[str, Any], r: Reader) -> int:
    """Elements of a delta-rule layer's state matrices (the part of recurrent_state_elements
    its recurrence rewrites per token): one key dim x value dim matrix per value head for
    Qwen3-Next / Qwen3.5's gated delta net and Kimi's KDA; 0 for Mamba-2, short convolutions
    and attention-only models."""
    kda = linear_attn_config(r)
    if kda is not None:
        heads, dim, _ = _kda_dims(r, kda)
        return heads * dim * dim
    if c.get("linear_num_value_heads") is not None:
        v_heads = r.get_int("linear_num_value_heads")
        return v_heads * r.get_int("linear_key_head_dim") * r.get_int("linear_value_head_dim")
    return 0


def _kda_dims(r: Reader, config: Mapping[str, Any]) -> tuple[int, int, int]:
    sub = Reader(config, f"{r.where}: linear_attn_config")
    heads = sub.get_int("num_heads")
    dim = sub.get_int("head_dim")
    kernel = sub.get_int("short_conv_kernel_size", default=4)
    return heads, dim, kernel


def recurrent_params(c: Mapping[str, Any], r: Reader, hidden: int) -> int:
    kda = linear_attn_config(r)
    if kda is not None:
        # vLLM KimiDeltaAttention: q, k, v and o projections of heads x head_dim; the decay
        # (f_a, f_b) and output gate (g_a, g_b) low-rank pairs through head_dim; beta per
        # head; q, k, v convolutions without bias; dt bias, A per head, the output norm.
        heads, dim, kernel = _kda_dims(r, kda)
        width = heads * dim
        projections = 4 * hidden * width + 2 * (hidden * dim + dim * width) + hidden * heads
        return projections + 3 * kernel * width + width + heads + dim
    if c.get("linear_num_value_heads") is not None:
        v_heads = r.get_int("linear_num_value_heads")
        k_heads = r.get_int("linear_num_key_heads", default=v_heads)
        k_dim, v_dim = r.get_int("linear_key_head_dim"), r.get_int("linear_value_head_dim")
        qkvz = hidden * (2 * k_heads * k_dim + 2 * v_heads * v_dim)
        return qkvz + hidden * 2 * v_heads + v_heads * v_dim * hidden
    if c.get("conv_L_cache") is not None:
        return 3 * hidden * hidden + hidden * hidden
    if c.get("mamba_d_state") is not None or c.get("ssm_state_size") is not None:
        projections, other = mamba2_params(c, r, hidden)
        return projections + other
    return 4 * hidden * hidden
