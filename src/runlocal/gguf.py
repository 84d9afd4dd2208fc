"""GGUF metadata → ModelSpec: architecture facts and exact weight bytes from a GGUF header.

The header is read by `gguf_header` (never the tensor data). The metadata is mapped to a
ModelSpec the way llama.cpp's ``llama_model::load_hparams`` reads it (``src/llama-model.cpp``,
``src/llama-hparams.cpp``, ``ggml/src/gguf.cpp``): per-layer head counts, sliding-window
patterns (``set_swa_pattern``), MLA, recurrent state sizes (``n_embd_r``/``n_embd_s``),
shared-KV and multi-token-prediction layers.

Split models (``name-00001-of-00003.gguf``) are read as one: the metadata comes from the
first shard and the tensors from all of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ModelFileError, UnsupportedArchitectureError
from .gguf_header import (
    LOCAL_FILES,
    FileAccess,
    Header,
    SkippedArray,
    Tensor,
    Value,
    int_value,
    read_all_shards,
    split_name,
)
from .quant import GGML_TYPES_BY_ID
from .spec import LayerKind, LayerSpec, MLASpec, ModelSpec, WeightInventory

__all__ = ["read_gguf"]

# Sanity limits; anything beyond them is a damaged file, not a model.
_MAX_LAYERS = 10_000
_MAX_INT_PARAM = 1 << 40  # head counts, lengths and windows are uint32 in llama.cpp

# general.file_type (gguf.constants.LlamaFileType) → the name quantizers print.
_FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
    39: "NVFP4",
    40: "Q1_0",
}

# Sliding-window layouts llama.cpp hard-codes when the GGUF has no pattern key:
# arch → (period, dense_first, default window). set_swa_pattern(period) marks layer i as SWA
# when i % period < period - 1; with dense_first, when i % period != 0. Without a window
# (the arch default or a positive sliding_window key) every layer is full attention, as in
# llama.cpp (gemma3 without a window, olmo2, smallthinker).
_SWA_RULES: dict[str, tuple[int, bool, int | None]] = {
    "gemma2": (2, False, 4096),
    "gemma3": (6, False, None),
    "gemma3n": (5, False, None),
    "gemma-embedding": (6, False, None),
    "cohere2": (4, False, None),
    "llama4": (4, False, 8192),  # chunked attention, 8192-token chunks
    "gpt-oss": (2, False, None),
    "olmo2": (4, False, None),
    "exaone4": (4, False, None),
    "afmoe": (4, False, None),
    "smallthinker": (4, True, None),
    "modern-bert": (3, False, None),
}
# Archs whose sliding_window key llama.cpp ignores (it runs every layer as full attention).
_SWA_DISABLED = frozenset({"phi3"})

# llm_arch_is_recurrent: every layer keeps a recurrent state and no KV.
_RECURRENT_ARCHS = frozenset({"mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"})
# Hybrids whose linear-attention layers are all but every full_attention_interval-th one.
_INTERVAL_ARCHS = frozenset({"qwen3next", "qwen35", "qwen35moe", "qwen4exp"})
# Falcon-H1 runs attention and a Mamba-2 mixer in parallel in every layer.
_PARALLEL_HYBRID_ARCHS = frozenset({"falcon-h1"})
# Diffusion and embedding archs whose attention llama.cpp hard-codes as non-causal.
_NON_CAUSAL_ARCHS = frozenset({"dream", "llada", "llada-moe", "gemma-embedding"})


# --------------------------------------------------------------------------------------------
# Metadata → ModelSpec


class _Meta:
    """Typed access to one architecture's metadata with one-line errors naming the key."""

    def __init__(self, kv: dict[str, Value], arch: str, where: str) -> None:
        self.kv = kv
        self.arch = arch
        self.where = where

    def fail(self, key: str, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.where}: {self.arch}.{key}: {problem}")

    def has(self, key: str) -> bool:
        return f"{self.arch}.{key}" in self.kv

    def raw(self, key: str) -> Value | None:
        return self.kv.get(f"{self.arch}.{key}")

    def _check_int(self, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected an integer, got {value!r}")
        if not 0 <= value <= _MAX_INT_PARAM:
            raise self.fail(key, f"{value} is out of range")
        return value

    def get_int(self, key: str) -> int | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, list | SkippedArray):
            raise self.fail(key, "expected a single integer, got an array")
        return self._check_int(key, value)

    def get_ints(self, key: str, n: int) -> list[int] | None:
        """A per-layer value stored either once or as an array of n values."""
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, SkippedArray):
            raise self.fail(key, f"expected {n} per-layer values, got {value.length:,}")
        if isinstance(value, list):
            if len(value) != n:
                raise self.fail(key, f"expected {n} per-layer values, got {len(value)}")
            return [self._check_int(key, v) for v in value]
        return [self._check_int(key, value)] * n

    def get_bools(self, key: str, n: int) -> list[bool] | None:
        value = self.raw(key)
        if not isinstance(value, list | SkippedArray):
            return None
        if isinstance(value, SkippedArray) or len(value) != n:
            count = value.length if isinstance(value, SkippedArray) else len(value)
            raise self.fail(key, f"expected {n} per-layer values, got {count:,}")
        if not all(isinstance(v, bool | int) for v in value):
            raise self.fail(key, "expected true/false per layer")
        return [bool(v) for v in value]

    def get_flag(self, key: str) -> bool | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            return bool(value)
        raise self.fail(key, f"expected true or false, got {value!r}")


