"""What the engine knows about a model: architecture facts and, when a file was read, exact weights.

Every model source (catalog entry, config.json, GGUF header) is turned into one ModelSpec;
the memory and speed code reads nothing else.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from itertools import accumulate
from typing import Literal

from .frozen import hash_once, interpreted

LayerKind = Literal["full", "swa", "recurrent", "none"]


@interpreted
@dataclass(frozen=True)
class LayerSpec:
    """One transformer block as the KV cache sees it.

    kind: "full" attention (KV for the whole context), "swa" (KV for the sliding window),
    "recurrent" (a fixed state per sequence, e.g. Mamba, gated delta-net, short conv),
    "none" (a layer that stores no KV of its own, e.g. shared-KV layers in Gemma 3n).

    head_dim_v is 0 when one cached vector serves as both key and value (DeepSeek-V4): the
    cache holds K only, and attention still mixes it as V.

    Compressed and sparse attention (DeepSeek-V3.2, DeepSeek-V4):
    compress_ratio > 1: besides its raw sliding window ("swa"), the layer caches one
    compressed row (head_dim_k + head_dim_v elements per KV head) per compress_ratio tokens
    of the whole context; 1 means one row per token (V3.2's MLA layers).
    index_head_dim: a lightning-indexer key cached beside each row, index_heads query heads
    score every cached row with it for each new token.
    index_topk: rows the attention then reads per token (0: all of them).

    kv_source: for a "none" layer that attends over another layer's cache (Gemma 3n and
    Gemma 4 E-series shared-KV layers, Hunyuan cross-layer attention), that layer's index;
    -1 for every other layer. Memory sizes no cache for it; speed prices its attention as
    the source layer's (attending_spec).
    """

    kind: LayerKind
    n_kv_heads: int
    head_dim_k: int
    head_dim_v: int
    recurrent_state_elements: int = 0  # per sequence, stored as F32 by llama.cpp
    compress_ratio: int = 0
    index_head_dim: int = 0
    index_heads: int = 0
    index_topk: int = 0
    moe: bool = False
    # Parameter counts by tensor role, used to size files that were not read (quant mixes
    # upgrade attn_v and ffn_down). Zero when unknown; a file read gives exact bytes instead.
    params_attn_v: int = 0
    params_attn: int = 0  # q, k, o (and MLA / recurrent projections)
    params_ffn_down: int = 0  # dense or shared-expert down projection
    params_ffn: int = 0  # dense or shared-expert gate and up projections
    params_experts: int = 0  # routed experts, all of them
    params_other: int = 0  # norms, router, biases
    # Input widths (GGUF row lengths) where they differ from the hidden size, 0 when unknown:
    # llama.cpp cannot store a row that is not a whole number of 256-element blocks in a
    # k-quant, and falls back to another type for that tensor.
    down_rows: int = 0  # dense or shared-expert down projection (its intermediate width)
    expert_up_rows: int = 0  # routed experts' gate/up (the hidden or latent width)
    expert_down_rows: int = 0  # routed experts' down projection (the expert width)
    kv_source: int = -1

    @property
    def params(self) -> int:
        return (
            self.params_attn_v
            + self.params_attn
            + self.params_ffn_down
            + self.params_ffn
            + self.params_experts
            + self.params_other
        )


# LayerSpec's compared fields, read as one tuple in C (ModelSpec.__post_init__).
_LAYER_FIELDS = operator.attrgetter(*(f.name for f in fields(LayerSpec) if f.compare))


@dataclass(frozen=True)
class MLASpec:
    """Multi-head latent attention (DeepSeek V2/V3, Kimi K2, GLM-4.7-Flash)."""

    kv_lora_rank: int
    qk_rope_head_dim: int

    @property
    def latent_elements(self) -> int:
        # llama.cpp (since PR #19067) and vLLM cache only the compressed latent plus the
        # rope part: 512 + 64 = 576 elements per token per layer for DeepSeek V3.
        return self.kv_lora_rank + self.qk_rope_head_dim


@hash_once
@dataclass(frozen=True)
class WeightInventory:
    """Weight bytes grouped the way runtimes place them on devices.

    input_bytes: token embeddings (llama.cpp keeps them in host memory).
    output_bytes: output head and final norm; when embeddings are tied and the file has no
    separate output tensor this is 0 and runtimes reuse the input embeddings.
    layer_bytes: every tensor of block i, routed experts included.
    layer_expert_bytes: the routed-expert part of layer_bytes (0 for dense blocks).
    other_bytes: everything else (vision tower, multi-token-prediction heads, ...).
    unread_bytes: the part of the above that is held in memory but not read by a decode step
    without speculation: multi-token-prediction layers and vision or audio towers.
    """

    quant: str
    source: str
    exact: bool
    input_bytes: int
    output_bytes: int
    layer_bytes: tuple[int, ...]
    layer_expert_bytes: tuple[int, ...]
    other_bytes: int = 0
    unread_bytes: int = 0
    # Worked out once from the fields above (__post_init__), read by every placement and speed
    # record: plain attributes, which CPython reads faster than a cached_property (a
    # descriptor on the class keeps each read off its fast path).
    total_bytes: int = field(init=False, repr=False, compare=False)
    expert_bytes: int = field(init=False, repr=False, compare=False)
    # layer_sums[i]: the bytes of blocks [0, i), so that a placement sizes any run of blocks by
    # one subtraction. Kept on the inventory: a lookup keyed by the tuple of layer sizes hashed
    # (and, from another inventory, compared) every one of them.
    layer_sums: tuple[int, ...] = field(init=False, repr=False, compare=False)
    expert_sums: tuple[int, ...] = field(init=False, repr=False, compare=False)  # the same

    def __post_init__(self) -> None:
        total = self.input_bytes + self.output_bytes + sum(self.layer_bytes) + self.other_bytes
        object.__setattr__(self, "total_bytes", total)
        object.__setattr__(self, "expert_bytes", sum(self.layer_expert_bytes))
        object.__setattr__(self, "layer_sums", tuple(accumulate(self.layer_bytes, initial=0)))
        expert_sums = tuple(accumulate(self.layer_expert_bytes, initial=0))
        object.__setattr__(self, "expert_sums", expert_sums)


@dataclass(frozen=True, eq=False)  # identity hash: specs key per-model caches
class ModelSpec:
    """A model's architecture as memory and speed need it: sizes, and each layer."""

    name: str
    architecture: str
    hidden_size: int
    n_heads: int
    vocab_size: int
    max_context: int
    layers: tuple[LayerSpec, ...]
    params_total: int
    params_active: int
    intermediate_size: int | None = None
    params_input: int = 0  # embedding tables (token, and per-layer ones within it)
    # Gemma 3n / 4 E-series per-layer embeddings (part of params_input): each token looks up
    # one row per layer; they are never multiplied or streamed.
    params_per_layer_input: int = 0
    params_output: int = 0  # output head and final norm; 0 when tied to the embeddings
    tied_embeddings: bool = False
    sliding_window: int | None = None
    n_experts: int = 0
    n_experts_used: int = 0
    mla: MLASpec | None = None
    # Delta-rule layers (gated delta nets, Kimi delta attention): the elements of each such
    # layer's state matrices, value heads x key dim x value dim (0 for other models). Their
    # recurrence updates all of it once per token.
    delta_rule_state_elements: int = 0
    # Mamba / Mamba-2 mixers (Nemotron-H, Falcon-H1, Granite 4): the elements of each mixer's
    # scan state, d_state x d_inner, which GGML_OP_SSM_SCAN reads and rewrites per token (0
    # for other models); the layers with a recurrent state are the mixers.
    ssm_scan_state_elements: int = 0
    causal: bool = True
    # Parameters of a vision (or audio) tower and its projector that the text architecture
    # does not describe: a multimodal checkpoint holds them beside the language model, and the
    # runtimes that load the checkpoint whole (vLLM, transformers) keep them in memory
    # (memory.frameworks.tower_bytes); 0 where unknown or absent.
    params_tower: int = 0
    id: str | None = None
    weights: WeightInventory | None = None
    # Where each fact came from, e.g. {"architecture": "config.json", "weights": "GGUF header"}.
    provenance: dict[str, str] = field(default_factory=dict)
    # Set once from the fields above (__post_init__), read a dozen times per answer: plain
    # attributes, which CPython reads faster than cached_property's (a descriptor on the class
    # keeps each read off the fast path; it also writes through __dict__, which keeps every
    # attribute of the spec off it).
    n_layers: int = field(init=False, repr=False)
    is_moe: bool = field(init=False, repr=False)
    # Share of the input embedding bytes that is the token table (the tied output head).
    token_embedding_share: float = field(init=False, repr=False)
    routed_expert_params: int = field(init=False, repr=False)  # of every expert of every layer
    # Σ over attention layers of heads × head_dim: attention FLOPs per token per depth / 4.
    attention_width: int = field(init=False, repr=False)
    layers_by_kind: dict[str, int] = field(init=False, repr=False)
    # Parameters a token multiplies: the active ones less the embedding tables it only looks
    # up, plus the output head when it is the tied token table.
    params_matmul_active: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Equal layers become one object (the first of them), so per-layer work (sizing, KV) is
        # keyed and done once per distinct layer by identity. Equal as the dataclass compares
        # them (the class, then the tuple of compared fields), with the tuples read and hashed
        # in C, not by LayerSpec's generated __eq__ and __hash__, a Python call per layer each.
        given = self.layers
        keys = list(zip(map(type, given), map(_LAYER_FIELDS, given), strict=True))
        first = dict(zip(reversed(keys), reversed(given), strict=True))  # the first one wins
        layers = tuple(map(first.__getitem__, keys))
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "n_layers", len(layers))
        object.__setattr__(self, "is_moe", self.n_experts > 1)
        params_input = self.params_input
        share = (params_input - self.params_per_layer_input) / params_input if params_input else 1.0
        object.__setattr__(self, "token_embedding_share", share)
        routed = sum(layer.params_experts for layer in layers if layer.moe)
        object.__setattr__(self, "routed_expert_params", routed)
        width = sum(self.n_heads * layer.head_dim_k for layer in layers if layer.n_kv_heads)
        object.__setattr__(self, "attention_width", width)
        kinds: dict[str, int] = {}
        for layer in layers:
            kinds[layer.kind] = kinds.get(layer.kind, 0) + 1
        object.__setattr__(self, "layers_by_kind", kinds)
        head = self.vocab_size * self.hidden_size if self.tied_embeddings else 0
        object.__setattr__(
            self, "params_matmul_active", max(self.params_active - self.params_input + head, 1)
        )


