"""Speed model invariants: offloading to the host never speeds decoding up."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest

from runlocal.catalog import Catalog
from runlocal.engine import CheckQuery, check
from runlocal.estimate import estimate
from runlocal.hardware import Device, device_from_entry
from runlocal.runtimes import get_runtime
from runlocal.sources import catalog_spec, inventory_for
from runlocal.speed import DeviceLoad, SpeedFeatures, SpeedParams
from runlocal.units import GIB

LLAMA = get_runtime("llama.cpp")


def decode(catalog: Catalog, **kw: object) -> float:
    r = check(CheckQuery(**kw), catalog).to_dict()  # type: ignore[arg-type]
    assert r["fits"], r["reason"]
    value = r["speed"]["decode_tok_s"]
    assert value is not None
    return float(value)


def sweep(
    catalog: Catalog,
    model: str,
    quant: str,
    device: Device,
    budgets_gib: list[float],
    host_ram_gib: float | None,
    context: int = 4096,
) -> list[tuple[float, float, bool]]:
    """(budget, decode tok/s, everything on the accelerator) for shrinking GPU budgets."""
    entry = catalog.find_model(model)
    spec = catalog_spec(entry)
    inv = inventory_for(spec, entry, quant)
    host = round(host_ram_gib * GIB) if host_ram_gib is not None else None
    out = []
    for gib in budgets_gib:
        d = replace(device, usable_memory_bytes=round(gib * GIB))
        est = estimate(spec, inv, [d], host, LLAMA, context, "f16", 1, context // 2, 512)
        if not est.plan.fits or est.decode_tok_s is None:
            continue
        out.append((gib, est.decode_tok_s, est.plan.full_offload))
    return out


def assert_never_faster_with_less_memory(points: list[tuple[float, float, bool]]) -> None:
    assert any(full for _, _, full in points) and any(not full for _, _, full in points), points
    for (gib_a, tok_a, _), (gib_b, tok_b, _) in pairwise(points):
        assert tok_b <= tok_a * (1 + 1e-9), f"{gib_b} GiB decodes faster than {gib_a} GiB: {points}"


def test_a_smaller_mac_never_decodes_faster_than_a_bigger_one(catalog: Catalog) -> None:
    # Mixtral Q4_K_M fits the 64 GB working set; on 32 GB llama.cpp keeps experts on the CPU.
    small = check(
        CheckQuery(model="mixtral-8x7b", hardware=("Apple Test Max 32GB",), context=4096), catalog
    ).to_dict()
    assert small["offload"]["experts_on_host_layers"] > 0
    big = decode(catalog, model="mixtral-8x7b", hardware=("Apple Test Max 64GB",), context=4096)
    assert small["speed"]["decode_tok_s"] <= big


@pytest.mark.parametrize(("model", "quant"), [("mixtral-8x7b", "Q4_K_M"), ("llama-3.1-8b", "F16")])
def test_offloading_on_unified_memory_is_never_faster(
    catalog: Catalog, model: str, quant: str
) -> None:
    """CPU and GPU of one SoC share a memory bus: moving weights to the CPU side cannot add
    bandwidth, so every step of offload (MoE experts first, then layers) slows decoding."""
    mac = device_from_entry(catalog.find_hardware("Apple Test Max"), 64)
    budgets = [48 - 1.5 * k for k in range(30)]
    assert_never_faster_with_less_memory(sweep(catalog, model, quant, mac, budgets, None))


@pytest.mark.parametrize(("model", "quant"), [("mixtral-8x7b", "Q4_K_M"), ("llama-3.1-8b", "F16")])
def test_offloading_to_system_ram_is_never_faster(catalog: Catalog, model: str, quant: str) -> None:
    gpu = device_from_entry(catalog.find_hardware("Test GPU 24"))
    budgets = [32 - 1.0 * k for k in range(30)]
    assert_never_faster_with_less_memory(sweep(catalog, model, quant, gpu, budgets, 128))


def test_partial_moe_offload_reads_each_active_byte_once(catalog: Catalog) -> None:
    """Weights read per token are conserved: what leaves the GPU is read from the host."""
    entry = catalog.find_model("mixtral-8x7b")
    spec = catalog_spec(entry)
    inv = inventory_for(spec, entry, "Q4_K_M")
    gpu = device_from_entry(catalog.find_hardware("Test GPU 24"))

    def bytes_read(budget_gib: float) -> tuple[float, float, int]:
        d = replace(gpu, usable_memory_bytes=round(budget_gib * GIB))
        est = estimate(spec, inv, [d], 128 * GIB, LLAMA, 512, "f16", 1, 0, 512)
        f = est.features
        return sum(x.weight_bytes for x in f.loads), f.host_bytes, est.plan.experts_on_host_layers

    gpu_all, host_none, moved_none = bytes_read(64)
    gpu_part, host_part, moved = bytes_read(20)
    assert moved_none == 0 and host_none == 0 and moved > 0
    assert gpu_part + host_part == pytest.approx(gpu_all, rel=1e-6)


def _decode_on(catalog: Catalog, device: Device, quant: str = "Q4_0") -> tuple[float, float]:
    entry = catalog.find_model("llama-3.1-8b")
    spec = catalog_spec(entry)
    inv = inventory_for(spec, entry, quant)
    est = estimate(spec, inv, [device], None, LLAMA, 512, "f16", 1, 64, 512)
    assert est.decode_tok_s is not None and est.prefill_tok_s is not None
    return est.decode_tok_s, est.prefill_tok_s


def test_gpus_without_dp4a_pay_more_for_dequantizing(catalog: Catalog) -> None:
    """Kepler, Maxwell and GP100 emulate the int8 dot product llama.cpp's kernels use."""
    gpu = device_from_entry(catalog.find_hardware("Test GPU 8"))
    pascal = replace(gpu, compute_capability=6.1)  # has dp4a (P40, GTX 1080 Ti)
    maxwell = replace(gpu, compute_capability=5.2)  # has not (M40)
    volta = replace(gpu, compute_capability=7.0)
    tg_pascal, pp_pascal = _decode_on(catalog, pascal)
    tg_maxwell, pp_maxwell = _decode_on(catalog, maxwell)
    tg_volta, pp_volta = _decode_on(catalog, volta)
    # Tensor cores do not change decode; dp4a does, and so do CUDA graphs (Volta on, in
    # current builds; Pascal never).
    assert tg_maxwell < tg_pascal < tg_volta
    # Prefill takes each generation's arithmetic path (see test_prefill_paths).
    assert len({pp_pascal, pp_maxwell, pp_volta}) == 3
    # Other backends have their own int8 paths.
    assert _decode_on(catalog, replace(maxwell, backend="vulkan"))[0] == pytest.approx(
        _decode_on(catalog, replace(pascal, backend="vulkan"))[0]
    )


def test_turing_chips_without_tensor_cores_are_told_by_their_fp16_rate(catalog: Catalog) -> None:
    """The GTX 16 (TU116/TU117) share the RTX 20's compute capability 7.5; their FP16 rate is
    the vector units' 2x FP32, where tensor cores give the RTX 20 8x."""
    from runlocal.speed import has_tensor_cores

    gpu = device_from_entry(catalog.find_hardware("Test GPU 8"))
    gtx16 = replace(gpu, compute_capability=7.5, fp16_flops=10.9e12, fp32_flops=5.4e12)
    rtx20 = replace(gtx16, fp16_flops=57.4e12, fp32_flops=7.2e12)
    assert not has_tensor_cores(gtx16)
    assert has_tensor_cores(rtx20)
    # Other generations are told by compute capability alone.
    assert has_tensor_cores(replace(gtx16, compute_capability=8.6))
    assert not has_tensor_cores(replace(rtx20, compute_capability=6.1))
    tg16, pp16 = _decode_on(catalog, gtx16)
    tg20, pp20 = _decode_on(catalog, replace(rtx20, fp32_flops=5.4e12))
    assert tg16 == pytest.approx(tg20) and pp16 < pp20 / 3