def _swa_flags(m: _Meta, n: int) -> tuple[list[bool], int | None]:
    """Per-layer SWA flags and the window, following llama.cpp's set_swa_pattern rules."""
    window = m.get_int("attention.sliding_window")
    if m.arch in _SWA_DISABLED:
        return [False] * n, None
    rule = _SWA_RULES.get(m.arch)
    default_window = rule[2] if rule else None
    if m.arch == "llama4":
        # llama.cpp: chunked attention with 8192-token chunks unless sliding_window is 0.
        window = 0 if window == 0 else default_window
    elif m.arch == "smallthinker" and window:
        window = 4096  # llama.cpp overrides the GGUF's window for this arch
    elif window is None:
        window = default_window
    if not window:
        return [False] * n, None

    flags = m.get_bools("attention.sliding_window_pattern", n)
    if flags is None:
        period = m.get_int("attention.sliding_window_pattern")
        dense_first = rule[1] if rule else False
        if period is None:
            if rule is None:
                # mistral/qwen2/starcoder2 carry a window that llama.cpp does not apply.
                return [False] * n, None
            period = rule[0]
        if period == 0:
            flags = [True] * n
        elif dense_first:
            flags = [i % period != 0 for i in range(n)]
        else:
            flags = [i % period < period - 1 for i in range(n)]
    if not any(flags):
        return flags, None
    return flags, window


def _compress_ratios(m: _Meta, n: int) -> list[int] | None:
    """DeepSeek-V4's attention.compress_ratios: one per block (0: window only); entries past
    block_count belong to the multi-token-prediction layers."""
    value = m.raw("attention.compress_ratios")
    if value is None:
        return None
    key = "attention.compress_ratios"
    if not isinstance(value, list) or len(value) < n:
        raise m.fail(key, f"expected at least {n} per-layer values")
    return [m._check_int(key, v) for v in value[:n]]


def _recurrent_state(m: _Meta, hidden: int, n_head: int) -> int:
    """Elements of one recurrent layer's state per sequence (llama_hparams n_embd_r + n_embd_s)."""
    wkv = m.get_int("wkv.head_size")
    if wkv:  # RWKV: token-shift state plus the wkv state
        shift = m.get_int("token_shift_count")
        return (2 if shift is None else shift) * hidden + hidden * wkv
    d_conv = m.get_int("ssm.conv_kernel") or 0
    d_inner = m.get_int("ssm.inner_size") or 0
    d_state = m.get_int("ssm.state_size") or 0
    n_group = m.get_int("ssm.group_count") or 0
    l_cache = m.get_int("shortconv.l_cache")
    kda = m.get_int("kda.head_dim")
    if l_cache:  # LFM2 short convolution
        conv = hidden * (l_cache - 1)
    elif kda:  # Kimi delta attention: q, k, v convolutions and a head_dim² state per head
        conv = 3 * (d_conv - 1 if d_conv > 0 else 3) * n_head * kda
        return conv + kda * kda * n_head
    else:  # Mamba / Mamba-2 / gated delta net
        conv = (d_conv - 1 if d_conv > 0 else 0) * (d_inner + 2 * n_group * d_state)
    return conv + d_state * d_inner


