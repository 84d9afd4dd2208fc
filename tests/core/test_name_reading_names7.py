"""Session 17 names7 rules (docs/names.md, "session 17 names7"): each a general reading rule,
checked by hand on small cases."""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import AmbiguousNameError, InputError
from runlocal.resolve.models import resolve_model_name
from runlocal.resolve.models_reading import model_field
from runlocal.resolve.models_settings import is_release_code, settings_left_out


def model(text: str) -> tuple[str, str | None]:
    name = resolve_model_name(load_catalog(), text)
    return name.entry.id, name.quant or name.default_quant


# --- a reasoning effort is a setting of the run -----------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gpt-oss 20b (high reasoning)", "gpt-oss-20b"),
        ("gpt-oss-120b reasoning: high", "gpt-oss-120b"),
        ("gpt-oss 20b reasoning_effort=low", "gpt-oss-20b"),
        ("gpt-oss-120b (medium reasoning effort)", "gpt-oss-120b"),
        # "reasoning" without a level is a word of a name
        ("phi 4 mini reasoning", "phi-4-mini-reasoning"),
    ],
)
def test_a_reasoning_effort_is_no_word_of_the_name(typed: str, expected: str) -> None:
    assert model(typed)[0] == expected


def test_a_bare_level_word_is_not_a_reasoning_effort() -> None:
    with pytest.raises(InputError):
        model("gpt-oss 120b high")


# --- a total size where the names hold none ---------------------------------------------------


class _Entry:
    """A stand-in for a catalog entry: only its parameter count is read."""

    def __init__(self, total: float | None) -> None:
        self.data = {"params_total_b": total}

    def get(self, key: str) -> object:
        return self.data.get(key)


@pytest.mark.parametrize(
    ("typed", "total", "sizes", "fits"),
    [
        ("1t", 1026.0, set(), True),  # 1.026 T written to whole trillions is 1
        ("2t", 1026.0, set(), False),
        ("1.5t", 1026.0, set(), False),  # 1.0 to one decimal
        ("1.0t", 1026.0, set(), True),
        ("671b", 671.0, set(), True),
        ("700b", 671.0, set(), False),  # 671 to whole billions is 671, not 700
        ("1t", 1026.0, {"1026"}, False),  # a name with a size is found by that size
        ("1t", None, set(), False),  # no parameter count: no answer
    ],
)
def test_a_total_size_fits_to_the_typed_precision(
    typed: str, total: float | None, sizes: set[str], fits: bool
) -> None:
    ((rest, check),) = settings_left_out(f"kimi {typed}")
    assert rest.split() == ["kimi"]
    assert check(_Entry(total), sizes) is fits  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kimi k2.5 1t", "kimi-k2.5"),
        ("Kimi K2.5 (1T)", "kimi-k2.5"),
        ("kimi k2 1t", "kimi-k2-instruct"),
    ],
)
def test_a_size_in_trillions(typed: str, expected: str) -> None:
    assert model(typed)[0] == expected


@pytest.mark.parametrize("typed", ["kimi k2.5 2t", "deepseek v3 700b"])
def test_a_total_size_the_model_does_not_have_is_refused(typed: str) -> None:
    with pytest.raises(InputError):
        model(typed)


# --- a release code pins the release ----------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("2512", True),
        ("2410", True),
        ("0528", True),
        ("2024", False),
        ("2025", False),
        ("1231", True),
        ("9999", False),
        ("251", False),
        ("25a2", False),
    ],
)
def test_release_codes(word: str, code: bool) -> None:
    # 2512: year 25, month 12; 0528: month 5, day 28; 2024: a year (month 24, no month 20)
    assert is_release_code(word) is code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ministral-8b-2512", "ministral-3-8b-instruct"),  # the version 3 left out
        ("ministral-14b-2512", "ministral-3-14b-instruct"),
        ("mistral-small-2506", "mistral-small-3.2-24b-instruct"),  # version and size left out
        ("devstral small 2512", "devstral-small-2-24b-instruct-2512"),
    ],
)
def test_a_release_code_lets_numbers_be_left_out(typed: str, expected: str) -> None:
    assert model(typed)[0] == expected


def test_a_release_code_never_lets_a_word_be_left_out() -> None:
    # "small" left out: Devstral 2 (123B) is a 2512 release too
    with pytest.raises(InputError):
        model("devstral 2512")
    with pytest.raises(AmbiguousNameError):
        model("ministral 2512")  # 3B, 8B, 14B


# --- quotes and config fields -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ('"qwen2.5-coder:7b"', ("qwen2.5-coder-7b-instruct", "Q4_K_M")),
        ("`gpt-oss:120b`", ("gpt-oss-120b", "MXFP4_MOE")),
        ("\u201cllama3.1:8b\u201d", ("llama-3.1-8b-instruct", "Q4_K_M")),
        ('"model": "qwen3:30b-a3b"', ("qwen3-30b-a3b", "Q4_K_M")),
        ("MODEL=llama3.1:8b", ("llama-3.1-8b-instruct", "Q4_K_M")),
    ],
)
def test_a_tag_in_quotes_or_a_config_field_ships_its_quant(
    typed: str, expected: tuple[str, str]
) -> None:
    assert model(typed) == expected


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ('"model": "qwen3:30b-a3b",', '"qwen3:30b-a3b"'),
        ("model: qwen3.6:27b", "qwen3.6:27b"),
        ("model_id = Qwen/Qwen3-8B", "Qwen/Qwen3-8B"),
        ("qwen3 model", None),
        ("models: qwen3", None),
    ],
)
def test_model_field(typed: str, value: str | None) -> None:
    assert model_field(typed) == value