def test_a_named_size_picks_that_configuration(catalog_dir: object) -> None:
    from pathlib import Path

    from runlocal.catalog import load_catalog

    from .factories import make_hardware

    root = Path(str(catalog_dir))
    make_hardware(
        root,
        "apple-sized",
        "Apple Sized Max",
        memory_gib=32,
        bandwidth_gb_s=400,
        kind="unified",
        vendor="Apple",
        backends=["metal"],
        memory_configs_gib=[32, 64],
        aliases=["Apple Sized Max 32GB", "Apple Sized Max 64GB"],
    )
    cat = load_catalog(root)
    big = check(CheckQuery(model="llama-3.1-8b", hardware=("Apple Sized Max 64GB",)), cat)
    small = check(CheckQuery(model="llama-3.1-8b", hardware=("Apple Sized Max 32GB",)), cat)
    assert big.to_dict()["hardware"][0]["memory_bytes"] == 64 * GIB
    assert small.to_dict()["hardware"][0]["memory_bytes"] == 32 * GIB


def test_prefill_paths_follow_the_arithmetic_each_generation_has() -> None:
    from runlocal.speed import prefill_path

    # No SM count known (an explicit device): the tensor-core line.
    assert prefill_path(_device_load(), "k_quant") == ("matrix", 80e12)
    # Turing and later: quantized weights in llama.cpp's int8 MMQ kernels, rated per SM and
    # clock; F16 weights in cuBLAS FP16 GEMMs; builds before June 2024 used cuBLAS for both.
    ada = _device_load(compute_capability=8.9, sm_clock_hz=128 * 2.52e9)
    assert prefill_path(ada, "k_quant") == ("mmq", pytest.approx(128 * 2.52e9 * 2048))
    assert prefill_path(ada, "f16") == ("matrix", 80e12)
    assert prefill_path(ada, "k_quant", mmq=False) == ("matrix", 80e12)
    # GTX 16 (Turing without tensor cores): the same MMQ MMA kernels, on the FP16 vector units.
    gtx16 = _device_load(
        compute_capability=7.5, sm_clock_hz=24 * 1.77e9, tensor_cores=False, fp16_flops=10.9e12
    )
    assert prefill_path(gtx16, "k_quant") == ("mmq", 10.9e12)
    assert prefill_path(gtx16, "f16") == ("matrix", 10.9e12)
    # Volta: FP16 tensor cores but no int8 MMA, so quantized weights are dequantized for cuBLAS.
    volta = _device_load(compute_capability=7.0, sm_clock_hz=80 * 1.37e9)
    assert prefill_path(volta, "q_legacy") == ("matrix", 80e12)
    # Pascal GP10x: quantized GEMMs on __dp4a, 4 int8 multiply-adds per FP32 slot; F16 on FP32.
    pascal = _device_load(tensor_cores=False, fp16_flops=10e12)
    assert prefill_path(pascal, "k_quant") == ("dp4a", 40e12)
    assert prefill_path(pascal, "f16") == ("fp32", 10e12)
    # Maxwell: no dp4a, FP32 throughout.
    maxwell = _device_load(
        tensor_cores=False, dp4a=False, compute_capability=5.2, fp16_flops=0.1e12
    )
    assert prefill_path(maxwell, "q8") == ("fp32", 10e12)
    # GP100: no dp4a either, but full-rate FP16: cuBLAS runs the dequantized weights in FP16.
    gp100 = replace(maxwell, compute_capability=6.0, fp16_flops=20e12)
    assert prefill_path(gp100, "q8") == ("fp32", 20e12)
    # Intel Arc under Vulkan: packed FP16 on the vector ALUs, not XMX.
    arc = _device_load(backend="vulkan", vendor="Intel", fp16_flops=138e12, fp32_flops=19.7e12)
    assert prefill_path(arc, "k_quant") == ("vector", 2 * 19.7e12)
    # AMD Vega 20 and RDNA2 under ROCm: MMQ on the int8 dot product; RDNA3 and CDNA reach
    # their matrix units (WMMA, MFMA); F16 weights go to hipBLAS everywhere.
    vega20 = _device_load(backend="rocm", vendor="AMD", gpu_arch="gfx906", fp16_flops=26.5e12)
    assert prefill_path(vega20, "q_legacy") == ("dp4a", 40e12)
    assert prefill_path(vega20, "f16") == ("matrix", 26.5e12)
    assert prefill_path(replace(vega20, gpu_arch="gfx1030"), "k_quant")[0] == "dp4a"
    assert prefill_path(replace(vega20, gpu_arch="gfx1100"), "k_quant")[0] == "matrix"
    assert prefill_path(replace(vega20, gpu_arch="gfx90a"), "k_quant")[0] == "matrix"
    # MMQ and dp4a are llama.cpp's kernels: other runtimes run FP16 GEMMs on the matrix units.
    assert prefill_path(ada, "k_quant", mmq=False, llama_kernels=False)[0] == "matrix"
    assert prefill_path(vega20, "q_legacy", llama_kernels=False)[0] == "matrix"


def test_bf16_weights_run_at_the_fp32_rate_where_the_gpu_has_no_bf16_arithmetic() -> None:
    from runlocal.speed import prefill_path

    # cuBLAS/hipBLAS get BF16 weights as BF16: tensor cores take them from Ampere on, AMD's
    # from CDNA and RDNA3; older GPUs convert and multiply at the FP32 rate.
    volta = _device_load(compute_capability=7.0, fp16_flops=112e12, fp32_flops=14e12)
    assert prefill_path(volta, "f16", bf16=True) == ("fp32", 14e12)
    assert prefill_path(volta, "f16") == ("matrix", 112e12)
    ampere = replace(volta, compute_capability=8.0)
    assert prefill_path(ampere, "f16", bf16=True) == ("matrix", 112e12)
    gp100 = _device_load(
        tensor_cores=False, dp4a=False, compute_capability=6.0, fp16_flops=20e12, fp32_flops=10e12
    )
    assert prefill_path(gp100, "f16", bf16=True) == ("fp32", 10e12)
    vega20 = _device_load(
        backend="rocm", vendor="AMD", gpu_arch="gfx906", fp16_flops=26.5e12, fp32_flops=13.3e12
    )
    assert prefill_path(vega20, "f16", bf16=True) == ("fp32", 13.3e12)
    assert prefill_path(replace(vega20, gpu_arch="gfx1030"), "f16", bf16=True)[0] == "fp32"
    for arch in ("gfx908", "gfx90a", "gfx942", "gfx1100", "gfx1201"):
        assert prefill_path(replace(vega20, gpu_arch=arch), "f16", bf16=True)[0] == "matrix"
    # Other runtimes bring their own kernels (vLLM casts BF16 to FP16 before Ampere).
    assert prefill_path(volta, "f16", llama_kernels=False, bf16=True)[0] == "matrix"
    # llama.cpp's Vulkan shaders reach the matrix units with BF16 only through
    # VK_KHR_shader_bfloat16, which RADV and Intel's driver did not expose ("bf16: 0").
    strix = _device_load(
        backend="vulkan", api="vulkan", vendor="AMD", fp16_flops=59.4e12, fp32_flops=29.7e12
    )
    assert prefill_path(strix, "f16") == ("matrix", 59.4e12)
    assert prefill_path(strix, "f16", bf16=True) == ("fp32", 29.7e12)
    assert (
        prefill_path(
            replace(strix, backend="rocm", api="rocm", gpu_arch="gfx1151"), "f16", bf16=True
        )[0]
        == "matrix"
    )


