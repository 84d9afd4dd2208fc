"""A size in millions is the same parameter count as in billions (600M = 0.6B): a name
unknown as typed is read again with each size in the other unit (docs/names.md, "Models")."""

from __future__ import annotations

import pytest

from runlocal.catalog import load_catalog
from runlocal.errors import UnknownNameError
from runlocal.resolve.models import resolve_model_name
from runlocal.resolve.models_respelled import unit_readings


def test_each_size_is_rewritten_in_the_other_unit_by_hand() -> None:
    # 600 / 1000 = 0.6; 0.27 * 1000 = 270; 4000 / 1000 = 4; 1.5 * 1000 = 1500.
    assert unit_readings("qwen3 600m") == ["qwen3 0.6b"]
    assert unit_readings("Qwen3-600M") == ["Qwen3-0.6b"]
    assert unit_readings("qwen3 600 million") == ["qwen3 0.6b"]
    assert unit_readings("gemma 3 0.27b") == ["gemma 3 270m"]
    assert unit_readings("qwen3 4000m") == ["qwen3 4b"]
    assert unit_readings("qwen2.5 1.5b 270m") == ["qwen2.5 1500m 270m", "qwen2.5 1.5b 0.27b"]
    # A letter glued before the number is a model letter or an active count (Granite's A400M),
    # a version's digits are no size, and a name without a size has no other reading.
    assert unit_readings("granite a400m") == []
    assert unit_readings("gemma 3") == [] and unit_readings("m4 max") == []


@pytest.mark.parametrize(
    ("typed", "model_id"),
    [
        ("qwen3 600m", "qwen3-0.6b"),
        ("QWEN3 600 M", "qwen3-0.6b"),
        ("gemma 3 0.27b", "gemma-3-270m-it"),
        ("qwen2 500M", "qwen2-0.5b-instruct"),
        ("qwen3 4000m", "qwen3-4b"),
    ],
)
def test_a_size_in_millions_names_the_model_of_that_count(typed: str, model_id: str) -> None:
    assert resolve_model_name(load_catalog(), typed).entry.id == model_id


@pytest.mark.parametrize("typed", ["smollm2 360M", "qwen3 6000m", "qwen3 60m"])
def test_a_count_no_model_of_the_name_has_stays_unknown(typed: str) -> None:
    # SmolLM2 360M is not in the catalog: never its 1.7B; no Qwen3 has 6B or 60M.
    with pytest.raises(UnknownNameError):
        resolve_model_name(load_catalog(), typed)