def _tensor_role(suffix: str) -> str:
    """Which LayerSpec parameter field a tensor of a block belongs to."""
    if "_exps" in suffix:
        return "experts"
    if "norm" in suffix:
        return "other"
    if suffix.startswith(("attn_v.", "attn_v_b.", "attn_kv_b.")):
        return "attn_v"
    if suffix.startswith(("attn_", "ssm_", "time_mix_", "shortconv.")):
        return "attn"
    if suffix.startswith("ffn_down"):
        return "ffn_down"
    if suffix.startswith(("ffn_gate_inp", "ffn_gate_tp")):
        return "other"
    if suffix.startswith(("ffn_gate", "ffn_up")):
        return "ffn"
    return "other"


def _quant_label(kv: dict[str, Value], tensors: Iterable[Tensor]) -> str:
    file_type = int_value(kv.get("general.file_type"))
    if file_type is not None and file_type in _FILE_TYPES:
        return _FILE_TYPES[file_type]
    by_type: dict[int, int] = {}
    for t in tensors:
        if len(t.dims) >= 2:
            by_type[t.type_id] = by_type.get(t.type_id, 0) + t.n_bytes
    if not by_type:
        return "unknown"
    return GGML_TYPES_BY_ID[max(by_type, key=lambda k: by_type[k])].name