def test_nvidia_sm_clock_comes_from_the_fp32_rate_and_the_lanes_per_sm() -> None:
    from runlocal.speed import fp32_lanes_per_sm, sm_clock_hz

    def gpu(cc: float, fp32_tflops: float) -> Device:
        return Device(
            "g", "gpu", "cuda", GIB, 1e12, None, fp32_tflops * 1e12, compute_capability=cc
        )

    # RTX 4090: 128 SMs × 128 lanes × 2 FLOPs × 2.52 GHz = 82.58 TFLOPS.
    assert sm_clock_hz(gpu(8.9, 82.58)) == pytest.approx(128 * 2.52e9, rel=1e-3)
    # A100: 108 SMs × 64 lanes × 2 × 1.41 GHz = 19.5 TFLOPS.
    assert sm_clock_hz(gpu(8.0, 19.5)) == pytest.approx(108 * 1.41e9, rel=1e-2)
    assert [
        fp32_lanes_per_sm(cc) for cc in (3.7, 5.2, 6.0, 6.1, 7.0, 7.5, 8.0, 8.6, 9.0, 12.0)
    ] == [192, 128, 64, 128, 64, 64, 64, 128, 128, 128]
    assert sm_clock_hz(replace(gpu(8.9, 82.58), backend="rocm")) is None


def test_a_card_short_of_board_power_gives_up_less_clock_than_power() -> None:
    from runlocal.speed import DeviceLoad, load_params, sustained_clock_share

    p = replace(load_params(), sm_ghz_per_watt=0.5, clock_power_exponent=2.0)

    def card(tdp_w: float) -> DeviceLoad:
        return DeviceLoad("cuda", 1e12, 1e13, None, tdp_w, 1.0, 1.0, 0.0, 1, sm_clock_hz=300e9)

    # 300 SM·GHz needs 600 W at boost; 150 W is a quarter of that power, half the clock.
    assert sustained_clock_share(card(600), p) == 1.0
    assert sustained_clock_share(card(150), p) == pytest.approx(0.5)
    assert sustained_clock_share(replace(card(150), sm_clock_hz=None), p) == 1.0


def test_only_llama_cpp_takes_its_own_quantized_gemm_kernels(catalog: Catalog) -> None:
    """llama.cpp (and what runs it) reads prompts through MMQ on an Ada card; vLLM, and
    llama.cpp builds before June 2024, through FP16 tensor-core GEMMs."""
    from runlocal.speed import prefill_path

    gpu = replace(
        device_from_entry(catalog.find_hardware("Test GPU 8")),
        compute_capability=8.9,
        fp32_flops=40e12,
    )
    entry = catalog.find_model("llama-3.1-8b")
    spec = catalog_spec(entry)
    inv = inventory_for(spec, entry, "Q4_0")

    def path(runtime: str, **change: object) -> str:
        rt = replace(get_runtime(runtime), **change)  # type: ignore[arg-type]
        est = estimate(spec, inv, [gpu], None, rt, 512, "f16", 1, 64, 512)
        f = est.features
        return prefill_path(f.loads[0], f.quant_family, f.mmq, f.llama_kernels)[0]

    assert path("llama.cpp") == path("ollama") == "mmq"
    assert path("vllm") == "matrix"
    assert path("llama.cpp", mmq=False) == "matrix"


def test_the_dp4a_path_follows_its_backends_efficiency(catalog: Catalog) -> None:
    """MMQ on the int8 dot product is one source on a Pascal card and an MI50, but like the
    matrix path's kernels it reaches the share of the hardware its backend's toolchain gives:
    its efficiency is relative to the backend's (the GEMMs; attention runs on the vector units
    at the backend's, test_prefill_kernels). With no attention and no weight streaming, a
    hundredth of CUDA's efficiency makes the Pascal's GEMMs a hundred times slower."""
    from runlocal.speed import load_params, prefill_seconds_per_token

    pascal = replace(device_from_entry(catalog.find_hardware("Test GPU 8")), compute_capability=6.1)
    entry = catalog.find_model("llama-3.1-8b")
    spec = catalog_spec(entry)
    inv = inventory_for(spec, entry, "Q4_0")
    f = estimate(spec, inv, [pascal], None, LLAMA, 512, "f16", 1, 64, 512).features
    f = replace(f, attn_prefill_flops=0.0)
    p = replace(load_params(), attention_tile_rows=0.0)
    p = replace(p, bandwidth_efficiency={**p.bandwidth_efficiency, "cuda": 1e12})
    slower_matrix = replace(p, prefill_efficiency={**p.prefill_efficiency, "cuda": 0.01})
    fast = prefill_seconds_per_token(f, replace(p, prefill_efficiency={"cuda": 1.0}), 256)
    slow = prefill_seconds_per_token(f, slower_matrix, 256)
    assert fast is not None and slow is not None
    assert slow == pytest.approx(100 * fast, rel=1e-6)
    volta = replace(pascal, compute_capability=7.0)
    g = estimate(spec, inv, [volta], None, LLAMA, 512, "f16", 1, 64, 512).features
    before = prefill_seconds_per_token(g, p, 256)
    after = prefill_seconds_per_token(g, slower_matrix, 256)
    assert before is not None and after is not None and after > before


def _prefill_features(**kw: object) -> SpeedFeatures:
    from runlocal.speed import DeviceLoad

    gpu = DeviceLoad("vulkan", 200e9, 10e12, 50e12, None, 1e9, 2e9, 0.0, 10)
    base: dict[str, object] = dict(
        loads=(gpu,),
        host_bytes=0.0,
        host_bandwidth_bytes_per_s=None,
        quant_family="q8",
        n_layers=10,
        active_params=3e9,
        attn_prefill_flops=0.0,
    )
    base.update(kw)
    return SpeedFeatures(**base)  # type: ignore[arg-type]


def test_a_weight_tile_costs_its_load_once_for_the_tokens_that_share_it() -> None:
    """3B active, 2B of them routed experts with 8 of 256 active: a 512-token micro-batch
    gives each expert 512 × 8/256 = 16 tokens. With a tile load worth 16 tokens of
    multiply-adds, dense weights cost 2 × 1e9 × (1 + 16/512) = 2.0625e9 FLOPs per token and
    the experts 2 × 2e9 × (1 + 16/16) = 8e9."""
    from runlocal.speed import micro_batch, prefill_gemm_flops

    f = _prefill_features(active_expert_params=2e9, expert_share=8 / 256, ubatch=512)
    assert prefill_gemm_flops(f, 16.0, 512) == pytest.approx(2.0625e9 + 8e9)
    # A 2048-token micro-batch gives each expert 64 tokens: 2 × 2e9 × 1.25 = 5e9, and the
    # dense weights 2e9 × (1 + 16/2048) = 2.015625e9.
    g = replace(f, ubatch=2048)
    assert prefill_gemm_flops(g, 16.0, 4096) == pytest.approx(2.015625e9 + 5e9)
    # ... but a 512-token prompt fills only 512 of them.
    assert micro_batch(g, 512) == 512
    assert prefill_gemm_flops(g, 16.0, 512) == prefill_gemm_flops(f, 16.0, 512)
    # Without a tile cost every active parameter is 2 FLOPs.
    assert prefill_gemm_flops(f, 0.0, 512) == pytest.approx(6e9)


