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
    # There BF16 runs Vulkan's own scalar FP32 shader (kernels.vulkan_shader_fp32_flops): the
    # catalog's FP32 figure, halved on RDNA3+ where that figure counts dual issue.
    assert prefill_path(strix, "f16", bf16=True) == ("vulkan_fp32", 29.7e12)
    gfx1151 = replace(strix, gpu_arch="gfx1151")
    assert prefill_path(gfx1151, "f16", bf16=True) == ("vulkan_fp32", 14.85e12)
    arc = _device_load(
        backend="vulkan-intel", api="vulkan", vendor="Intel", gpu_arch="xe2", fp32_flops=22.9e12
    )
    assert prefill_path(arc, "f16", bf16=True) == ("vulkan_fp32", 22.9e12)
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
    p = replace(_no_launches(load_params()), attention_tile_rows=0.0)
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


def _f16_prompt(load: DeviceLoad, quant: str = "F16", **kw: object) -> SpeedFeatures:
    """_prefill_features of unquantized weights (``quant``: F16 or BF16) on ``load`` alone."""
    return _prefill_features(loads=(load,), quant_family="f16", quant=quant, **kw)


def _no_launches(p: SpeedParams) -> SpeedParams:
    """The parameters without the layers' launch costs (prefill.layer_launch_seconds), for
    tests that compute a prompt's arithmetic and streams by hand."""
    return replace(p, per_layer_us=dict.fromkeys(p.per_layer_us, 0.0), per_moe_layer_us=0.0)


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

    base = _no_launches(load_params())
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


def _gpu_load(vendor: str, backend: str, **kw: object) -> DeviceLoad:
    """_device_load of a ``vendor`` GPU under a backend that is also its API (rocm, vulkan,
    sycl)."""
    return _device_load(backend=backend, api=backend, vendor=vendor, **kw)


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
