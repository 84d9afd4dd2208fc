"""Quantization names as people write them, and the bits each one stores."""

from __future__ import annotations

from fractions import Fraction

import pytest

from runlocal.errors import InputError
from runlocal.hfconfig import spec_from_config
from runlocal.quant import ALL_GGML_TYPES, GGML_TYPES_BY_ID, IK_GGML_TYPES
from runlocal.weights import (
    DENSE_SCHEMES,
    GGUF_SCHEMES,
    estimate_inventory,
    normalize_quant,
    quant_family,
)

from .factories import LLAMA_3_1_8B, MIXTRAL_8X7B


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("UD-Q4_K_XL", "UD-Q4_K_XL"),
        ("ud-q4_k_xl", "UD-Q4_K_XL"),
        ("UD_Q4_K_XL", "UD-Q4_K_XL"),
        ("Q4_K_XL", "UD-Q4_K_XL"),
        ("q2-k-xl", "UD-Q2_K_XL"),
        ("UD-Q3_K_S", "UD-Q3_K_S"),
        ("UD-IQ1_S", "UD-IQ1_S"),
        ("ud-iq2_xxs", "UD-IQ2_XXS"),
        ("UD-Q8_K_XL", "UD-Q8_K_XL"),
        ("Q4-K-M", "Q4_K_M"),
        ("IQ3_K_R4", "IQ3_K_R4"),
        ("iq4_ks", "IQ4_KS"),
        ("IQ2_KL", "IQ2_KL"),
        ("mix-IQ3_K", "IQ3_K"),
        ("MXFP4-Q8", "MLX-MXFP4-Q8"),
        ("mxfp4_moe", "MXFP4_MOE"),
        ("NVFP4", "NVFP4"),
        ("nvfp4", "NVFP4"),
        ("4.0bpw", "EXL3-4BPW"),
        ("EXL3-3.5bpw", "EXL3-3.5BPW"),
        ("exl3 5bpw", "EXL3-5BPW"),
        ("4.0bpw_H8", "EXL3-4BPW-H8"),
        ("EXL2-4bpw", "EXL2-4BPW"),
        ("mlx-6bit", "MLX-6BIT"),
    ],
)
def test_it_accepts_the_spellings_people_use(written: str, canonical: str) -> None:
    assert normalize_quant(written) == canonical


@pytest.mark.parametrize("bad", ["Q4_K_XXL", "UD-", "EXL3-9bpw", "0.5bpw", "4bpw_H7"])
def test_it_rejects_unknown_quantizations(bad: str) -> None:
    with pytest.raises(InputError):
        normalize_quant(bad)


def test_ik_llama_types_have_their_block_sizes() -> None:
    # ik_llama.cpp ggml-common.h: block_iq3_k = d, extra, scales_h, scales_l[8], qs[64], qh[32].
    assert IK_GGML_TYPES["IQ3_K"].bits_per_weight == Fraction(2 + 2 + 2 + 8 + 64 + 32, 32)
    # IQ4_KS: 8 scale bytes and 128 bytes of 4-bit indices per 256 weights (4.25 bits).
    assert IK_GGML_TYPES["IQ4_KS"].bits_per_weight == Fraction(17, 4)
    # The _R4/_R8 repacks interleave rows without changing the bytes of their base type, except
    # IQ1_S_R4/IQ1_M_R4, which keep one scale per row instead of one per block.
    for name, t in IK_GGML_TYPES.items():
        base = name.rsplit("_R", 1)[0] if "_R" in name else None
        if base in ALL_GGML_TYPES and not name.startswith("IQ1_"):
            assert t.bits_per_weight == ALL_GGML_TYPES[base].bits_per_weight, name
    assert GGML_TYPES_BY_ID[338].name == "IQ3_K_R4"


def test_fp4_formats_store_their_scales() -> None:
    # NVFP4: 4-bit E2M1 plus one FP8 scale per 16 weights; MXFP4: an E8M0 scale per 32.
    assert DENSE_SCHEMES["NVFP4"].linear_bits == Fraction(9, 2)
    assert DENSE_SCHEMES["MLX-MXFP4"].linear_bits == Fraction(17, 4)
    assert ALL_GGML_TYPES["NVFP4"].bits_per_weight == Fraction(9, 2)
    assert quant_family("NVFP4") == "hf"
    assert quant_family("MLX-MXFP4-Q8") == "mlx"
    assert quant_family("EXL3-4BPW") == "exl3"


def _bits_per_weight(config: dict[str, object], quant: str) -> float:
    spec = spec_from_config(config, name="t")
    return estimate_inventory(spec, quant).total_bytes * 8 / spec.params_total


def test_unsloth_xl_files_are_bigger_than_the_mix_they_extend() -> None:
    for cfg in (LLAMA_3_1_8B, MIXTRAL_8X7B):
        assert _bits_per_weight(cfg, "UD-Q4_K_XL") > _bits_per_weight(cfg, "Q4_K_M")
        assert _bits_per_weight(cfg, "UD-Q3_K_XL") > _bits_per_weight(cfg, "Q3_K_M")


def test_unsloth_moe_files_keep_everything_but_the_experts_at_eight_bits_or_more() -> None:
    spec = spec_from_config(MIXTRAL_8X7B, name="mixtral")
    ud = estimate_inventory(spec, "UD-IQ1_S")
    plain = estimate_inventory(spec, "IQ1_S")
    # Same experts, bigger everything else.
    assert ud.expert_bytes == plain.expert_bytes
    assert ud.total_bytes > plain.total_bytes
    experts = sum(layer.params_experts for layer in spec.layers)
    non_expert_params = spec.params_total - experts - spec.params_input - spec.params_output
    non_expert_bytes = ud.total_bytes - ud.expert_bytes - ud.input_bytes - ud.output_bytes
    assert non_expert_bytes * 8 / non_expert_params >= 8.5 - 0.01