def test_a_micro_batch_loads_the_tiles_of_the_experts_it_reaches_once() -> None:
    """4 experts, 2 routed per token (k/E = 0.5), 1e9 active expert parameters (2e9 in all),
    a tile load worth 16 tokens. A 2-token prompt reaches 4 × (1 − 0.5²) = 3 experts, each
    loaded once: 2 × 2e9 × 3/4 × 16 / 2 tokens = 2.4e10 FLOPs per token. One token reaches its
    2 experts: 2 × 1e9 × 16 = 3.2e10. A 512-token micro-batch reaches all 4, 2 × 2e9 × 16 /
    512 = 1.25e8, the former 2 × 1e9 × 16 / (512 × 0.5)."""
    from runlocal.speed.prefill import expert_tile_flops, touched_expert_share

    f = _prefill_features(n_experts=4, expert_share=0.5, active_expert_params=1e9)
    assert touched_expert_share(f, 2) == pytest.approx(0.75)
    assert expert_tile_flops(f, 16.0, 2) == pytest.approx(2.4e10)
    assert expert_tile_flops(f, 16.0, 1) == pytest.approx(3.2e10)
    assert expert_tile_flops(f, 16.0, 512) == pytest.approx(1.25e8)
    assert expert_tile_flops(f, 16.0, 512, 2.0) == pytest.approx(6.25e7)
    assert expert_tile_flops(_prefill_features(), 16.0, 512) == 0.0
    # Without the experts' count, one row per expert at least: 2 × 1e9 × 16 for one token.
    unknown = replace(f, n_experts=0)
    assert expert_tile_flops(unknown, 16.0, 1) == pytest.approx(3.2e10)


def test_a_micro_batch_streams_only_the_experts_it_reaches() -> None:
    """A Metal GPU at 100 TFLOPS and 500 GB/s, every efficiency 1, holding 4 GB of weights of
    which 2 GB routed experts (4 experts, 2 routed per token; 3B active parameters, 1B of them
    experts), tile load 16 tokens. A 2-token prompt reaches 3 of the 4 experts: dense GEMMs
    2 × 2e9 × (1 + 16/2) = 3.6e10, expert multiply-adds 2e9 and their tile loads 2.4e10 FLOPs
    take 0.62 ms per token; the stream, 2 GB dense and 1.5 GB of experts over 2 tokens,
    3.5 ms: 4.12 ms (every expert streamed: 4.62). A 512-token prompt reaches all four:
    (2 × 2e9 × (1 + 16/512) + 2e9 + 1.25e8) / 1e14 + 4e9 / 5e11 / 512 = 0.06375 ms."""
    from runlocal.speed import DeviceLoad, load_params, prefill_seconds_per_token

    base = load_params()
    p: SpeedParams = replace(
        base,
        prefill_efficiency={**base.prefill_efficiency, "metal": 1.0},
        bandwidth_efficiency={**base.bandwidth_efficiency, "metal": 1.0},
        prefill_path_efficiency={},
        prefill_quant_factor={},
        tile_load_tokens=16.0,
        attention_tile_rows=0.0,
    )
    gpu = DeviceLoad(
        "metal",
        500e9,
        10e12,
        100e12,
        None,
        3e9,
        3e9,
        0.0,
        10,
        moe_layers=10,
        resident_weight_bytes=4e9,
        resident_expert_bytes=2e9,
    )
    f = _prefill_features(loads=(gpu,), n_experts=4, expert_share=0.5, active_expert_params=1e9)
    assert prefill_seconds_per_token(f, p, 0, 2) == pytest.approx(4.12e-3)
    assert prefill_seconds_per_token(f, p, 0, 512) == pytest.approx(
        (4.125e9 + 2e9 + 1.25e8) / 1e14 + 4e9 / 5e11 / 512
    )


def test_flash_attention_reads_the_cache_once_per_block_of_query_rows() -> None:
    """A device holding 4 GB of KV cache at the prompt's depth, 200 GB/s at full efficiency:
    with 40 query rows per K/V tile each prompt token reads 4e9 / 40 = 100 MB, 0.5 ms."""
    from runlocal.speed import DeviceLoad, load_params, prefill_seconds_per_token

    base = load_params()
    p: SpeedParams = replace(
        base, bandwidth_efficiency={**base.bandwidth_efficiency, "vulkan": 1.0}
    )
    gpu = DeviceLoad("vulkan", 200e9, 10e12, 50e12, None, 1e9, 2e9, 4e9, 10)
    f = _prefill_features(loads=(gpu,))
    without = prefill_seconds_per_token(f, replace(p, attention_tile_rows=0.0), 0)
    with_rows = prefill_seconds_per_token(f, replace(p, attention_tile_rows=40.0), 0)
    assert without is not None and with_rows is not None
    assert with_rows - without == pytest.approx(0.5e-3)
    # Two sequences' caches on the device: each prompt token reads only its own.
    g = _prefill_features(loads=(replace(gpu, kv_bytes=8e9),), sequences=2)
    two = prefill_seconds_per_token(g, replace(p, attention_tile_rows=40.0), 0)
    assert two == pytest.approx(with_rows)


def _device_load(**kw: object) -> DeviceLoad:
    """A device's load per token, with neutral values for what a test does not set."""
    base: dict[str, object] = dict(
        backend="cuda",
        bandwidth_bytes_per_s=1e12,
        fp32_flops=10e12,
        fp16_flops=80e12,
        tdp_w=None,
        weight_bytes=1.0,
        weight_params=1.0,
        kv_bytes=0.0,
        layers=1,
    )
    base.update(kw)
    return DeviceLoad(**base)  # type: ignore[arg-type]


# A Tesla P100 (no dp4a, no tensor cores) holding 10 layers, 8 of them MoE.
_P100_MOE = _device_load(
    fp32_flops=9.3e12,
    fp16_flops=18.7e12,
    layers=10,
    moe_layers=8,
    dp4a=False,
    tensor_cores=False,
    compute_capability=6.0,
)


def _cpu(**kw: object) -> DeviceLoad:
    # A Raspberry Pi 5-like CPU: 17.1 GB/s, 0.154 TFLOPS FP32, SDOT int8 at 0.614 TOPS.
    pi5: dict[str, object] = dict(
        backend="cpu",
        bandwidth_bytes_per_s=17.1e9,
        fp32_flops=0.154e12,
        fp16_flops=0.307e12,
        weight_bytes=4.6e9,
        weight_params=7.5e9,
        layers=32,
        int8_flops=0.614e12,
    )
    return _device_load(**{**pi5, **kw})


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


def test_blackwell_fp4_mma_halves_the_cost_of_the_fp4_experts_only() -> None:
    """gpt-oss style MXFP4_MOE: 3B active, 2B routed experts (8 of 256), tile load 16 tokens.
    On int8 MMQ: dense 2.0625e9 + experts 8e9 FLOPs per token (as above). The native FP4 MMA
    (twice the int8 MMA rate, FP4 activation tiles) halves the FP4 experts' 8e9 to 4e9; the
    8/16-bit attention and router keep their cost: 6.0625e9."""
    from runlocal.speed import FP4_MMQ_SPEEDUP, fp4_mma_applies, prefill_gemm_flops

    f = _prefill_features(
        active_expert_params=2e9, expert_share=8 / 256, ubatch=512, quant="MXFP4_MOE"
    )
    assert FP4_MMQ_SPEEDUP == 2.0
    assert prefill_gemm_flops(f, 16.0, 512, FP4_MMQ_SPEEDUP) == pytest.approx(2.0625e9 + 4e9)
    # A checkpoint all in NVFP4: every GEMM halves, (2.0625e9 + 8e9) / 2.
    g = replace(f, quant="NVFP4")
    assert prefill_gemm_flops(g, 16.0, 512, FP4_MMQ_SPEEDUP) == pytest.approx(5.03125e9)
    # Which devices and builds: compute capability 12.x only (RTX 50, DGX Spark 12.1), builds
    # from PR #17906 on, FP4 weights only.
    spark = _device_load(compute_capability=12.1, sm_clock_hz=48 * 2.4e9)
    assert fp4_mma_applies(f, spark)
    assert not fp4_mma_applies(f, replace(spark, compute_capability=10.0))  # B200: tcgen05
    assert not fp4_mma_applies(f, replace(spark, compute_capability=8.9))
    assert not fp4_mma_applies(replace(f, fp4_mma=False), spark)
    assert not fp4_mma_applies(replace(f, quant="Q4_K_M"), spark)


