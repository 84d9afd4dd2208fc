"""bench/runtime_holdout.py's re-read of a runtime's constants: the coordinate search."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from runtime_holdout import coordinate_search


def test_coordinate_search_finds_separable_minimum() -> None:
    # |a - 120| + 10 * |b - 0.6| is lowest at a = 120, b = 0.6, each found in one sweep
    # whatever the other holds.
    grid = {"a": [0.0, 60.0, 120.0, 180.0], "b": [0.0, 0.2, 0.4, 0.6, 0.8]}
    best = coordinate_search(
        lambda v: abs(v["a"] - 120) + 10 * abs(v["b"] - 0.6), {"a": 0.0, "b": 0.0}, grid
    )
    assert best == {"a": 120.0, "b": 0.6}


def test_coordinate_search_ties_take_the_lower_value() -> None:
    # |a - 90| is 30 at both 60 and 120: the lower, 60, is kept.
    best = coordinate_search(lambda v: abs(v["a"] - 90), {"a": 0.0}, {"a": [0.0, 60.0, 120.0]})
    assert best == {"a": 60.0}


def test_coordinate_search_follows_a_coupled_loss_over_sweeps() -> None:
    # (a + b - 4)^2 + (a - b)^2 is lowest at a = b = 2. From (0, 0) the first sweep takes
    # a to 2 with b = 0 ((a - 4)^2 + a^2: 16, 10, 8, 10 for a = 0..3), then b to 2 with
    # a = 2 (loss 0).
    grid = {"a": [0.0, 1.0, 2.0, 3.0], "b": [0.0, 1.0, 2.0, 3.0]}
    best = coordinate_search(
        lambda v: (v["a"] + v["b"] - 4) ** 2 + (v["a"] - v["b"]) ** 2, {"a": 0.0, "b": 0.0}, grid
    )
    assert best == {"a": 2.0, "b": 2.0}
