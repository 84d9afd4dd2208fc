from __future__ import annotations

import pytest

from runlocal.catalog import Catalog, load_catalog
from runlocal.errors import InputError, RunlocalError, UnknownNameError
from runlocal.hardware import device_from_entry, explicit_device
from runlocal.plausibility import (
    MARGIN,
    catalog_roofline,
    check_speeds,
    matmul_params_per_token,
)
from runlocal.units import GB, TB


def gpu24(catalog: Catalog):  # type: ignore[no-untyped-def]
    return device_from_entry(catalog.find_hardware("gpu-24"))


def test_it_sets_the_decode_ceiling_from_bandwidth_and_weight_bytes(catalog: Catalog) -> None:
    limits = catalog_roofline(catalog, "llama-3.1-8b", "Q4_K_M", gpu24(catalog))
    # Llama 3.1 8B at Q4_K_M is 4.58 GiB, of which 0.27 GiB of token embeddings are not read.
    assert 4.4e9 < limits.weight_bytes_per_token < 4.8e9
    expected = 1000 * GB / limits.weight_bytes_per_token * MARGIN
    assert limits.decode_tok_s_max == pytest.approx(expected)
    assert 250 < limits.decode_tok_s_max < 290


def test_it_sets_the_prefill_ceiling_from_fp16_flops(catalog: Catalog) -> None:
    limits = catalog_roofline(catalog, "llama-3.1-8b", "Q4_K_M", gpu24(catalog))
    # 32 blocks of 218.1M parameters (and two norms each); embeddings and the output head
    # are not multiplied per prompt token.
    assert limits.matmul_params_per_token == 32 * (218_103_808 + 2 * 4096)
    assert limits.prefill_tok_s_max == pytest.approx(
        100 * TB / (2 * limits.matmul_params_per_token) * MARGIN
    )


def test_it_counts_only_the_routed_share_of_experts(catalog: Catalog) -> None:
    spec_limits = catalog_roofline(catalog, "mixtral-8x7b", "Q4_K_M", gpu24(catalog))
    # 2 of 8 experts per token: about 12.9B of 46.7B parameters are multiplied.
    assert 12.0e9 < spec_limits.matmul_params_per_token < 13.0e9
    dense = catalog_roofline(catalog, "llama-3.1-8b", "Q4_K_M", gpu24(catalog))
    assert spec_limits.weight_bytes_per_token > dense.weight_bytes_per_token


def test_a_layer_split_does_not_multiply_single_stream_decode(catalog: Catalog) -> None:
    one = catalog_roofline(catalog, "llama-3.1-8b", "Q8_0", gpu24(catalog))
    two = catalog_roofline(catalog, "llama-3.1-8b", "Q8_0", gpu24(catalog), n_devices=2)
    assert two.decode_tok_s_max == pytest.approx(one.decode_tok_s_max)
    assert two.prefill_tok_s_max == pytest.approx(2 * (one.prefill_tok_s_max or 0))
    # The attack: 64 devices, 8B at Q4, 9,000 tok/s.
    many = catalog_roofline(catalog, "llama-3.1-8b", "Q4_K_M", gpu24(catalog), n_devices=64)
    problems = check_speeds(many, 9000.0, None)
    assert [p.field for p in problems] == ["tg_tok_s"]
    assert "take turns" in problems[0].message


def test_tensor_parallel_adds_bandwidth_up_to_one_shard_per_head(catalog: Catalog) -> None:
    one = catalog_roofline(catalog, "llama-3.1-8b", "Q8_0", gpu24(catalog))
    two = catalog_roofline(
        catalog, "llama-3.1-8b", "Q8_0", gpu24(catalog), n_devices=2, tensor_parallel=True
    )
    assert two.decode_tok_s_max == pytest.approx(2 * one.decode_tok_s_max)
    many = catalog_roofline(
        catalog, "llama-3.1-8b", "Q4_K_M", gpu24(catalog), n_devices=64, tensor_parallel=True
    )
    heads = 32  # Llama 3.1 8B's attention heads
    assert many.decode_devices == heads
    assert check_speeds(many, 9000.0 * 1.3, None)


def test_it_flags_speeds_above_the_ceiling(catalog: Catalog) -> None:
    limits = catalog_roofline(catalog, "llama-3.1-8b", "Q4_K_M", gpu24(catalog))
    assert check_speeds(limits, 150.0, 8000.0) == []
    assert check_speeds(limits, limits.decode_tok_s_max * 0.99, None) == []
    problems = check_speeds(limits, 400.0, 20_000.0)
    assert [p.field for p in problems] == ["tg_tok_s", "pp_tok_s"]
    assert "faster than the memory allows" in problems[0].message
    assert "1000 GB/s" in problems[0].message
    assert "FP16 TFLOPS" in problems[1].message


def test_it_skips_prefill_without_fp16_throughput(catalog: Catalog) -> None:
    device = explicit_device(16, 448)
    limits = catalog_roofline(catalog, "llama-3.1-8b", "Q4_K_M", device)
    assert limits.prefill_tok_s_max is None
    assert check_speeds(limits, None, 1e6) == []
    assert limits.to_dict()["prefill_tok_s_max"] is None


def test_it_reads_the_published_file_size(catalog: Catalog) -> None:
    plain = catalog_roofline(catalog, "llama-3.1-8b", "Q4_K_M", gpu24(catalog))
    f16 = catalog_roofline(catalog, "llama-3.1-8b", "F16", gpu24(catalog))
    assert f16.decode_tok_s_max < plain.decode_tok_s_max / 3


def test_it_refuses_unknown_models_and_quants(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError):
        catalog_roofline(catalog, "llama-9", "Q4_K_M", gpu24(catalog))
    with pytest.raises(InputError, match="unknown quantization"):
        catalog_roofline(catalog, "llama-3.1-8b", "Q9_Z", gpu24(catalog))
    with pytest.raises(InputError, match="n_devices"):
        catalog_roofline(catalog, "llama-3.1-8b", "Q4_K_M", gpu24(catalog), n_devices=0)


def test_it_never_reads_files(catalog: Catalog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(InputError):
        catalog_roofline(catalog, str(tmp_path / "config.json"), "Q4_K_M", gpu24(catalog))


def test_it_matches_the_hand_computed_parameter_count(catalog: Catalog) -> None:
    from runlocal.sources import resolve_model

    spec = resolve_model("llama-3.1-8b", catalog).spec
    # q, k, v, o = 4096·(4096 + 1024 + 1024 + 4096); gate, up, down = 3·4096·14336.
    per_block = 4096 * (4096 + 1024 + 1024 + 4096) + 3 * 4096 * 14336
    assert matmul_params_per_token(spec) == pytest.approx(32 * per_block, rel=0.001)


def test_it_passes_every_published_measurement(monkeypatch: pytest.MonkeyPatch) -> None:
    """The margin is wide enough for the ~900 measurements the catalog transcribes."""
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    catalog = load_catalog()
    checked = 0
    for bench in catalog.benchmarks.values():
        device = device_from_entry(catalog.hardware[bench.get("hardware")])
        for row in bench.get("results", []):
            metric = row.get("metric")
            if metric not in ("tg_tok_s", "pp_tok_s"):
                continue
            try:
                limits = catalog_roofline(
                    catalog, row["model"], row["quant"], device, int(row.get("n_devices", 1))
                )
            except RunlocalError:
                continue
            value = float(row["value"])
            tg = value if metric == "tg_tok_s" else None
            pp = value if metric == "pp_tok_s" else None
            assert check_speeds(limits, tg, pp) == [], (bench.id, row)
            checked += 1
    assert checked > 500
