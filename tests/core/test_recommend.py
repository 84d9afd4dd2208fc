"""Choose my GPU, the runtime advice and the custom build's model groups."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import runlocal.recommend as rec
from runlocal.build_advice import ModelFit, fit_models, group_models, recommend_runtime
from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import InputError
from runlocal.hardware import parse_hardware
from runlocal.recommend import (
    Candidate,
    Fit,
    GpuQuestion,
    Pick,
    SizeClass,
    candidates,
    choose_gpu,
    hardware_price,
    model_for_size_class,
    rank,
    size_class,
)

from .factories import LLAMA_3_1_8B, make_hardware, make_model, make_standard_catalog


def _priced(root: Path) -> Path:
    """The standard catalog (its GPUs have no price) and four priced devices."""
    make_standard_catalog(root)
    make_hardware(
        root,
        "cheap-12",
        "Cheap 12",
        memory_gib=12,
        bandwidth_gb_s=360,
        launch_price_usd=300.0,
        tdp_w=170.0,
    )
    make_hardware(
        root,
        "fast-24",
        "Fast 24",
        memory_gib=24,
        bandwidth_gb_s=1000,
        launch_price_usd=1600.0,
        tdp_w=450.0,
    )
    make_hardware(
        root,
        "red-48",
        "Red 48",
        memory_gib=48,
        bandwidth_gb_s=864,
        vendor="AMD",
        backends=["rocm", "vulkan"],
        launch_price_usd=4000.0,
        tdp_w=300.0,
    )
    make_hardware(
        root,
        "mac-64",
        "Mac 64",
        memory_gib=64,
        bandwidth_gb_s=400,
        kind="unified",
        vendor="Apple",
        backends=["metal"],
        launch_price_usd=2500.0,
        tdp_w=90.0,
    )
    make_hardware(
        root,
        "cpu-priced",
        "Priced CPU",
        memory_gib=64,
        bandwidth_gb_s=80,
        kind="cpu",
        vendor="AMD",
        backends=["cpu"],
        fp16_tflops=None,
        launch_price_usd=500.0,
    )
    return root


@pytest.fixture
def priced(tmp_path: Path) -> Catalog:
    return Catalog(root=_priced(tmp_path / "catalog"))


def _labels(picks: list[Pick]) -> list[str]:
    return [p.candidate.label for p in picks]


# --- candidates -------------------------------------------------------------------------


def test_it_takes_priced_gpus_and_macs_within_the_budget(priced: Catalog) -> None:
    ids = {c.hardware_id for c in candidates(priced, platform="any", budget_usd=5000)}
    # No price (the standard GPUs) or a CPU: not a candidate.
    assert ids == {"cheap-12", "fast-24", "red-48", "mac-64"}
    cheap = candidates(priced, platform="any", budget_usd=1000)
    assert [(c.hardware_id, c.count) for c in cheap] == [("cheap-12", 1)]
    assert cheap[0].price_basis == "launch" and cheap[0].price_usd == 300.0


def test_it_adds_two_of_a_card_when_asked_never_two_macs(priced: Catalog) -> None:
    two = candidates(priced, platform="any", budget_usd=5000, max_cards=2)
    pairs = {c.hardware_id for c in two if c.count == 2}
    assert pairs == {"cheap-12", "fast-24"}  # red-48 ×2 is $8,000; a Mac runs alone
    double = next(c for c in two if c.hardware_id == "fast-24" and c.count == 2)
    assert double.price_usd == 3200.0 and double.tdp_w == 900.0
    assert double.query_hardware == "2x fast-24" and double.label == "2× Fast 24"
    assert double.total_memory_gib == 48.0


def test_it_filters_by_platform(priced: Catalog) -> None:
    assert [c.hardware_id for c in candidates(priced, platform="apple", budget_usd=5000)] == [
        "mac-64"
    ]
    assert [c.hardware_id for c in candidates(priced, platform="amd", budget_usd=5000)] == [
        "red-48"
    ]
    with pytest.raises(InputError):
        candidates(priced, platform="sparc", budget_usd=5000)
    with pytest.raises(InputError):
        candidates(priced, platform="any", budget_usd=5000, max_cards=3)


def test_the_priced_hardware_is_kept_per_loaded_catalog(tmp_path: Path) -> None:
    # Kept per catalog: a second question reads the same rows, whatever its budget; another
    # catalog (here without Red 48) gets its own.
    first = Catalog(root=_priced(tmp_path / "a"))
    kept = rec.priced_hardware(first)
    assert rec.priced_hardware(first) is kept
    assert [(c.hardware_id, c.count) for _, per in kept for c in per] == [
        ("cheap-12", 1),
        ("cheap-12", 2),
        ("fast-24", 1),
        ("fast-24", 2),
        ("mac-64", 1),
        ("red-48", 1),
        ("red-48", 2),
    ]
    assert [c.hardware_id for c in candidates(first, platform="any", budget_usd=1000)] == [
        "cheap-12"
    ]
    root = _priced(tmp_path / "b")
    (root / "hardware" / "red-48.toml").unlink()
    other = Catalog(root=root)
    ids = {c.hardware_id for c in candidates(other, platform="any", budget_usd=5000)}
    assert ids == {"cheap-12", "fast-24", "mac-64"}
    assert rec.priced_hardware(first) is kept


def test_it_prefers_a_dated_street_price(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    make_hardware(
        root,
        "used",
        "Used",
        memory_gib=24,
        bandwidth_gb_s=900,
        launch_price_usd=1499.0,
        street_price_usd=750.0,
        street_price_date="2026-05",
    )
    assert hardware_price(Catalog(root=root).hardware["used"]) == (750.0, "street")


# --- ranking ----------------------------------------------------------------------------


def test_it_ranks_for_speed_price_power_and_context(priced: Catalog) -> None:
    speed = choose_gpu(GpuQuestion(5000, "llama-3.1-8b", priority="speed"), priced).picks
    decodes = [p.fit.decode_tok_s or 0 for p in speed]
    assert decodes == sorted(decodes, reverse=True)
    assert speed[0].candidate.hardware_id == "fast-24"  # the most bandwidth
    price = choose_gpu(GpuQuestion(5000, "llama-3.1-8b", priority="price"), priced).picks
    assert _labels(price) == ["Cheap 12", "Fast 24", "Mac 64", "Red 48"]
    power = choose_gpu(GpuQuestion(5000, "llama-3.1-8b", priority="power"), priced).picks
    per_watt = [p.tok_s_per_watt or 0 for p in power]
    assert per_watt == sorted(per_watt, reverse=True) and power[0].candidate.label == "Mac 64"
    context = choose_gpu(GpuQuestion(5000, "llama-3.1-8b", priority="context"), priced).picks
    assert context[-1].candidate.label == "Cheap 12"  # 12 GiB holds the least context
    assert (context[-1].fit.max_context or 0) < (context[0].fit.max_context or 0)


def test_every_pick_is_the_engines_answer(priced: Catalog) -> None:
    answer = choose_gpu(GpuQuestion(5000, "Llama 3.1 8B", context=8192), priced)
    assert answer.model.id == "llama-3.1-8b" and answer.considered == 4
    for p in answer.picks:
        r = check(
            CheckQuery(
                model="llama-3.1-8b",
                hardware=(p.candidate.query_hardware,),
                quant=p.fit.quant,
                context=8192,
            ),
            priced,
        ).to_dict()
        assert p.fit == Fit.from_result(r)
        assert p.tok_s_per_kusd == pytest.approx(
            r["speed"]["decode_tok_s"] / p.candidate.price_usd * 1000
        )
        assert any(f"{r['speed']['decode_tok_s']:g} tokens/s" in line for line in p.rationale)


def test_a_big_model_drops_a_quantization_or_takes_two_cards(priced: Catalog) -> None:
    one = choose_gpu(GpuQuestion(5000, "mixtral-8x7b"), priced)
    # The 12 GB card runs it only with experts in the 32 GiB of system RAM every surface
    # assumes: a pick with that tradeoff, ranked below the cards that hold it.
    cheap = next(p for p in one.picks if p.candidate.label == "Cheap 12")
    assert cheap.fit.verdict == "tradeoffs" and cheap.fit.max_context_where == "offload"
    labels_one = _labels(one.picks)
    assert labels_one.index("Fast 24") < labels_one.index("Cheap 12")
    fast = next(p for p in one.picks if p.candidate.label == "Fast 24")
    assert fast.fit.quant != rec.QUANT  # 24 GiB holds it only below Q4_K_M
    two = choose_gpu(GpuQuestion(5000, "mixtral-8x7b", max_cards=2), priced)
    labels = _labels(two.picks)
    assert "2× Fast 24" in labels
    # Two cards at Q4_K_M rank above one card at a lower quantization.
    assert labels.index("2× Fast 24") < labels.index("Fast 24")


def test_it_ranks_comfortable_then_useful_speed_then_q4() -> None:
    def pick(label: str, verdict: str, quant: str, decode: float, price: float) -> Pick:
        cand = Candidate(label, label, "NVIDIA", "gpu", 1, price, "launch", 24.0, 300.0)
        fit = Fit(
            verdict, "", quant, 8192, quant, decode, decode, decode, 8192, 1, 2, 0, "estimated"
        )
        return Pick(cand, fit, label)

    picks = [
        pick("slow", "comfortable", "Q4_K_M", 6.0, 100),
        pick("tight", "tradeoffs", "Q4_K_M", 90.0, 100),
        pick("low-quant", "comfortable", "Q2_K", 80.0, 100),
        pick("mid-quant", "comfortable", "Q3_K_M", 30.0, 100),
        pick("good", "comfortable", "Q4_K_M", 20.0, 900),
        pick("none", "wont-run", "Q4_K_M", 0.0, 50),
    ]
    assert [p.candidate.label for p in rank(picks, "speed")] == [
        "good",
        "mid-quant",
        "low-quant",
        "slow",
        "tight",
    ]
    with pytest.raises(InputError):
        rank(picks, "looks")


def test_it_checks_the_question() -> None:
    for bad in (
        GpuQuestion(0, "x"),
        GpuQuestion(float("nan"), "x"),
        GpuQuestion(100, "x", platform="sparc"),
        GpuQuestion(100, "x", priority="looks"),
        GpuQuestion(100, "x", context=0),
    ):
        with pytest.raises(InputError):
            bad.validate()


# --- size classes -----------------------------------------------------------------------


def test_a_size_class_stands_for_a_catalog_model(priced: Catalog) -> None:
    # The standard catalog has none of the preferred ids: the nearest in parameters wins.
    assert model_for_size_class(priced, size_class("8b-chat")).id == "llama-3.1-8b"
    assert model_for_size_class(priced, size_class("70b")).id == "mixtral-8x7b"
    own = SizeClass("x", "X", 8.0, "chat", ("gemma-2-9b",))
    assert model_for_size_class(priced, own).id == "gemma-2-9b"
    with pytest.raises(InputError):
        size_class("9000b")
    with pytest.raises(InputError):
        model_for_size_class(Catalog(), size_class("8b-chat"))


# --- runtimes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hardware, os, use, expected",
    [
        (["apple-test-max"], "macos", "chat", "mlx"),
        (["cpu-test"], "linux", "chat", "llama.cpp"),
        (["2x gpu-24"], "linux", "coding", "vllm"),
        (["2x gpu-24"], "windows", "coding", "llama.cpp"),
        (["2x gpu-24"], "", "coding", "llama.cpp"),
        (["2x gpu-24"], "linux", "chat", "ollama"),
        (["gpu-24", "gpu-8"], "linux", "coding", "llama.cpp"),
        (["gpu-24"], "windows", "chat", "ollama"),
        (["gpu-24"], "linux", "reasoning", "llama.cpp"),
    ],
)
def test_it_recommends_a_runtime(
    priced: Catalog, hardware: list[str], os: str, use: str, expected: str
) -> None:
    devices = [d for text in hardware for d in parse_hardware(priced, text)]
    advice = recommend_runtime(devices, os, use)
    assert advice.runtime == expected
    assert advice.reason.endswith(".")


def test_it_needs_a_device_for_runtime_advice() -> None:
    with pytest.raises(InputError):
        recommend_runtime([], "linux", "chat")


# --- models for a build -------------------------------------------------------------------


def _mf(
    name: str,
    size: float,
    verdict: str = "comfortable",
    decode: float | None = 50.0,
    *,
    context: int = 8192,
    max_context: int | None = 32768,
    quality: float | None = None,
) -> ModelFit:
    fit = Fit(
        verdict,
        "",
        "Q4_K_M",
        context,
        None,
        decode,
        decode,
        decode,
        max_context,
        1,
        2,
        0,
        "estimated",
    )
    return ModelFit(name, name, size, fit, quality=quality)


def test_it_groups_and_ranks_models_for_a_build() -> None:
    fits = [
        _mf("small-fast", 3, decode=150),
        _mf("mid", 14, decode=40),
        _mf("big", 32, decode=12),
        _mf("big-slow", 34, decode=8),  # comfortable but under 10 tokens/s
        _mf("short", 27, max_context=4096),  # its training stops before the context
        _mf("offloaded", 70, "tradeoffs", decode=4),
        _mf("crawling", 120, "tradeoffs", decode=1.5),
        _mf("huge", 400, "wont-run", decode=None, max_context=None),
        ModelFit("broken", "broken", 7, None, error="unsupported"),
    ]
    groups = group_models(fits)
    assert [m.name for m in groups["comfortable"]] == ["big", "mid", "small-fast"]
    assert [m.name for m in groups["borderline"]] == ["short", "offloaded", "big-slow"]
    assert [m.name for m in groups["not_practical"]] == ["crawling", "broken", "huge"]


def test_quality_merit_leads_the_ranking_before_size() -> None:
    fits = [_mf("big", 32, decode=20, quality=60.0), _mf("small", 8, decode=90, quality=75.0)]
    assert [m.name for m in group_models(fits)["comfortable"]] == ["small", "big"]
    # A model without a merit ranks after those with one.
    fits.append(_mf("unrated", 70, decode=30))
    assert [m.name for m in group_models(fits)["comfortable"]] == ["small", "big", "unrated"]


def test_it_checks_every_text_model_on_a_build(priced: Catalog) -> None:
    fits = fit_models(
        priced,
        ["gpu-24"],
        runtime="llama.cpp",
        quant="Q4_K_M",
        context=8192,
        ram_gb=None,
        use="chat",
    )
    assert {m.model_id for m in fits} == set(priced.models)
    by_id = {m.model_id: m for m in fits}
    r = check(CheckQuery(model="llama-3.1-8b", hardware=("gpu-24",), context=8192), priced)
    assert by_id["llama-3.1-8b"].fit == Fit.from_result(r.to_dict())
    # Mixtral is not comfortable at Q4_K_M on 24 GB: its row is the engine's answer at the
    # best quantization that is, with that quantization's quality loss.
    q = CheckQuery(model="mixtral-8x7b", hardware=("gpu-24",), context=8192, quant="Q4_K_M")
    at_q4 = check(q, priced).to_dict()
    assert at_q4["verdict"] != "comfortable" and at_q4["best_quant"] not in (None, "Q4_K_M")
    lower = check(dataclasses.replace(q, quant=at_q4["best_quant"]), priced).to_dict()
    mixtral = by_id["mixtral-8x7b"]
    assert mixtral.fit == Fit.from_result(lower) and mixtral.group == "comfortable"
    assert mixtral.quality_basis and at_q4["best_quant"] in mixtral.quality_basis
    # A runtime the hardware cannot use: every model carries the engine's refusal.
    refused = fit_models(
        priced,
        ["gpu-24"],
        runtime="mlx",
        quant="MLX-4BIT",
        context=8192,
        ram_gb=None,
        use="chat",
    )
    assert all(m.fit is None and m.error for m in refused)
    with pytest.raises(InputError):
        fit_models(
            priced,
            ["gpu-24"],
            runtime="llama.cpp",
            quant="Q4_K_M",
            context=8192,
            ram_gb=None,
            use="poetry",
        )


def test_it_marks_models_built_for_the_use(tmp_path: Path) -> None:
    root = _priced(tmp_path / "catalog")
    make_model(root, "testcoder-7b", "TestCoder 7B", dict(LLAMA_3_1_8B), 7.0)
    catalog = Catalog(root=root)
    fits = fit_models(
        catalog,
        ["gpu-24"],
        runtime="llama.cpp",
        quant="Q4_K_M",
        context=8192,
        ram_gb=None,
        use="coding",
    )
    marked = {m.model_id for m in fits if m.specialised}
    assert marked == {"testcoder-7b"}
