"""bench/calibrate_speed.py: how a fit starts (the leave-one-out figures depend on it)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

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


def test_a_table_decoded_family_is_fitted_as_a_ratio_to_its_base() -> None:
    # speed.UNPACKING_BASE: MXFP4/NVFP4/IQ4_NL unpack as Q4_0 does plus a table lookup. The
    # fit holds q_table's cost as q_table / q_legacy: 4.2 / 3.5 = 1.2; back, 1.2 x 3.5 = 4.2.
    values = {"q8": 4.4, "q_legacy": 3.5, "q_table": 4.2}
    ratios = cs.relative_to_base(values, ("q8", "q_legacy", "q_table"))
    assert ratios == [4.4, 3.5, 4.2 / 3.5]
    back = cs.absolute_from_base({"q8": 4.4, "q_legacy": 3.5, "q_table": 1.2})
    assert back["q8"] == 4.4 and back["q_legacy"] == 3.5
    assert abs(back["q_table"] - 4.2) < 1e-12


def test_the_fitted_vectors_round_trip_the_stored_unpacking_costs() -> None:
    p = cs.load_params()
    q = cs.with_prefill(cs.with_decode(p, cs.decode_vector(p)), cs.prefill_vector(p))
    for family in cs.FAMILIES:
        assert abs(q.dequant_ops[family] - p.dequant_ops[family]) < 1e-9
        assert abs(q.prefill_quant_factor[family] - p.prefill_quant_factor[family]) < 1e-9


def test_a_fit_without_table_decoded_rows_keeps_the_legacy_cost() -> None:
    # The ratio's prior is 1 (log 0): a fit with no MXFP4 row (gpt-oss held out) starts the
    # ratio there, so q_table unpacks at q_legacy's fitted cost rather than at a free prior.
    p = cs.load_params()
    for vector, prior, start, with_ in (
        (cs.decode_vector(p), cs.decode_prior(), cs.D_DEQUANT, cs.with_decode),
        (cs.prefill_vector(p), cs.prefill_prior(), cs.P_QUANT - 1, cs.with_prefill),
    ):
        centre, _ = prior
        i = start + cs.FAMILIES.index("q_table")
        assert centre[i] == 0.0
        x = vector.copy()
        x[i] = centre[i]
        q = with_(p, x)
        values = q.dequant_ops if with_ is cs.with_decode else q.prefill_quant_factor
        assert abs(values["q_table"] - values["q_legacy"]) < 1e-9


def test_a_fit_without_rocm_rows_centres_hip_on_cuda() -> None:
    # calibrate_speed.SOURCE_ORIGIN: ggml's HIP backend is ggml-cuda's source, so with a base
    # whose CUDA decode costs are 0.9 of the bandwidth, 0.6 ms a token and 76 µs a layer, the
    # HIP prior sits at exactly those (log 0.9, log 0.6, log 76), not at the generic 0.75,
    # 1 ms and 20 µs, and keeps the generic spread; every other backend keeps its prior.
    from dataclasses import replace

    p = cs.load_params()
    base = replace(
        p,
        bandwidth_efficiency={**p.bandwidth_efficiency, "cuda": 0.9},
        fixed_ms={**p.fixed_ms, "cuda": 0.6},
        per_layer_us={**p.per_layer_us, "cuda": 76.0},
    )
    generic, sd_generic = cs.decode_prior()
    centre, sd = cs.decode_prior(base)
    rocm = cs.BACKENDS.index("rocm")
    assert np.exp(centre[rocm]) == pytest.approx(0.9)
    assert np.exp(centre[cs.D_FIXED + rocm]) == pytest.approx(0.6)
    assert np.exp(centre[cs.D_LAYER + rocm]) == pytest.approx(76.0)
    assert np.exp(generic[rocm]) == pytest.approx(0.75)
    assert np.exp(generic[cs.D_LAYER + rocm]) == pytest.approx(20.0)
    assert (sd == sd_generic).all()
    others = [
        i for i in range(len(centre)) if i not in (rocm, cs.D_FIXED + rocm, cs.D_LAYER + rocm)
    ]
    assert (centre[others] == generic[others]).all()
