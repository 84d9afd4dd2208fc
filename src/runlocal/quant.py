"""Exact sizes of quantized weights and KV caches.

The GGML block table mirrors ``GGML_QUANT_SIZES`` in llama.cpp's
``gguf-py/gguf/constants.py`` (block size, bytes per block), written as the same
arithmetic. ``tests/core/test_quant.py`` compares it with the ``gguf`` package so the
two cannot drift; the core stays standard-library only so the CLI starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .errors import InputError, shown

QK_K = 256


@dataclass(frozen=True)
class GGMLType:
    """A ggml tensor type: its id, and the bytes of one block of ``block_size`` weights."""

    name: str
    type_id: int
    block_size: int
    type_size: int

    @property
    def bits_per_weight(self) -> Fraction:
        return Fraction(self.type_size * 8, self.block_size)

    def row_bytes(self, n_elements: int) -> int:
        """Bytes of ``n_elements`` stored in this type, as ggml_row_size computes them."""
        if n_elements % self.block_size:
            raise InputError(
                f"{n_elements} elements is not a multiple of {self.name}'s block of "
                f"{self.block_size}"
            )
        return n_elements // self.block_size * self.type_size


def _t(name: str, type_id: int, block_size: int, type_size: int) -> GGMLType:
    return GGMLType(name, type_id, block_size, type_size)


# (name, ggml type id, block size, bytes per block): llama.cpp gguf-py constants.py.
GGML_TYPES: dict[str, GGMLType] = {
    t.name: t
    for t in (
        _t("F32", 0, 1, 4),
        _t("F16", 1, 1, 2),
        _t("Q4_0", 2, 32, 2 + 16),
        _t("Q4_1", 3, 32, 2 + 2 + 16),
        _t("Q5_0", 6, 32, 2 + 4 + 16),
        _t("Q5_1", 7, 32, 2 + 2 + 4 + 16),
        _t("Q8_0", 8, 32, 2 + 32),
        _t("Q8_1", 9, 32, 4 + 4 + 32),
        _t("Q2_K", 10, QK_K, 2 + 2 + QK_K // 16 + QK_K // 4),
        _t("Q3_K", 11, QK_K, 2 + QK_K // 4 + QK_K // 8 + 12),
        _t("Q4_K", 12, QK_K, 2 + 2 + QK_K // 2 + 12),
        _t("Q5_K", 13, QK_K, 2 + 2 + QK_K // 2 + QK_K // 8 + 12),
        _t("Q6_K", 14, QK_K, 2 + QK_K // 2 + QK_K // 4 + QK_K // 16),
        _t("Q8_K", 15, QK_K, 4 + QK_K + QK_K // 8),
        _t("IQ2_XXS", 16, QK_K, 2 + QK_K // 4),
        _t("IQ2_XS", 17, QK_K, 2 + QK_K // 4 + QK_K // 32),
        _t("IQ3_XXS", 18, QK_K, 2 + QK_K // 4 + QK_K // 8),
        _t("IQ1_S", 19, QK_K, 2 + QK_K // 8 + QK_K // 16),
        _t("IQ4_NL", 20, 32, 2 + 16),
        _t("IQ3_S", 21, QK_K, 2 + QK_K // 4 + QK_K // 8 + QK_K // 32 + 4),
        _t("IQ2_S", 22, QK_K, 2 + QK_K // 4 + QK_K // 16),
        _t("IQ4_XS", 23, QK_K, 2 + 2 + QK_K // 2 + QK_K // 64),
        _t("I8", 24, 1, 1),
        _t("I16", 25, 1, 2),
        _t("I32", 26, 1, 4),
        _t("I64", 27, 1, 8),
        _t("F64", 28, 1, 8),
        _t("IQ1_M", 29, QK_K, QK_K // 8 + QK_K // 16 + QK_K // 32),
        _t("BF16", 30, 1, 2),
        _t("TQ1_0", 34, QK_K, 2 + 4 * 13),
        _t("TQ2_0", 35, QK_K, 2 + 64),
        _t("MXFP4", 39, 32, 1 + 16),
        _t("NVFP4", 40, 64, 4 + 32),
        _t("Q1_0", 41, 128, 2 + 16),
    )
}
# ik_llama.cpp's own types (its gguf-py constants.py, GGML_QUANT_SIZES): the non-linear
# IQ*_K / IQ*_KS / trellis IQ*_KT quants, Q6_0, and the row-interleaved _R4/_R8 repacks, which
# store the bytes of their base type. Their ids (133 and up) do not collide with
# mainline's (IQ1_S_R4/IQ1_M_R4 alone differ from their base: one scale per row, not per block).
# Mainline llama.cpp cannot load them; ik_llama.cpp loads both.
IK_GGML_TYPES: dict[str, GGMLType] = {
    t.name: t
    for t in (
        _t("Q6_0", 133, 32, 2 + 16 + 8),
        _t("IQ2_K", 137, QK_K, 76),
        _t("IQ3_K", 138, QK_K, 110),
        _t("IQ4_K", 139, QK_K, 144),
        _t("IQ5_K", 140, QK_K, 176),
        _t("IQ6_K", 141, QK_K, 212),
        _t("IQ4_KS", 144, QK_K, 136),
        _t("IQ2_KS", 145, QK_K, 70),
        _t("IQ4_KSS", 146, QK_K, 128),
        _t("IQ5_KS", 152, QK_K, 168),
        _t("IQ2_KT", 153, QK_K, 68),
        _t("IQ3_KT", 154, QK_K, 100),
        _t("IQ4_KT", 155, QK_K, 128),
        _t("IQ3_KS", 156, QK_K, 102),
        _t("IQ2_KL", 157, QK_K, 86),
        _t("IQ1_KT", 158, QK_K, 56),
        _t("Q4_0_R8", 202, 32, 18),
        _t("Q5_0_R4", 206, 32, 22),
        _t("Q8_0_R8", 208, 32, 34),
        _t("Q2_K_R4", 210, QK_K, 84),
        _t("Q3_K_R4", 211, QK_K, 110),
        _t("Q4_K_R4", 212, QK_K, 144),
        _t("Q5_K_R4", 213, QK_K, 176),
        _t("Q6_K_R4", 214, QK_K, 210),
        _t("IQ2_XXS_R4", 216, QK_K, 66),
        _t("IQ2_XS_R4", 217, QK_K, 74),
        _t("IQ3_XXS_R4", 218, QK_K, 98),
        _t("IQ1_S_R4", 219, 32, 6),
        _t("IQ4_NL_R4", 220, 32, 18),
        _t("IQ3_S_R4", 221, QK_K, 110),
        _t("IQ2_S_R4", 222, QK_K, 82),
        _t("IQ4_XS_R8", 223, QK_K, 136),
        _t("IQ1_M_R4", 229, 32, 7),
        _t("Q6_0_R4", 233, 32, 26),
        _t("IQ2_K_R4", 337, QK_K, 76),
        _t("IQ3_K_R4", 338, QK_K, 110),
        _t("IQ4_K_R4", 339, QK_K, 144),
        _t("IQ5_K_R4", 340, QK_K, 176),
        _t("IQ4_KS_R4", 344, QK_K, 136),
        _t("IQ5_KS_R4", 352, QK_K, 168),
    )
}
# Every type a weight tensor may have, mainline's and ik_llama.cpp's.
ALL_GGML_TYPES: dict[str, GGMLType] = {**GGML_TYPES, **IK_GGML_TYPES}
GGML_TYPES_BY_ID: dict[int, GGMLType] = {t.type_id: t for t in ALL_GGML_TYPES.values()}


def ggml_type(name: str) -> GGMLType:
    try:
        return ALL_GGML_TYPES[name.upper()]
    except KeyError:
        raise InputError(f"unknown GGML type {name!r}") from None


# KV cache element sizes in bytes. Quantized caches use the GGML block sizes, so
# q8_0 is 34/32 bytes per element, not 1 (Ollama's approximation is 6% low).
KV_TYPES: dict[str, Fraction] = {
    "f32": Fraction(4),
    "f16": Fraction(2),
    "bf16": Fraction(2),
    "fp8": Fraction(1),
    "q8_0": GGML_TYPES["Q8_0"].bits_per_weight / 8,
    "q5_1": GGML_TYPES["Q5_1"].bits_per_weight / 8,
    "q5_0": GGML_TYPES["Q5_0"].bits_per_weight / 8,
    "q4_1": GGML_TYPES["Q4_1"].bits_per_weight / 8,
    "q4_0": GGML_TYPES["Q4_0"].bits_per_weight / 8,
    "iq4_nl": GGML_TYPES["IQ4_NL"].bits_per_weight / 8,
}


def kv_bytes_per_element(kv_type: str) -> Fraction:
    try:
        return KV_TYPES[kv_type.lower()]
    except KeyError:
        raise InputError(
            f"unknown KV cache type {shown(kv_type)}; known: {', '.join(KV_TYPES)}"
        ) from None


def kv_row_bytes(kv_type: str, n_elements: int) -> Fraction:
    """Bytes of one cached row of ``n_elements`` (exact for whole blocks, as ggml stores it)."""
    return kv_bytes_per_element(kv_type) * n_elements
