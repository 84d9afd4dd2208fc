"""Session 18 names10 rules (docs/names.md, "Session 18 names10 rules"): each a general
reading rule, checked by hand on small cases."""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.models import resolve_model_name

from .reading import hardware


def model(text: str) -> tuple[str, str | None]:
    """The entry and the quant, stated or the one the Ollama tag ships."""
    name = resolve_model_name(load_catalog(), text)
    return name.entry.id, name.quant or name.default_quant


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # a namespace before an Ollama tag: the tag's size is the model's
        ("me/qwen3:14b", ("qwen3-14b", None)),
        ("library/qwen3:0.6b", ("qwen3-0.6b", None)),
        ("ollama pull someone/qwen3:14b-q8_0", ("qwen3-14b", "Q8_0")),
        ("someone/mixtral:8x7b", ("mixtral-8x7b-instruct", None)),
        ("someone/qwen3:latest", ("qwen3-8b", None)),  # no size: the name alone, as before
        # a quant tag, a router's variant and a branch are no words of the name
        ("bartowski/Qwen_Qwen3-14B-GGUF:Q4_K_M", ("qwen3-14b", "Q4_K_M")),
        ("mistralai/mistral-small-3.2-24b-instruct:free", ("mistral-small-3.2-24b-instruct", None)),
        ("bartowski/Qwen2.5-72B-Instruct-exl2:4_25", ("qwen2.5-72b-instruct", None)),
    ],
)
def test_an_ollama_tag_in_a_namespace_keeps_its_size(
    typed: str, expected: tuple[str, str | None]
) -> None:
    assert model(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("qwen3:8b?", ("qwen3-8b", "Q4_K_M")),
        ("gpt-oss:20b!", ("gpt-oss-20b", "MXFP4_MOE")),
        ("qwen3:8b ...", ("qwen3-8b", "Q4_K_M")),
        ("llama3.1:8b\u3002", ("llama-3.1-8b-instruct", "Q4_K_M")),  # ideographic full stop
        ("\u00abqwen3:8b\u00bb", ("qwen3-8b", "Q4_K_M")),  # guillemets
        ("\u2039qwen3:8b\u203a", ("qwen3-8b", "Q4_K_M")),
        ("\u201eqwen3:8b\u201c", ("qwen3-8b", "Q4_K_M")),  # German quotes
        ("\u300cgemma3:12b\u300d", ("gemma-3-12b-it", "Q4_K_M")),  # corner brackets
        ("\u3010qwen3:8b\u3011", ("qwen3-8b", "Q4_K_M")),
    ],
)
def test_trailing_marks_and_other_quotes_leave_the_tag(
    typed: str, expected: tuple[str, str | None]
) -> None:
    assert model(typed) == expected


def test_a_quote_pair_must_match() -> None:
    # an opening mark closed by another language's mark is not read as quotes around a tag
    assert model("\u00abqwen3:8b\u300d")[0] == "qwen3-8b"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("OLLAMA_MODEL=qwen3:8b", ("qwen3-8b", "Q4_K_M")),
        ('DEFAULT_MODEL="llama3.1:8b"', ("llama-3.1-8b-instruct", "Q4_K_M")),
        ("MODEL=qwen3:8b", ("qwen3-8b", "Q4_K_M")),  # as before
    ],
)
def test_an_environment_variable_ending_in_model(
    typed: str, expected: tuple[str, str | None]
) -> None:
    assert model(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("--model=Qwen/Qwen3-8B", ("qwen3-8b", None)),
        ("-m=./Qwen3-8B-Q5_K_M.gguf", ("qwen3-8b", "Q5_K_M")),
        ("ollama show qwen3:14b", ("qwen3-14b", "Q4_K_M")),
        ("ollama stop qwen3:14b", ("qwen3-14b", "Q4_K_M")),
    ],
)
def test_a_flag_alone_and_ollamas_other_commands(
    typed: str, expected: tuple[str, str | None]
) -> None:
    assert model(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "gemma-3-4b-it-Q8_0.gguf + mmproj-model-f16.gguf",
        "mmproj-gemma-3-4b-it-f16.gguf gemma-3-4b-it-Q8_0.gguf",
    ],
)
def test_a_projector_beside_the_model_is_not_the_model(typed: str) -> None:
    assert model(typed) == ("gemma-3-4b-it", "Q8_0")


@pytest.mark.parametrize(
    "typed", ["mmproj-gemma-3-27b-it-f16.gguf", "load: mmproj-gemma-3-27b-it-f16.gguf ok"]
)
def test_a_projector_alone_is_still_refused(typed: str) -> None:
    with pytest.raises(InputError):
        resolve_model_name(load_catalog(), typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Qwen3-30B-A3B, any good?", "qwen3-30b-a3b"),
        ("is deepseek r1 671b runnable at home??", "deepseek-r1"),
        ("any tips for running mistral nemo 12b?", "mistral-nemo-12b-instruct"),
    ],
)
def test_more_words_of_a_question(typed: str, expected: str) -> None:
    assert model(typed)[0] == expected


def test_an_industrial_module_is_not_the_plain_one() -> None:
    catalog = load_catalog()
    with pytest.raises(InputError):
        resolve_hardware_name(catalog, "Jetson AGX Orin Industrial")
    (part,) = resolve_hardware_name(catalog, "Jetson AGX Orin 64GB")
    assert part.entry.id == "nvidia-jetson-agx-orin-64gb"


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        # An id after a count is that id: the plural reading ("two 3090s") would have taken
        # the id's last "s" off and answered another card (two L40, two V100 PCIe).
        ("2x nvidia-l40s", ("nvidia-l40s", 2)),
        ("2 x nvidia-tesla-v100s-pcie-32gb", ("nvidia-tesla-v100s-pcie-32gb", 2)),
        # The plural still reads where no id is typed.
        ("2x 3090s", ("nvidia-rtx-3090", 2)),
        ("4 T4s", ("nvidia-tesla-t4", 4)),
    ],
)
def test_an_id_after_a_count_is_never_read_as_a_plural(typed: str, answer: tuple[str, int]) -> None:
    assert hardware(typed) == answer