def test_rows_date_llama_cpp_native_fp4_by_build_then_month() -> None:
    """PR #17906 merged as build b7536 on 2025-12-24."""
    from .factories import version_setup

    assert not version_setup("build 2f68ce7cf (6918); 2025-11-02").fp4_mma
    assert version_setup("build b828e18c7 (7948)").fp4_mma
    assert version_setup("PR head (merged as b7536); 2025-12-19").fp4_mma
    assert not version_setup("build c6f6e4f96; 2025-12").fp4_mma
    assert version_setup("2026-02").fp4_mma
    assert version_setup("build abc1234").fp4_mma  # no date: current


def test_intel_gpus_run_on_their_own_backend_classes() -> None:
    from runlocal.catalog import load_catalog
    from runlocal.hardware import device_from_entry
    from runlocal.speed import SpeedParams, backend_class

    catalog = load_catalog()
    arc = device_from_entry(catalog.hardware["intel-arc-pro-b70"])
    radeon = device_from_entry(catalog.hardware["amd-rx-7900-xtx"])
    assert backend_class(replace(arc, backend="sycl")) == "sycl"
    assert backend_class(replace(arc, backend="vulkan")) == "vulkan-intel"
    assert backend_class(replace(radeon, backend="vulkan")) == "vulkan"
    # A parameter file from before the split: the new classes start from Vulkan's values, and
    # a single per-layer cost applies to every backend.
    old = SpeedParams.from_dict(
        {
            "bandwidth_efficiency": {"cuda": 1.0, "vulkan": 0.9},
            "fixed_ms": {"cuda": 1.0, "vulkan": 0.5},
            "per_layer_us": 40.0,
            "dequant_ops": {},
            "prefill_efficiency": {"cuda": 0.5, "vulkan": 0.4},
            "prefill_quant_factor": {},
            "decode_spread": {},
            "prefill_spread": {},
        }
    )
    assert old.bandwidth_efficiency["sycl"] == old.bandwidth_efficiency["vulkan-intel"] == 0.9
    assert old.per_layer_us["sycl"] == old.per_layer_us["cuda"] == 40.0


def test_sycl_prompts_multiply_the_routed_experts_one_call_per_expert() -> None:
    """SYCL's prompt MUL_MAT_ID loops over the experts on the host. A 10-layer device with
    8 MoE layers of 128 experts, 8 routed per token: a 512-token micro-batch reaches
    128 × (1 − (1 − 1/16)^512) = 128 experts (to 1e-12), so 8 layers × 3 matrices × 128 calls
    = 3,072 calls of 20 µs, 61.44 ms per micro-batch, 0.12 ms per prompt token. Vulkan
    multiplies all experts in one kernel and decode never loops."""
    from runlocal.speed import DeviceLoad, load_params, prefill_seconds_per_token
    from runlocal.speed.prefill import experts_with_rows

    assert experts_with_rows(128, 8 / 128, 512) == pytest.approx(128.0)
    assert experts_with_rows(128, 8 / 128, 1) == pytest.approx(8.0)
    p = replace(load_params(), expert_loop_us=20.0)
    sycl = DeviceLoad("sycl", 200e9, 10e12, 50e12, None, 1e9, 2e9, 0.0, 10, moe_layers=8)
    moe = dict(n_experts=128, expert_share=8 / 128, active_expert_params=1e9)
    f = _prefill_features(loads=(sycl,), **moe)
    looped = prefill_seconds_per_token(f, p, 0)
    free = prefill_seconds_per_token(f, replace(p, expert_loop_us=0.0), 0)
    assert looped is not None and free is not None
    assert looped - free == pytest.approx(8 * 3 * 128 * 20e-6 / 512)
    vulkan = _prefill_features(loads=(replace(sycl, backend="vulkan"),), **moe)
    assert prefill_seconds_per_token(vulkan, p, 0) == prefill_seconds_per_token(
        vulkan, replace(p, expert_loop_us=0.0), 0
    )


def test_cuda_prompts_without_mmq_multiply_the_routed_experts_one_call_per_expert() -> None:
    """ggml_cuda_mul_mat_id's synchronising fallback: a quantized MoE prompt on a CUDA GPU
    that skips MMQ (P100: no dp4a, the "fp32" path; Volta and pre-MMQ builds: "matrix") calls
    dequantize + cuBLAS once per expert. The same device as the SYCL test: 8 MoE layers × 3
    matrices × 128 experts × 20 µs / 512 tokens = 0.12 ms per prompt token. With dp4a (MMQ,
    one mmid kernel) or F16 weights there is no loop."""
    from runlocal.speed import load_params, prefill_seconds_per_token
    from runlocal.speed.kernels import host_expert_loop

    p = replace(load_params(), expert_loop_us=20.0)
    p100 = _P100_MOE
    moe = dict(n_experts=128, expert_share=8 / 128, active_expert_params=1e9)
    f = _prefill_features(loads=(p100,), **moe)
    looped = prefill_seconds_per_token(f, p, 0)
    free = prefill_seconds_per_token(f, replace(p, expert_loop_us=0.0), 0)
    assert looped is not None and free is not None
    assert looped - free == pytest.approx(8 * 3 * 128 * 20e-6 / 512)
    assert host_expert_loop(f, p100, "fp32") and host_expert_loop(f, p100, "matrix")
    assert not host_expert_loop(f, p100, "mmq")
    assert not host_expert_loop(f, p100, "dp4a")
    assert not host_expert_loop(replace(f, quant_family="f16"), p100, "matrix")
    assert not host_expert_loop(replace(f, llama_kernels=False), p100, "matrix")


