"""Reading rules from a second fresh-eyes pass (session 13: listings, laptop model names, cloud
instance types, other scripts' digits, slips of the keyboard, questions), with hand-worked
values. The typed-names set (test_typed_names.py) holds them end to end.
"""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import AmbiguousNameError, UnknownNameError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.hardware_reading import read_name
from runlocal.resolve.mistyped import one_slip
from runlocal.resolve.text import clean

from .reading import hardware as _hw
from .reading import model as _model


def test_other_scripts_digits_and_full_width_forms_read_as_ascii() -> None:
    assert clean("ＲＴＸ　４０７０") == "rtx 4070"
    assert clean("RTX ٤٠٩٠ / ۴۰۹۰") == "rtx 4090 / 4090"
    assert _hw("RTX ٤٠٩٠") == ("nvidia-rtx-4090", 1)
    assert _model("Mixtral 8×7B")[0] == "mixtral-8x7b-instruct"


def test_a_price_or_a_part_number_is_never_a_size() -> None:
    # Before: "$700" read as 700 GB, "900-21010-…" as 900 GB (both refused as not sold).
    assert _hw("Used EVGA RTX 3090 FTW3 - $700 OBO") == ("nvidia-rtx-3090", 1)
    assert _hw("NVIDIA H100 80GB PCIe 5.0 900-21010-0000-000") == ("nvidia-h100-pcie-80gb", 1)


def test_counts_before_a_series_word_and_across_underscores() -> None:
    assert _hw("vast.ai 8x RTX 3090") == ("nvidia-rtx-3090", 8)
    assert _hw("Lambda gpu_8x_a100_80gb_sxm4") == ("nvidia-a100-sxm4-80gb", 8)


def test_a_cloud_instance_type_is_the_gpu_and_count_its_price_entry_states() -> None:
    # prices/azure-nd96isr-h100-v5.toml: 8x nvidia-h100-sxm5-80gb; aws-g6e-xlarge-l40s: 1x L40S.
    assert _hw("Standard_ND96isr_H100_v5") == ("nvidia-h100-sxm5-80gb", 8)
    assert _hw("AWS g6e.xlarge") == ("nvidia-l40s", 1)
    with pytest.raises(UnknownNameError):
        _hw("p4d.24xlarge")  # not in the price catalog: never one GPU read from the name


def test_a_form_factor_or_shader_count_the_product_lacks_is_refused() -> None:
    for text in ("Tesla P100-SXM2-16GB", "NVIDIA H800 PCIe", "RX 580 2048SP 8GB"):
        with pytest.raises(UnknownNameError):
            _hw(text)
    assert _hw("AMD Radeon RX 580 2304 stream processors")[0] == "amd-rx-580-8gb"


def test_laptop_model_names_and_lines_sold_both_ways() -> None:
    assert _hw("Dell XPS 15 9530 RTX 4070")[0] == "nvidia-rtx-4070-laptop"
    assert _hw("ASUS TUF Gaming A15 FA507NV RTX 4060")[0] == "nvidia-rtx-4060-laptop"
    assert _hw("HP Omen 45L RTX 4090")[0] == "nvidia-rtx-4090"  # litres: a desktop
    assert _hw("Lenovo Legion Tower 7i RTX 4080 Super")[0] == "nvidia-rtx-4080-super"
    with pytest.raises(AmbiguousNameError):
        _hw("Lenovo Legion Pro 7i Gen 9 RTX 4090")  # the card or the laptop GPU?


def test_ollama_release_stage_and_commands_after_a_wrapper() -> None:
    with pytest.raises(UnknownNameError):
        _model("qwq:32b-preview-q4_K_M")  # QwQ-32B-Preview, not QwQ-32B
    assert _model("OLLAMA_HOST=0.0.0.0 ollama run qwen3:14b")[0] == "qwen3-14b"
    assert _model("https://lmstudio.ai/models/qwen/qwen3-30b-a3b")[0] == "qwen3-30b-a3b"


def test_one_slip_of_the_keyboard() -> None:
    known = frozenset({"instruct", "mistral", "gpt", "mixtral"})
    assert one_slip(known, "instuct") == ("instruct",)  # a letter left out
    assert one_slip(known, "gtp") == ("gpt",)  # two letters swapped
    assert one_slip(known, "mistrl") == ("mistral",)
    assert _model("llama-3.1-8b-intruct")[0] == "llama-3.1-8b-instruct"


def test_a_model_named_inside_a_question() -> None:
    assert _model("can my 3060 12gb run llama 3.1 8b")[0] == "llama-3.1-8b-instruct"
    assert _model("Meta Llama 3.1 8B Instruct Q4_K_M · 4.92 GB") == (
        "llama-3.1-8b-instruct",
        "Q4_K_M",
    )
    for text in ("can llama 3.1 8b lexi run on my 3060", "qwen 2.5 7b or llama 3.1 8b"):
        with pytest.raises(UnknownNameError):
            _model(text)


def test_dgx_servers_plurals_and_a_letter_o_for_zero() -> None:
    # NVIDIA DGX A100 datasheet: 8x A100 SXM4, 320 GB (40 GB each) or 640 GB (80 GB each).
    assert _hw("DGX A100 320GB") == ("nvidia-a100-sxm4-40gb", 8)
    assert _hw("DGX H100 8x H100 80GB") == ("nvidia-h100-sxm5-80gb", 8)  # a typed count wins
    assert _hw("DGX Spark") == ("nvidia-dgx-spark", 1)
    assert _hw("H100s") == ("nvidia-h100-sxm5-80gb", 1)  # no H100 Super: a plural
    assert _hw("4080s") == ("nvidia-rtx-4080-super", 1)  # the 4080 SUPER exists
    assert _hw("rtx 4o90") == ("nvidia-rtx-4090", 1)
    # not 85 GPUs (the GPU of the X Elite and the X Plus X1P-64-100 alike: no device named)
    assert read_name("Qualcomm(R) Adreno(TM) X1-85 GPU", counts=True).count is None
    parts = resolve_hardware_name(load_catalog(), "my setup: 2 x 3090 + 128gb ddr4")
    assert [(p.entry.id, p.count) for p in parts] == [("nvidia-rtx-3090", 2)]


def test_the_word_laptop_away_from_the_model_number() -> None:
    # Before: the desktop card (a silent wrong answer: the laptop parts have their own memory
    # and clocks, e.g. the RTX 4090 Laptop GPU's 16 GB).
    assert _hw("my laptop has a 4060") == ("nvidia-rtx-4060-laptop", 1)
    assert _hw("laptop 4090") == ("nvidia-rtx-4090-laptop", 1)
    assert _hw("RTX 4070 Laptop") == ("nvidia-rtx-4070-laptop", 1)
    with pytest.raises(UnknownNameError):
        _hw("HP laptop RTX 3050")  # no RTX 3050 Laptop GPU in the catalog