@lru_cache(maxsize=1024)
def attending_spec(spec: ModelSpec) -> ModelSpec:
    """The model as its attention reads caches: each layer that reads another layer's cache
    (kv_source) takes that layer's kind, KV heads and head sizes, so that attention FLOPs and
    the KV bytes a token reads count it (it scores and mixes the whole shared cache, prefill
    and decode alike); its weights and experts stay its own. The spec itself where no layer
    shares, and never used to size memory: a shared layer stores no cache of its own."""
    layers = spec.layers
    if all(layer.kv_source < 0 for layer in layers):
        return spec
    n = len(layers)
    out = []
    for layer in layers:
        j = layer.kv_source
        if 0 <= j < n and layers[j].kv_source < 0 and layers[j].kind != "none":
            src = layers[j]
            layer = replace(
                layer,
                kind=src.kind,
                n_kv_heads=src.n_kv_heads,
                head_dim_k=src.head_dim_k,
                head_dim_v=src.head_dim_v,
                compress_ratio=src.compress_ratio,
                index_head_dim=src.index_head_dim,
                index_heads=src.index_heads,
                index_topk=src.index_topk,
                kv_source=-1,
            )
        elif j >= 0:
            layer = replace(layer, kv_source=-1)
        out.append(layer)
    return replace(spec, layers=tuple(out))
