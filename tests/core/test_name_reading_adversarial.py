"""Reading rules from an adversarial pass over the session 13 rules (session 14, names2): slips
of a variant word, instance types holding GPU words, devices listed by index, units and words in
other languages, log lines, two sizes in one question, a left-out generation. Expected values are
catalog and vendor facts worked by hand; test_typed_names.py holds the lines end to end.
"""

from __future__ import annotations

import pytest

from runlocal.errors import AmbiguousNameError, InputError, UnknownNameError
from runlocal.resolve.mistyped import one_slip_apart, sentence_runs, size_only
from runlocal.resolve.text import clean

from .reading import hardware_sized as _hw
from .reading import model as _model


def test_one_slip_apart_is_damerau_distance_one() -> None:
    assert one_slip_apart("to", "ti")  # a letter changed
    assert one_slip_apart("supr", "super")  # a letter left out
    assert one_slip_apart("tii", "ti")  # a letter added
    assert one_slip_apart("suepr", "super")  # two neighbours swapped
    assert not one_slip_apart("ti", "ti")
    assert not one_slip_apart("ko", "le")  # two letters changed
    assert not one_slip_apart("lhr", "le")


@pytest.mark.parametrize(
    "typed", ["rtx 3090 to", "rx 6700 zt", "rx 9070 xr", "rtx 4070 supr", "rtx 3060 ri 8gb"]
)
def test_a_slipped_variant_word_is_never_the_plain_card(typed: str) -> None:
    with pytest.raises(UnknownNameError):
        _hw(typed)


def test_a_sentence_word_after_a_model_number_stays_a_word() -> None:
    # "to" is one slip from Ti, but with more text after it it is English.
    assert _hw("can I use a 3090 to run llama 70b")[0] == "nvidia-rtx-3090"
    # A board partner's or listing's word that is no slip of Ti/XT/Super is left alone.
    assert _hw("rtx 3060 lhr")[0] == "nvidia-rtx-3060-12gb"
    assert _hw("rtx 2060 ko")[0] == "nvidia-rtx-2060"


@pytest.mark.parametrize(
    "typed", ["a2-highgpu-16g", "a2-megagpu-16g", "Standard_NC40ads_H100_v5", "g5.12xlarge"]
)
def test_an_instance_type_the_prices_lack_is_refused(typed: str) -> None:
    # a2-highgpu-16g holds sixteen A100 40GB (not an NVIDIA A2 16GB); NC40ads H100 v5 one
    # H100 NVL (not the SXM5 card); g5.12xlarge four A10G.
    with pytest.raises(UnknownNameError):
        _hw(typed)


def test_instance_counts_from_the_providers_naming() -> None:
    # a3-highgpu-1g is priced (one H100 SXM5); Google's -Ng suffix is the GPU count.
    assert _hw("a3-highgpu-4g") == ("nvidia-h100-sxm5-80gb", None, 4)
    # Azure's size without its "Standard_" prefix is the priced ND96isr H100 v5: eight H100s.
    assert _hw("ND96isr_H100_v5") == ("nvidia-h100-sxm5-80gb", None, 8)


def test_devices_listed_by_index_are_counted() -> None:
    line = (
        "ggml_cuda_init: found 2 CUDA devices: Device 0: NVIDIA GeForce RTX 3090, compute"
        " capability 8.6, VMM: yes Device 1: NVIDIA GeForce RTX 3090, compute capability 8.6"
    )
    assert _hw(line) == ("nvidia-rtx-3090", None, 2)
    smi = "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-1) GPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-2)"
    assert _hw(smi)[2] == 2
    mixed = line.replace("Device 1: NVIDIA GeForce RTX 3090", "Device 1: NVIDIA GeForce RTX 4090")
    with pytest.raises(AmbiguousNameError):
        _hw(mixed)


def test_gigabytes_in_french_and_cyrillic() -> None:
    assert _hw("Carte graphique 16 Go RTX 4060 Ti")[0] == "nvidia-rtx-4060-ti-16gb"
    assert _hw("rtx 3060 8go")[0] == "nvidia-rtx-3060-8gb"
    assert _hw("видеокарта 8 ГБ RTX 3060")[0] == "nvidia-rtx-3060-8gb"
    assert _hw("can a 3090 go faster")[0] == "nvidia-rtx-3090"  # four digits: no size


def test_other_scripts_glued_to_ascii_are_words_of_their_own() -> None:
    assert clean("显存16G的4060Ti") == "显存 16g 的 4060ti"
    assert clean("M1 Max 10\u2011core") == "m1 max 10-core"  # a dash is no letter
    assert _hw("显存16G的4060Ti")[0] == "nvidia-rtx-4060-ti-16gb"


