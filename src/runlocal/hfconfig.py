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
from .spec import LayerKind, LayerSpec, MLASpec, ModelSpec

# Encoder-only models (embedding and reranking): no KV cache, bidirectional attention.
ENCODER_TYPES = frozenset(
    {"bert", "roberta", "xlm-roberta", "nomic_bert", "modernbert", "distilbert", "new"}
)
# Feed-forward blocks without a gate: one up and one down projection.
# Nemotron (4 / H / 3) uses squared-ReLU MLPs and experts with up and down only (llama.cpp
# builds them with no gate tensor).
UNGATED_FFN_TYPES = frozenset(
    {
        "phi",
        "starcoder2",
        "falcon",
        "bert",
        "roberta",
        "xlm-roberta",
        "distilbert",
        "new",
        "nemotron",
        "nemotron_h",
    }
)

# model_type values whose layout this parser knows. Others with the standard keys are sized
# as a plain dense decoder, and the result says so in its provenance (never silently).
KNOWN_MODEL_TYPES = frozenset(
    [
        "llama",
        "mistral",
        "ministral",
        "mixtral",
        "qwen2",
        "qwen2_moe",
        "qwen3",
        "qwen3_moe",
        "qwen3_next",
        "qwen3_5",
        "qwen3_5_moe",
        "gemma",
        "gemma2",
        "gemma3",
        "gemma3_text",
        "gemma3n",
        "gemma3n_text",
        "gemma4",
        "gemma4_text",
        "phi",
        "phi3",
        "phimoe",
        "deepseek_v2",
        "deepseek_v3",
        "deepseek_v32",
        "deepseek_v4",
        "kimi_k2",
        "glm",
        "glm4",
        "glm4_moe",
        "glm4_moe_lite",
        "gpt_oss",
        "cohere",
        "cohere2",
        "granite",
        "granitemoe",
        "granitemoehybrid",
        "olmo",
        "olmo2",
        "olmo3",
        "falcon",
        "falcon_h1",
        "starcoder2",
        "internlm2",
        "internlm3",
        "exaone",
        "smollm3",
        "lfm2",
        "lfm2_moe",
        "yi",
        "baichuan",
        "llama4_text",
        "ernie4_5",
        "ernie4_5_moe",
        "hunyuan_v1_dense",
        "seed_oss",
        "minimax",
        "minimax_m2",
        "mistral3",
        "nemotron",
        "nemotron_h",
        "apertus",
        "llama4",
        "qwen3_5_text",
        "qwen3_5_moe_text",
        "ministral3",
        "qwen4_exp",
        "qwen4_exp_text",
        *ENCODER_TYPES,
    ]
)

_TEXT_CONFIG_KEYS = ("text_config", "llm_config", "language_config")
# As the GGUF reader's limit: beyond it a config is damaged, and per-layer lists of that
# length would not fit in memory.
_MAX_LAYERS = 10_000

# HF's PretrainedConfig defaults tie_word_embeddings to True, but most decoder config classes
# override it to False; these are the families whose class keeps True.
_TIED_BY_DEFAULT = frozenset({"gemma", "gemma2", "gemma3", "gemma3_text", "gemma3n_text"})


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


