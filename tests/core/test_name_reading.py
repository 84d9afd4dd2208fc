"""The reading rules bench/name_variants.py led to, one by one, with hand-worked values.

The typed-names set (test_typed_names.py) holds them end to end; here each rule is held on its
own: what is read from the text, before any catalog lookup where possible.
"""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.hardware_reading import _lanes, read_name
from runlocal.resolve.models import resolve_model_name
from runlocal.resolve.models_reading import name_words, take_quant
from runlocal.resolve.text import clean


def test_vram_is_the_cards_memory_ram_and_ddr_the_hosts() -> None:
    # (size GiB, said host memory)
    assert read_name("Arc A770 8GB VRAM", counts=True).sizes == [(8.0, False)]
    assert read_name("RTX 3090 64GB RAM", counts=True).sizes == [(64.0, True)]
    assert read_name("RTX 3090 64GB DDR5", counts=True).sizes == [(64.0, True)]


def test_unicode_dashes_read_as_hyphens() -> None:
    # Apple's store text: U+2011 non-breaking hyphens.
    assert clean("M1 Max 10\u2011core CPU, 24\u2011core GPU") == "m1 max 10-core cpu, 24-core gpu"
    assert (
        read_name(
            "Apple M1 Max chip with 10\u2011core CPU, 24\u2011core GPU", counts=True
        ).gpu_cores
        == 24
    )


def test_system_profiler_cores_are_the_gpus_unless_split_into_performance_and_efficiency() -> None:
    assert (
        read_name("Chipset Model: Apple M3 Max Total Number of Cores: 40", counts=True).gpu_cores
        == 40
    )
    cpu = read_name(
        "Apple M3 Max Total Number of Cores: 16 (12 performance and 4 efficiency)", counts=True
    )
    assert cpu.gpu_cores is None
    assert "16" not in cpu.tokens and "12" not in cpu.tokens


def test_pcie_lanes_are_not_a_count() -> None:
    assert _lanes("rtx 4090 pcie 4.0 ", "16")  # a generation, then lanes
    assert _lanes("rtx 4060 pcie gen4 ", "8")
    assert _lanes("rtx 3090 pcie ", "16")  # x16 after a bare PCIe
    assert not _lanes("h100 pcie ", "2")  # "H100 PCIe x2": two cards
    assert read_name("RTX 4090 24GB PCIe 4.0 x16", counts=True).count is None
    assert read_name("H100 PCIe x2", counts=True).count == 2


def test_free_memory_is_a_floor_not_a_size() -> None:
    r = read_name("using device CUDA0 (NVIDIA GeForce RTX 2060) - 11059 MiB free", counts=True)
    assert r.sizes == []
    assert r.floor_gib == pytest.approx(11059 / 1024)  # 10.80 GiB
    assert "cuda" not in r.tokens and "0" not in r.tokens
    assert read_name("M3 Max 128GB, 96GB usable", counts=True).sizes == [(128.0, False)]


def test_mobile_m_suffix_and_device_boilerplate() -> None:
    assert read_name("RTX 4090M", counts=True).tokens == ["4090", "laptop"]
    # nvidia-smi -L and llama.cpp's Vulkan line leave only the product's words.
    assert read_name(
        "GPU 0: NVIDIA TITAN RTX (UUID: GPU-5a1c0e1e-8f3b-4c2d-9e7a-0b6d2f4c8a11)", counts=True
    ).tokens == ["titan", "rtx"]
    line = "ggml_vulkan: 0 = NVIDIA TITAN RTX (NVIDIA) | uma: 0 | fp16: 1 | warp size: 32"
    assert read_name(line, counts=True).tokens == ["titan", "rtx"]


def test_cpu_cores_pick_apples_binned_variant() -> None:
    r = read_name("M3 Pro 12/18 36GB", counts=True)
    assert (r.cpu_cores, r.gpu_cores) == (12, 18)
    assert read_name("M3 Max 14-core CPU", counts=True).cpu_cores == 14
    catalog = load_catalog()
    # 11 is no M3 Pro's GPU core count; the 11-core CPU is sold with the 14-core GPU.
    (part,) = resolve_hardware_name(catalog, "M3 Pro 11-core 18GB")
    assert part.entry.id == "apple-m3-pro-14c"
    # A labelled GPU count wins over a CPU count it contradicts.
    (part,) = resolve_hardware_name(catalog, "M3 Max 14-core CPU 40-core GPU")
    assert part.entry.id == "apple-m3-max-40c"


def test_hardware_answers() -> None:
    catalog = load_catalog()
    (part,) = resolve_hardware_name(
        catalog, "using device CUDA0 (NVIDIA GeForce RTX 2060) - 11059 MiB free"
    )
    assert part.entry.id == "nvidia-rtx-2060-12gb"  # 10.8 GiB free > the 6 GB card's size
    (part,) = resolve_hardware_name(catalog, "Jetson Orin AGX 32GB")
    assert part.entry.id == "nvidia-jetson-agx-orin-32gb"
    with pytest.raises(InputError):
        resolve_hardware_name(catalog, "Jetson Nano")  # another generation, not the Orin Nano