def test_log_lines_name_their_model() -> None:
    assert _model("llama_model_loader: - kv   2: general.name str = Qwen3 8B")[0] == "qwen3-8b"
    assert _model("print_info: general.name     = GLM 4.5 Air")[0] == "glm-4.5-air"
    loaded = (
        "llama_model_loader: loaded meta data with 35 key-value pairs and 399 tensors from"
        " /models/Qwen3-14B-Q4_K_M.gguf (version GGUF V3 (latest))"
    )
    assert _model(loaded) == ("qwen3-14b", "Q4_K_M")
    vllm = (
        "INFO [core.py:58] with config: model='Qwen/Qwen2.5-7B-Instruct', speculative_config=None"
    )
    assert _model(vllm)[0] == "qwen2.5-7b-instruct"
    assert _model("qwen2.5:14b    7cdf5a0187d5    9.7 GB    100% GPU")[0] == "qwen2.5-14b-instruct"
    cached = "bartowski_Qwen2.5-7B-Instruct-GGUF_Qwen2.5-7B-Instruct-Q4_K_M.gguf"
    assert _model(cached) == ("qwen2.5-7b-instruct", "Q4_K_M")
    page = "https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-8B/discussions/12"
    assert _model(page)[0] == "deepseek-r1-distill-llama-8b"
    with pytest.raises(InputError):
        _model("print_info: file type   = Q4_K - Medium")


def test_questions_in_other_languages() -> None:
    assert sentence_runs("Kann ich Qwen3 14B auf meiner RTX 4070 laufen lassen?") == [
        ("Qwen3 14B", True),
        ("RTX 4070", True),
    ]
    assert sentence_runs("我的4090能跑Qwen2.5 72B吗") == [("4090", True), ("Qwen2.5 72B", True)]
    assert _model("¿Puedo correr Llama 3.1 8B en mi portátil?")[0] == "llama-3.1-8b-instruct"
    assert _model("Kann ich Qwen3 14B auf meiner RTX 4070 laufen lassen?")[0] == "qwen3-14b"
    assert _model("我的4090能跑Qwen2.5 72B吗")[0] == "qwen2.5-72b-instruct"
    assert _model("gpt-oss-20bは16GBのVRAMで動く?")[0] == "gpt-oss-20b"
    assert _model("Можно ли запустить Gemma 3 12B на RTX 3060?")[0] == "gemma-3-12b-it"


def test_a_size_alone_in_a_question_is_a_second_model() -> None:
    assert size_only("14b") and size_only("0.5B?") and not size_only("qwen3 14b")
    for typed in ("qwen3 8b or 14b", "should I run qwen3 14b or 32b on a 3090"):
        with pytest.raises(InputError):
            _model(typed)


def test_a_left_out_generation_is_another_model() -> None:
    # DeepSeek Coder (1.3B-33B, Ollama's deepseek-coder:latest is 1.3B) is not Coder V2 Lite.
    for typed in ("deepseek coder", "deepseek-coder:latest", "internvl"):
        with pytest.raises(UnknownNameError):
            _model(typed)
    assert _model("deepseek coder v2 lite")[0] == "deepseek-coder-v2-lite-instruct"
    assert _model("glm air")[0] == "glm-4.5-air"  # 4.5 is no one-digit generation
    assert _model("codestral")[0] == "codestral-22b"  # 22 is its size


def test_a_model_size_is_never_the_cards_memory() -> None:
    assert _hw("3060 for 8b models")[0] == "nvidia-rtx-3060-12gb"  # the catalog default
    assert _hw("rtx 4060 ti for 16b model")[0] == "nvidia-rtx-4060-ti-8gb"
    assert _hw("Rock 5B 16GB")[0] == "rockchip-rk3588"  # a B inside a product name
    assert _hw("rtx 4090 70b")[0] == "nvidia-rtx-4090"  # one memory size: nothing to ask
    with pytest.raises(AmbiguousNameError):
        _hw("rtx 3060 8b")  # right after the name: 8 GB mistyped, or a model's size?


def test_more_serving_commands_name_their_model() -> None:
    assert _model("ramalama run ollama://qwen3:8b") == ("qwen3-8b", None)  # tag's own quant
    assert _model("ramalama serve hf://unsloth/Qwen3-8B-GGUF")[0] == "qwen3-8b"
    sglang = "python -m sglang.launch_server --model-path Qwen/Qwen3-32B-FP8 --tp 2"
    assert _model(sglang) == ("qwen3-32b", "FP8")
    assert _model("trtllm-serve nvidia/Llama-3.3-70B-Instruct-FP4")[0] == "llama-3.3-70b-instruct"
