"""Hugging Face config.json → ModelSpec.

The catalog's ``[architecture]`` tables use the same keys as config.json, so catalog models
and downloaded models are sized by this one parser.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ModelFileError, UnsupportedArchitectureError
from .frozen import builder
from .hfconfig_dsv4 import (
    DSV4_INDEXED_RATIO,
    compress_ratios,
    dsv4_attention_params,
    indexer_params,
)
from .hfconfig_layers import (
    BLOCK_KINDS,
    block_layer,
    delta_rule_state_elements,
    hybrid_blocks,
    layer_kinds,
    mark_shared_kv,
    parallel_ssm,
    recurrent_params,
    recurrent_state_elements,
    ssm_scan_state_elements,
)
from .hfconfig_moe import read_moe, unread_expert_keys
from .hfconfig_nas import nas_layers
from .hfconfig_read import Reader, per_layer_ints
from .hfconfig_types import (
    ENCODER_TYPES,
    KNOWN_MODEL_TYPES,
    TIED_BY_DEFAULT,
    UNGATED_FFN_TYPES,
)
from .spec import LayerKind, LayerSpec, MLASpec, ModelSpec

# A config builds a LayerSpec per layer: builder's one-step constructor, the same object
# (tests/core/test_fast_paths.py).
_new_layer = builder(LayerSpec)

_TEXT_CONFIG_KEYS = ("text_config", "llm_config", "language_config")
# As the GGUF reader's limit: beyond it a config is damaged, and per-layer lists of that
# length would not fit in memory.
_MAX_LAYERS = 10_000


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a config.json (or a folder holding one)."""
    p = Path(path)
    if p.is_dir():
        p = p / "config.json"
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{p}: no such file") from None
    except OSError as exc:
        raise ModelFileError(f"{p}: cannot read: {exc}") from None
    return parse_config(raw, str(p))


def parse_config(raw: bytes, where: str) -> dict[str, Any]:
    """A config.json's bytes (read from disk or fetched) as a JSON object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"{where}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ModelFileError(f"{where}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ModelFileError(f"{where}: expected a JSON object at the top level")
    return data


def flatten_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Lift a multimodal model's text_config into the top level (text keys win)."""
    flat = dict(config)
    for key in _TEXT_CONFIG_KEYS:
        nested = config.get(key)
        if isinstance(nested, Mapping):
            flat.update(nested)
            flat.setdefault("model_type", config.get("model_type"))
            flat["vision_config_present"] = "vision_config" in config
            break
    return flat


def spec_from_config(
    config: Mapping[str, Any],
    *,
    name: str | None = None,
    where: str = "config.json",
    model_id: str | None = None,
) -> ModelSpec:
    """Build a ModelSpec from config.json keys. Raises ModelFileError on bad values."""
    try:
        return _spec_from_config(config, name=name, where=where, model_id=model_id)
    except (
        TypeError,
        ValueError,
        KeyError,
        AttributeError,
        ZeroDivisionError,
        OverflowError,
    ) as exc:
        if isinstance(exc, ModelFileError):
            raise
        # The named checks above catch what we know of; this keeps any other malformed
        # combination a one-line input error rather than a traceback.
        raise ModelFileError(
            f"{where}: malformed configuration ({type(exc).__name__}: {exc})"
        ) from None