def test_ik_moe_recipe_puts_the_named_type_on_the_experts() -> None:
    spec = spec_from_config(MIXTRAL_8X7B, name="mixtral")
    inv = estimate_inventory(spec, "IQ3_K_R4")
    experts = sum(layer.params_experts for layer in spec.layers)
    assert inv.expert_bytes * 8 / experts == pytest.approx(3.4375, abs=1e-6)


def test_exl3_sizes_follow_the_bits_per_weight() -> None:
    four = _bits_per_weight(LLAMA_3_1_8B, "EXL3-4BPW")
    three = _bits_per_weight(LLAMA_3_1_8B, "EXL3-3BPW")
    # Embeddings stay FP16 and the head is at 6 bits, so the average sits above the target.
    assert 4.0 < four < 5.5
    assert four - three == pytest.approx(
        (1.0 * (LLAMA_3_1_8B_LINEAR)) / spec_from_config(LLAMA_3_1_8B, name="t").params_total,
        rel=0.01,
    )


LLAMA_3_1_8B_LINEAR = sum(
    layer.params_attn_v + layer.params_attn + layer.params_ffn_down + layer.params_ffn
    for layer in spec_from_config(LLAMA_3_1_8B, name="t").layers
)


def test_every_scheme_names_real_types() -> None:
    spec = spec_from_config(MIXTRAL_8X7B, name="mixtral")
    for quant in GGUF_SCHEMES:
        assert estimate_inventory(spec, quant).total_bytes > 0, quant


def test_rows_that_are_not_whole_k_blocks_fall_back_to_a_32_block_type() -> None:
    # llama.cpp stores a tensor whose rows are not whole 256-element blocks in a 32-block type
    # (Q4_K -> Q5_0, Q6_K -> Q8_0, IQ4_XS -> IQ4_NL): Nemotron 3 Nano's hidden 2688 and expert
    # width 1856 are such.
    from runlocal.spec import LayerSpec, ModelSpec

    from .specs import spec_of_layers

    def one_expert_layer(hidden: int, width: int) -> ModelSpec:
        up, down = hidden * width, width * hidden  # one ungated expert of each kind, 2 experts
        layer = LayerSpec(
            kind="none",
            n_kv_heads=0,
            head_dim_k=64,
            head_dim_v=64,
            moe=True,
            params_experts=2 * (up + down),
            expert_up_rows=hidden,
            expert_down_rows=width,
        )
        return spec_of_layers([layer], hidden, n_experts=2, n_experts_used=1)

    xs, nl = Fraction(136, 256), Fraction(18, 32)  # IQ4_XS and its 32-block fallback IQ4_NL
    for hidden, width, up_bytes, down_bytes in (
        (2560, 1536, xs, xs),  # whole blocks: IQ4_XS throughout
        (2688, 1856, nl, nl),  # neither: IQ4_NL throughout
        (2560, 1856, xs, nl),  # only the down rows fall back
    ):
        spec = one_expert_layer(hidden, width)
        inv = estimate_inventory(spec, "Q4_0")
        assert inv.layer_expert_bytes[0] == 2 * 2 * hidden * width * Fraction(18, 32)
        inv = estimate_inventory(spec, "IQ4_XS")
        expected = 2 * hidden * width * (up_bytes + down_bytes)
        assert inv.layer_expert_bytes[0] == expected


def test_expert_down_projections_take_llama_cpps_ffn_down_upgrade() -> None:
    # llama.cpp matches ffn_down_exps as ffn_down: Q4_K_M stores it in Q6_K on the
    # "more bits" layers (the first and last eighth, every third between), like a dense one.
    spec = spec_from_config(MIXTRAL_8X7B)  # 32 layers, 8 experts of 4096 x 14336
    inv = estimate_inventory(spec, "Q4_K_M")
    down = 8 * 14336 * 4096
    gate_up = 2 * down
    q4k, q6k = Fraction(144, 256), Fraction(210, 256)
    assert inv.layer_expert_bytes[0] == gate_up * q4k + down * q6k  # layer 0: more bits
    assert inv.layer_expert_bytes[4] == (gate_up + down) * q4k  # layer 4: plain Q4_K


def test_normalize_quant_keeps_each_name_and_refuses_again():
    # Kept per name as typed (every answer asks it): the same normal form the first time and
    # after, a refusal raised every time, and the kept names bounded.
    from runlocal import weights

    weights._NORMAL_QUANTS.clear()
    for name in ("q4_k_m", "Q4_K_M", " q8_0 ", "fp8", "exl2 4.5bpw", "UD-Q4_K_XL"):
        first = weights.normalize_quant(name)
        assert weights.normalize_quant(name) == first == weights._normalize_quant(name)
    assert weights.normalize_quant("q4_k_m") == "Q4_K_M"
    assert weights.normalize_quant("exl2 4.5bpw") == "EXL2-4.5BPW"
    for bad in ("Q9_Z", "TQ1_0", "exl2 9bpw"):
        for _ in range(2):
            with pytest.raises(InputError):
                weights.normalize_quant(bad)
        assert bad not in weights._NORMAL_QUANTS
    weights._NORMAL_QUANTS.update({f"n{i}": "Q4_K_M" for i in range(weights.NORMAL_QUANTS_SIZE)})
    weights.normalize_quant("q5_k_m")
    assert len(weights._NORMAL_QUANTS) == 1
    weights._NORMAL_QUANTS.clear()
