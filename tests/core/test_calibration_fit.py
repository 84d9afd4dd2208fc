"""bench/calibrate_speed.py: how a fit starts (the leave-one-out figures depend on it)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import calibrate_speed as cs


def test_a_parameter_no_row_depends_on_starts_at_its_prior() -> None:
    # Two rows that read the first parameter only: the second (say, the per-layer cost of a
    # backend the fit has no row of) must not keep the stored value the held-out rows taught.
    def data(x: np.ndarray) -> list[float]:
        return [float(x[0]) - 1.0, 2.0 * float(x[0])]

    start = cs.start_unconstrained_at_prior(data, np.array([0.3, 5.2]), np.array([0.0, 3.0]))
    assert start.tolist() == [0.3, 3.0]


def test_a_parameter_at_a_clamp_still_counts_as_constrained() -> None:
    # Bandwidth efficiency is capped at 1 (log 0): moving it up changes nothing, down does.
    def data(x: np.ndarray) -> list[float]:
        return [min(float(x[0]), 0.0)]

    start = cs.start_unconstrained_at_prior(data, np.array([0.0]), np.array([-0.3]))
    assert start.tolist() == [0.0]


def test_the_priors_line_up_with_the_fitted_vectors() -> None:
    p = cs.load_params()
    for vector, prior in (
        (cs.decode_vector(p), cs.decode_prior()),
        (cs.prefill_vector(p), cs.prefill_prior()),
    ):
        centre, sd = prior
        assert centre.shape == sd.shape == vector.shape
        assert (sd > 0).all()


def test_only_the_named_folds_are_fitted(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # --model-folds: each named group is fitted without its rows, the others not at all.
    fitted: list[list[str]] = []

    def fake_fit(rows, base):  # type: ignore[no-untyped-def]
        fitted.append(sorted({r for r in rows}))
        return base

    monkeypatch.setattr(cs, "fit", fake_fit)
    monkeypatch.setattr(cs, "fold_errors", lambda test, p, metric: None)
    monkeypatch.setattr(cs, "ape_summary", lambda test, p, metric: "n=0")
    rows = ["a", "b", "c"]
    out = cs.cross_validate(rows, None, lambda r: r, "x", only=["b", "z"])  # type: ignore[arg-type]
    assert list(out) == ["b"]
    assert fitted == [["a", "c"]]
