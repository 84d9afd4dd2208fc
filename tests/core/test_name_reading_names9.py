"""Session 18 names9 rules (docs/names.md, "Session 18 names9 rules"): each a general reading
rule, checked by hand on small cases."""

from __future__ import annotations

import pytest

from runlocal.errors import InputError

from .reading import hardware, model


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Qwen/Qwen3-8B@main", ("qwen3-8b", None)),
        ("google/gemma-3-27b-it@refs/pr/12", ("gemma-3-27b-it", None)),
        ("openai/gpt-oss-20b@0e9e39f", ("gpt-oss-20b", None)),  # a short commit hash
        ("hf://Qwen/Qwen3-14B@main", ("qwen3-14b", None)),
        ("hf://unsloth/Qwen3-8B-GGUF@main/Qwen3-8B-Q4_K_M.gguf", ("qwen3-8b", "Q4_K_M")),
        ("qwen/qwen3-32b@q4_k_m", ("qwen3-32b", "Q4_K_M")),  # LM Studio's @quant is a quant
    ],
)
def test_a_hub_revision_is_not_a_word_of_the_name(
    typed: str, expected: tuple[str, str | None]
) -> None:
    assert model(typed) == expected


def test_a_total_size_ending_in_one_zero_is_written_to_the_tens() -> None:
    # MiniMax-M2.5 has 229B parameters; its card says "230 billion"
    assert model("MiniMax M2.5 230B")[0] == "minimax-m2.5"
    for typed in ("minimax m2.5 220b", "deepseek v3 700b", "deepseek v3 680b"):
        with pytest.raises(InputError):
            model(typed)


def test_a_laptop_model_name_with_a_word_and_a_series_number() -> None:
    assert hardware("Legion Slim 5 16 RTX 4060") == ("nvidia-rtx-4060-laptop", 1)
    assert hardware("Legion Slim 7 16 RTX 4070") == ("nvidia-rtx-4070-laptop", 1)


def test_alienware_x_series_is_a_laptop_and_aurora_a_desktop() -> None:
    assert hardware("Alienware x16 RTX 4080") == ("nvidia-rtx-4080-laptop", 1)
    assert hardware("Alienware x17 R2 RTX 3080 Ti") == ("nvidia-rtx-3080-ti-laptop", 1)
    assert hardware("Alienware Aurora R16 RTX 4090") == ("nvidia-rtx-4090", 1)
    # a slot width elsewhere is still no count and no laptop
    assert hardware("RTX 4090 PCIe 4.0 x16") == ("nvidia-rtx-4090", 1)


@pytest.mark.parametrize("typed", ["RTX 4090 x16", "A100 x16"])
def test_a_trailing_x16_is_asked(typed: str) -> None:
    with pytest.raises(InputError, match="link width or a number of cards"):
        hardware(typed)


def test_sagemaker_names_an_ec2_instance_with_ml() -> None:
    assert hardware("ml.g5.xlarge") == ("nvidia-a10g", 1)
    assert hardware("ml.p5.48xlarge") == ("nvidia-h100-sxm5-80gb", 8)
    with pytest.raises(InputError):  # a type the catalog's prices lack stays refused
        hardware("ml.g5.12xlarge")
