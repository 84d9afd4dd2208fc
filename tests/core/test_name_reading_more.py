"""Reading rules from a fresh-eyes pass over names as people type them (session 12), each with
hand-worked values. The typed-names set (test_typed_names.py) holds them end to end.
"""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import AmbiguousNameError, InputError, NotSoldError, UnknownNameError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.hardware_reading import read_name
from runlocal.resolve.models import resolve_model_name
from runlocal.resolve.models_reading import SOFT_WORDS
from runlocal.resolve.models_respelled import (
    respelled_readings,
    skeleton,
    undotted_readings,
)

from .reading import hardware_sized as _hw
from .reading import model as _model


def test_a_number_after_a_device_name_is_a_size_it_is_sold_with_or_a_core_count() -> None:
    # M4 Max: sold with 36 (32-core GPU) and 48, 64, 128 GB (40-core GPU).
    assert _hw("m4 max 128") == ("apple-m4-max-40c", 128.0, 1)
    assert _hw("m3 max 36")[0] == "apple-m3-max-30c"  # only the 30-core is sold with 36 GB
    assert _hw("rtx 5060 ti 8")[0] == "nvidia-rtx-5060-ti-8gb"  # not the default 16 GB card
    assert _hw("m4 max 40")[0] == "apple-m4-max-40c"  # no size is 40: the GPU cores
    assert _hw("M4 Pro 14 48GB")[0] == "apple-m4-pro-20c"  # 14-core CPU, with the 20-core GPU
    with pytest.raises(AmbiguousNameError):
        resolve_hardware_name(load_catalog(), "m1 pro 16")  # 16 GB, or the 16-core GPU?
    with pytest.raises(NotSoldError):
        resolve_hardware_name(load_catalog(), "rtx 4090 48")  # a modded card: 24 GB is sold
    # A board partner's odd numbers after the name stay ignored.
    assert _hw("MSI GeForce RTX 5070 Ti 16G SHADOW 3X OC")[0] == "nvidia-rtx-5070-ti"
    assert _hw("KFA2 GeForce RTX 3060 (1-Click OC) 12GB")[0] == "nvidia-rtx-3060-12gb"


def test_a_macs_screen_size_is_not_a_memory_size() -> None:
    r = read_name("M4 MacBook Pro 14 24GB", counts=True)
    assert r.tokens == ["m", "4"] and r.sizes == [(24.0, False)]
    assert read_name("MacBook Pro 16GB M1 Pro", counts=True).sizes == [(16.0, False)]


def test_a_gpu_in_a_laptop_only_line_is_the_laptop_gpu() -> None:
    assert read_name("ASUS ROG Zephyrus G14 RTX 4060", counts=True).laptop
    assert not read_name("ASUS ROG Strix RTX 4090 OC", counts=True).laptop  # a desktop card
    assert _hw("ASUS ROG Zephyrus G14 RTX 4060")[0] == "nvidia-rtx-4060-laptop"
    assert _hw("MSI Katana 15 RTX 4050")[0] == "nvidia-rtx-4050-laptop"
    assert _hw("Lenovo Legion Tower 7i RTX 4080 Super")[0] == "nvidia-rtx-4080-super"
    with pytest.raises(UnknownNameError):  # no RTX 3050 Laptop GPU in the catalog
        resolve_hardware_name(load_catalog(), "Razer Blade 14 RTX 3050")


def test_a_variant_word_before_a_name_without_a_number_is_another_product() -> None:
    assert _hw("AMD Radeon VII")[0] == "amd-radeon-vii"
    with pytest.raises(UnknownNameError):
        resolve_hardware_name(load_catalog(), "AMD Radeon Pro VII")


def test_tis_is_ti_super_and_counts_inside_a_sentence() -> None:
    assert _hw("4070tis")[0] == "nvidia-rtx-4070-ti-super"
    assert _hw("rtx 4070 tis")[0] == "nvidia-rtx-4070-ti-super"
    assert read_name("Kaggle 2x T4", counts=True).count == 2
    assert read_name("my rig has 4x 3090", counts=True).count == 4
    assert read_name("MSI RTX 5070 Ti 16G SHADOW 3X OC", counts=True).count is None
    assert read_name("MSI RTX 3060 Ventus 2X 12G", counts=True).count is None
    assert read_name("rtx 3090 24gb x2 nvlink", counts=True).count == 2


