"""Inputs bench/bench_fuzz.py found that escaped the readers as something other than the
engine's own errors (or as a refusal on more than one line). Each must now be refused with a
RunlocalError whose message is one printable line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runlocal.errors import ModelFileError, RunlocalError, UnsupportedArchitectureError
from runlocal.gguf import read_gguf
from runlocal.hfconfig import load_config, spec_from_config
from runlocal.safetensors import read_safetensors_inventory

from .test_gguf import LLAMA_KV, kv_str, raw_gguf


def one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and message.isprintable(), message
    return message


def test_a_config_with_billions_of_layers_is_refused_not_allocated(tmp_path: Path) -> None:
    # MemoryError: per-layer lists of 120,259,084,288 entries.
    config = {
        "model_type": "qwen2",
        "hidden_size": 3584,
        "intermediate_size": 18944,
        "num_hidden_layers": 120_259_084_288,
        "num_attention_heads": 28,
        "num_key_value_heads": 4,
        "vocab_size": 152064,
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError) as err:
        spec_from_config(load_config(tmp_path), where="config.json")
    assert "num_hidden_layers" in one_line(err.value)


def test_a_mixture_of_experts_without_an_expert_width_names_the_key() -> None:
    # AssertionError: llama4 with experts but no intermediate_size of any kind.
    config: dict[str, Any] = {
        "model_type": "llama4_text",
        "hidden_size": 5120,
        "intermediate_size_mlp": 16384,
        "num_hidden_layers": 4,
        "num_attention_heads": 40,
        "num_key_value_heads": 8,
        "head_dim": 128,
        "vocab_size": 202048,
        "num_local_experts": 16,
        "num_experts_per_tok": 1,
        "interleave_moe_layer_step": 2,
    }
    with pytest.raises(ModelFileError) as err:
        spec_from_config(config)
    assert "moe_intermediate_size" in one_line(err.value)


def test_an_index_naming_an_unopenable_file_is_a_model_file_error(tmp_path: Path) -> None:
    # UnicodeEncodeError (a lone surrogate) and ValueError (a NUL) from open().
    for name in ("model-\ud800.safetensors", "model-\x00.safetensors"):
        index = {"weight_map": {"model.embed_tokens.weight": name}}
        (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
        with pytest.raises(ModelFileError) as err:
            read_safetensors_inventory(tmp_path, 1, "BF16")
        one_line(err.value)


def test_an_architecture_name_with_control_characters_stays_on_one_line(
    tmp_path: Path,
) -> None:
    kv = [kv_str("general.architecture", "\x03emma2\nx"), *LLAMA_KV[1:]]
    path = tmp_path / "odd.gguf"
    path.write_bytes(raw_gguf(kv=kv))
    with pytest.raises(UnsupportedArchitectureError) as err:
        read_gguf(path)
    one_line(err.value)


def test_a_hybrid_pattern_of_an_odd_model_type_stays_on_one_line() -> None:
    config = {
        "model_type": "odd\nname",
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "vocab_size": 100,
        "hybrid_override_pattern": "M*",
    }
    with pytest.raises(RunlocalError) as err:
        spec_from_config(config)
    one_line(err.value)