def _spec_from_config(
    config: Mapping[str, Any],
    *,
    name: str | None,
    where: str,
    model_id: str | None,
) -> ModelSpec:
    if not isinstance(config, Mapping):
        raise ModelFileError(f"{where}: expected a JSON object")
    c = flatten_config(config)
    r = Reader(c, where)
    model_type = c.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        archs = c.get("architectures")
        if isinstance(archs, list) and archs and isinstance(archs[0], str):
            model_type = archs[0].lower()
        else:
            raise ModelFileError(f"{where}: model_type: missing")
    provenance = {"architecture": where}

    if model_type in {"mamba", "mamba2", "rwkv", "rwkv6", "rwkv7", "jamba", "t5"}:
        raise UnsupportedArchitectureError(
            f"architecture {model_type!r} is not supported yet: its memory cannot be sized "
            "from config.json without guessing"
        )

    blocks = hybrid_blocks(c, r, model_type)
    n_layers = r.get_int(
        "num_hidden_layers",
        "n_layer",
        "num_layers",
        "n_layers",
        default=len(blocks) if blocks else None,
    )
    if blocks is not None and len(blocks) != n_layers:
        raise ModelFileError(
            f"{where}: hybrid layer pattern has {len(blocks)} layers, "
            f"num_hidden_layers says {n_layers}"
        )
    if n_layers > _MAX_LAYERS:
        raise ModelFileError(f"{where}: num_hidden_layers: {n_layers} is out of range")
    hidden = r.get_int("hidden_size", "d_model", "n_embd", "dim")
    n_heads = r.get_int("num_attention_heads", "n_head", "n_heads")
    if isinstance(c.get("num_key_value_heads"), list):
        n_kv = max(per_layer_ints(r, "num_key_value_heads", n_layers, n_heads), default=n_heads)
    else:
        n_kv = r.get_int("num_key_value_heads", "num_kv_heads", "n_kv_heads", default=n_heads)
    if c.get("multi_query") is True:
        n_kv = 1
    if n_kv > n_heads:
        raise ModelFileError(f"{where}: num_key_value_heads: {n_kv} exceeds {n_heads} heads")
    head_dim = r.get_int("head_dim", "attention_head_dim", default=max(1, hidden // n_heads))
    vocab = r.get_int("vocab_size", "padded_vocab_size")
    if isinstance(c.get("intermediate_size"), list):  # per-layer widths (Gemma 3n)
        inter_per_layer: list[int] | None = per_layer_ints(r, "intermediate_size", n_layers, 0)
        intermediate: int | None = max(inter_per_layer or [0]) or None
    else:
        inter_per_layer = None
        intermediate = r.opt_int("intermediate_size", "ffn_hidden_size", "n_inner")
    if intermediate and c.get("block_auto_adjust_ff_dim"):
        # LFM2 shrinks the configured width: 2/3, times the multiplier, rounded up.
        width = int(2 * intermediate / 3)
        multiplier = c.get("block_ffn_dim_multiplier")
        if isinstance(multiplier, int | float) and not isinstance(multiplier, bool):
            width = int(multiplier * width)
        multiple = r.get_int("block_multiple_of", default=256)
        intermediate = multiple * ((width + multiple - 1) // multiple)
    max_ctx = r.get_int(
        "max_position_embeddings",
        "max_sequence_length",
        "seq_length",
        "n_positions",
        "model_max_length",
        default=4096,
    )
    tied = r.get_bool("tie_word_embeddings", model_type in TIED_BY_DEFAULT)
    if model_type not in KNOWN_MODEL_TYPES:
        provenance["layout"] = (
            f"model_type {model_type!r} is not one the engine knows; sized as a standard "
            "dense decoder from its config keys"
        )

    # Mixture of experts.
    moe_layout = read_moe(
        c, r, model_type=model_type, n_layers=n_layers, intermediate=intermediate, blocks=blocks
    )
    n_experts, n_used = moe_layout.n_experts, moe_layout.n_used
    if n_experts <= 1 and model_type not in KNOWN_MODEL_TYPES:
        unread = unread_expert_keys(c)
        if unread:
            raise UnsupportedArchitectureError(
                f"model_type {model_type!r} is not one the engine knows, and its config names "
                f"experts under keys it does not read ({', '.join(unread)}): sizing it as a "
                "dense model would undercount its weights"
            )
    # Gemma 4 runs a dense MLP beside the experts in every layer.
    dense_beside_moe = bool(c.get("enable_moe_block")) and model_type.startswith("gemma4")
    dense_mlp_inter = r.opt_int("intermediate_size_mlp")  # Llama 4 Maverick's dense layers

    # Multi-head latent attention.
    mla: MLASpec | None = None
    kv_lora = r.opt_int("kv_lora_rank")
    if kv_lora and c.get("compress_ratios") is None:  # V4 caches one K=V vector, not MLA
        rope = r.get_int("qk_rope_head_dim")
        nope = r.get_int("qk_nope_head_dim")
        v_dim = r.get_int("v_head_dim")
        mla = MLASpec(kv_lora_rank=kv_lora, qk_rope_head_dim=rope)
        head_dim_k, head_dim_v, n_kv = nope + rope, v_dim, n_heads
    else:
        head_dim_k = head_dim_v = head_dim

    encoder = model_type in ENCODER_TYPES
    # NAS-searched Llama derivatives: each layer's attention and MLP from block_configs.
    nas = nas_layers(c, r, n_layers=n_layers, hidden=hidden, n_heads=n_heads, head_dim=head_dim)
    if nas is not None and not intermediate:
        intermediate = max((layer.down_rows for layer in nas), default=0) or None
    # Encoders (embedding models) attend over the whole input at once and keep no KV cache.
    kinds: list[LayerKind]
    # Layers that attend over another layer's cache and store none: {layer: source}.
    kv_sources: dict[int, int] = {}
    if encoder:
        kinds = ["none"] * n_layers
    elif nas is not None:
        kinds = [layer.kind for layer in nas]
    elif blocks is not None:
        kinds = [BLOCK_KINDS[b] for b in blocks]
    else:
        kinds, kv_sources = mark_shared_kv(c, r, layer_kinds(c, r, model_type, n_layers))
    # Cross-layer attention (Hunyuan use_cla): only the first layer of every cla_share_factor
    # projects and caches K and V; the others attend to that layer's cache.
    cla_reuse: set[int] = set()
    if c.get("use_cla") is True:
        factor = r.get_int("cla_share_factor")
        cla_reuse = {i for i, kind in enumerate(kinds) if kind == "full" and i % factor}
        kinds = ["none" if i in cla_reuse else kind for i, kind in enumerate(kinds)]
        kv_sources.update({i: i - i % factor for i in cla_reuse})
    parallel = parallel_ssm(c, model_type)
    # Sparse attention: a lightning indexer scores every cached row and the attention reads
    # the index_topk best (DeepSeek-V3.2 on MLA; DeepSeek-V4 on its compressed rows).
    index_dim = r.get_int("index_head_dim", default=0, minimum=0)
    index_heads = r.get_int("index_n_heads", default=0, minimum=0) if index_dim else 0
    index_topk = r.get_int("index_topk", default=0, minimum=0) if index_dim else 0
    ratios = compress_ratios(c, r, n_layers)
    if ratios is not None:
        # DeepSeek-V4: every layer keeps a raw sliding window of one shared K=V vector per
        # token (one KV head of head_dim); layers with a ratio also keep one compressed row
        # per `ratio` tokens of the whole context.
        kinds = ["swa"] * n_layers
        n_kv, head_dim_k, head_dim_v = 1, head_dim, 0
    window = r.opt_int("sliding_window", "attention_chunk_size")
    if "swa" in kinds and window is None:
        raise ModelFileError(f"{where}: sliding_window: missing for a model with SWA layers")
    if "swa" not in kinds:
        window = None

    recurrent_elems = recurrent_state_elements(c, r, model_type, hidden)
    kv_per_layer = per_layer_ints(r, "num_key_value_heads", n_layers, n_kv)
    # Gemma 4: global (full-attention) layers have their own KV heads and head size, and may
    # share one projection for K and V (no v_proj). The cache still holds both: K is normed
    # and rotated, V is the same projection under a scale-free RMS norm, two tensors
    # (llama.cpp gemma4-iswa.cpp: "Vcur = ... : Kcur", then ggml_rms_norm; transformers'
    # Gemma4 attention the same), so only the weights lose the V projection.
    # The wider global head applies whether or not a global KV-head count is given:
    # transformers' Gemma4TextAttention takes `global_head_dim` on every non-sliding layer
    # when it is set, and keeps num_key_value_heads there unless the global layer has its
    # own count (E2B/E4B: null); llama.cpp's Gemma 4 converter writes it as
    # attention.key_length (key_length_swa = head_dim), read per layer kind in gguf.py.
    global_kv = r.opt_int("num_global_key_value_heads")
    global_head_dim = r.opt_int("global_head_dim")
    k_eq_v = c.get("attention_k_eq_v") is True
    # Gated attention (Qwen3-Next, Qwen3.5 and later): q_proj also yields a per-head output
    # gate, so it is twice as wide as the heads it feeds.
    gate_flag = c.get("attn_output_gate")
    gated_attention = gate_flag is True or (
        gate_flag is None and model_type.startswith(("qwen3_next", "qwen3_5", "qwen4_exp"))
    )

    # Manifold-constrained hyper-connections (DeepSeek-V4): hc_mult residual streams mixed
    # before attention and before the FFN, each by a (hidden × hc_mult) → (2 + hc_mult) ×
    # hc_mult projection with its bias and 3 scales.
    hc = r.get_int("hc_mult", default=0, minimum=0)
    mix = (2 + hc) * hc
    hyper_params = 2 * (hidden * hc * mix + mix + 3) if hc else 0
    mult = 2 if model_type in UNGATED_FFN_TYPES else 3
    layers: list[LayerSpec] = []
    for i, kind in enumerate(kinds):
        if nas is not None:
            layers.append(nas[i])
            continue
        moe = moe_layout.moe_layers[i]
        moe_inter = moe_layout.expert_inter[i]
        shared_inter = moe_layout.shared_inter[i]
        if blocks is not None:  # one mixer or one feed-forward per block (Nemotron-H)
            layers.append(
                block_layer(
                    r,
                    blocks[i],
                    hidden=hidden,
                    n_heads=n_heads,
                    n_kv=kv_per_layer[i],
                    head_dim=head_dim,
                    intermediate=intermediate or 4 * hidden,
                    moe=moe,
                    n_experts=n_experts,
                    moe_inter=moe_inter,
                    shared_inter=shared_inter,
                    latent=moe_layout.latent,
                    mult=mult,
                    state=recurrent_elems,
                )
            )
            continue
        hd_k, hd_v = head_dim_k, head_dim_v
        ratio = ratios[i] if ratios is not None else 0
        indexed = bool(index_dim) and (ratio == DSV4_INDEXED_RATIO or ratios is None)
        if kind == "recurrent":
            attn = recurrent_params(c, r, hidden)
            attn_v = 0
        elif ratios is not None:
            attn, attn_v = dsv4_attention_params(r, hidden, n_heads, head_dim, ratio), 0
            if indexed:
                attn += indexer_params(r, hidden, index_heads, index_dim, ratio)
        elif mla is not None:
            q_lora = r.opt_int("q_lora_rank")
            q = (
                (hidden * q_lora + q_lora * n_heads * head_dim_k)
                if q_lora
                else hidden * n_heads * head_dim_k
            )
            assert kv_lora is not None
            kv_a = hidden * (kv_lora + mla.qk_rope_head_dim)
            kv_b = kv_lora * n_heads * (head_dim_k - mla.qk_rope_head_dim + head_dim_v)
            o = n_heads * head_dim_v * hidden
            attn, attn_v = q + kv_a + o, kv_b
            if indexed:  # DeepSeek-V3.2's lightning indexer on every layer
                attn += indexer_params(r, hidden, index_heads, index_dim, 0)
        else:
            heads_kv = kv_per_layer[i]
            if kind == "full" and global_kv:
                heads_kv = kv_per_layer[i] = global_kv
            if kind == "full" and global_head_dim:
                hd_k = global_head_dim
            hd_v = hd_k
            attn = hidden * n_heads * hd_k * (3 if gated_attention else 2)
            if i in cla_reuse:
                heads_kv = 0  # no K or V projection of its own
            attn += hidden * heads_kv * hd_k
            shared_kv_proj = kind == "full" and k_eq_v and global_kv
            attn_v = 0 if shared_kv_proj else hidden * heads_kv * hd_v
            if parallel:
                attn += recurrent_params(c, r, hidden)
        if moe:
            if moe_inter is None:
                raise r._fail("moe_intermediate_size", "missing for a mixture of experts")
            experts = n_experts * mult * hidden * moe_inter
            extra = (intermediate or 0) if dense_beside_moe else shared_inter
            ffn_down, ffn = hidden * extra, 2 * hidden * extra
            other = hidden * n_experts + 2 * hidden
            rows = (extra, hidden, moe_inter)
        else:
            dense_inter = (
                (inter_per_layer[i] if inter_per_layer else None)
                or moe_layout.dense_inter[i]
                or (dense_mlp_inter if n_experts > 1 else None)
                or intermediate
                or 4 * hidden
            )
            experts = 0
            ffn_down, ffn = hidden * dense_inter, (mult - 1) * hidden * dense_inter
            other = 2 * hidden
            rows = (dense_inter, 0, 0)
        other += hyper_params
        layers.append(
            _new_layer(
                kind=kind,
                n_kv_heads=0 if kind in ("recurrent", "none") else kv_per_layer[i],
                kv_source=kv_sources.get(i, -1),
                head_dim_k=hd_k,
                head_dim_v=hd_v,
                recurrent_state_elements=(
                    recurrent_elems if kind == "recurrent" or (parallel and kind == "full") else 0
                ),
                compress_ratio=ratio,
                index_head_dim=index_dim if indexed else 0,
                index_heads=index_heads if indexed else 0,
                index_topk=index_topk if indexed else 0,
                moe=moe,
                params_attn_v=attn_v,
                params_attn=attn,
                params_ffn_down=ffn_down,
                params_ffn=ffn,
                params_experts=experts,
                params_other=other,
                down_rows=rows[0],
                expert_up_rows=rows[1],
                expert_down_rows=rows[2],
            )
        )

    params_input = vocab * hidden
    if encoder:  # learned positions and token types
        params_input += (max_ctx + r.get_int("type_vocab_size", default=0, minimum=0)) * hidden
    per_layer_input = r.get_int("hidden_size_per_layer_input", default=0, minimum=0)
    params_ple = 0
    if per_layer_input:  # Gemma 3n / 4 per-layer embeddings, looked up like token embeddings
        per_layer_vocab = r.get_int("vocab_size_per_layer_input", default=vocab)
        params_ple = per_layer_vocab * per_layer_input * n_layers
        params_input += params_ple
    elif c.get("ngram_vocab_size_base") is not None:
        # Qwen3.8-Flash-Next (qwen4_exp): an n-gram embedding table on the ple_layer_ids
        # layers, looked up per token like the per-layer embeddings above, never multiplied.
        ngram_rows = r.get_int("ngram_vocab_size_base")
        multiple = r.get_int("make_ngram_vocab_size_divisible_by", default=1)
        ngram_rows = multiple * ((ngram_rows + multiple - 1) // multiple)
        ple_layers = r.get_list("ple_layer_ids") or [0]
        params_ple = ngram_rows * r.get_int("ple_embed_dim", default=hidden) * len(ple_layers)
        params_input += params_ple
    params_output = (0 if tied or encoder else vocab * hidden) + hidden
    total = params_input + params_output + sum(layer.params for layer in layers)
    inactive = sum(
        layer.params_experts * (n_experts - n_used) // n_experts for layer in layers if layer.moe
    )
    return ModelSpec(
        id=model_id,
        name=name or str(c.get("_name_or_path") or model_type),
        architecture=model_type,
        hidden_size=hidden,
        n_heads=n_heads,
        vocab_size=vocab,
        max_context=max_ctx,
        layers=tuple(layers),
        params_total=total,
        params_active=total - inactive,
        intermediate_size=intermediate,
        params_input=params_input,
        params_per_layer_input=params_ple,
        params_output=params_output,
        tied_embeddings=tied,
        sliding_window=window,
        n_experts=n_experts if n_experts > 1 else 0,
        n_experts_used=n_used if n_experts > 1 else 0,
        mla=mla,
        delta_rule_state_elements=(delta_rule_state_elements(c, r) if "recurrent" in kinds else 0),
        ssm_scan_state_elements=(ssm_scan_state_elements(c, r, hidden) if recurrent_elems else 0),
        causal=not encoder and not bool(c.get("is_encoder_decoder")),
        provenance=provenance,
    )
