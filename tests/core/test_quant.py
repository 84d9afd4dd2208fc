from fractions import Fraction

import pytest
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

from runlocal.errors import InputError
from runlocal.quant import GGML_TYPES, GGML_TYPES_BY_ID, kv_bytes_per_element, kv_row_bytes


def test_it_matches_the_gguf_block_table_for_every_type() -> None:
    for t in GGMLQuantizationType:
        ours = GGML_TYPES[t.name]
        assert (ours.block_size, ours.type_size) == GGML_QUANT_SIZES[t], t.name
        assert ours.type_id == t.value
    assert len(GGML_TYPES) == len(GGMLQuantizationType)


def test_it_indexes_types_by_id() -> None:
    assert GGML_TYPES_BY_ID[12].name == "Q4_K"


def test_it_gives_exact_bits_per_weight() -> None:
    assert GGML_TYPES["Q4_K"].bits_per_weight == Fraction(9, 2)
    assert GGML_TYPES["Q6_K"].bits_per_weight == Fraction(105, 16)
    assert GGML_TYPES["MXFP4"].bits_per_weight == Fraction(17, 4)


def test_it_sizes_q8_0_kv_at_34_over_32_bytes() -> None:
    assert kv_bytes_per_element("q8_0") == Fraction(34, 32)
    assert kv_bytes_per_element("q4_0") == Fraction(18, 32)
    assert kv_row_bytes("q8_0", 1024) == 1088


def test_it_rejects_unknown_kv_types() -> None:
    with pytest.raises(InputError, match="unknown KV cache type"):
        kv_bytes_per_element("q3_z")


def test_it_rejects_rows_that_are_not_whole_blocks() -> None:
    with pytest.raises(InputError):
        GGML_TYPES["Q4_K"].row_bytes(100)
