"""Decode and prefill speed: a roofline with a few fitted, physically meaningful parameters.

Decode, per token: every device reads its share of the active weights and of the KV cache at
the current depth from memory (bandwidth × efficiency), and spends arithmetic on
dequantizing the weights it reads (vector FP32 throughput × ops per weight); devices
hold consecutive layers, so their times add; a fixed per-token cost (kernel launches,
sampling) is added per backend. Prefill, per token: 2 FLOPs per active parameter plus
attention over the depth, at tensor throughput × efficiency.

The parameters live in data/speed_params.json, fitted by bench/calibrate_speed.py on the
published measurements; docs/methodology.md explains each one.

params: the fitted parameters and the shared vocabulary; features: what each device does per
token; decode and prefill: the two formulas.
"""

from .decode import (
    ATTENTION_LINEARS,
    CPU_INT8_PER_FP32,
    MLP_LINEARS,
    RUNTIME_DECODE,
    RuntimeDecode,
    cpu_decode_seconds,
    cpu_int8_flops,
    cuda_graphs_apply,
    decode_seconds_per_token,
    runtime_decode_seconds,
)
from .device_traits import (
    DP4A_MIN_COMPUTE_CAPABILITY,
    TENSOR_CORE_MIN_COMPUTE_CAPABILITY,
    fp32_lanes_per_sm,
    has_dp4a,
    has_tensor_cores,
    sm_clock_hz,
)
from .features import DeviceLoad, SpeedFeatures, features
from .kernels import (
    FP4_MMA_COMPUTE_CAPABILITY,
    FP4_MMQ_SPEEDUP,
    FP4_QUANTS,
    INT8_MMA_MIN_COMPUTE_CAPABILITY,
    MMQ_OPS_PER_SM_CLOCK,
    amd_dp4a_mmq,
    fp4_mma_applies,
    prefill_path,
)
from .params import (
    BACKEND_CLASSES,
    PARAMS_PATH,
    UNPACKING_BASE,
    SpeedParams,
    backend_class,
    load_params,
    load_params_raw,
    quant_family,
    release,
    safe_rate,
    spread,
)
from .prefill import (
    micro_batch,
    prefill_gemm_flops,
    prefill_seconds_per_token,
    sustained_clock_share,
)
from .vulkan_kernels import (
    VULKAN_COOPMAT2_ATTENTION,
    amd_vulkan_coopmat,
    attention_kernels,
    vulkan_coopmat2,
)

__all__ = [
    "ATTENTION_LINEARS",
    "BACKEND_CLASSES",
    "CPU_INT8_PER_FP32",
    "DP4A_MIN_COMPUTE_CAPABILITY",
    "FP4_MMA_COMPUTE_CAPABILITY",
    "FP4_MMQ_SPEEDUP",
    "FP4_QUANTS",
    "INT8_MMA_MIN_COMPUTE_CAPABILITY",
    "MLP_LINEARS",
    "MMQ_OPS_PER_SM_CLOCK",
    "PARAMS_PATH",
    "RUNTIME_DECODE",
    "TENSOR_CORE_MIN_COMPUTE_CAPABILITY",
    "UNPACKING_BASE",
    "VULKAN_COOPMAT2_ATTENTION",
    "DeviceLoad",
    "RuntimeDecode",
    "SpeedFeatures",
    "SpeedParams",
    "amd_dp4a_mmq",
    "amd_vulkan_coopmat",
    "attention_kernels",
    "backend_class",
    "cpu_decode_seconds",
    "cpu_int8_flops",
    "cuda_graphs_apply",
    "decode_seconds_per_token",
    "features",
    "fp4_mma_applies",
    "fp32_lanes_per_sm",
    "has_dp4a",
    "has_tensor_cores",
    "load_params",
    "load_params_raw",
    "micro_batch",
    "prefill_gemm_flops",
    "prefill_path",
    "prefill_seconds_per_token",
    "quant_family",
    "release",
    "runtime_decode_seconds",
    "safe_rate",
    "sm_clock_hz",
    "spread",
    "sustained_clock_share",
    "vulkan_coopmat2",
]