def test_unquantized_expert_matrices_outside_mmf_loop_over_the_experts_on_cuda_and_hip() -> None:
    """ggml_cuda_should_use_mmf (mul_mat_id): MMF takes an F16/BF16 expert matrix of at most
    1,024 output rows up to 512 tokens, a wider one up to 128; MMQ takes none. A BF16 MoE of
    128 experts (8 routed) with an expert FFN width of 768 and a hidden size of 2,048 on an
    RDNA3.5 GPU under ROCm, 8 MoE layers: at a 512-token micro-batch gate and up (768 rows)
    stay in MMF and the down projection (2,048 rows) loops: 8 layers × 1 matrix × 128 experts
    × 20 µs / 512 tokens = 40 µs per prompt token. At 2,048 tokens all three loop:
    8 × 3 × 128 × 20 µs / 2,048 = 30 µs. At 128 tokens MMF takes all three."""
    from runlocal.speed import load_params, prefill_seconds_per_token
    from runlocal.speed.kernels import host_looped_expert_matrices, mmf_takes_expert_matrix

    assert mmf_takes_expert_matrix(1024, 512) and not mmf_takes_expert_matrix(1024, 513)
    assert mmf_takes_expert_matrix(1025, 128) and not mmf_takes_expert_matrix(1025, 129)
    p = replace(load_params(), expert_loop_us=20.0)
    free_p = replace(p, expert_loop_us=0.0)
    rdna35 = _device_load(backend="rocm", gpu_arch="gfx1151", layers=10, moe_layers=8)
    moe = dict(
        n_experts=128,
        expert_share=8 / 128,
        active_expert_params=1e9,
        quant_family="f16",
        quant="BF16",
        expert_rows=(768, 2048),
    )
    f = _prefill_features(loads=(rdna35,), **moe)
    extra = {}
    for ubatch, prompt in ((512, 512), (2048, 2048), (512, 128)):
        g = replace(f, ubatch=ubatch)
        looped = prefill_seconds_per_token(g, p, 0, prompt)
        free = prefill_seconds_per_token(g, free_p, 0, prompt)
        assert looped is not None and free is not None
        extra[prompt] = looped - free
    assert extra[512] == pytest.approx(8 * 1 * 128 * 20e-6 / 512)
    assert extra[2048] == pytest.approx(8 * 3 * 128 * 20e-6 / 2048)
    assert extra[128] == 0.0
    # No MMA for the type: every matrix loops (RDNA2; BF16 before Ampere, F16 from Volta).
    rdna2 = replace(rdna35, gpu_arch="gfx1030")
    assert host_looped_expert_matrices(f, rdna2, "fp32", 512) == 3
    turing = _device_load(compute_capability=7.5, layers=10, moe_layers=8)
    ampere = replace(turing, compute_capability=8.6)
    assert host_looped_expert_matrices(f, turing, "matrix", 512) == 3
    assert host_looped_expert_matrices(f, ampere, "matrix", 512) == 1
    assert host_looped_expert_matrices(replace(f, quant="F16"), turing, "matrix", 512) == 1
    # CDNA's MFMA has MMF; Vulkan, quantized weights (MMQ) and other runtimes never loop here.
    mi300 = replace(rdna35, gpu_arch="gfx942")
    assert host_looped_expert_matrices(f, mi300, "matrix", 512) == 1
    assert host_looped_expert_matrices(f, replace(rdna35, backend="vulkan"), "fp32", 512) == 0
    assert host_looped_expert_matrices(replace(f, quant_family="q8"), rdna35, "matrix", 512) == 0
    assert host_looped_expert_matrices(replace(f, llama_kernels=False), rdna35, "matrix", 512) == 0
    # Expert widths unknown: taken to be MMF's.
    assert host_looped_expert_matrices(replace(f, expert_rows=(0, 0)), rdna35, "matrix", 512) == 0


def test_expert_matrix_rows_are_the_expert_width_and_the_hidden_size() -> None:
    """Qwen3-Coder-30B-A3B: hidden 2,048, 128 experts of width 768. A spec without the GGUF
    row lengths derives the width from the layer's expert parameters: 3 × 128 × 2,048 × 768
    = 603,979,776 gives 768 back. A dense model has none."""
    from runlocal.catalog import load_catalog
    from runlocal.speed.features import expert_matrix_rows

    catalog = load_catalog()
    spec = catalog_spec(catalog.models["qwen3-coder-30b-a3b-instruct"])
    assert expert_matrix_rows(spec) == (768, 2048)
    layers = tuple(
        replace(layer, expert_up_rows=0, expert_down_rows=0, params_experts=603_979_776)
        if layer.moe
        else layer
        for layer in spec.layers
    )
    assert expert_matrix_rows(replace(spec, layers=layers)) == (768, 2048)
    dense = catalog_spec(catalog.models["llama-3.1-8b-instruct"])
    assert expert_matrix_rows(dense) == (0, 0)


def _rdna_params() -> SpeedParams:
    from runlocal.speed import load_params

    p = load_params()
    return replace(
        p,
        attention_factor=1.0,
        attention_backend_factor={**p.attention_backend_factor, "rocm": 1.0},
        prefill_efficiency={**p.prefill_efficiency, "rocm": 0.5},
        tile_load_tokens=0.0,
        attention_tile_rows=0.0,
        decode_matrix_attention_efficiency=0.0,
    )


def test_hip_rdna_prompt_attention_runs_the_tile_kernel_at_the_vector_rate() -> None:
    """An RDNA4 GPU (WMMA 80 TFLOPS, vector 20) at η 0.5, F16 weights, no GEMM: 1 GFLOP of
    prompt attention per token, a quarter of it in layers the WMMA kernel does not take.
    With the WMMA kernel: 0.75e9 / (80e12 × 0.5) + 0.25e9 / (20e12 × 0.5) = 4.375e-5 s; on a
    build before it, all of it in the tile kernel: 1e9 / (20e12 × 0.5) = 1e-4 s."""
    from runlocal.speed import prefill_seconds_per_token

    p = _rdna_params()
    gpu = _device_load(
        backend="rocm", fp32_flops=20e12, fp16_flops=80e12, gpu_arch="gfx1201", layers=10
    )
    f = _prefill_features(
        loads=(gpu,),
        quant_family="f16",
        active_params=0.0,
        attn_prefill_flops=1e9,
        attn_prefill_tile_flops=0.25e9,
    )
    assert prefill_seconds_per_token(f, p, 0) == pytest.approx(4.375e-5)
    assert prefill_seconds_per_token(replace(f, rdna4_fattn_mma=False), p, 0) == pytest.approx(1e-4)
    # An RDNA3 GPU (gfx11xx) follows its own build flag; other AMD GPUs keep the matrix rate.
    rdna3 = replace(f, loads=(replace(gpu, gpu_arch="gfx1100"),), rdna3_fattn_mma=False)
    assert prefill_seconds_per_token(rdna3, p, 0) == pytest.approx(1e-4)
    cdna = replace(f, loads=(replace(gpu, gpu_arch="gfx942"),))
    assert prefill_seconds_per_token(cdna, p, 0) == pytest.approx(1e9 / (80e12 * 0.5))


def test_hip_rdna_decode_attention_over_wide_heads_runs_at_the_vector_rate() -> None:
    """0.1 GFLOP of decode attention in heads too wide for the vector kernel, η 0.5: CUDA's
    MMA kernel at the matrix rate, 1e8 / (40e12 × 0.5) = 5e-6 s; RDNA's tile kernel at the
    vector rate, 1e8 / (20e12 × 0.5) = 1e-5 s."""
    from runlocal.speed import decode_seconds_per_token

    p = _rdna_params()
    gpu = _device_load(backend="rocm", fp32_flops=20e12, fp16_flops=40e12, attn_matrix_flops=1e8)
    f = _prefill_features(loads=(gpu,), quant_family="f16")
    rdna = replace(f, loads=(replace(gpu, gpu_arch="gfx1151"),))
    t, t_rdna = decode_seconds_per_token(f, p), decode_seconds_per_token(rdna, p)
    assert t is not None and t_rdna is not None
    assert t_rdna - t == pytest.approx(1e-5 - 5e-6)


def test_one_decoded_token_reaches_its_own_share_of_the_matrix_attention_rate() -> None:
    """0.1 GFLOP of decode attention in the MMA kernel of a GPU with 40 TFLOPS of FP16 tensor
    rate: at decode_matrix_attention_efficiency 0.2, 1e8 / (40e12 × 0.2) = 1.25e-5 s, where
    the prompt's share (0.5, the parameter unset) gives 5e-6 s."""
    from runlocal.speed import decode_seconds_per_token

    p = _rdna_params()
    gpu = _device_load(backend="rocm", fp32_flops=20e12, fp16_flops=40e12, attn_matrix_flops=1e8)
    f = _prefill_features(loads=(gpu,), quant_family="f16")
    none = replace(f, loads=(replace(gpu, attn_matrix_flops=0.0),))
    t_none = decode_seconds_per_token(none, p)
    t_prompt = decode_seconds_per_token(f, p)
    t_own = decode_seconds_per_token(f, replace(p, decode_matrix_attention_efficiency=0.2))
    assert t_none is not None and t_prompt is not None and t_own is not None
    assert t_prompt - t_none == pytest.approx(5e-6)
    assert t_own - t_none == pytest.approx(1.25e-5)


