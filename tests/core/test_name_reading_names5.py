"""Session 16 names5 rules (docs/names.md, "session 16 names5"): each a general reading rule,
checked by hand on small cases."""

from __future__ import annotations

import pytest

from runlocal.errors import InputError
from runlocal.resolve.hardware_languages import other_languages
from runlocal.resolve.text import NAME_SUFFIX_RE

from .reading import hardware, model

# --- counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "count"),
    [
        ("MI300X x8 192GB", 8),  # after a model number ending in a letter, before a size
        ("H100 80GB x 8 SXM", 8),  # after a memory size
        ("RTX 4090 x 2 (48 GB VRAM)", 2),  # before a bracket
        ("48GB VRAM (2x3090)", 2),  # glued, after a bracket
        ("nvidia.com/gpu.count=8 nvidia.com/gpu.product=NVIDIA-H100-80GB-HBM3", 8),
    ],
)
def test_counts_written_as_cloud_rows_and_labels_write_them(typed: str, count: int) -> None:
    assert hardware(typed)[1] == count


def test_a_hexadecimal_id_in_brackets_is_no_count() -> None:
    # "(0x1100)" is the chip id of a llama.cpp ROCm line, not 0 devices
    assert hardware("Device 0: AMD Radeon RX 7900 XTX, gfx1100 (0x1100), VMM: no") == (
        "amd-rx-7900-xtx",
        1,
    )


def test_a_size_that_is_the_count_times_a_sold_size_is_the_total() -> None:
    # the A6000 is sold with 48 GB: 192 / 4 = 48 each
    assert hardware("A6000 x4 192GB") == ("nvidia-rtx-a6000", 4)
    # 96 / 2 = 48, a size the 3090 (24 GB) is not sold with: still refused
    with pytest.raises(InputError):
        hardware("2x RTX 3090 96GB")


# --- other languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("dwie karty rtx 3090", "two rtx 3090"),  # Polish
        ("iki adet rtx 3090", "two rtx 3090"),  # Turkish, with "adet" (pieces)
        ("2 adet rtx 4090", "2x rtx 4090"),
        ("rtx 3090 두 장", "rtx 3090 x2"),  # Korean counter after the card
        ("두 장의 rtx 3090", "2x rtx 3090"),  # and before it ("of")
        ("dizüstü rtx 4060", "laptop rtx 4060"),  # Turkish "laptop"
        ("لابتوب rtx 4060", "laptop rtx 4060"),  # Arabic
        ("लैपटॉप rtx 4050", "laptop rtx 4050"),  # Hindi
    ],
)
def test_other_languages_count_and_laptop_words(typed: str, read: str) -> None:
    assert other_languages(typed) == read


# --- names that are another product ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "rx 4090",  # AMD's series word before an NVIDIA number
        "Radeon 4090",
        "Snapdragon 8 Elite",  # a bare number inside the line's name: a phone chip
        "Minisforum MS-A2",  # a product code hyphen-joined to the number (not the NVIDIA A2)
    ],
)
def test_another_product_is_refused(typed: str) -> None:
    with pytest.raises(InputError):
        hardware(typed)


@pytest.mark.parametrize(
    ("typed", "id"),
    [
        ("Surface Laptop 7 Snapdragon X Elite", "qualcomm-snapdragon-x-elite-x1e-78-100"),
        ("NVIDIA-A10G", "nvidia-a10g"),  # a catalog name's own words may be hyphen-joined
        ("Ryzen AI 9 HX-370", "amd-ryzen-ai-9-hx-370"),
        ("AMD Ryzen 9 7950X + nothing", "amd-ryzen-9-7950x"),
        ("HP Omen Transcend 14 RTX 4060", "nvidia-rtx-4060-laptop"),  # a word in the model
        ("Acer Nitro V 15 RTX 4050", "nvidia-rtx-4050-laptop"),
        ("Omen 45L RTX 4090", "nvidia-rtx-4090"),  # litres: a desktop
    ],
)
def test_names_these_rules_leave_alone(typed: str, id: str) -> None:
    assert hardware(typed.replace(" + nothing", ""))[0] == id


# --- models ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "want"),
    [
        # a bare "<n>bpw" branch of an EXL2 repo is EXL2; of an EXL3 one, EXL3
        (
            "turboderp/Qwen2.5-Coder-32B-Instruct-exl2:4.0bpw",
            ("qwen2.5-coder-32b-instruct", "EXL2-4BPW"),
        ),
        ("turboderp/Llama-3.1-70B-Instruct-exl3:3.0bpw", ("llama-3.1-70b-instruct", "EXL3-3BPW")),
        # llama.cpp's --hf-file is a file of the --hf-repo repo
        (
            "llama-server --hf-repo unsloth/Qwen3-14B-GGUF --hf-file Qwen3-14B-Q5_K_M.gguf",
            ("qwen3-14b", "Q5_K_M"),
        ),
        # an Ollama Modelfile's FROM line
        ("FROM hf.co/unsloth/Qwen3-8B-GGUF:Q8_0", ("qwen3-8b", "Q8_0")),
        ("FROM ./gemma-3-12b-it-Q4_K_M.gguf", ("gemma-3-12b-it", "Q4_K_M")),
        # a model host's URL without its scheme
        ("modelscope.cn/models/Qwen/Qwen3-8B", ("qwen3-8b", None)),
        # Cloudflare Workers AI's namespace
        ("@cf/meta/llama-3.1-8b-instruct", ("llama-3.1-8b-instruct", None)),
    ],
)
def test_model_references(typed: str, want: tuple[str, str | None]) -> None:
    assert model(typed) == want


def test_a_from_inside_a_sentence_is_no_modelfile() -> None:
    with pytest.raises(InputError):
        model("from qwen3 8b to what")


@pytest.mark.parametrize(
    ("typed", "id"),
    [
        ("Posso rodar o Llama 3.1 8B no meu notebook?", "llama-3.1-8b-instruct"),  # Portuguese
        ("Czy Gemma 3 27B zadziała na RTX 3090?", "gemma-3-27b-it"),  # Polish
        ("Qwen3 14B'yi nasıl çalıştırırım", "qwen3-14b"),  # Turkish, a case ending
    ],
)
def test_questions_in_more_languages(typed: str, id: str) -> None:
    assert model(typed)[0] == id


def test_turkish_case_endings_and_possessives_are_no_words_of_a_name() -> None:
    assert NAME_SUFFIX_RE.sub("", "Llama 3.1 70B'yi") == "Llama 3.1 70B"
    assert NAME_SUFFIX_RE.sub("", "Qwen3'ü 8B'de") == "Qwen3 8B"
    assert NAME_SUFFIX_RE.sub("", "OpenAI's gpt-oss") == "OpenAI gpt-oss"
    assert NAME_SUFFIX_RE.sub("", "don't") == "don't"  # "t" is no Turkish ending


@pytest.mark.parametrize("typed", ["GeForce RTX 4090 x8 PCIe", "A100 x8 PCIe 80GB"])
def test_xn_right_before_pcie_is_a_link_width_or_a_count_so_it_is_asked(typed: str) -> None:
    with pytest.raises(InputError, match="link width"):
        hardware(typed)


def test_xn_after_the_pcie_generation_stays_the_link_width() -> None:
    assert hardware("RTX 4060 Ti PCIe 4.0 x8")[1] == 1
