"""A published measurement of the exact setup wins over the formula; others are scaled."""

from __future__ import annotations

from pathlib import Path

from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check

from .factories import bench_row, make_benchmark


def query(**kw: object) -> CheckQuery:
    base: dict[str, object] = {
        "model": "llama-3.1-8b",
        "hardware": ("Test GPU 24",),
        "context": 512,
    }
    base.update(kw)
    return CheckQuery(**base)  # type: ignore[arg-type]


def test_it_uses_a_measurement_of_the_exact_setup(catalog_dir: Path) -> None:
    make_benchmark(
        catalog_dir,
        "b1",
        "gpu-24",
        [
            bench_row("llama-3.1-8b", "tg_tok_s", 111.0),
            bench_row("llama-3.1-8b", "pp_tok_s", 5555.0),
        ],
    )
    r = check(query(), load_catalog(catalog_dir)).to_dict()
    assert r["evidence"] == "measured"
    assert r["speed"]["decode_tok_s"] == 111.0 and r["speed"]["prefill_tok_s"] == 5555.0
    assert r["basis"]["measurements"][0]["source"].startswith("https://")


def test_it_ignores_measurements_when_asked(catalog_dir: Path) -> None:
    make_benchmark(catalog_dir, "b1", "gpu-24", [bench_row("llama-3.1-8b", "tg_tok_s", 111.0)])
    r = check(query(no_measured=True), load_catalog(catalog_dir)).to_dict()
    assert r["evidence"] == "estimated" and r["speed"]["decode_tok_s"] != 111.0


def test_it_scales_a_measurement_to_a_deeper_context(catalog_dir: Path) -> None:
    make_benchmark(catalog_dir, "b1", "gpu-24", [bench_row("llama-3.1-8b", "tg_tok_s", 111.0)])
    r = check(query(context=65536), load_catalog(catalog_dir)).to_dict()
    assert r["evidence"] == "measured-near"
    assert r["speed"]["decode_tok_s"] < 111.0


def test_it_extrapolates_from_other_hardware_of_the_same_backend(catalog_dir: Path) -> None:
    make_benchmark(catalog_dir, "b2", "gpu-8", [bench_row("llama-3.1-8b", "tg_tok_s", 60.0)])
    r = check(query(), load_catalog(catalog_dir)).to_dict()
    assert r["evidence"] == "extrapolated"
    # The 24 GB card has 1000/448 the bandwidth: faster than the measured 60, below 2.3×.
    assert 60.0 < r["speed"]["decode_tok_s"] < 60.0 * 1000 / 448


def test_it_does_not_borrow_another_quant(catalog_dir: Path) -> None:
    make_benchmark(
        catalog_dir, "b1", "gpu-24", [bench_row("llama-3.1-8b", "tg_tok_s", 111.0, quant="Q8_0")]
    )
    r = check(query(), load_catalog(catalog_dir)).to_dict()
    assert r["evidence"] == "estimated"


def test_it_labels_approved_community_results(catalog_dir: Path) -> None:
    make_benchmark(catalog_dir, "c1", "gpu-24", [bench_row("llama-3.1-8b", "tg_tok_s", 99.0)])
    path = catalog_dir / "benchmarks" / "c1.toml"
    path.write_text(
        path.read_text().replace('hardware = "gpu-24"', 'hardware = "gpu-24"\ntrust = "community"')
    )
    r = check(query(), load_catalog(catalog_dir)).to_dict()
    assert r["evidence"] == "community" and r["speed"]["decode_tok_s"] == 99.0


def test_a_published_measurement_wins_over_a_community_one(catalog_dir: Path) -> None:
    make_benchmark(catalog_dir, "c1", "gpu-24", [bench_row("llama-3.1-8b", "tg_tok_s", 99.0)])
    path = catalog_dir / "benchmarks" / "c1.toml"
    path.write_text(
        path.read_text().replace('hardware = "gpu-24"', 'hardware = "gpu-24"\ntrust = "community"')
    )
    make_benchmark(catalog_dir, "b1", "gpu-24", [bench_row("llama-3.1-8b", "tg_tok_s", 111.0)])
    r = check(query(), load_catalog(catalog_dir)).to_dict()
    assert r["evidence"] == "measured" and r["speed"]["decode_tok_s"] == 111.0
