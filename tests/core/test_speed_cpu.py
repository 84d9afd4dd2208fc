"""Speed on CPUs: quantized weights multiplied with int8 dot products, decode bound by reading or
unpacking the weights, prompt attention on the vector units, CPU-only rows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runlocal.catalog import Catalog
from runlocal.speed import SpeedParams

from .test_speed import _cpu, _prefill_features


def test_cpus_multiply_quantized_weights_with_int8_dot_products() -> None:
    """Quantized prompt GEMMs on a CPU run at its int8 dot-product rate: the catalog's
    int8_tops where recorded, else 4 multiply-adds per FP32 lane (SDOT, VNNI); F16 weights
    stay on the half-precision vector FMA."""
    from runlocal.speed import cpu_int8_flops, prefill_path

    pi = _cpu()
    assert prefill_path(pi, "k_quant") == ("int8", 0.614e12)
    assert prefill_path(pi, "f16") == ("cpu_f16", 0.307e12)
    # A Ryzen 9 7950X record without int8_tops: 4 × 2.3 TFLOPS FP32 = 9.2 TOPS.
    ryzen = replace(pi, fp32_flops=2.3e12, int8_flops=None)
    assert cpu_int8_flops(ryzen) == pytest.approx(9.2e12)


def test_cpu_decode_takes_the_longer_of_reading_and_unpacking_the_weights() -> None:
    """4.6 GB of weights at 17.1 GB/s × 0.6 take 4.6e9 / 10.26e9 = 0.4483 s; 7.5e9 weights
    × 8 int8 ops at 0.614 TOPS take 0.0977 s, hidden behind the reads. Cores with a tenth
    of the int8 rate take 0.977 s: the arithmetic binds."""
    from runlocal.speed import cpu_decode_seconds, load_params

    p: SpeedParams = replace(load_params(), cpu_decode_ops=8.0)
    pi = _cpu()
    t_mem = 4.6e9 / (17.1e9 * 0.6)
    assert cpu_decode_seconds(pi, p, t_mem) == pytest.approx(0.44834, rel=1e-4)
    weak = replace(pi, int8_flops=0.0614e12)
    assert cpu_decode_seconds(weak, p, t_mem) == pytest.approx(0.97720, rel=1e-4)
    # Attention over the cache runs on the FP32 units: 1e9 FLOPs at 0.154 TFLOPS × 0.1.
    deep = replace(pi, attn_flops=1e9)
    p_attn = replace(p, decode_attention_efficiency=0.1)
    extra = cpu_decode_seconds(deep, p_attn, t_mem) - cpu_decode_seconds(pi, p_attn, t_mem)
    assert extra == pytest.approx(1e9 / (0.154e12 * 0.1))


def test_cpu_prompt_attention_runs_on_the_vector_units() -> None:
    """With efficiency 0.2 and no tile or quantization costs: 2 × 1e9 GEMM FLOPs per token
    at 0.614 TOPS × 0.2 take 16.29 ms; 1e9 attention FLOPs at the 0.307 TFLOPS FP16 rate
    × 0.2 take 16.29 ms more (not the 8.14 ms the int8 rate would give)."""
    from runlocal.speed import load_params, prefill_seconds_per_token

    base = load_params()
    p: SpeedParams = replace(
        base,
        prefill_efficiency={**base.prefill_efficiency, "cpu": 0.2},
        prefill_quant_factor={},
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
        attention_factor=1.0,
        attention_backend_factor={},
    )
    pi = _cpu(resident_weight_bytes=0.0)
    f = _prefill_features(loads=(pi,), active_params=1e9, attn_prefill_flops=0.0)
    t0 = prefill_seconds_per_token(f, p, 0)
    t1 = prefill_seconds_per_token(replace(f, attn_prefill_flops=1e9), p, 0)
    assert t0 == pytest.approx(2e9 / (0.614e12 * 0.2))
    assert t1 is not None and t0 is not None
    assert t1 - t0 == pytest.approx(1e9 / (0.307e12 * 0.2))


def test_cpu_only_rows_are_evaluated_on_the_cpu_and_grouped_as_cpus(
    catalog: Catalog, tmp_path: object
) -> None:
    """A CPU-only run on a CPU machine takes the CPU path and the CPU family, whatever its
    vendor; one on a machine the catalog rates by its GPU (an Apple SoC) is skipped, not
    evaluated on the GPU's figures."""
    from pathlib import Path

    from runlocal.accuracy import hardware_family, map_rows

    head = "source_url,runtime,hardware,n_devices,model,quant,metric,prompt_tokens,gen_tokens,value"
    lines = [
        head,
        "x,llama.cpp (CPU),Test CPU,1,Llama 3.1 8B,Q4_K_M,tg_tok_s,0,128,10",
        "x,llama.cpp (CPU),Apple Test Max,1,Llama 3.1 8B,Q4_0,tg_tok_s,0,128,20",
    ]
    path = Path(str(tmp_path)) / "rows.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, skipped = map_rows(path, catalog)
    assert [(r.hardware.id, r.backend, r.family) for r in rows] == [("cpu-test", "cpu", "CPU")]
    assert skipped == {"CPU-only run on a machine the catalog rates by its GPU": 1}
    assert hardware_family(catalog.find_hardware("Apple Test Max")) == "Apple"
