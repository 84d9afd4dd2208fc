"""llama.cpp's GGUF mixes as rules: the type of each tensor from its role and layer.

Each rule follows ``llama_tensor_get_type`` (src/llama-quant.cpp): norms in F32, the output
head raised to Q6_K and, for the _M types, attn_v and ffn_down given more bits on the
"use_more_bits" layers (the first and last eighth, and every third between); Unsloth's and
ik_llama.cpp's published mixes on top of them.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from .quant import ALL_GGML_TYPES, IK_GGML_TYPES

# "experts_down" is the routed experts' down projection: llama.cpp's rules match it as ffn_down
# (its tensor is ffn_down_exps), and the MoE recipes as experts.
Role = str  # "attn_v" | "attn" | "ffn_down" | "ffn" | "experts" | "experts_down" | "other" | ...


def _use_more_bits(i: int, n: int) -> bool:
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


# A rule gives the type of a tensor from its role, its layer, the layer count and whether the
# model routes experts (the only fact of the model any mix looks at).
Rule = Callable[[Role, int, int, bool], str]


# What a rule's types depend on besides the role, the layer count and the MoE flag: for the
# rules listed, a function of (layer, layer count) whose value alone sets every role's type in
# that layer (None: the same types in every layer). _layer_types then asks the rule once per
# value instead of once per role and layer (a new model's first sizing at a new quantization
# asked ~60 rule calls per layer; tests/core/test_fast_paths.py holds the two to each other for
# every scheme). Rules not listed are asked per layer.
LayerClass = Callable[[int, int], object]
_LAYER_CLASS: dict[Rule, LayerClass | None] = {}


def _simple(base: str, output: str = "Q6_K", embed: str | None = None) -> Rule:
    def rule(role: Role, i: int, n: int, moe: bool) -> str:
        if role == "other":
            return "F32"
        if role == "output":
            return output
        if role == "input":
            return embed or base
        return base

    _LAYER_CLASS[rule] = None  # no layer looked at
    return rule


def _k_mixed(base: str, v_more: str, down_more: str, **extra: str) -> Rule:
    def rule(role: Role, i: int, n: int, moe: bool) -> str:
        if role == "other":
            return "F32"
        if role == "output":
            return "Q6_K"
        if role == "attn_v" and _use_more_bits(i, n):
            return v_more
        if role in ("ffn_down", "experts_down") and _use_more_bits(i, n):
            return down_more
        return extra.get("ffn_down" if role == "experts_down" else role, base)

    _LAYER_CLASS[rule] = _use_more_bits  # the layer's only test
    return rule


def _q3_k_m(role: Role, i: int, n: int, moe: bool) -> str:
    if role == "other":
        return "F32"
    if role == "output":
        return "Q6_K"
    if role == "attn_v":
        return "Q5_K" if i < 2 else "Q4_K"
    if role in ("ffn_down", "experts_down"):
        return "Q5_K" if i < n // 16 else ("Q4_K" if _use_more_bits(i, n) else "Q3_K")
    return "Q3_K"


def _q3_k_m_class(i: int, n: int) -> object:
    """The tests _q3_k_m makes of a layer."""
    return i < 2, i < n // 16, _use_more_bits(i, n)


_LAYER_CLASS[_q3_k_m] = _q3_k_m_class


def _q2_k(role: Role, i: int, n: int, moe: bool) -> str:
    if role == "other":
        return "F32"
    if role == "output":
        return "Q6_K"
    if role in ("attn_v", "ffn_down", "experts_down"):
        return "Q3_K"
    return "Q2_K"


def _mxfp4_moe(role: Role, i: int, n: int, moe: bool) -> str:
    if role == "other":
        return "F32"
    return "MXFP4" if role in ("experts", "experts_down") else "Q8_0"


_LAYER_CLASS[_q2_k] = _LAYER_CLASS[_mxfp4_moe] = None  # no layer looked at


GGUF_SCHEMES: dict[str, Rule] = {
    "F32": _simple("F32", "F32"),
    "F16": _simple("F16", "F16"),
    "BF16": _simple("BF16", "BF16"),
    "Q8_0": _simple("Q8_0", "Q8_0"),
    "Q6_K": _simple("Q6_K"),
    "Q5_K_M": _k_mixed("Q5_K", "Q6_K", "Q6_K"),
    "Q5_K_S": _simple("Q5_K"),
    "Q5_1": _simple("Q5_1"),
    "Q5_0": _simple("Q5_0"),
    "Q4_K_M": _k_mixed("Q4_K", "Q6_K", "Q6_K"),
    "Q4_K_S": _k_mixed("Q4_K", "Q4_K", "Q5_K"),
    "Q4_1": _simple("Q4_1"),
    "Q4_0": _simple("Q4_0"),
    "IQ4_XS": _simple("IQ4_XS"),
    "IQ4_NL": _simple("IQ4_NL"),
    "IQ3_S": _k_mixed("IQ3_S", "Q4_K", "Q4_K"),
    "IQ2_S": _k_mixed("IQ2_S", "Q4_K", "Q3_K"),
    "IQ2_XS": _k_mixed("IQ2_XS", "Q4_K", "Q3_K"),
    "Q3_K_L": _k_mixed("Q3_K", "Q5_K", "Q5_K", attn_v="Q5_K", ffn_down="Q5_K"),
    "Q3_K_M": _q3_k_m,
    "Q3_K_S": _simple("Q3_K"),
    "IQ3_M": _k_mixed("IQ3_S", "Q4_K", "Q4_K"),
    "IQ3_XXS": _k_mixed("IQ3_XXS", "Q4_K", "Q4_K"),
    "Q2_K": _q2_k,
    "IQ2_M": _k_mixed("IQ2_S", "Q4_K", "Q3_K"),
    "IQ2_XXS": _k_mixed("IQ2_XXS", "Q4_K", "Q3_K"),
    "IQ1_M": _k_mixed("IQ1_M", "Q4_K", "Q2_K"),
    "IQ1_S": _k_mixed("IQ1_S", "Q4_K", "Q2_K"),
    "MXFP4_MOE": _mxfp4_moe,
}
# Files named "MXFP4" (gpt-oss) are the MXFP4_MOE mix.
GGUF_ALIASES = {
    "MXFP4": "MXFP4_MOE",
    "MXFP4_MOE_Q8": "MXFP4_MOE",
    "Q8_MXFP4": "MXFP4_MOE",
    "FP16": "F16",
    "FP32": "F32",
    "Q4_K": "Q4_K_M",
    "Q5_K": "Q5_K_M",
}


def _bits(type_name: str) -> Fraction:
    return ALL_GGML_TYPES[type_name].bits_per_weight


def _at_least(type_name: str, floor: str) -> str:
    return type_name if _bits(type_name) >= _bits(floor) else floor


# One step up in precision: the next of these by bits per weight.
_LADDER = ("IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_S", "IQ3_XXS", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_0")


def _step_up(type_name: str) -> str:
    bits = _bits(type_name)
    for t in _LADDER:
        if _bits(t) > bits:
            return t
    return "BF16" if bits < 16 else type_name


def _unsloth(base: Rule, xl: bool) -> Rule:
    """Unsloth's dynamic ("UD-") mixes. Unsloth picks the type of each tensor per model, so no
    table fits every file; what they document is the shape (unsloth.ai/blog/deepseekr1-dynamic,
    the Dynamic 2.0 docs): the _XL files raise the attention tensors a step above llama.cpp's
    mix, and in a MoE only the routed experts take the file's low-bit type while what every
    token reads (attention, the dense and shared-expert FFNs) stays at 8 bits or more ("not all
    layers can be 1bit - important ones are in 8bit or 16bit", Unsloth on their dynamic
    quants). Measured decode agrees: on one GPU, UD-Q4_K_XL MoE files run only 1.1-1.2x as
    fast as their UD-Q8_K_XL files (bench/data/measured-extra.csv, Strix Halo logs), which
    4-bit attention and shared experts would make 1.6-1.7x. A published file size, when the
    catalog has one, replaces this estimate."""

    def rule(role: Role, i: int, n: int, moe: bool) -> str:
        t = base(role, i, n, moe)
        if role in ("experts", "experts_down", "other", "output"):
            return t
        if xl and role in ("attn", "attn_v"):
            t = _step_up(t)
        if moe:
            t = _at_least(t, "Q8_0")
        return t

    if base in _LAYER_CLASS:  # the layer is looked at only by the base mix
        _LAYER_CLASS[rule] = _LAYER_CLASS[base]
    return rule


def _ik(base: str) -> Rule:
    """ik_llama.cpp quants as they are published (ubergarm's and others' recipes on their
    model cards): in a MoE the routed experts take the named type and everything else
    (attention, shared experts, dense layers, embeddings, head) Q8_0; a dense model takes
    the named type with llama.cpp's attn_v/ffn_down "more bits" layers a step higher."""

    def rule(role: Role, i: int, n: int, moe: bool) -> str:
        if role == "other":
            return "F32"
        if moe:
            return base if role in ("experts", "experts_down") else "Q8_0"
        if role == "output":
            return "Q6_K"
        if role in ("attn_v", "ffn_down") and _use_more_bits(i, n):
            return _step_up(base)
        return base

    _LAYER_CLASS[rule] = _use_more_bits  # the layer's only test
    return rule