def test_misspelled_doubled_letters() -> None:
    assert skeleton("lamma") == skeleton("llama") == skeleton("lama") == "lama"
    assert skeleton("llava") == "lava"  # another model: never read as llama
    assert _model("lamma 3.1 8b")[0] == "llama-3.1-8b-instruct"
    assert _model("mistrall 7b")[0] == "mistral-7b-instruct-v0.3"
    assert _model("deepseek-r1-distil-qwen-7b")[0] == "deepseek-r1-distill-qwen-7b"
    for typed in ("llava 7b", "llava:7b"):
        with pytest.raises(InputError):
            resolve_model_name(load_catalog(), typed)


def test_respelled_readings_need_one_catalog_word() -> None:
    from runlocal.resolve.models_index import model_index

    index = model_index(load_catalog())
    assert respelled_readings(index.vocabulary | SOFT_WORDS, index.skeletons, "lamma 3.1 8b") == [
        "llama 3.1 8b"
    ]
    assert (
        respelled_readings(index.vocabulary | SOFT_WORDS, index.skeletons, "llama 3.1 8b") == []
    )  # every word known


def test_a_version_typed_without_its_dot() -> None:
    assert undotted_readings("qwen25 coder") == ["qwen2.5 coder"]
    assert undotted_readings("llama 3.1 8b") == []
    assert _model("qwen25 coder 32b")[0] == "qwen2.5-coder-32b-instruct"
    assert _model("llama31 8b")[0] == "llama-3.1-8b-instruct"


def test_a_full_name_with_words_of_the_models_other_names() -> None:
    # "Mistral Nemo 12B" and "Mistral-Nemo-Instruct-2407" are both its names.
    assert _model("mistral nemo 12b instruct 2407")[0] == "mistral-nemo-12b-instruct"
    assert _model("dolphin 3 llama 3.1 8b")[0] == "dolphin3.0-llama3.1-8b"
    assert _model("deepseek r1 0528 8b")[0] == "deepseek-r1-0528-qwen3-8b"  # deepseek-r1:8b
    # Words no name of the model uses: another model.
    for typed in ("llama 3.1 8b lexi uncensored", "qwen3 8b 2507", "QwQ-32B-Preview"):
        with pytest.raises(InputError):
            resolve_model_name(load_catalog(), typed)


def test_the_hub_owners_first_word_may_be_typed() -> None:
    assert _model("nous hermes 3 70b")[0] == "hermes-3-llama-3.1-70b"  # NousResearch


def test_an_ollama_tag_with_a_release_the_sizes_entry_lacks_is_unknown() -> None:
    assert _model("command-r:35b")[0] == "command-r-35b"
    with pytest.raises(UnknownNameError):  # the 08-2024 Command R (32B, GQA), not v01
        resolve_model_name(load_catalog(), "command-r:35b-08-2024-q4_K_M")


def test_a_number_of_gpus_is_a_count_and_a_number_after_a_name_is_matched_without_it() -> None:
    assert read_name("HGX H100 8-GPU", counts=True).count == 8
    assert read_name("H100 (8 GPUs)", counts=True).count == 8
    assert read_name("M2 Max 38 GPU cores 64GB", counts=True).count is None
    assert _hw("RTX A6000 x 2 NVLink")[2] == 2  # the link dropped before the plural re-read
    assert _hw("a100 80 sxm")[0] == "nvidia-a100-sxm4-80gb"  # 80 GB, then the form factor
    with pytest.raises(UnknownNameError):
        resolve_hardware_name(load_catalog(), "rtx 4090 24 ti")  # 24 GB, then no 4090 Ti


def test_the_hugging_face_cache_folder_names_its_repo() -> None:
    typed = "~/.cache/huggingface/hub/models--meta-llama--Llama-3.1-8B-Instruct"
    assert _model(typed)[0] == "llama-3.1-8b-instruct"
    snapshot = "/home/me/.cache/huggingface/hub/models--Qwen--Qwen3-8B/snapshots/9c925d64"
    assert _model(snapshot)[0] == "qwen3-8b"


def test_an_ollama_librarys_latest_tag_is_found_by_its_tag_only() -> None:
    # ollama.com/library/deepseek-r1/tags: latest is the 8b tag (the 0528 Qwen3 distill).
    assert _model("ollama run deepseek-r1")[0] == "deepseek-r1-0528-qwen3-8b"
    assert _model("deepseek-r1:latest")[0] == "deepseek-r1-0528-qwen3-8b"
    assert _model("deepseek r1")[0] == "deepseek-r1"  # the name is the 671B model's
