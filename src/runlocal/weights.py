"""Weight bytes for a model at a quantization, when no file was read.

GGUF file types are mixes: llama.cpp's ``llama_tensor_get_type`` (src/llama-quant.cpp) keeps
norms in F32, raises the output head to Q6_K and, for the _M types, gives attn_v and ffn_down
more bits on the "use_more_bits" layers (the first and last eighth, and every third between).
The rules (weights_gguf.py) follow that function, the other formats' bits are in
weights_dense.py; a real file's header, or a catalog file size, wins.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

from .errors import InputError, closest_spellings, shown
from .quant import ALL_GGML_TYPES
from .quant_unsized import refuse_unsized
from .spec import LayerSpec, ModelSpec, WeightInventory

# The mixes and formats live in their own modules; their public names are read from here too.
from .weights_dense import (
    _DENSE_ALIASES,
    _EXL2,
    _EXL3,
    DENSE_SCHEMES,
    EXL3_DEFAULT_HEAD_BITS,
    DenseScheme,
    _exl3_scheme,
    _f,
)
from .weights_gguf import _LAYER_CLASS, GGUF_ALIASES, GGUF_SCHEMES, Role, Rule

__all__ = [
    "DENSE_SCHEMES",
    "EXL3_DEFAULT_HEAD_BITS",
    "GGUF_ALIASES",
    "GGUF_SCHEMES",
    "DenseScheme",
    "Role",
    "Rule",
    "active_weight_bytes",
    "estimate_inventory",
    "normalize_quant",
    "quant_family",
    "scale_inventory",
]


_SQUASHED_GGUF = {re.sub("[-_]", "", name): name for name in GGUF_SCHEMES}


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
    if q not in GGUF_SCHEMES:
        # Written without separators ("Q4KM", "IQ4XS"): the name reader accepts these inside
        # a model name, so --quant, the API and the page accept them too. No two llama.cpp
        # types share a squashed spelling (test_quant_refusal checks).
        q = _SQUASHED_GGUF.get(q.replace("_", ""), q)
    if ud and not q.startswith("UD-"):
        q = f"UD-{q}"
    return q if q in GGUF_SCHEMES else None


_NORMAL_QUANTS: dict[str, str] = {}
NORMAL_QUANTS_SIZE = 4096


def normalize_quant(quant: str) -> str:
    """The quantization's normal name (Q4_K_M, FP8, EXL2-4BPW...); InputError for a name it
    is not. Kept per name as typed: every answer asks it (check_inputs.pick_quant), a page's
    tables some 40 times, and a name's normal form never changes (an error is raised again)."""
    found = _NORMAL_QUANTS.get(quant)
    if found is not None:
        return found
    normal = _normalize_quant(quant)
    if len(_NORMAL_QUANTS) >= NORMAL_QUANTS_SIZE:
        _NORMAL_QUANTS.clear()
    _NORMAL_QUANTS[quant] = normal
    return normal


def _normalize_quant(quant: str) -> str:
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
    raise InputError(unknown_quant_message(quant))


# Where every name --quant, the API's quant and the page's field accept is listed (generated
# by cli_parser.reference_markdown from QUANT_NAMES, so it cannot drift).
QUANT_NAMES_AT = 'docs/cli.md, "Quantization names"'


def quant_names() -> list[str]:
    """Every quantization name accepted, canonical spellings first, then the aliases."""
    names = [*GGUF_SCHEMES, *DENSE_SCHEMES, "EXL2-<bpw>", "EXL3-<bpw>"]
    return names + [a for a in [*GGUF_ALIASES, *_DENSE_ALIASES] if a not in names]


def unknown_quant_message(quant: str) -> str:
    """One line: the closest few names and where the rest are (the whole list was ~150 names
    on one line)."""
    near = closest_spellings(quant, quant_names())
    hint = f"; closest: {', '.join(near)}" if near else ""
    return f"unknown quantization {shown(quant)}{hint}; every name: {QUANT_NAMES_AT}"


def quant_family(quant: str) -> str:
    if quant in GGUF_SCHEMES:
        return "gguf"
    if quant.startswith("EXL2-"):
        return "exl2"
    if quant.startswith("EXL3-"):
        return "exl3"
    return DENSE_SCHEMES[quant].family


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
    end_bits = scheme.end_blocks_mlp_bits
    if end_bits is not None and len(spec.layers) > 1:
        # The first and the last block keep their MLP (routed experts too) at end_bits.
        end_ffn = scheme.linear_bits if spec.is_moe else end_bits
        for i in (0, len(spec.layers) - 1):
            layer = spec.layers[i]
            expert_bytes[i] = nbytes(layer.params_experts, end_bits)
            layer_bytes[i] = (
                nbytes(layer.params_attn_v + layer.params_attn, scheme.linear_bits)
                + nbytes(layer.params_ffn_down + layer.params_ffn, end_ffn)
                + expert_bytes[i]
                + nbytes(layer.params_other, _f(16))
            )
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