# UD-<mix>: every llama.cpp mix Unsloth ships in dynamic form, plus their _XL sizes, each on
# the llama.cpp mix it extends (Q3_K_XL on Q3_K_M, Q4_K_XL on Q4_K_M, Q8_K_XL on Q8_0).
_UD_BASES = {
    q: GGUF_SCHEMES[q] for q in GGUF_SCHEMES if q not in ("F32", "F16", "BF16", "MXFP4_MOE")
}
_UD_XL = {
    "Q2_K_XL": "Q2_K",
    "Q3_K_XL": "Q3_K_M",
    "Q4_K_XL": "Q4_K_M",
    "Q5_K_XL": "Q5_K_M",
    "Q6_K_XL": "Q6_K",
    "Q8_K_XL": "Q8_0",
}
GGUF_SCHEMES.update({f"UD-{q}": _unsloth(rule, xl=False) for q, rule in _UD_BASES.items()})
GGUF_SCHEMES.update({f"UD-{q}": _unsloth(GGUF_SCHEMES[b], xl=True) for q, b in _UD_XL.items()})
# ik_llama.cpp: one scheme per weight type it adds (the _R4/_R8 repacks are the same bytes).
GGUF_SCHEMES.update({t: _ik(t) for t in IK_GGML_TYPES if not t.startswith("Q8_")})
# Unsloth is the only publisher of _XL files; without the prefix they are the same files.
GGUF_ALIASES.update({q: f"UD-{q}" for q in _UD_XL})
