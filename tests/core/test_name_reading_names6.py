"""Session 17 names6 rules (docs/names.md, "session 17 names6"): each a general reading rule,
checked by hand on small cases."""

from __future__ import annotations

from collections import Counter

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.hardware_reading import read_name
from runlocal.resolve.models_reading import name_words

from .reading import hardware, model

# --- hardware --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("RTX 3070 Max-Q", "nvidia-rtx-3070-laptop"),
        ("RTX 3080 MaxQ 8GB", "nvidia-rtx-3080-laptop"),
        ("RTX 3080 Max-P", "nvidia-rtx-3080-laptop"),
        ("GeForce RTX 4070 Mobile / Max-Q", "nvidia-rtx-4070-laptop"),  # laptop said twice
        # a Max-Q product the catalog has is that product, not a laptop GPU
        ("RTX PRO 6000 Blackwell Max-Q", "nvidia-rtx-pro-6000-blackwell-max-q"),
    ],
)
def test_max_q_and_max_p_are_laptop_gpus(typed: str, expected: str) -> None:
    assert hardware(typed) == (expected, 1)


@pytest.mark.parametrize("typed", ["RTX A5000 Max-Q", "GeForce RTX 2080 with Max-Q Design"])
def test_max_q_without_a_laptop_gpu_in_the_catalog_is_refused(typed: str) -> None:
    with pytest.raises(InputError):
        hardware(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "RTX 4090 16 vCPU",
        "RTX 4090 16 vCPUs",
        "RTX 4090 24GB 16 v CPU 62GB RAM",
        "RTX 4090 32 threads",
    ],
)
def test_virtual_cpus_and_threads_are_no_memory_size(typed: str) -> None:
    # Each of 16 and 32 would be a memory size the 4090 is not sold with (24 GB): read as
    # one, the name would be refused.
    r = read_name(typed, counts=True)
    assert "16" not in r.tokens and "32" not in r.tokens
    assert hardware(typed) == ("nvidia-rtx-4090", 1)


def test_cpu_and_gpu_cores_written_before_the_word_cores() -> None:
    assert read_name("M4 Pro 12 CPU cores", counts=True).cpu_cores == 12
    assert read_name("M4 Max 32 GPU cores", counts=True).gpu_cores == 32
    # Apple bins the 12-core CPU M4 Pro with the 16-core GPU.
    (part,) = resolve_hardware_name(load_catalog(), "M4 Pro 12 CPU cores 48GB")
    assert (part.entry.id, part.memory_gib) == ("apple-m4-pro-16c", 48.0)
    assert hardware("M4 Max 32 GPU cores") == ("apple-m4-max-32c", 1)


# --- models ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gemma 4 26b moe", "gemma-4-26b-a4b-it"),  # 3.8B of 25.2B active
        ("gpt-oss 120b moe", "gpt-oss-120b"),
        ("qwen3 dense 32b", "qwen3-32b"),  # all 32.8B active
        ("phi 3.5 moe", "phi-3.5-moe-instruct"),  # the word is in the name
    ],
)
def test_an_architecture_word_the_model_agrees_with_is_left_out(typed: str, expected: str) -> None:
    assert model(typed)[0] == expected


@pytest.mark.parametrize("typed", ["qwen3 32b moe", "gpt-oss 20b dense"])
def test_an_architecture_word_the_model_contradicts_is_refused(typed: str) -> None:
    with pytest.raises(InputError):
        model(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("qwen3-vl 30b thinking", "qwen3-vl-30b-a3b-thinking"),  # A3B left out
        ("Qwen3-235B-Instruct-2507", "qwen3-235b-a22b-instruct-2507"),  # A22B left out
        ("ernie 4.5 21b", "ernie-4.5-21b-a3b"),
    ],
)
def test_active_parameters_may_be_left_out(typed: str, expected: str) -> None:
    assert model(typed)[0] == expected


def test_a_total_size_left_out_still_names_several() -> None:
    # "Qwen3 VL Thinking": 30B-A3B or 235B-A22B; the active part left out is not the size.
    with pytest.raises(InputError):
        model("qwen3 vl thinking")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # the Instruct and Thinking 2507 releases both hold "qwen3 235b 2507"; the tune word
        # typed picks one
        ("qwen3 235b 2507 instruct", "qwen3-235b-a22b-instruct-2507"),
        ("qwen3 235b 2507 thinking", "qwen3-235b-a22b-thinking-2507"),
        # the three Ministral 3 models all hold "ministral 3 b 2512": the size typed with its
        # unit picks the 3B, the date 2512 its release
        ("ministral 3b 2512", "ministral-3-3b-instruct"),
        ("ministral-3b-2512", "ministral-3-3b-instruct"),
    ],
)
def test_a_typed_size_or_tune_word_narrows_several_models_to_one(typed: str, expected: str) -> None:
    assert model(typed)[0] == expected


@pytest.mark.parametrize(
    "typed",
    [
        "ministral 3b",  # also the 2024 Ministral 3B (2410): no number pins the release
        "qwen3 235b 2507",  # no tune word: Instruct or Thinking
        "qwen3 4b 2507",
    ],
)
def test_without_what_pins_it_several_models_are_asked(typed: str) -> None:
    with pytest.raises(InputError):
        model(typed)


def test_a_whole_version_reads_with_or_without_its_dot_zero() -> None:
    assert name_words("EXAONE-4.0-32B") == Counter({"exaone": 1, "4": 1, "32": 1, "b": 1})
    assert name_words("exaone 4 32b") == name_words("EXAONE 4.0 32B")
    assert name_words("v0.1") == Counter({"v": 1, "0.1": 1})  # only a ".0" is dropped
    assert model("snowflake arctic embed l v2")[0] == "snowflake-arctic-embed-l-v2.0"
    assert model("dolphin 3 8b")[0] == "dolphin3.0-llama3.1-8b"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gpt-oss-20b mxfp4 ollama", ("gpt-oss-20b", "MXFP4_MOE")),
        ("openai/gpt-oss-20b via ollama", ("gpt-oss-20b", None)),
        ("qwen3 8b on vllm", ("qwen3-8b", None)),
        ("gemma 4 31b sglang", ("gemma-4-31b-it", None)),
    ],
)
def test_a_runtime_named_beside_the_model_is_no_word_of_it(
    typed: str, expected: tuple[str, str | None]
) -> None:
    assert model(typed) == expected


def test_a_runtime_alone_names_no_model() -> None:
    with pytest.raises(InputError):
        model("ollama")


def test_dell_workstation_laptops_and_towers() -> None:
    # "Dell Pro Max 16" is a laptop: its GPU is the laptop part, which the catalog lacks.
    with pytest.raises(InputError):
        hardware("Dell Pro Max 16 RTX PRO 5000 Blackwell")
    # "Tower" says desktop.
    assert hardware("Dell Pro Max Tower T2 RTX PRO 6000 Blackwell") == (
        "nvidia-rtx-pro-6000-blackwell",
        1,
    )
    assert hardware("Dell Precision 7960 Tower RTX 6000 Ada") == ("nvidia-rtx-6000-ada", 1)
    # a line sold both ways, a GPU the catalog has as a card and a laptop GPU: asked
    with pytest.raises(InputError):
        hardware("Dell Precision RTX 4090")
    assert hardware("Dell Precision 16 RTX 4090") == ("nvidia-rtx-4090-laptop", 1)