def test_rows_date_hip_wmma_flash_attention_by_build_then_month() -> None:
    """RDNA4 from PR #18481 (January 2026, taken as build 7700), RDNA3 from b9158 (May 2026);
    a year alone in the year a kernel arrived says nothing, so the row counts as later."""
    from .factories import version_setup

    def dated(text: str) -> tuple[bool, bool]:
        setup = version_setup(text)
        return (setup.rdna4_fattn_mma, setup.rdna3_fattn_mma)

    assert dated("build 2aa45ef9e (7423)") == (False, False)
    assert dated("build b7600 (7600); 2026-01") == (False, False)
    assert dated("build 0253fb21f (9187); 2026-05") == (True, True)
    assert dated("2026-03") == (True, False)
    assert dated("2025-11") == (False, False)
    assert dated("2026 (PR 26284 master)") == (True, True)
    assert dated("build abc1234") == (True, True)


def test_table_decoded_four_bit_formats_are_their_own_quantization_family() -> None:
    """MXFP4, NVFP4 and IQ4_NL decode 4-bit codes through a 16-value table; the legacy
    formats subtract an offset. A parameter file without the family reads it as legacy."""
    from runlocal.speed import quant_family
    from runlocal.speed.params import SpeedParams, load_params_raw

    for q in ("MXFP4", "MXFP4_MOE", "NVFP4", "IQ4_NL"):
        assert quant_family(q) == "q_table"
    for q in ("Q4_0", "Q4_1", "Q5_0", "Q5_1"):
        assert quant_family(q) == "q_legacy"
    assert quant_family("IQ4_XS") == "iq"
    raw = dict(load_params_raw())
    old = {k: v for k, v in raw["prefill_quant_factor"].items() if k != "q_table"}
    p = SpeedParams.from_dict({**raw, "prefill_quant_factor": old})
    assert p.prefill_quant_factor["q_table"] == p.prefill_quant_factor["q_legacy"]


def test_unsloth_dynamic_mixes_take_the_family_of_their_block_type() -> None:
    """Unsloth's "UD-" files are llama.cpp's block types in other proportions: UD-Q8_K_XL is
    Q8_0 blocks with a few tensors in BF16 (there is no Q8_K weight type), UD-IQ2_XXS the
    IQ2_XXS grid. They unpack as their block type does. Hand-computed: 1e9 weights at
    10 TFLOPS, 3 operations a weight for Q8_0 (0.3 ms) where a K-quant's 6 would be 0.6 ms;
    1 GB read at 1 TB/s = 1 ms; 32 layers × 20 µs + 32 MoE layers × 30 µs = 1.6 ms; 1 ms
    fixed."""
    from runlocal.speed import decode_seconds_per_token, quant_family

    assert quant_family("UD-Q8_K_XL") == quant_family("Q8_0") == "q8"
    assert quant_family("UD-IQ2_XXS") == quant_family("IQ2_XXS") == "iq"
    assert quant_family("UD-Q4_K_XL") == quant_family("Q4_K_M") == "k_quant"
    params, f = _layer_cost_case()
    params = replace(params, dequant_ops={"q8": 3.0, "k_quant": 6.0})
    (load,) = f.loads
    load = replace(load, weight_params=1e9, fp32_flops=1e13)
    f = replace(f, loads=(load,), cuda_graphs_min_cc=None, quant_family=quant_family("UD-Q8_K_XL"))
    assert decode_seconds_per_token(f, params) == pytest.approx(1e-3 + 0.3e-3 + 1.6e-3 + 1e-3)


def _layer_cost_case() -> tuple[SpeedParams, SpeedFeatures]:
    """Per-layer costs to hand-compute with: 32 layers (all MoE) of 1 GB on an Ampere card at
    1 TB/s, 20 µs a layer and 30 µs more a MoE layer, 1 ms fixed, CUDA graphs keeping 0.4."""
    params = SpeedParams(
        bandwidth_efficiency={"cuda": 1.0},
        fixed_ms={"cuda": 1.0},
        per_layer_us={"cuda": 20.0},
        dequant_ops={"k_quant": 0.0},
        prefill_efficiency={"cuda": 1.0},
        prefill_quant_factor={},
        attention_factor=1.0,
        pipeline_efficiency=0.5,
        tflops_per_watt=1.0,
        no_dp4a_dequant_factor=1.0,
        decode_spread={},
        prefill_spread={},
        per_moe_layer_us=30.0,
        cuda_graph_layer_factor=0.4,
    )
    ampere = _device_load(
        compute_capability=8.6, weight_bytes=1e9, layers=32, moe_layers=32, dp4a=True
    )
    f = _prefill_features(
        loads=(ampere,), quant_family="k_quant", n_layers=32, cuda_graphs_min_cc=7.0
    )
    return params, f


def test_cuda_graphs_cut_the_per_layer_cost_where_the_build_has_them_for_the_gpu() -> None:
    """llama.cpp decodes with CUDA graphs from PR #6766 (May 2024) on compute capability 8.0
    and later, 7.0 and later from PR #25749 (July 2026); --n-cpu-moe and offloaded layers turn
    them off. Hand-computed: 32 layers × 20 µs + 32 MoE layers × 30 µs = 1.6 ms of per-layer
    cost without graphs, × 0.4 = 0.64 ms with them; reads 1 GB at 1 TB/s = 1 ms; fixed 1 ms."""
    from runlocal.speed import cuda_graphs_apply, decode_seconds_per_token

    params, f = _layer_cost_case()
    (ampere,) = f.loads
    assert cuda_graphs_apply(f, ampere)
    assert decode_seconds_per_token(f, params) == pytest.approx(1e-3 + 0.64e-3 + 1e-3)
    # A build from before graphs, or one that gates them at Ampere on a Volta card: host launches.
    assert decode_seconds_per_token(replace(f, cuda_graphs_min_cc=None), params) == (
        pytest.approx(1e-3 + 1.6e-3 + 1e-3)
    )
    volta = replace(ampere, compute_capability=7.0)
    assert cuda_graphs_apply(f, volta)
    assert not cuda_graphs_apply(replace(f, cuda_graphs_min_cc=8.0), volta)
    assert not cuda_graphs_apply(f, replace(ampere, compute_capability=6.1))  # Pascal: never
    # Experts or layers on the host; other backends.
    assert not cuda_graphs_apply(replace(f, host_bytes=1e9), ampere)
    assert not cuda_graphs_apply(f, replace(ampere, backend="rocm"))


def test_multi_head_latent_attention_adds_its_kernels_to_each_layers_cost() -> None:
    """llama.cpp's MLA attention block has 8 more kernels than a GQA one (20 against 12, of a
    GQA layer's 18: speed.decode.MLA_EXTRA_ATTENTION_KERNELS). With mla_layer_factor 0.5:
    32 layers × 20 µs × 1.5 + 32 MoE layers × 30 µs = 1.92 ms of per-layer cost, × 0.4 with
    CUDA graphs = 0.768 ms; reads 1 GB at 1 TB/s = 1 ms; fixed 1 ms."""
    from runlocal.speed import decode_seconds_per_token
    from runlocal.speed.decode import GQA_LAYER_KERNELS, MLA_EXTRA_ATTENTION_KERNELS

    assert (GQA_LAYER_KERNELS, MLA_EXTRA_ATTENTION_KERNELS) == (18, 8)
    params, f = _layer_cost_case()
    params, f = replace(params, mla_layer_factor=0.5), replace(f, mla=True)
    assert decode_seconds_per_token(f, params) == pytest.approx(1e-3 + 0.768e-3 + 1e-3)
    # GQA: 32 × 20 + 32 × 30 = 1.6 ms × 0.4 = 0.64 ms, as without the factor.
    assert decode_seconds_per_token(replace(f, mla=False), params) == (
        pytest.approx(1e-3 + 0.64e-3 + 1e-3)
    )
    # A parameter file without the factor (fitted before it): no change.
    assert (
        SpeedParams.from_dict(
            {
                "bandwidth_efficiency": {"cuda": 1.0},
                "fixed_ms": {"cuda": 1.0},
                "per_layer_us": {"cuda": 20.0},
                "dequant_ops": {},
                "prefill_efficiency": {"cuda": 1.0},
                "prefill_quant_factor": {},
                "decode_spread": {},
                "prefill_spread": {},
            }
        ).mla_layer_factor
        == 0.0
    )