def _model_name(kv: dict[str, Value], path: Path) -> str:
    name = kv.get("general.name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    split = split_name(path.name)
    if split is not None:
        return split[0]
    return path.stem


def _build_spec(path: Path, headers: Sequence[Header]) -> ModelSpec:
    where = str(path)
    kv = headers[0].kv
    tensors = [t for h in headers for t in h.tensors]
    seen: set[str] = set()
    for t in tensors:
        if t.name in seen:
            raise ModelFileError(f"{where}: tensor {t.name!r} appears in more than one shard")
        seen.add(t.name)

    arch = kv.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise ModelFileError(f"{where}: general.architecture: missing")
    if arch == "clip":
        raise UnsupportedArchitectureError(
            f"{where}: a multimodal projector (mmproj) file, not a language model"
        )
    m = _Meta(kv, arch, where)

    def need(key: str) -> None:
        if not m.has(key):
            raise UnsupportedArchitectureError(
                f"{where}: architecture {arch!r} is not supported: its GGUF has no "
                f"{arch + '.' + key!r}"
            )

    for key in ("block_count", "embedding_length", "attention.head_count"):
        need(key)
    n_layers = m.get_int("block_count") or 0
    hidden = m.get_int("embedding_length") or 0
    if not 1 <= n_layers <= _MAX_LAYERS:
        raise m.fail("block_count", f"{n_layers} layers is out of range")
    if hidden < 1:
        raise m.fail("embedding_length", "must be positive")
    heads = m.get_ints("attention.head_count", n_layers) or [0] * n_layers
    heads_kv = m.get_ints("attention.head_count_kv", n_layers) or list(heads)
    n_head0 = heads[0]
    default_dim = hidden // n_head0 if n_head0 else 0
    key_len = m.get_ints("attention.key_length", n_layers) or [default_dim] * n_layers
    val_len = m.get_ints("attention.value_length", n_layers) or [default_dim] * n_layers
    key_len_swa = m.get_int("attention.key_length_swa")
    val_len_swa = m.get_int("attention.value_length_swa")
    max_ctx = m.get_int("context_length")
    if max_ctx is None:
        raise m.fail("context_length", "missing")
    ffn = m.get_ints("feed_forward_length", n_layers)
    intermediate = max(ffn) if ffn and max(ffn) > 0 else None

    provenance = {"architecture": "GGUF header", "weights": "GGUF header"}

    # Vocabulary: {arch}.vocab_size, else the tokenizer's token count, else the embedding rows.
    vocab = m.get_int("vocab_size")
    if vocab is None:
        tokens = kv.get("tokenizer.ggml.tokens")
        if isinstance(tokens, SkippedArray):
            vocab = tokens.length
        elif isinstance(tokens, list):
            vocab = len(tokens)
    if vocab is None:
        embd = next((t for t in tensors if t.name == "token_embd.weight"), None)
        vocab = embd.dims[1] if embd is not None and len(embd.dims) >= 2 else 0

    # Mixture of experts.
    n_experts = m.get_int("expert_count") or 0
    n_used = m.get_int("expert_used_count") or 0
    if n_used > n_experts:
        raise m.fail("expert_used_count", f"{n_used} exceeds {n_experts} experts")

    # Multi-head latent attention: the KV holds the compressed latent; the layers record the
    # decompressed head sizes (key/value_length_mla), as config.json-based specs do.
    mla: MLASpec | None = None
    kv_lora = m.get_int("attention.kv_lora_rank")
    k_mla = m.get_int("attention.key_length_mla")
    v_mla = m.get_int("attention.value_length_mla")
    if kv_lora and k_mla and v_mla:
        rope = m.get_int("rope.dimension_count")
        if rope is None:
            rope = max(key_len[0] - kv_lora, 0)
        mla = MLASpec(kv_lora_rank=kv_lora, qk_rope_head_dim=rope)
    elif kv_lora:
        provenance["layout"] = (
            "MLA model converted without key_length_mla: llama.cpp caches full per-head K and V"
        )

    # Layer kinds.
    flags, window = _swa_flags(m, n_layers)
    # DeepSeek-V4: a raw window in every layer, compressed rows where the ratio is not 0.
    ratios = _compress_ratios(m, n_layers)
    if ratios is not None:
        window = m.get_int("attention.sliding_window")
        if not window:
            raise m.fail("attention.sliding_window", "missing for a model with compress_ratios")
        flags = [True] * n_layers
    state = _recurrent_state(m, hidden, n_head0)
    nextn = m.get_int("nextn_predict_layers") or 0
    shared = m.get_int("attention.shared_kv_layers")
    if shared is None and arch == "gemma3n":
        shared = max(n_layers - 20, 0)  # llama.cpp: n_layer_kv_from_start = 20
    shared = shared or 0
    first_without_kv = n_layers - max(nextn if nextn < n_layers else 0, shared)
    first_nextn = n_layers - (nextn if nextn < n_layers else 0)
    interval = m.get_int("full_attention_interval")
    if interval is None and arch in _INTERVAL_ARCHS:
        interval = 4
    if interval == 0:
        raise m.fail("full_attention_interval", "must be positive")
    ffn_per_layer = ffn or [0] * n_layers

    kinds: list[LayerKind] = []
    for i in range(n_layers):
        kind: LayerKind
        if i >= first_without_kv:
            kind = "none"
        elif arch in _RECURRENT_ARCHS:
            kind = "recurrent"
        elif interval is not None:
            kind = "full" if (i + 1) % interval == 0 else "recurrent"
        elif heads_kv[i] == 0:
            if arch.startswith("nemotron_h") and ffn_per_layer[i] > 0:
                kind = "none"  # an MLP-only block
            else:
                kind = "recurrent" if state > 0 else "none"
        else:
            kind = "full"
        if kind == "full" and flags[i]:
            kind = "swa"
        kinds.append(kind)
    # Shared-KV layers (Gemma 3n, Gemma 4 E-series) read the last cache-owning layer of their
    # type: llama.cpp's GEMMA3N/GEMMA4 reuse callback (llama-model.cpp, create_memory) gives
    # n_layer_kv_from_start - 2 to a sliding-window layer and - 1 to a global one.
    kv_sources: dict[int, int] = {}
    first_shared = n_layers - shared
    for i in range(max(first_shared, 0), n_layers):
        if shared and kinds[i] == "none":
            same = [
                j
                for j in range(first_shared)
                if kinds[j] in ("full", "swa") and flags[j] == flags[i]
            ]
            if same:
                kv_sources[i] = same[-1]
    if "recurrent" in kinds and state <= 0:
        raise UnsupportedArchitectureError(
            f"{where}: architecture {arch!r} has recurrent layers but no ssm/wkv/shortconv "
            "sizes, so its state cannot be sized"
        )
    if "swa" not in kinds:
        window = None

    # Tensors → weight groups and per-layer parameter roles.
    n_groups = {"input": 0, "output": 0, "other": 0}
    b_groups = {"input": 0, "output": 0, "other": 0}
    layer_bytes = [0] * n_layers
    layer_expert_bytes = [0] * n_layers
    roles: list[dict[str, int]] = [{} for _ in range(n_layers)]
    indexed = [False] * n_layers  # blocks holding a lightning indexer
    expert_elements = 0
    has_output = False
    total = 0
    for t in tensors:
        total += t.n_elements
        name = t.name
        if name.startswith("blk."):
            parts = name.split(".", 2)
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < n_layers:
                i = int(parts[1])
                layer_bytes[i] += t.n_bytes
                role = _tensor_role(parts[2])
                roles[i][role] = roles[i].get(role, 0) + t.n_elements
                if parts[2].startswith("indexer"):
                    indexed[i] = True
                if role == "experts":
                    layer_expert_bytes[i] += t.n_bytes
                    expert_elements += t.n_elements
                continue
        if name.startswith(("token_embd.", "token_embd_norm.", "per_layer_token_embd.")):
            group = "input"
        elif name.startswith(("output.", "output_norm.", "cls.")):
            group = "output"
            has_output = has_output or name == "output.weight"
        else:
            group = "other"
        n_groups[group] += t.n_elements
        b_groups[group] += t.n_bytes

    inactive = 0
    if n_experts > 1 and n_used:
        inactive = expert_elements * (n_experts - n_used) // n_experts

    layers: list[LayerSpec] = []
    for i, kind in enumerate(kinds):
        attention = kind in ("full", "swa")
        if mla is not None and attention:
            n_kv, dim_k, dim_v = heads[i], k_mla or 0, v_mla or 0
        else:
            n_kv = heads_kv[i] if attention else 0
            swa = kind == "swa"
            dim_k = key_len_swa if swa and key_len_swa else key_len[i]
            dim_v = val_len_swa if swa and val_len_swa else val_len[i]
        if attention and n_kv and not (dim_k and dim_v):
            raise UnsupportedArchitectureError(
                f"{where}: layer {i} of {arch!r} has attention but no head size"
            )
        if ratios is not None:
            dim_v = 0  # one vector per token serves as both K and V (llama.cpp caches K only)
        index_dim = index_heads = index_topk = 0
        if indexed[i]:
            index_dim = m.get_int("attention.indexer.key_length") or 0
            index_heads = m.get_int("attention.indexer.head_count") or 0
            index_topk = m.get_int("attention.indexer.top_k") or 0
        r = roles[i]
        layers.append(
            LayerSpec(
                kind=kind,
                n_kv_heads=n_kv,
                head_dim_k=dim_k,
                head_dim_v=dim_v,
                recurrent_state_elements=(
                    state
                    if kind == "recurrent" or (attention and arch in _PARALLEL_HYBRID_ARCHS)
                    else 0
                ),
                compress_ratio=ratios[i] if ratios is not None else 0,
                index_head_dim=index_dim,
                index_heads=index_heads,
                index_topk=index_topk,
                kv_source=kv_sources.get(i, -1),
                moe=r.get("experts", 0) > 0,
                params_attn_v=r.get("attn_v", 0),
                params_attn=r.get("attn", 0),
                params_ffn_down=r.get("ffn_down", 0),
                params_ffn=r.get("ffn", 0),
                params_experts=r.get("experts", 0),
                params_other=r.get("other", 0),
            )
        )

    causal = m.get_flag("attention.causal")
    if causal is None:
        causal = arch not in _NON_CAUSAL_ARCHS

    weights = WeightInventory(
        quant=_quant_label(kv, tensors),
        source="GGUF header",
        exact=True,
        input_bytes=b_groups["input"],
        output_bytes=b_groups["output"],
        layer_bytes=tuple(layer_bytes),
        layer_expert_bytes=tuple(layer_expert_bytes),
        other_bytes=b_groups["other"],
        # Multi-token-prediction blocks (the last nextn_predict_layers) are loaded but only
        # run when speculative decoding is on.
        unread_bytes=sum(layer_bytes[first_nextn:]),
    )
    return ModelSpec(
        name=_model_name(kv, path),
        architecture=arch,
        hidden_size=hidden,
        n_heads=max(heads),
        vocab_size=vocab,
        max_context=max_ctx,
        layers=tuple(layers),
        params_total=total,
        params_active=total - inactive,
        intermediate_size=intermediate,
        params_input=n_groups["input"],
        params_output=n_groups["output"],
        tied_embeddings=not has_output,
        sliding_window=window,
        n_experts=n_experts if n_experts > 1 else 0,
        n_experts_used=n_used if n_experts > 1 else 0,
        mla=mla,
        causal=causal,
        weights=weights,
        provenance=provenance,
    )


def read_gguf(path: str | os.PathLike[str], files: FileAccess = LOCAL_FILES) -> ModelSpec:
    """Read a GGUF file's header (never its tensor data) into a ModelSpec with exact weights.

    ``files`` reaches the file and its shards (the local file system by default; a remote
    reader passes its own). Raises ModelFileError for a missing, malformed, truncated or
    unsupported file, and UnsupportedArchitectureError for an architecture whose memory
    cannot be sized.
    """
    p = Path(path)
    headers = read_all_shards(p, files)
    return _build_spec(p, headers)
