"""Weight bytes for a model at a quantization, when no file was read.

GGUF file types are mixes: llama.cpp's ``llama_tensor_get_type`` (src/llama-quant.cpp) keeps
norms in F32, raises the output head to Q6_K and, for the _M types, gives attn_v and ffn_down
more bits on the "use_more_bits" layers (the first and last eighth, and every third between).
The rules below follow that function; a real file's header, or a catalog file size, wins.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from .errors import InputError
from .quant import ALL_GGML_TYPES, IK_GGML_TYPES
from .quant_unsized import refuse_unsized
from .spec import LayerSpec, ModelSpec, WeightInventory

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


@dataclass(frozen=True)
class DenseScheme:
    """A non-GGUF format: bits per weight of the linear layers, and how embeddings are kept."""

    label: str
    linear_bits: Fraction
    embed_bits: Fraction
    head_bits: Fraction
    family: str  # "hf" (safetensors for vLLM/transformers), "mlx", "exl2", "exl3"
    note: str
    # Mixed files (MLX "MXFP4-Q8"): the MLP weights (routed experts in a MoE, the FFN of a
    # dense model) at these bits, the rest of the linear layers at linear_bits.
    mlp_bits: Fraction | None = None


def _f(x: float | int | str) -> Fraction:
    return Fraction(str(x))


def _mlx_affine(bits: int) -> DenseScheme:
    """MLX's affine quantization at ``bits``: a bf16 scale and bias per 64 weights, embeddings
    and head included."""
    per_weight = bits + Fraction(32, 64)
    return DenseScheme(f"MLX-{bits}BIT", per_weight, per_weight, per_weight, "mlx", "group 64")


# GPTQ/AWQ 4-bit, group 128: 4 bits + an f16 scale and a packed 4-bit zero per 128 weights.
# MLX affine, group 64: a scale and a bias in bf16 per 64 weights (mlx.core.quantize docs).
# MLX's microscaling modes (mlx.core.quantize, mode="mxfp4"/"nvfp4"): FP4 E2M1 with an E8M0
# scale per 32 (4.25 bits) or an FP8 E4M3 scale per 16 (4.5 bits). NVIDIA NVFP4 checkpoints
# (ModelOpt, compressed-tensors): FP4 E2M1, an FP8 E4M3 scale per 16 weights and one FP32 scale
# per tensor (negligible), 4.5 bits; lm_head and embeddings stay BF16 in ModelOpt exports.
# bitsandbytes NF4: 4 bits + an fp32 absmax per 64 weights, itself quantized to 8 bits with
# double quantization (QLoRA paper, §2): 4 + 8/64 + 32/(64·256) bits.
DENSE_SCHEMES: dict[str, DenseScheme] = {
    s.label: s
    for s in (
        DenseScheme("BF16", _f(16), _f(16), _f(16), "hf", "unquantized"),
        DenseScheme("FP16", _f(16), _f(16), _f(16), "hf", "unquantized"),
        DenseScheme("FP8", _f(8), _f(16), _f(16), "hf", "8-bit float weights, per-tensor scales"),
        DenseScheme("GPTQ-4BIT", 4 + Fraction(16 + 4, 128), _f(16), _f(16), "hf", "group 128"),
        DenseScheme("GPTQ-8BIT", 8 + Fraction(16 + 8, 128), _f(16), _f(16), "hf", "group 128"),
        DenseScheme("AWQ-4BIT", 4 + Fraction(16 + 4, 128), _f(16), _f(16), "hf", "group 128"),
        DenseScheme(
            "NF4",
            4 + Fraction(8, 64) + Fraction(32, 64 * 256),
            _f(16),
            _f(16),
            "hf",
            "bitsandbytes 4-bit NormalFloat, double quantization",
        ),
        DenseScheme("INT8", 8 + Fraction(32, 4096), _f(16), _f(16), "hf", "bitsandbytes LLM.int8"),
        _mlx_affine(4),
        _mlx_affine(8),
        DenseScheme("MLX-BF16", _f(16), _f(16), _f(16), "mlx", "unquantized"),
        *(_mlx_affine(b) for b in (2, 3, 5, 6)),
        DenseScheme(
            "MLX-MXFP4",
            4 + Fraction(8, 32),
            4 + Fraction(8, 32),
            4 + Fraction(8, 32),
            "mlx",
            "MXFP4: FP4 E2M1, E8M0 scale per 32",
        ),
        DenseScheme(
            "MLX-MXFP4-Q8",
            8 + Fraction(32, 64),
            8 + Fraction(32, 64),
            8 + Fraction(32, 64),
            "mlx",
            "MXFP4 MLP/experts, 8-bit affine (group 64) attention, embeddings and head",
            mlp_bits=4 + Fraction(8, 32),
        ),
        DenseScheme(
            "MLX-NVFP4",
            4 + Fraction(8, 16),
            4 + Fraction(8, 16),
            4 + Fraction(8, 16),
            "mlx",
            "NVFP4: FP4 E2M1, FP8 E4M3 scale per 16",
        ),
        DenseScheme(
            "NVFP4",
            4 + Fraction(8, 16),
            _f(16),
            _f(16),
            "hf",
            "FP4 E2M1, FP8 E4M3 scale per 16, FP32 per tensor; embeddings and head BF16",
        ),
    )
}
_DENSE_ALIASES = {
    "F16": "FP16",
    "GPTQ": "GPTQ-4BIT",
    "AWQ": "AWQ-4BIT",
    "GPTQ-INT4": "GPTQ-4BIT",
    "AWQ-INT4": "AWQ-4BIT",
    "BNB-NF4": "NF4",
    "BNB-4BIT": "NF4",
    "BNB-INT8": "INT8",
    "BNB-8BIT": "INT8",
    "MLX-4": "MLX-4BIT",
    "MLX-8": "MLX-8BIT",
    "MLX4": "MLX-4BIT",
    "MLX8": "MLX-8BIT",
    "4BIT": "MLX-4BIT",
    "8BIT": "MLX-8BIT",
    "FP8-E4M3": "FP8",
    "FP8-DYNAMIC": "FP8",
    "FP8-BLOCK": "FP8",
    "MLX-2": "MLX-2BIT",
    "MLX-3": "MLX-3BIT",
    "MLX-5": "MLX-5BIT",
    "MLX-6": "MLX-6BIT",
    "2BIT": "MLX-2BIT",
    "3BIT": "MLX-3BIT",
    "5BIT": "MLX-5BIT",
    "6BIT": "MLX-6BIT",
    "MXFP4-Q8": "MLX-MXFP4-Q8",
    "MLX-MXFP4-Q8": "MLX-MXFP4-Q8",
    "NVFP4-MLX": "MLX-NVFP4",
    "MXFP4-MLX": "MLX-MXFP4",
    "MODELOPT-FP4": "NVFP4",
    "NVFP4A16": "NVFP4",
    "FP4": "NVFP4",
}
# As text, as the EXL3 pattern: compiled when an ExLlama name is first read.
_EXL2 = r"^EXL2[-_: ]?(\d+(?:\.\d+)?)(?:BPW)?$"
# EXL3 names: "EXL3-4.0bpw", "exl3 4bpw", "4.0bpw-exl3", and the branch names of EXL3 repos,
# "4.0bpw" or "4.0bpw_H6" (H = head bits). A bare "<n>bpw" is EXL3, today's ExLlama format.
_EXL3 = (
    r"^(?:EXL3[-_: ]?(?P<a>\d+(?:\.\d+)?)(?:BPW)?"
    r"|(?P<b>\d+(?:\.\d+)?)BPW(?:[-_]EXL3)?)(?:[-_]?H(?P<h>\d))?$"
)
# ExLlamaV3's convert.py: head_bits defaults to 6; embeddings stay FP16.
EXL3_DEFAULT_HEAD_BITS = 6


def _gguf_name(q: str) -> str | None:
    """A GGUF quant name however it is written: "ud-q4_k_xl", "UD_Q4_K_XL", "Q4-K-XL",
    "Q4_K_XL", "mix-IQ3_K", "IQ3_K_R4"."""
    q = q.replace("-", "_")
    ud = False
    for prefix in ("UD_", "MIX_"):
        if q.startswith(prefix):
            ud = ud or prefix == "UD_"
            q = q[len(prefix) :]
    q = GGUF_ALIASES.get(q, q)
    if ud and not q.startswith("UD-"):
        q = f"UD-{q}"
    return q if q in GGUF_SCHEMES else None


def normalize_quant(quant: str) -> str:
    q = quant.strip().upper().replace(" ", "-")
    refuse_unsized(q)
    if q in GGUF_ALIASES:
        return GGUF_ALIASES[q]
    if q in GGUF_SCHEMES or q in DENSE_SCHEMES:
        return q
    if q in _DENSE_ALIASES:
        return _DENSE_ALIASES[q]
    gguf = _gguf_name(q)
    if gguf is not None:
        return gguf
    m = re.match(_EXL2, q)
    if m:
        bpw = float(m.group(1))
        if not 2.0 <= bpw <= 8.0:
            raise InputError(f"EXL2 bits per weight must be between 2 and 8, got {bpw:g}")
        return f"EXL2-{bpw:g}BPW"
    m = re.match(_EXL3, q)
    if m:
        bpw = float(m.group("a") or m.group("b"))
        if not 1.0 <= bpw <= 8.0:
            raise InputError(f"EXL3 bits per weight must be between 1 and 8, got {bpw:g}")
        head = int(m.group("h") or EXL3_DEFAULT_HEAD_BITS)
        if head not in (6, 8):
            raise InputError(f"EXL3 head bits must be 6 or 8, got {head}")
        suffix = "" if head == EXL3_DEFAULT_HEAD_BITS else f"-H{head}"
        return f"EXL3-{bpw:g}BPW{suffix}"
    known = ", ".join([*GGUF_SCHEMES, *DENSE_SCHEMES, "EXL2-<bpw>", "EXL3-<bpw>"])
    raise InputError(f"unknown quantization {quant!r}; known: {known}")


def quant_family(quant: str) -> str:
    if quant in GGUF_SCHEMES:
        return "gguf"
    if quant.startswith("EXL2-"):
        return "exl2"
    if quant.startswith("EXL3-"):
        return "exl3"
    return DENSE_SCHEMES[quant].family


def _exl3_scheme(quant: str) -> DenseScheme:
    m = re.match(r"^EXL3-([\d.]+)BPW(?:-H(\d))?$", quant)
    if m is None:
        raise InputError(f"not an EXL3 quantization: {quant!r}")
    head = int(m.group(2) or EXL3_DEFAULT_HEAD_BITS)
    # EXL3 (QTIP trellis codes) stores every linear layer at exactly its bits per weight, plus
    # FP16 sign/scale vectors per input and output channel (ExLlamaV3 doc/exl3.md).
    return DenseScheme(quant, Fraction(m.group(1)), _f(16), _f(head), "exl3", "")


# llama_tensor_get_type's fallback for a tensor whose rows are not whole 256-element blocks
# (src/llama-quant.cpp, "convert_incompatible_tensor"): the k-quants and the 256-block i-quants
# become a 32-block type.
_ROW_FALLBACK = {
    "IQ1_S": "IQ4_NL",
    "IQ1_M": "IQ4_NL",
    "IQ2_XXS": "IQ4_NL",
    "IQ2_XS": "IQ4_NL",
    "IQ2_S": "IQ4_NL",
    "IQ3_XXS": "IQ4_NL",
    "IQ3_S": "IQ4_NL",
    "IQ4_XS": "IQ4_NL",
    "Q2_K": "IQ4_NL",
    "Q3_K": "IQ4_NL",
    "TQ1_0": "IQ4_NL",
    "TQ2_0": "IQ4_NL",
    "Q4_K": "Q5_0",
    "Q5_K": "Q5_1",
    "Q6_K": "Q8_0",
}


def _fitting_type(type_name: str, rows: int) -> str:
    """The type llama.cpp stores a tensor in when its rows are ``rows`` elements long."""
    t = ALL_GGML_TYPES[type_name]
    if rows and t.block_size > 32 and rows % t.block_size:
        return _ROW_FALLBACK.get(type_name, type_name)
    return type_name


# Tensor roles of a layer, in the order _layer_types gives their types.
_ROLES = ("attn_v", "attn", "ffn_down", "ffn", "experts_down", "experts", "other")


@functools.lru_cache(maxsize=1024)
def _layer_types(quant: str, n: int, moe: bool) -> tuple[tuple[str, ...], ...]:
    """The type a mix gives each role (in _ROLES order) in each of ``n`` layers; layers given
    the same types share one tuple (_gguf_inventory sizes each layer and tuple once)."""
    rule = GGUF_SCHEMES[quant]
    klass = _LAYER_CLASS.get(rule, _each_layer)
    if klass is None:  # every layer the same
        return (tuple([rule(role, 0, n, moe) for role in _ROLES]),) * n
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    by_class: dict[object, tuple[str, ...]] = {}
    out = []
    for i in range(n):
        c = klass(i, n)
        types = by_class.get(c)
        if types is None:
            types = tuple([rule(role, i, n, moe) for role in _ROLES])
            types = by_class[c] = shared.setdefault(types, types)
        out.append(types)
    return tuple(out)


def _each_layer(i: int, n: int) -> object:
    """The class of a layer for a rule not in _LAYER_CLASS: the layer itself."""
    return i


@functools.lru_cache(maxsize=4096)
def _stored_size(type_name: str, rows: int) -> tuple[int, int]:
    """(bytes per block, weights per block) of a tensor of ``type_name`` with rows of ``rows``."""
    t = ALL_GGML_TYPES[_fitting_type(type_name, rows)]
    return t.type_size, t.block_size


def _tensor_bytes(params: int, type_name: str, rows: int) -> int:
    size, block = _stored_size(type_name, rows)
    return params * size // block


def _gguf_layer_bytes(spec: ModelSpec, layer: LayerSpec, types: tuple[str, ...]) -> tuple[int, int]:
    """(all bytes, routed-expert bytes) of one layer whose roles take ``types``."""
    attn_v, attn, ffn_down, ffn, experts_down, experts, other = types
    hidden = spec.hidden_size
    down = 0  # the experts' down projections, where the layer records their shape
    if layer.expert_down_rows and layer.expert_up_rows and spec.n_experts:
        down = min(
            spec.n_experts * layer.expert_down_rows * layer.expert_up_rows, layer.params_experts
        )
    # An expert's down projection reads the expert width; its gate and up read the input.
    expert_bytes = _tensor_bytes(
        down, experts_down, layer.expert_down_rows or hidden
    ) + _tensor_bytes(layer.params_experts - down, experts, layer.expert_up_rows or hidden)
    total = (
        _tensor_bytes(layer.params_attn_v, attn_v, hidden)
        + _tensor_bytes(layer.params_attn, attn, hidden)
        + _tensor_bytes(layer.params_ffn_down, ffn_down, layer.down_rows or hidden)
        + _tensor_bytes(layer.params_ffn, ffn, hidden)
        + expert_bytes
        + _tensor_bytes(layer.params_other, other, hidden)
    )
    return total, expert_bytes


def _gguf_inventory(spec: ModelSpec, quant: str) -> WeightInventory:
    rule = GGUF_SCHEMES[quant]
    n, moe, hidden = spec.n_layers, spec.is_moe, spec.hidden_size
    types = _layer_types(quant, n, moe)
    # Most layers repeat one shape at one mix: each (layer, types) pair is sized once, keyed
    # by the two objects (equal layers are one object since a spec is built, equal types one
    # tuple: _layer_types), not by hashing the types' names per layer.
    # The keys, the distinct pairs and the per-layer lists are built by C loops (map, zip,
    # dict), so a layer costs no Python code beyond its distinct pair's sizing.
    keys = list(zip(map(id, spec.layers), map(id, types), strict=True))
    totals: dict[tuple[int, int], int] = {}
    experts: dict[tuple[int, int], int] = {}
    pairs = zip(spec.layers, types, strict=True)
    for key, (layer, layer_types) in dict(zip(keys, pairs, strict=True)).items():
        totals[key], experts[key] = _gguf_layer_bytes(spec, layer, layer_types)
    layer_bytes = list(map(totals.__getitem__, keys))
    expert_bytes = list(map(experts.__getitem__, keys))
    # Tied embeddings: llama.cpp stores token_embd once, at the output head's type.
    embed_role = "output" if spec.tied_embeddings else "input"
    output_params = spec.params_output - spec.hidden_size
    return WeightInventory(
        quant=quant,
        source="estimated from the architecture with llama.cpp's quantization mix",
        exact=False,
        input_bytes=_tensor_bytes(spec.params_input, rule(embed_role, 0, n, moe), hidden),
        output_bytes=_tensor_bytes(output_params, rule("output", n, n, moe), hidden)
        + spec.hidden_size * 4,
        layer_bytes=tuple(layer_bytes),
        layer_expert_bytes=tuple(expert_bytes),
    )


def _dense_inventory(spec: ModelSpec, quant: str) -> WeightInventory:
    if quant.startswith("EXL2-"):
        bpw = Fraction(quant[5:-3])
        # ExLlamaV2 quantizes the head at 6 bits by default and keeps embeddings in FP16.
        scheme = DenseScheme(quant, bpw, _f(16), _f(6), "exl2", "")
    elif quant.startswith("EXL3-"):
        scheme = _exl3_scheme(quant)
    else:
        scheme = DENSE_SCHEMES[quant]
    mlp_bits = scheme.mlp_bits or scheme.linear_bits

    def nbytes(params: int, bits: Fraction) -> int:
        # floor(params * bits / 8) in integers: Fraction arithmetic per tensor was most of
        # the cost of a new check.
        return params * bits.numerator // (8 * bits.denominator)

    # A mixed file's MLP bits go to the routed experts of a MoE, to the FFN of a dense model.
    ffn_bits = scheme.linear_bits if spec.is_moe else mlp_bits
    # Each distinct layer object sized once, the per-layer lists built by C loops (see
    # _gguf_inventory).
    ids = list(map(id, spec.layers))
    totals: dict[int, int] = {}
    experts_by_id: dict[int, int] = {}
    for key, layer in dict(zip(ids, spec.layers, strict=True)).items():
        experts = nbytes(layer.params_experts, mlp_bits)
        totals[key] = (
            nbytes(layer.params_attn_v + layer.params_attn, scheme.linear_bits)
            + nbytes(layer.params_ffn_down + layer.params_ffn, ffn_bits)
            + experts
            + nbytes(layer.params_other, _f(16))
        )
        experts_by_id[key] = experts
    layer_bytes = list(map(totals.__getitem__, ids))
    expert_bytes = list(map(experts_by_id.__getitem__, ids))
    output_params = spec.params_output - spec.hidden_size
    return WeightInventory(
        quant=quant,
        source=f"estimated from the architecture at {float(scheme.linear_bits):.3g} bits per weight"
        + (f" ({float(mlp_bits):.3g} for the MLP)" if mlp_bits != scheme.linear_bits else ""),
        exact=False,
        input_bytes=nbytes(spec.params_input, scheme.embed_bits),
        output_bytes=nbytes(output_params, scheme.head_bits) + spec.hidden_size * 2,
        layer_bytes=tuple(layer_bytes),
        layer_expert_bytes=tuple(expert_bytes),
    )


def estimate_inventory(spec: ModelSpec, quant: str) -> WeightInventory:
    """Weights of ``spec`` at ``quant`` (already normalized) from its parameter counts."""
    if not any(layer.params for layer in spec.layers):
        raise InputError(f"{spec.name}: parameter counts unknown; give a model file instead")
    if quant in GGUF_SCHEMES:
        return _gguf_inventory(spec, quant)
    return _dense_inventory(spec, quant)


def scale_inventory(inv: WeightInventory, total_bytes: int, source: str) -> WeightInventory:
    """Keep the per-layer shape of ``inv`` but match a known file size."""
    factor = total_bytes / inv.total_bytes

    def s(x: int) -> int:
        return round(x * factor)

    return WeightInventory(
        quant=inv.quant,
        source=source,
        exact=False,
        input_bytes=s(inv.input_bytes),
        output_bytes=s(inv.output_bytes),
        layer_bytes=tuple(s(x) for x in inv.layer_bytes),
        layer_expert_bytes=tuple(s(x) for x in inv.layer_expert_bytes),
        other_bytes=s(inv.other_bytes),
        unread_bytes=s(inv.unread_bytes),
    )


def active_weight_bytes(spec: ModelSpec, inv: WeightInventory) -> int:
    """Bytes a decode step reads: everything but the routed experts that are not chosen,
    the embedding lookups and what decoding never reads (MTP layers, vision towers)."""
    if not spec.is_moe or not inv.expert_bytes:
        return inv.total_bytes - inv.input_bytes - inv.unread_bytes
    unused = inv.expert_bytes * (spec.n_experts - spec.n_experts_used) / spec.n_experts
    # Token embeddings are a row lookup, not a full read.
    return int(inv.total_bytes - inv.input_bytes - inv.unread_bytes - unused)