def test_an_mla_model_is_marked_in_its_speed_features() -> None:
    from runlocal.catalog import load_catalog

    catalog = load_catalog()
    device = device_from_entry(catalog.hardware["nvidia-rtx-4090"])
    for key, mla in (("glm-4.7-flash", True), ("llama-3.1-8b-instruct", False)):
        spec = catalog_spec(catalog.models[key])
        inv = inventory_for(spec, catalog.models[key], "Q4_K_M")
        est = estimate(spec, inv, [device], None, get_runtime("llama.cpp"), 4096, "f16", 1, 512)
        assert est.features.mla is mla


def test_rows_date_llama_cpp_cuda_graphs_by_build_then_month() -> None:
    """PR #6766 merged on 8 May 2024 (about build b2830), Ampere on; PR #25749 (July 2026)
    took the gate to Volta. Rows without a build or date are recent builds of their time."""
    from .factories import version_setup

    def gate(version: str) -> float | None:
        return version_setup(version).cuda_graphs_min_cc

    assert gate("build 7a221b6 (2581); 2024-04-02") is None
    assert gate("2024-03") is None
    assert gate("build 8a8c4ce (3210)") == 8.0
    assert gate("2025-08-16") == 8.0
    assert gate("build c6e408837 (9368)") == 8.0
    assert gate("b10298; 2026-08") == 7.0
    assert gate("2026-09") == 7.0
    assert gate("build abc1234") == 8.0


def test_layer_split_gpus_overlap_only_the_micro_batches_of_one_logical_batch() -> None:
    """llama.cpp pipelines the micro-batches (n_ubatch) of a logical batch (n_batch 2048)
    across layer-split GPUs: pp2048 at n_ubatch 512 keeps four in flight on four GPUs, two on
    two; pp512, or pp2048 at n_ubatch 2048, is one micro-batch the GPUs take in turn."""
    from runlocal.speed.prefill import micro_batches_in_flight

    four = _prefill_features(loads=(_device_load(),) * 4, ubatch=512)
    assert micro_batches_in_flight(four, 2048) == 4
    assert micro_batches_in_flight(four, 8192) == 4  # one logical batch at a time
    assert micro_batches_in_flight(replace(four, loads=four.loads[:2]), 2048) == 2
    assert micro_batches_in_flight(four, 512) == 1
    assert micro_batches_in_flight(replace(four, ubatch=2048), 2048) == 1
    assert micro_batches_in_flight(replace(four, ubatch=2048), 4096) == 1
    assert micro_batches_in_flight(replace(four, ubatch=1024), 2048) == 2


def test_a_llama_cpp_build_number_sets_the_kernel_paths_that_build_had() -> None:
    """llama.cpp@bNNNN: flash attention by default from b6325, CUDA graphs from about b2830
    (Ampere on) and about b10000 (Volta on), native FP4 MMA from b7536, HIP WMMA flash attention
    on RDNA4 from about b7700 and RDNA3 from b9158, HIP MMQ's per-expert tiles from about
    b10600. Ollama's and LM Studio's release numbers
    are their own, not llama.cpp builds."""
    old = get_runtime("llama.cpp@b2000")
    assert not old.flash_attn and old.cuda_graphs_min_cc is None and not old.fp4_mma
    mid = get_runtime("llama.cpp@b8000")
    assert mid.flash_attn and mid.cuda_graphs_min_cc == 8.0
    assert mid.fp4_mma and mid.rdna4_fattn_mma and not mid.rdna3_fattn_mma
    new = get_runtime("llama.cpp@b10700")
    assert new.cuda_graphs_min_cc == 7.0 and new.rdna3_fattn_mma and new.moe_expert_tiles
    assert get_runtime("llama.cpp") == replace(new, version=None)
    assert get_runtime("ollama@0.5") == replace(get_runtime("ollama"), version="0.5")


def test_cuda_mul_mat_id_fallback_scans_every_expert_token_and_slot_on_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ggml_cuda_mul_mat_id's fallback builds its sorted rows by a host loop over every
    expert, token and routing slot: E × k iterations per token and looped matrix, at 1 ns
    (kernels.HOST_ID_SCAN_NS). 256 experts, 8 routed, 8 MoE layers, 3 matrices on the P100's
    "fp32" path: 8 × 3 × 256 × 8 × 1 ns = 49.152 µs per prompt token at any micro-batch,
    where the per-expert calls shrink with it (8 × 3 × 256 × 20 µs / 512 = 240 µs at 512
    tokens, 60 µs at 2,048). SYCL sorts its rows by counting (no scan); MMQ's one mmid
    kernel and dense models have neither."""
    from runlocal.speed import kernels, load_params, prefill_seconds_per_token
    from runlocal.speed.kernels import host_expert_id_scan_seconds

    p = replace(load_params(), expert_loop_us=20.0)
    p100 = _P100_MOE
    moe = dict(n_experts=256, expert_share=8 / 256, active_expert_params=1e9)
    f = _prefill_features(loads=(p100,), **moe)
    assert host_expert_id_scan_seconds(f, p100) == pytest.approx(256 * 8 * 1e-9)
    assert host_expert_id_scan_seconds(f, replace(p100, backend="rocm")) > 0.0
    # SYCL sorts by counting since PR #23142; builds before it scanned as CUDA does.
    assert host_expert_id_scan_seconds(f, replace(p100, backend="sycl")) == 0.0
    before_sort = replace(f, sycl_counting_sort=False)
    assert host_expert_id_scan_seconds(before_sort, replace(p100, backend="sycl")) == (
        pytest.approx(256 * 8 * 1e-9)
    )
    assert host_expert_id_scan_seconds(replace(f, llama_kernels=False), p100) == 0.0
    assert host_expert_id_scan_seconds(replace(f, n_experts=0), p100) == 0.0
    with_scan = {}
    for ubatch in (512, 2048):
        g = replace(f, ubatch=ubatch)
        with_scan[ubatch] = prefill_seconds_per_token(g, p, 0, ubatch)
        free = prefill_seconds_per_token(g, replace(p, expert_loop_us=0.0), 0, ubatch)
        assert with_scan[ubatch] is not None and free is not None
        calls = 8 * 3 * 256 * 20e-6 / ubatch
        assert with_scan[ubatch] - free == pytest.approx(calls)
    # On MMQ (a GPU with dp4a) the experts take one kernel: no calls, no scan.
    mmq = replace(p100, dp4a=True, compute_capability=6.1)
    g = _prefill_features(loads=(mmq,), **moe)
    assert prefill_seconds_per_token(g, p, 0) == prefill_seconds_per_token(
        g, replace(p, expert_loop_us=0.0), 0
    )
    scan_on = prefill_seconds_per_token(g, p, 0)
    monkeypatch.setattr(kernels, "HOST_ID_SCAN_NS", 0.0)
    assert prefill_seconds_per_token(g, p, 0) == scan_on
    for ubatch in (512, 2048):
        without = prefill_seconds_per_token(replace(f, ubatch=ubatch), p, 0, ubatch)
        assert without is not None
        assert with_scan[ubatch] - without == pytest.approx(8 * 3 * 256 * 8 * 1e-9)
