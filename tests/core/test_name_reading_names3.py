"""Session 15 names3 rules (docs/names.md, "session 15 names3"): each a general reading rule."""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.models import resolve_model_name

from .reading import hardware


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # Apple bins the CPU with the GPU: 11-core CPU M3 Pro = 14-core GPU, 12-core = 18-core.
        ("Chip: Apple M3 Pro Total Number of Cores: 11 (5 performance and 6 efficiency)", "14c"),
        ("Chip: Apple M3 Pro Total Number of Cores: 12 (6 performance and 6 efficiency)", "18c"),
        ("Chip: Apple M2 Pro Total Number of Cores: 10 (6 performance and 4 efficiency)", "16c"),
    ],
)
def test_system_profiler_cpu_cores_pick_the_gpu_variant(text: str, want: str) -> None:
    assert hardware(text)[0].endswith(want)


@pytest.mark.parametrize("text", ["Hawk Point", "Kraken Point", "Point", "4080 s", "4070 t"])
def test_a_codename_beside_strix_point_or_a_one_letter_variant_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        resolve_hardware_name(load_catalog(), text)


def test_strix_point_and_rog_strix_still_read() -> None:
    assert hardware("Strix Point")[0] == "amd-ryzen-ai-9-hx-370"  # the catalog's alias
    assert hardware("ASUS ROG Strix RTX 4090 OC")[0] == "nvidia-rtx-4090"
    assert hardware("2080s")[0] == "nvidia-rtx-2080-super"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("CUDA_VISIBLE_DEVICES=0,1 two 3090s", 2),
        ("running dual 4090 for 70b", 2),
        ("3090 x2 for 70b", 2),
        ("ASUS Dual GeForce RTX 4060 Ti 16GB", 1),  # a board line
        ("Palit RTX 4060 Ti Dual 8GB", 1),
        ("rtx 4090 x16 slot", 1),  # PCIe lanes
    ],
)
def test_a_count_inside_a_sentence(text: str, count: int) -> None:
    assert hardware(text)[1] == count


@pytest.mark.parametrize(
    "text",
    ["ibm-granite/granite-3.1-8b-base", "Mistral-Nemo-Base-2407", "Mistral-7B-Instruct-v0.2"],
)
def test_a_base_checkpoint_or_another_release_of_a_tuned_entry_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        resolve_model_name(load_catalog(), text)


def test_a_base_name_still_finds_an_untuned_entry() -> None:
    assert resolve_model_name(load_catalog(), "Qwen3-8B-Base").entry.id == "qwen3-8b"


@pytest.mark.parametrize("text", ["Qwen3-30B-A3B-Instruct", "qwen3 4b instruct", "4070 ti sup"])
def test_a_tune_word_the_answer_lacks_or_a_cut_short_variant_asks_which(text: str) -> None:
    catalog = load_catalog()
    with pytest.raises(InputError):
        if text[0].isdigit():
            resolve_hardware_name(catalog, text)
        else:
            resolve_model_name(catalog, text)


def test_the_tune_word_rule_keeps_ollama_tags_and_other_model_words() -> None:
    catalog = load_catalog()
    assert resolve_model_name(catalog, "qwen:72b-instruct").entry.id == "qwen1.5-72b-chat"
    assert resolve_model_name(catalog, "DeepSeek-V2-Lite-Instruct").entry.id == "deepseek-v2-lite"
    assert resolve_model_name(catalog, "Llama 3.1 8B Instruct").entry.id == "llama-3.1-8b-instruct"


def test_plurals_of_letter_and_digit_cards() -> None:
    assert hardware("two P40s") == ("nvidia-tesla-p40", 2)
    assert hardware("4 T4s") == ("nvidia-tesla-t4", 4)
    with pytest.raises(InputError):
        resolve_hardware_name(load_catalog(), "two P40s and a 3090")
