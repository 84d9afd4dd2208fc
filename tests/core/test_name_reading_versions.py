"""A version's dot spelled otherwise (resolve/models_versions.py): a separator ("3-1", "3_1",
"3 1", Fireworks' "3p1", "v0-3") or dropped ("llama-31-8b"), each with hand-worked readings.
The typed-names set (lines "session 16 versions") holds them end to end."""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import AmbiguousNameError, InputError
from runlocal.resolve.models import resolve_model_name
from runlocal.resolve.models_versions import apart_readings, separated_readings


def _never(name: str) -> bool:
    return False


def _model(text: str) -> str:
    return resolve_model_name(load_catalog(), text).entry.id


def test_separated_readings_by_hand() -> None:
    assert separated_readings("llama-3-1-8b", _never) == ["llama-3.1-8b"]
    assert separated_readings("qwen2_5_7b", _never) == ["qwen2.5_7b"]
    # Fireworks' "p", and the "v" before a version read with and without it.
    assert separated_readings("llama-v3p1-8b", _never) == ["llama-v3.1-8b", "llama-3.1-8b"]
    assert separated_readings("mistral-7b-v0-3", _never) == ["mistral-7b-v0.3", "mistral-7b-0.3"]
    # Both readings of three digits in a row, never the two together (they share the 5).
    assert separated_readings("qwen 2 5 7", _never) == ["qwen 2.5 7", "qwen 2 5.7"]
    # A minor glued to a size's unit or an expert count, or a date: no version.
    for name in ("gemma-3-1b", "mixtral-8x7b", "deepseek-r1-0528", "qwen3-30b-a3b"):
        assert separated_readings(name, _never) == []
    # A model letter glued to the minor is kept ("GLM-4.1V").
    assert separated_readings("glm-4-1v-9b", _never) == ["glm-4.1v-9b"]
    # The minor may be a size typed without its unit where "…1b" names a model.
    assert separated_readings("llama 3 1", lambda n: n == "llama 3 1b") == []


def test_apart_readings_by_hand() -> None:
    assert apart_readings("llama-31-8b", lambda letters: set()) == ["llama-3.1-8b"]
    # A number the models of those words use (a size, Gemma 4 31B) is not a dropped dot.
    assert apart_readings("gemma 31 27b", lambda letters: {"31", "27"}) == []
    # Glued to letters or a unit: not standing apart ("llama31" is undotted_readings').
    assert apart_readings("llama31 8b", lambda letters: set()) == []
    assert apart_readings("gemma 4 31b", lambda letters: set()) == []


@pytest.mark.parametrize(
    ("typed", "entry"),
    [
        ("llama-3-1-8b", "llama-3.1-8b-instruct"),
        ("llama-3-3-70b", "llama-3.3-70b-instruct"),
        ("qwen-2-5-7b", "qwen2.5-7b-instruct"),
        ("qwen2-5-7b", "qwen2.5-7b-instruct"),
        ("mistral-7b-v0-3", "mistral-7b-instruct-v0.3"),
        ("phi-3-5-mini", "phi-3.5-mini-instruct"),
        ("llama-31-8b", "llama-3.1-8b-instruct"),
        ("llama_3_1_8b", "llama-3.1-8b-instruct"),
        ("accounts/fireworks/models/llama-v3p1-8b-instruct", "llama-3.1-8b-instruct"),
        ("qwen2p5-72b-instruct", "qwen2.5-72b-instruct"),
        ("@cf/meta/llama-3.1-8b-instruct", "llama-3.1-8b-instruct"),
        # Unchanged: each reads as typed, before any of these readings.
        ("gemma-3-27b", "gemma-3-27b-it"),
        ("qwen3-30b-a3b", "qwen3-30b-a3b"),
        ("llama-3-8b", "llama-3-8b"),
        ("gemma 4 31b", "gemma-4-31b-it"),
    ],
)
def test_versions_spelled_otherwise(typed: str, entry: str) -> None:
    assert _model(typed) == entry


def test_readings_that_may_be_a_size_or_several_models_are_refused() -> None:
    with pytest.raises(InputError):
        _model("gemma 31 27b")  # 31: Gemma 4 31B's size
    with pytest.raises(InputError):
        _model("llama-33-70b")  # 33: LLaMA 33B's size
    with pytest.raises(AmbiguousNameError):
        _model("llama 3 1")  # Llama Guard 3 1B, or a Llama 3.1
    with pytest.raises(InputError):
        _model("mistral-7b-instruct-v0-2")  # v0.2: not in the catalog, never v0.1 or v0.3
