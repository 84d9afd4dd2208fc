"""Quantizations read but not sized from their names: llama.cpp's ternary types, and numbers
typed in any digits."""

from fractions import Fraction

import pytest

from runlocal.catalog import CATALOG_DIR, load_catalog
from runlocal.errors import InputError
from runlocal.quant import GGML_TYPES
from runlocal.quant_unsized import UnsizedQuantError
from runlocal.resolve.ids import read_model
from runlocal.resolve.models_reading import take_quant
from runlocal.units import number_text, parse_tokens
from runlocal.weights import normalize_quant


def test_the_ternary_types_have_ggmls_block_sizes() -> None:
    # block_tq1_0: 48 bytes of 5-trit groups + 4 of 4-trit groups + a 2-byte scale per 256
    # weights = 54 bytes, 1.6875 bits; block_tq2_0: 64 bytes of 2-bit trits + 2 = 66, 2.0625.
    assert GGML_TYPES["TQ1_0"].bits_per_weight == Fraction(54 * 8, 256) == Fraction(27, 16)
    assert GGML_TYPES["TQ2_0"].bits_per_weight == Fraction(66 * 8, 256)


@pytest.mark.parametrize("typed", ["UD-TQ1_0", "ud_tq1_0", "TQ1_0", "tq2_0", "UD TQ1_0"])
def test_a_ternary_name_is_refused_in_one_line_that_asks_for_the_file(typed: str) -> None:
    with pytest.raises(UnsizedQuantError) as caught:
        normalize_quant(typed)
    message = str(caught.value)
    assert "\n" not in message and "cannot be sized from its name" in message
    assert ".gguf file" in message and ("1.69" in message or "2.06" in message)
    assert isinstance(caught.value, InputError)  # answered as bad input on every surface


def test_a_model_name_stating_ud_tq1_0_is_refused_with_the_reason() -> None:
    with pytest.raises(UnsizedQuantError):
        take_quant("DeepSeek-R1-UD-TQ1_0")


def test_the_other_unsloth_dynamic_one_bit_names_still_read() -> None:
    assert normalize_quant("UD-IQ1_S") == "UD-IQ1_S"
    assert normalize_quant("ud-iq1_m") == "UD-IQ1_M"


@pytest.mark.parametrize(
    ("typed", "ascii_"),
    [("１２", "12"), ("１２．５", "12.5"), ("３２ｋ", "32k"), ("١٢٨", "128"), (" ８ ", "8")],
)
def test_numbers_in_full_width_or_other_digits_read_as_ascii(typed: str, ascii_: str) -> None:
    assert number_text(typed) == ascii_


def test_a_context_in_full_width_is_the_same_number_of_tokens() -> None:
    assert parse_tokens("３２ｋ") == parse_tokens("32k") == 32 * 1024
    assert parse_tokens("８，１９２") == 8192


def test_a_hub_repo_the_catalog_knows_tagged_ud_tq1_0_is_refused_not_sized_at_its_default() -> None:
    catalog = load_catalog(CATALOG_DIR)
    repos = sorted(str(m.get("hf_repo")) for m in catalog.models.values() if m.get("hf_repo"))
    assert repos
    for repo in repos[:: max(1, len(repos) // 5)]:
        assert read_model(catalog, repo).entry is not None  # the repo itself is known
        with pytest.raises(UnsizedQuantError):
            read_model(catalog, f"{repo}:UD-TQ1_0")
