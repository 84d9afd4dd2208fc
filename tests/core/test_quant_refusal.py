"""An unknown quantization is refused in one short line: the closest few names and where the
whole list is (docs/cli.md, generated from the same names), never the ~150 names themselves."""

from __future__ import annotations

import pytest

from runlocal import cli
from runlocal.cli_parser import reference_markdown
from runlocal.errors import InputError, closest_spellings
from runlocal.weights import QUANT_NAMES_AT, normalize_quant, quant_names


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Q4_K_X", "Q4_K_XL"),  # one letter short of Unsloth's mix
        ("Q5_K_MM", "Q5_K_M"),  # one letter too many
        ("iq4-xss", "IQ4_XS"),  # and lower case
        ("mlx-4bits", "MLX-4BIT"),
    ],
)
def test_an_unknown_quantization_names_the_closest_few(typed: str, first: str) -> None:
    with pytest.raises(InputError) as refused:
        normalize_quant(typed)
    said = str(refused.value)
    assert said.startswith(f"unknown quantization {typed!r}; closest: {first}")
    closest = said.split("; closest: ", 1)[1].split(";", 1)[0].split(", ")
    assert 1 <= len(closest) <= 3
    assert said.endswith(f"; every name: {QUANT_NAMES_AT}")
    assert "\n" not in said and len(said) < 200


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("Q5KM", "Q5_K_M"), ("iq4xs", "IQ4_XS"), ("q8-0", "Q8_0"), ("UDQ4KXL", "UD-Q4_K_XL")],
)
def test_a_llama_cpp_type_without_its_separators_is_that_type(typed: str, normal: str) -> None:
    """The name reader takes "Q4KM" inside a model name; --quant takes it too."""
    assert normalize_quant(typed) == normal


def test_no_two_llama_cpp_types_share_a_squashed_spelling() -> None:
    from runlocal.weights import GGUF_SCHEMES

    squashed = [name.replace("_", "").replace("-", "") for name in GGUF_SCHEMES]
    assert len(set(squashed)) == len(squashed)


def test_a_name_like_none_gets_only_the_pointer() -> None:
    with pytest.raises(InputError) as refused:
        normalize_quant("ZZZZZ")
    assert str(refused.value) == f"unknown quantization 'ZZZZZ'; every name: {QUANT_NAMES_AT}"


def test_closest_spellings_ignores_case_and_separators() -> None:
    known = ["Q4_K_M", "Q4_K_S", "Q8_0", "AWQ-4BIT"]
    assert closest_spellings("q4-k-m", known, n=1) == ["Q4_K_M"]
    assert closest_spellings("awq 4bit", known, n=1) == ["AWQ-4BIT"]
    assert closest_spellings("zzzz", known) == []


def test_the_pointed_to_list_holds_every_name_and_each_is_accepted() -> None:
    doc = reference_markdown()
    assert "## Quantization names" in doc
    listed = doc.split("## Quantization names", 1)[1]
    for name in quant_names():
        assert f"`{name}`" in listed
        if "<" not in name:
            normalize_quant(name)  # no listed name is refused


def test_the_cli_says_it_in_one_line(capsys) -> None:
    code = cli.main(
        ["check", "llama-3.1-8b-instruct", "--hardware", "RTX 3090", "--quant", "Q4_K_X"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "closest: Q4_K_XL" in err and QUANT_NAMES_AT in err and "IQ1_S" not in err
