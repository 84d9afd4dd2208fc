"""What a decoded token's forward pass holds in transformers beside the weights and the KV
cache: one attention layer's cache update, and where the release expands grouped-query K
and V to every query head (repeat_kv), that copy."""

from __future__ import annotations

from ..runtimes import Runtime
from ..spec import ModelSpec
from .kv import caches_mla_latent, windows_swa

# Releases before which transformers' attention materialises repeat_kv
# (hidden_states[:, :, None].expand(...).reshape(...), a contiguous copy of K and V at
# n_heads heads) before its kernel:
# - FlashAttention-2: the Mistral-derived classes (Mistral, Mixtral, Qwen2; modeling_qwen2.py
#   Qwen2FlashAttention2.forward in 4.46) until the attention refactor of 4.48 (PR #35235:
#   integrations/flash_attention.py hands the grouped heads to flash-attn); the
#   Llama-derived classes never did, which a release number does not tell apart.
# - SDPA: integrations/sdpa_attention.py called it unconditionally up to 4.53; from 4.54
#   (PR #39412) use_gqa_in_sdpa passes enable_gqa instead where PyTorch is 2.5+ and no
#   attention mask is passed, so a sliding-window layer whose cache has reached its window
#   (masking_utils builds it a mask) still expands.
# speed.decode prices the same copy's passes over the cache with these cut-offs.
TRANSFORMERS_FA2_REPEAT_KV_BEFORE = (4, 48)
TRANSFORMERS_SDPA_REPEAT_KV_BEFORE = (4, 54)
# K and V are held in the model's dtype (bf16/fp16) by DynamicCache and its copies.
CACHE_ELEMENT_BYTES = 2


def _release(version: str | None) -> tuple[int, ...] | None:
    """The leading numbers of a release ("4.51.3" -> (4, 51, 3)); None for the current."""
    if not version:
        return None
    parts: list[int] = []
    for part in version.lstrip("vb").split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts) or None


def transformers_repeats_kv(runtime: Runtime, masked: bool = False) -> bool:
    """Whether ``runtime``'s attention expands grouped-query K and V to every query head
    (TRANSFORMERS_FA2_REPEAT_KV_BEFORE / TRANSFORMERS_SDPA_REPEAT_KV_BEFORE): FlashAttention-2
    where Runtime.flash_attn, else SDPA, which from 4.54 still expands a ``masked`` layer."""
    at = _release(runtime.version)
    if runtime.flash_attn:
        return at is not None and at < TRANSFORMERS_FA2_REPEAT_KV_BEFORE
    return masked or (at is not None and at < TRANSFORMERS_SDPA_REPEAT_KV_BEFORE)


def transformers_decode_bytes(
    spec: ModelSpec, runtime: Runtime, context: int, sequences: int = 1
) -> int:
    """Bytes a decoded token's forward pass allocates beside the weights and the KV cache of
    ``context`` tokens at its peak: the larger, over the attention layers, of two moments of
    one layer, for T the tokens the layer caches (its window where the runtime slides it):

    - the cache update: DynamicCache.update appends the token with torch.cat (cache_utils.py,
      DynamicLayer.update from 4.54), so the layer's old K and the new, one token longer,
      are both allocated until the old is released, then V: max(K, V) of the layer, T × KV
      heads × head width × 2 B (MLA's latent where the runtime caches it);
    - repeat_kv (transformers_repeats_kv), where a query head shares its KV head: the
      expanded K and V, T × query heads × (K + V head widths) × 2 B, alive together while
      the kernel runs.

    Beside them a token's hidden states and logits are a few MB. 0 for a model without
    attention layers."""
    windowed = windows_swa(spec, runtime)
    window = spec.sliding_window or context
    latent = spec.mla.latent_elements if caches_mla_latent(spec, runtime) and spec.mla else 0
    peak = 0
    # Each distinct layer object once (equal layers are one object once a spec is built).
    for layer in dict(zip(map(id, spec.layers), spec.layers, strict=True)).values():
        if layer.kind not in ("full", "swa") or not layer.n_kv_heads:
            continue
        slides = layer.kind == "swa" and windowed
        tokens = min(context, window) if slides else context
        if latent:
            update = latent * tokens
        else:
            update = layer.n_kv_heads * max(layer.head_dim_k, layer.head_dim_v) * tokens
        moment = update
        grouped = spec.n_heads > layer.n_kv_heads and not latent
        masked = layer.kind == "swa" and bool(spec.sliding_window) and context >= window
        if grouped and transformers_repeats_kv(runtime, masked):
            widths = layer.head_dim_k + layer.head_dim_v
            repeated = spec.n_heads * widths * tokens
            moment = repeated if repeated > update else update
        peak = moment if moment > peak else peak
    return peak * CACHE_ELEMENT_BYTES * sequences