class _Reader:
    """Typed access to config values with one-line errors naming the key."""

    def __init__(self, config: Mapping[str, Any], where: str) -> None:
        self.c = config
        self.where = where

    def _fail(self, key: str, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.where}: {key}: {problem}")

    def get_int(self, *keys: str, default: int | None = None, minimum: int = 1) -> int:
        for key in keys:
            value = self.c.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self._fail(key, f"expected an integer, got {value!r}")
            if isinstance(value, float) and not value.is_integer():
                raise self._fail(key, f"expected an integer, got {value!r}")
            number = int(value)
            if number < minimum or number > 10**12:
                raise self._fail(key, f"{number} is out of range")
            return number
        if default is None:
            raise self._fail(keys[0], "missing")
        return default

    def opt_int(self, *keys: str, minimum: int = 1) -> int | None:
        if all(self.c.get(k) is None for k in keys):
            return None
        return self.get_int(*keys, minimum=minimum)

    def get_bool(self, key: str, default: bool) -> bool:
        value = self.c.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(key, f"expected true or false, got {value!r}")
        return value

    def get_list(self, key: str) -> list[Any] | None:
        value = self.c.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self._fail(key, f"expected a list, got {type(value).__name__}")
        return value


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
    r = _Reader(c, where)
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

    blocks = _hybrid_blocks(c, r, model_type)
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
        n_kv = max(_per_layer_ints(r, "num_key_value_heads", n_layers, n_heads), default=n_heads)
    else:
        n_kv = r.get_int("num_key_value_heads", "num_kv_heads", "n_kv_heads", default=n_heads)
    if c.get("multi_query") is True:
        n_kv = 1
    if n_kv > n_heads:
        raise ModelFileError(f"{where}: num_key_value_heads: {n_kv} exceeds {n_heads} heads")
    head_dim = r.get_int("head_dim", default=max(1, hidden // n_heads))
    vocab = r.get_int("vocab_size", "padded_vocab_size")
    if isinstance(c.get("intermediate_size"), list):  # per-layer widths (Gemma 3n)
        inter_per_layer: list[int] | None = _per_layer_ints(r, "intermediate_size", n_layers, 0)
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
    tied = r.get_bool("tie_word_embeddings", model_type in _TIED_BY_DEFAULT)
    if model_type not in KNOWN_MODEL_TYPES:
        provenance["layout"] = (
            f"model_type {model_type!r} is not one the engine knows; sized as a standard "
            "dense decoder from its config keys"
        )

    # Mixture of experts.
    n_experts = r.get_int(
        "num_local_experts", "num_experts", "n_routed_experts", default=0, minimum=0
    )
    n_used = r.get_int(
        "num_experts_per_tok",
        "experts_per_token",
        "num_experts_per_token",
        "top_k_experts",
        default=0,
        minimum=0,
    )
    if n_experts and not n_used:
        raise ModelFileError(f"{where}: num_experts_per_tok: missing for a mixture of experts")
    if n_used > n_experts:
        raise ModelFileError(f"{where}: num_experts_per_tok: {n_used} exceeds {n_experts} experts")
    moe_inter = r.opt_int("moe_intermediate_size") or intermediate
    shared_inter = r.get_int(
        "shared_expert_intermediate_size",
        "moe_shared_expert_intermediate_size",
        default=0,
        minimum=0,
    )
    # LatentMoE (Nemotron 3 Super): routed experts work in a smaller latent width, reached
    # through one down- and one up-projection shared by all experts of the layer.
    latent = r.get_int("moe_latent_size", default=0, minimum=0)
    n_shared = r.get_int("n_shared_experts", "num_shared_experts", default=0, minimum=0)
    if n_shared and not shared_inter and moe_inter:
        shared_inter = n_shared * moe_inter
    if model_type.startswith("llama4") and n_experts and not shared_inter and intermediate:
        shared_inter = intermediate  # Llama 4: one always-on shared expert per MoE layer
    # Gemma 4 runs a dense MLP beside the experts in every layer.
    dense_beside_moe = bool(c.get("enable_moe_block")) and model_type.startswith("gemma4")
    dense_mlp_inter = r.opt_int("intermediate_size_mlp")  # Llama 4 Maverick's dense layers
    first_dense = r.get_int("first_k_dense_replace", default=0, minimum=0)
    moe_every = r.get_int("decoder_sparse_step", "moe_layer_freq", default=1, minimum=1)
    mlp_only = {int(x) for x in (r.get_list("mlp_only_layers") or []) if isinstance(x, int)}

    def is_moe_layer(i: int) -> bool:
        if blocks is not None:
            return blocks[i] == "moe" and n_experts > 1
        if n_experts <= 1 or i < first_dense or i in mlp_only:
            return False
        if model_type == "llama4_text":
            step = r.get_int("interleave_moe_layer_step", default=1)
            return (i + 1) % step == 0
        return (i + 1) % moe_every == 0 if moe_every > 1 else True

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
    # Encoders (embedding models) attend over the whole input at once and keep no KV cache.
    kinds: list[LayerKind]
    if encoder:
        kinds = ["none"] * n_layers
    elif blocks is not None:
        kinds = [_BLOCK_KINDS[b] for b in blocks]
    else:
        kinds = _layer_kinds(c, r, model_type, n_layers)
    # Sparse attention: a lightning indexer scores every cached row and the attention reads
    # the index_topk best (DeepSeek-V3.2 on MLA; DeepSeek-V4 on its compressed rows).
    index_dim = r.get_int("index_head_dim", default=0, minimum=0)
    index_heads = r.get_int("index_n_heads", default=0, minimum=0) if index_dim else 0
    index_topk = r.get_int("index_topk", default=0, minimum=0) if index_dim else 0
    ratios = _compress_ratios(c, r, n_layers)
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

    recurrent_elems = _recurrent_state_elements(c, r, model_type, hidden)
    kv_per_layer = _per_layer_ints(r, "num_key_value_heads", n_layers, n_kv)
    # Gemma 4: global (full-attention) layers have their own KV heads and head size, and may
    # share one projection for K and V (no v_proj). The cache still holds both: K is normed
    # and rotated, V is the same projection under a scale-free RMS norm, two tensors
    # (llama.cpp gemma4-iswa.cpp: "Vcur = ... : Kcur", then ggml_rms_norm; transformers'
    # Gemma4 attention the same), so only the weights lose the V projection.
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
        moe = is_moe_layer(i)
        if blocks is not None:  # one mixer or one feed-forward per block (Nemotron-H)
            layers.append(
                _block_layer(
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
                    latent=latent,
                    mult=mult,
                    state=recurrent_elems,
                )
            )
            continue
        hd_k, hd_v = head_dim_k, head_dim_v
        ratio = ratios[i] if ratios is not None else 0
        indexed = bool(index_dim) and (ratio == _DSV4_INDEXED_RATIO or ratios is None)
        if kind == "recurrent":
            attn = _recurrent_params(c, r, hidden)
            attn_v = 0
        elif ratios is not None:
            attn, attn_v = _dsv4_attention_params(r, hidden, n_heads, head_dim, ratio), 0
            if indexed:
                attn += _indexer_params(r, hidden, index_heads, index_dim, ratio)
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
                attn += _indexer_params(r, hidden, index_heads, index_dim, 0)
        else:
            heads_kv = kv_per_layer[i]
            if kind == "full" and global_kv:
                heads_kv, hd_k = global_kv, global_head_dim or head_dim_k
                kv_per_layer[i] = heads_kv
            hd_v = hd_k
            attn = hidden * n_heads * hd_k * (3 if gated_attention else 2)
            attn += hidden * heads_kv * hd_k
            shared_kv_proj = kind == "full" and k_eq_v and global_kv
            attn_v = 0 if shared_kv_proj else hidden * heads_kv * hd_v
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
            LayerSpec(
                kind=kind,
                n_kv_heads=0 if kind in ("recurrent", "none") else kv_per_layer[i],
                head_dim_k=hd_k,
                head_dim_v=hd_v,
                recurrent_state_elements=recurrent_elems if kind == "recurrent" else 0,
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
        causal=not encoder and not bool(c.get("is_encoder_decoder")),
        provenance=provenance,
    )


# DeepSeek-V4's reference code (inference/model.py) gives the indexer, and an overlapping
# compressor of twice the width, to the layers that compress 4 tokens into a row; the
# heavily compressed ones (128 tokens a row) attend to every compressed row.
_DSV4_INDEXED_RATIO = 4


def _compress_ratios(c: Mapping[str, Any], r: _Reader, n_layers: int) -> list[int] | None:
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


def _dsv4_attention_params(r: _Reader, hidden: int, n_heads: int, head_dim: int, ratio: int) -> int:
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
        width = (2 if ratio == _DSV4_INDEXED_RATIO else 1) * head_dim
        params += 2 * hidden * width + ratio * width + head_dim
    return params


def _indexer_params(r: _Reader, hidden: int, heads: int, dim: int, ratio: int) -> int:
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


def _per_layer_ints(r: _Reader, key: str, n_layers: int, default: int) -> list[int]:
    values = r.c.get(key)
    if not isinstance(values, list):
        return [default] * n_layers
    if len(values) != n_layers or not all(isinstance(v, int) and v >= 0 for v in values):
        raise r._fail(key, f"expected {n_layers} non-negative integers")
    return [int(v) for v in values]


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
}


def _layer_kinds(c: Mapping[str, Any], r: _Reader, model_type: str, n: int) -> list[LayerKind]:
    layer_types = r.get_list("layer_types")
    if layer_types is not None:
        if len(layer_types) < n:
            raise r._fail("layer_types", f"expected {n} entries, got {len(layer_types)}")
        kinds: list[LayerKind] = []
        for value in layer_types[:n]:
            kind = _LAYER_TYPE_NAMES.get(str(value))
            if kind is None:
                raise UnsupportedArchitectureError(
                    f"layer type {value!r} in {model_type} is not supported yet"
                )
            kinds.append(kind)
        return _mark_shared_kv(c, r, kinds)

    has_window = c.get("sliding_window") is not None
    if model_type == "gemma2":
        # HF Gemma2: layer i slides when i is even.
        return ["swa" if i % 2 == 0 else "full" for i in range(n)]
    if model_type in {"gemma3", "gemma3_text", "cohere2"} or c.get("sliding_window_pattern"):
        default = 6 if model_type.startswith("gemma3") else 4
        pattern = r.get_int("sliding_window_pattern", default=default)
        return _mark_shared_kv(
            c, r, ["full" if (i + 1) % pattern == 0 else "swa" for i in range(n)]
        )
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
_BLOCK_KINDS: dict[str, LayerKind] = {
    "mamba": "recurrent",
    "attention": "full",
    "mlp": "none",
    "moe": "none",
}


def _hybrid_blocks(c: Mapping[str, Any], r: _Reader, model_type: str) -> list[str] | None:
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
        types = r.get_list("layer_types")
        if types is None or not any(t in ("mlp", "moe") for t in types):
            return None
        names = types
    blocks: list[str] = []
    for name in names:
        block = _LIST_BLOCKS.get(name) if isinstance(name, str) else None
        if block is None:
            raise UnsupportedArchitectureError(
                f"layer block type {name!r} in {model_type} is not supported yet"
            )
        blocks.append(block)
    return blocks or None


def _mamba2_dims(c: Mapping[str, Any], r: _Reader, hidden: int) -> tuple[int, int, int, int, int]:
    """Mamba-2 sizes: (inner width, heads, state size, groups, conv kernel).

    The inner width is heads x head size where the config gives them (Nemotron-H, Granite 4),
    else expand x hidden.
    """
    d_state = r.get_int("mamba_d_state", "ssm_state_size")
    d_conv = r.get_int("mamba_d_conv", "conv_kernel", default=4)
    n_groups = r.get_int("mamba_n_groups", "n_groups", default=1)
    heads = r.opt_int("mamba_num_heads", "mamba_n_heads")
    head_dim = r.opt_int("mamba_head_dim", "mamba_d_head")
    if heads and head_dim:
        d_inner = heads * head_dim
    else:
        d_inner = r.get_int("mamba_expand", "expand", default=2) * hidden
        heads = heads or max(d_inner // (head_dim or 64), 1)
    return d_inner, heads, d_state, n_groups, d_conv


def _mamba2_params(c: Mapping[str, Any], r: _Reader, hidden: int) -> tuple[int, int]:
    """(projection, other) parameters of one Mamba-2 mixer: in_proj (x, z, B, C, dt) and
    out_proj; the depthwise convolution with its bias, dt bias, A, D and the gated norm."""
    d_inner, heads, d_state, n_groups, d_conv = _mamba2_dims(c, r, hidden)
    conv_channels = d_inner + 2 * n_groups * d_state
    projections = hidden * (d_inner + conv_channels + heads) + d_inner * hidden
    other = conv_channels * (d_conv + 1) + 3 * heads + d_inner
    return projections, other


def _block_layer(
    r: _Reader,
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
        projections, other = _mamba2_params(r.c, r, hidden)
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


def _mark_shared_kv(c: Mapping[str, Any], r: _Reader, kinds: list[LayerKind]) -> list[LayerKind]:
    shared = r.get_int("num_kv_shared_layers", default=0, minimum=0)
    if shared:
        kinds = kinds[: len(kinds) - shared] + ["none"] * min(shared, len(kinds))
    return kinds


def _recurrent_state_elements(
    c: Mapping[str, Any], r: _Reader, model_type: str, hidden: int
) -> int:
    """Per-layer state of a recurrent layer, in elements (llama.cpp stores F32)."""
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
        d_inner, _, d_state, n_groups, d_conv = _mamba2_dims(c, r, hidden)
        return (d_conv - 1) * (d_inner + 2 * n_groups * d_state) + d_state * d_inner
    return 0


def _recurrent_params(c: Mapping[str, Any], r: _Reader, hidden: int) -> int:
    if c.get("linear_num_value_heads") is not None:
        v_heads = r.get_int("linear_num_value_heads")
        k_heads = r.get_int("linear_num_key_heads", default=v_heads)
        k_dim, v_dim = r.get_int("linear_key_head_dim"), r.get_int("linear_value_head_dim")
        qkvz = hidden * (2 * k_heads * k_dim + 2 * v_heads * v_dim)
        return qkvz + hidden * 2 * v_heads + v_heads * v_dim * hidden
    if c.get("conv_L_cache") is not None:
        return 3 * hidden * hidden + hidden * hidden
    if c.get("mamba_d_state") is not None or c.get("ssm_state_size") is not None:
        projections, other = _mamba2_params(c, r, hidden)
        return projections + other
    return 4 * hidden * hidden