@pytest.mark.parametrize(
    ("typed", "quant"),
    [
        ("Q4KM", "Q4_K_M"),
        ("q4-k-m", "Q4_K_M"),
        ("IQ4XS", "IQ4_XS"),
        ("UD Q4 K XL", "UD-Q4_K_XL"),
        ("q5_k_s", "Q5_K_S"),
        ("6bit", "MLX-6BIT"),
        ("4bit-DWQ-053125", "MLX-4BIT"),
        ("quantized.w4a16", "GPTQ-4BIT"),
        ("W8A8", "INT8"),
        ("4.65bpw-h6-exl2", "EXL2-4.65BPW"),
        ("EXL3 4.0bpw", "EXL3-4BPW"),
        ("4.0bpw_H8", "EXL3-4BPW-H8"),
    ],
)
def test_quant_spellings(typed: str, quant: str) -> None:
    words, found = take_quant(f"Llama-3.1-8B-Instruct {typed}")
    assert found == quant
    assert name_words(words) == name_words("Llama-3.1-8B-Instruct")


def test_sizes_in_words() -> None:
    assert name_words("Llama 3.1 8 billion") == name_words("Llama 3.1 8B")
    assert name_words("Gemma 3 270-million") == name_words("Gemma 3 270M")
    assert name_words("Llama 3.1 8B parameters") == name_words("Llama 3.1 8B")


def test_model_answers() -> None:
    catalog = load_catalog()
    assert (
        resolve_model_name(catalog, "Mistral 7B Instruct 0.3").entry.id
        == "mistral-7b-instruct-v0.3"
    )
    assert resolve_model_name(catalog, "Qwen QwQ 32B").entry.id == "qwq-32b"
    with pytest.raises(InputError):
        resolve_model_name(catalog, "Nvidia Llama 3.1 8B")  # not published by NVIDIA
    with pytest.raises(InputError):
        resolve_model_name(catalog, "MiniCPM 4.5")  # the V of MiniCPM-V is a model letter
    # Dots between digits read both ways: "2.7" as 2.7 names nothing, as "2 7" Qwen2 7B.
    assert resolve_model_name(catalog, "Qwen2.7B").entry.id == "qwen2-7b-instruct"
    name = resolve_model_name(catalog, "~/models/Qwen2.5-7B-Instruct-GGUF/model-q4_k_m.gguf")
    assert (name.entry.id, name.quant) == ("qwen2.5-7b-instruct", "Q4_K_M")


def test_a_size_typed_without_its_unit() -> None:
    catalog = load_catalog()
    assert resolve_model_name(catalog, "gpt oss 120").entry.id == "gpt-oss-120b"
    assert resolve_model_name(catalog, "llama 3.1 8").entry.id == "llama-3.1-8b-instruct"
    assert resolve_model_name(catalog, "Gemma 3 27").entry.id == "gemma-3-27b-it"
    # A number with B added must still be one of the model's sizes: a version stays a version.
    assert resolve_model_name(catalog, "gemma 3") == resolve_model_name(catalog, "gemma3")
    with pytest.raises(InputError):
        resolve_model_name(catalog, "mistral small 24")  # 3.1 or 3.2: still "which one?"


def test_two_words_typed_as_one() -> None:
    catalog = load_catalog()
    assert resolve_model_name(catalog, "gptoss-20b").entry.id == "gpt-oss-20b"
    assert resolve_model_name(catalog, "mistralsmall 3.2").entry == (
        resolve_model_name(catalog, "mistral small 3.2").entry
    )
    assert (
        resolve_model_name(catalog, "kimik2").entry == resolve_model_name(catalog, "kimi k2").entry
    )
    with pytest.raises(InputError):
        resolve_model_name(catalog, "gptossus 20b")  # "ossus" is no word of any name


def test_ollama_run_without_a_tag_is_the_latest_tag() -> None:
    catalog = load_catalog()
    pasted = resolve_model_name(catalog, "ollama run llama3")
    tagged = resolve_model_name(catalog, "llama3:latest")
    assert (pasted.entry, pasted.form, pasted.default_quant) == (
        tagged.entry,
        "ollama",
        "Q4_0",
    )
    assert resolve_model_name(catalog, "ollama pull qwen3:8b").entry.id == "qwen3-8b"


def test_the_cached_name_indexes_are_rebuilt_when_any_file_that_reads_a_name_changes() -> None:
    from pathlib import Path

    from runlocal.resolve import hardware, models_index

    def stamped(code: str) -> set[str]:
        # a compiled build (scripts/build_native.py) stamps models.cpython-311-….so
        return {Path(line.split("\0")[0]).name.split(".")[0] + ".py" for line in code.splitlines()}

    assert {"models_index.py", "models_reading.py", "refs.py", "text.py", "weights.py"} <= stamped(
        models_index.CODE
    )
    assert {"hardware.py", "hardware_reading.py", "text.py", "catalog.py"} <= stamped(
        hardware._CODE
    )
