"""What each device does per token: the bytes and parameters it reads, the attention it
computes, and what its hardware offers for that arithmetic (dp4a, tensor cores, SM clock)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from ..frozen import builder, interpreted
from ..hardware import Device
from ..memory import (
    LLAMA_UBATCH,
    GqaPacking,
    MemoryPlan,
    attended_cells,
    attention_flops,
    hip_tile_attention_flops,
    layers_with_experts,
)
from ..memory.layer_terms import layer_terms_of
from ..quant import KV_TYPES, kv_bytes_per_element
from ..runtimes import Runtime
from ..spec import ModelSpec, WeightInventory, attending_spec
from .device_traits import (
    MIN_TENSOR_FP16_PER_FP32,
    TURING,
    device_traits,
    wmma_generation,
)
from .params import quant_family, release


@interpreted
@dataclass(frozen=True)
class DeviceLoad:
    """What one device does per decoded token."""

    backend: str
    bandwidth_bytes_per_s: float
    fp32_flops: float | None
    fp16_flops: float | None
    tdp_w: float | None
    weight_bytes: float
    weight_params: float
    kv_bytes: float
    layers: int
    dp4a: bool = True  # a native int8 dot product (every GPU but old NVIDIA ones)
    attn_flops: float = 0.0  # decode attention arithmetic per token at the current depth
    # The part of it llama.cpp runs in a matrix (MMA or tile) kernel: heads too wide for the
    # CUDA/HIP vector kernel (memory.VECTOR_KERNEL_MAX_HEAD_DIM).
    attn_matrix_flops: float = 0.0
    # Cached cells its attention layers visit per decoded token, summed over the layers
    # (memory.attended_cells); counted for Intel GPUs under llama.cpp only (decode's
    # intel_decode_attention_seconds), 0 elsewhere.
    attn_cells: float = 0.0
    moe_layers: int = 0
    tensor_cores: bool = True  # NVIDIA: compute capability 7.0 and later but GTX 16
    vendor: str | None = None
    api: str | None = None  # the device's own backend (sycl stays sycl; backend is its class)
    # Every weight the device holds, routed experts included: a prompt micro-batch of 512
    # tokens reaches nearly every expert, so prefill streams them all once per micro-batch.
    resident_weight_bytes: float = 0.0
    # The routed experts' part of resident_weight_bytes (0 for a dense model).
    resident_expert_bytes: float = 0.0
    # NVIDIA: streaming multiprocessors × boost clock (Hz), from the FP32 rate and the FP32
    # lanes per SM of the compute capability; None elsewhere.
    sm_clock_hz: float | None = None
    compute_capability: float | None = None
    gpu_arch: str | None = None  # AMD LLVM target; Intel Xe generation (hardware.Device)
    int8_flops: float | None = None  # int8 dot-product ops/s (catalog int8_tops)
    # The FP16 tensor rate with FP32 accumulation where it is below fp16_flops (GeForce cards,
    # the L40: half); None where the catalog lists none (the same rate).
    fp32_acc_flops: float | None = None


# A delta-rule recurrence per token and state element (mlx-lm gated_delta.py, the
# gated_delta_step kernel): the decay multiply, the k . S product's multiply-add, the update's
# multiply-add and the q . S product's multiply-add, 1 + 2 + 2 + 2 FLOPs.
DELTA_RULE_FLOPS_PER_ELEMENT = 7
# Expert matrices per MoE layer that go through MUL_MAT_ID: gate, up and down
# (llama.cpp's build_moe_ffn).
EXPERT_MATMULS_PER_LAYER = 3

# llama.cpp keeps recurrent (Mamba) states in F32 (llama-memory-recurrent.cpp: r_l and s_l
# are GGML_TYPE_F32).
F32_BYTES = 4


@interpreted
@dataclass(frozen=True)
class SpeedFeatures:
    """What decode and prefill speed depend on for one setup, per device and overall."""

    loads: tuple[DeviceLoad, ...]
    host_bytes: float  # bytes streamed from system RAM per token (offloaded layers and experts)
    host_bandwidth_bytes_per_s: float | None
    quant_family: str
    n_layers: int
    active_params: float  # parameters a token multiplies (embedding lookups excluded)
    attn_prefill_flops: float  # attention FLOPs per prompt token at the average depth
    flash_attn: bool = True
    ubatch: int = LLAMA_UBATCH  # tokens per prompt micro-batch
    mmq: bool = True  # llama.cpp's int8 MMQ kernels for quantized prompt GEMMs (Runtime.mmq)
    fp4_mma: bool = True  # llama.cpp's native FP4 MMA for MXFP4/NVFP4 weights (Runtime.fp4_mma)
    llama_kernels: bool = True  # the runtime is llama.cpp (its dp4a MMQ on AMD Vega 20/RDNA2)
    engine: str = "llama.cpp"  # Runtime.engine: which decode model applies (RUNTIME_DECODE)
    engine_version: tuple[int, ...] | None = None  # the runtime's release, None: current
    n_experts: int = 0  # routed experts per MoE layer (0: dense)
    quant: str = ""  # the weights' scheme label (inv.quant): picks transformers' kernel path
    active_expert_params: float = 0.0  # the routed-expert part of active_params
    expert_share: float = 1.0  # k / E: the share of a micro-batch's tokens each expert takes
    sequences: int = 1  # sequences decoded together (each load's kv_bytes covers them all)
    kv_element_bytes: float = 2.0  # bytes of a cached K or V element (kv_bytes_per_element)
    tensor_parallel: bool = False
    host_params: float = 0.0  # weights (parameters) read from system RAM per token
    host_layers: int = 0  # whole layers run by the CPU
    # Unified memory: the GPU's FP32 rate, a floor on the CPU side's dequantization time
    # (the CPU cores of these SoCs have a fraction of the GPU's arithmetic); None for a
    # separate host, whose DDR bandwidth binds first.
    host_fp32_flops: float | None = None
    # Query heads per KV head of the attention layers (grouped-query attention; 1 for MHA):
    # what transformers' repeat_kv multiplies the cache by (speed.decode, RuntimeDecode).
    gqa_groups: int = 1
    # The part of attn_prefill_flops llama.cpp's HIP flash attention on RDNA3/RDNA4 runs in its
    # tile kernel even where the build has the WMMA kernel (memory.hip_tile_attention_flops),
    # and whether the build has it (Runtime.rdna4_fattn_mma, rdna3_fattn_mma).
    attn_prefill_tile_flops: float = 0.0
    # Attention scores (query head x cached token) per prompt token over every layer, at the
    # average depth: what llama.cpp's graph without flash attention holds as an F32 matrix
    # (speed.prefill.no_fa_score_seconds).
    attn_prefill_scores: float = 0.0
    rdna4_fattn_mma: bool = True
    rdna3_fattn_mma: bool = True
    # Whether the build runs HIP MMQ on CDNA's, RDNA4's and RDNA3's matrix units
    # (Runtime.cdna_mmq, rdna4_mmq, rdna3_mmq).
    cdna_mmq: bool = True
    rdna4_mmq: bool = True
    rdna3_mmq: bool = True
    # Whether the build has the Vulkan matmul tiles tuned for AMD (Runtime.amd_vulkan_tiles).
    amd_vulkan_tiles: bool = True
    # Whether HIP MMQ sizes routed experts' tiles per expert (Runtime.moe_expert_tiles).
    moe_expert_tiles: bool = True
    # Whether Vulkan flash attention's S·V runs on AMD's cooperative matrices
    # (Runtime.vulkan_cm1_pv).
    vulkan_cm1_pv: bool = True
    # Whether the build runs SYCL prompt attention on the XMX engines
    # (Runtime.sycl_xmx_attention).
    sycl_xmx_attention: bool = True
    # Whether the build sorts SYCL's routed rows by counting (Runtime.sycl_counting_sort).
    sycl_counting_sort: bool = True
    # Whether the build scans Mamba-2 prompts in CUDA's chunked SSD GEMMs
    # (Runtime.cuda_ssd_scan).
    cuda_ssd_scan: bool = True
    # Whether the build decodes SYCL's routed experts in one fused kernel
    # (Runtime.sycl_fused_moe_decode).
    sycl_fused_moe_decode: bool = True
    # Whether the build runs Vulkan matmuls on Intel Xe2's XMX engines
    # (Runtime.intel_vulkan_coopmat).
    intel_vulkan_coopmat: bool = True
    # Whether the Vulkan driver is Mesa's (Runtime.vulkan_mesa).
    vulkan_mesa: bool = False
    # Whether the build runs Metal prompt GEMMs on the M5's Neural Accelerators in their own
    # tensor-API kernel (Runtime.metal_tensor_tiles).
    metal_tensor_tiles: bool = True
    # llama.cpp's CUDA graphs for decode from this compute capability up (Runtime's).
    cuda_graphs_min_cc: float | None = None
    # Output rows of a routed expert's matrices: gate and up (the expert's FFN width), down
    # (the hidden size); (0, 0) for dense models or where unknown (expert_matrix_rows).
    expert_rows: tuple[int, int] = (0, 0)
    # Parameters of the KV-shared layers after the last cache (cache_free_tail_params).
    cache_free_tail_params: float = 0.0
    # Multi-head latent attention (spec.mla): llama.cpp's attention block for it is longer
    # (speed.decode.MLA_EXTRA_ATTENTION_KERNELS).
    mla: bool = False
    # Delta-rule layers (spec.delta_rule_state_elements): the FLOPs per token of their
    # recurrence, summed over the model's layers (kernels.DELTA_RULE_FLOPS_PER_ELEMENT).
    delta_rule_flops: float = 0.0
    # Mamba / Mamba-2 mixers (spec.ssm_scan_state_elements): the bytes of their F32 scan
    # states, summed over the model's mixers (what op_fallback moves when a backend has no
    # SSM_SCAN kernel).
    ssm_scan_state_bytes: float = 0.0


# Built per answer (a load per device): builder's one-step constructors, the same objects.
_new_load = builder(DeviceLoad)
_new_features = builder(SpeedFeatures)


@lru_cache(maxsize=1024)
def _load_template(device: Device) -> tuple[dict[str, Any], bool]:
    """A DeviceLoad's fields for ``device`` before its share of the model: the defaults and
    device_traits, in field order (what _new_load(**traits, ...) starts from); and whether it
    is an RDNA3/RDNA4 GPU under ROCm (rdna_generation of any load on it)."""
    traits = device_traits(device)
    template = {f.name: f.default for f in fields(DeviceLoad)}
    template.update(traits)
    probe = _new_load(weight_bytes=0.0, weight_params=0.0, kv_bytes=0.0, layers=0, **traits)
    return template, rdna_generation(probe) is not None


@lru_cache(maxsize=64)
def _features_template(runtime: Runtime | None) -> dict[str, Any]:
    """SpeedFeatures' fields before a plan's: the defaults and runtime_traits, in field order
    (what _new_features(**runtime_traits(runtime), ...) starts from)."""
    template = {f.name: f.default for f in fields(SpeedFeatures)}
    template.update(runtime_traits(runtime))
    return template


def apple_matrix_units(load: DeviceLoad) -> bool:
    """Whether an Apple GPU has matrix units (the M5 family's Neural Accelerators): its FP16
    matrix rate well above the vector units' (device_traits.MIN_TENSOR_FP16_PER_FP32); up to the
    M4, Apple GPUs list the FP16 rate equal to FP32."""
    return bool(
        load.backend == "metal"
        and load.fp16_flops
        and load.fp32_flops
        and load.fp16_flops >= MIN_TENSOR_FP16_PER_FP32 * load.fp32_flops
    )


def rdna_generation(load: DeviceLoad) -> int | None:
    """wmma_generation of a GPU under ROCm/HIP: the WMMA units llama.cpp's HIP kernels reach
    (ggml-cuda common.cuh, amd_wmma_available); None under other backends."""
    return wmma_generation(load.gpu_arch) if load.backend == "rocm" else None


@lru_cache(maxsize=1024)
def expert_matrix_rows(spec: ModelSpec) -> tuple[int, int]:
    """(gate/up, down) output rows of one routed expert: the expert's FFN width and the
    hidden size (the GGUF row lengths of the down and gate/up tensors, expert_down_rows and
    expert_up_rows, where the spec has them; else the width from the first MoE layer's
    parameters, 3 × experts × hidden × width). (0, 0) for a dense model."""
    if not spec.is_moe:
        return 0, 0
    for layer in spec.layers:
        if not layer.moe:
            continue
        hidden = layer.expert_up_rows or spec.hidden_size
        ffn = layer.expert_down_rows
        if not ffn and hidden and layer.params_experts:
            ffn = layer.params_experts // (3 * spec.n_experts * hidden)
        return ffn, hidden
    return 0, 0


def _expert_bytes(inv: WeightInventory, start: int, stop: int) -> float:
    # max(x, 0) written out (see features)
    return float(sum(inv.layer_expert_bytes[0 if start < 0 else start : 0 if stop < 0 else stop]))


_KV_ELEMENT_FLOATS = {name: float(size) for name, size in KV_TYPES.items()}


def features(
    spec: ModelSpec,
    inv: WeightInventory,
    plan: MemoryPlan,
    depth: int,
    host_bandwidth_bytes_per_s: float | None,
    host_fp32_flops: float | None = None,
    runtime: Runtime | None = None,
    kv_type: str = "f16",
    sequences: int = 1,
) -> SpeedFeatures:
    """Bytes and parameters each device touches per token at KV depth ``depth``.

    llama.cpp keeps the first layers on the host (``-ngl``) and, for MoE, the routed experts
    of the first ``experts_on_host_layers`` layers (``--n-cpu-moe``); GPUs hold the
    following layers in order. Each active byte is read once per token, from wherever it
    lives: only the routed share of the experts a device (or the host) holds, never the
    embedding tables a token only looks up. With ``runtime`` the KV read at ``depth`` is
    counted layer by layer (sliding windows capped, recurrent state fixed)."""
    n = spec.n_layers
    moe_share = (spec.n_experts_used / spec.n_experts) if spec.is_moe else 1.0
    per_layer_experts = spec.is_moe and len(inv.layer_expert_bytes) == n
    experts_host = plan.experts_on_host_layers
    devices = plan.devices
    tensor_parallel = plan.tensor_parallel
    on_gpus = 0
    for use in devices:
        on_gpus += use.layers
    first_gpu = n - on_gpus  # first layer on a GPU
    start = first_gpu
    loads = []
    params_total = spec.params_total
    bpw = inv.total_bytes / (1 if params_total < 1 else params_total)
    tp = len(devices) if tensor_parallel else 1
    last = len(devices) - 1
    lookup = plan.lookup_bytes
    is_llama = runtime is not None and runtime.engine == "llama.cpp"
    rdna = False
    new, set_dict = object.__new__, object.__setattr__
    for k, use in enumerate(devices):
        template, rdna_here = _load_template(use.device)
        rdna = rdna or rdna_here
        share = use.layers / n if n else 0.0
        lo, hi = (0, n) if tensor_parallel else (start, start + use.layers)
        if tensor_parallel:
            share = 1 / tp
        weights = float(use.weights_bytes)
        if k < len(lookup):
            weights -= lookup[k]
        # max(a, b) of two written out as `b if b > a else a` (the same value, the same object):
        # the builtin costs ~10× a comparison in CPython (docs/performance.md, "min and max").
        resident = 0.0 if weights < 0.0 else weights
        # MTP layers and towers are held, not read: they sit with the last layers.
        if tensor_parallel:
            weights -= inv.unread_bytes / tp
        elif k == last:
            weights -= inv.unread_bytes
        if spec.is_moe:
            if per_layer_experts and not tensor_parallel:
                experts_here = _expert_bytes(inv, experts_host if experts_host > lo else lo, hi)
            else:
                experts_here = inv.expert_bytes * share
            weights -= experts_here * (1 - moe_share)
        if runtime is not None:
            vector = is_llama and template["backend"] in ("cuda", "rocm")
            packing = None
            if is_llama and template["backend"] == "cuda":
                packing = gqa_decode_packing(template["compute_capability"], runtime, kv_type)
            kv, attn, attn_matrix, moe_layers = _layer_terms(
                spec, runtime, kv_type, sequences, depth, lo, hi, vector, packing
            )
            kv /= tp
            attn *= sequences / tp
            attn_matrix *= sequences / tp
        else:
            kv = use.kv_cache_bytes * min(1.0, depth / plan.kv_tokens) if plan.kv_tokens else 0.0
            attn = attn_matrix = 0.0
            moe_layers = layers_with_experts(spec, lo, hi)
        if not tensor_parallel:
            start = hi
        # _new_load(**traits, ...) in one step: the device's fields copied, this share set.
        values = template.copy()
        weights = 0.0 if weights < 0.0 else weights
        values["weight_bytes"] = weights
        values["weight_params"] = weights / bpw
        values["kv_bytes"] = float(kv)
        values["layers"] = use.layers
        values["attn_flops"] = attn
        values["attn_matrix_flops"] = attn_matrix
        if is_llama and runtime is not None and template["vendor"] == "Intel":
            cells = attended_cells(spec, runtime, depth, lo, hi)
            values["attn_cells"] = cells * sequences
        values["moe_layers"] = moe_layers
        values["resident_weight_bytes"] = resident
        if spec.is_moe:
            values["resident_expert_bytes"] = experts_here if experts_here < resident else resident
        load = new(DeviceLoad)
        set_dict(load, "__dict__", values)
        loads.append(load)
    host_bytes = 0.0
    host_layers = 0
    if (
        plan.host is not None and plan.gpu_layers < plan.total_layers
    ) or plan.experts_on_host_layers:
        host = plan.host
        assert host is not None
        host_weights = float(max(host.weights_bytes - inv.input_bytes, 0))
        if spec.is_moe:
            # Whole host layers read their attention in full and a routed share of their
            # experts; layers whose experts alone stay on the host read that share.
            if per_layer_experts:
                experts_on_host = _expert_bytes(inv, 0, max(first_gpu, experts_host))
            else:
                experts_on_host = inv.expert_bytes * max(first_gpu, experts_host) / max(n, 1)
            experts_on_host = min(experts_on_host, host_weights)
            host_weights -= experts_on_host * (1 - moe_share)
        host_bytes = host_weights
        # Whole layers on the CPU, and layers whose experts alone run there: each is one
        # more hand-off between the backends (a copy and a synchronisation) per token.
        host_layers = max(0, min(n, plan.total_layers - plan.gpu_layers))
        host_layers = max(host_layers, min(n, experts_host))
        if plan.kv_tokens:
            host_bytes += host.kv_cache_bytes * min(1.0, depth / plan.kv_tokens)
        host_params = host_weights / bpw
    else:
        host_params = 0.0
    attn_prefill_tile = 0.0
    if runtime is not None:
        attn_prefill = _prefill_attention(spec, runtime, depth)
        if is_llama and rdna:
            attn_prefill_tile = hip_tile_attention_flops(spec, runtime, depth, 0, n)
    else:
        attn_prefill = 4.0 * spec.attention_width * depth
    # _new_features(**runtime_traits(runtime), ...) in one step, from the fields kept per
    # runtime, model and weights (_model_features_template); the plan's set by subscript:
    # update(**fields) builds a dict of them first.
    values = _model_features_template(runtime, spec, inv).copy()
    values["loads"] = tuple(loads)
    values["host_bytes"] = host_bytes
    values["host_bandwidth_bytes_per_s"] = host_bandwidth_bytes_per_s
    values["attn_prefill_flops"] = attn_prefill
    values["tensor_parallel"] = tensor_parallel
    values["host_params"] = host_params
    values["host_layers"] = host_layers
    values["host_fp32_flops"] = host_fp32_flops
    values["sequences"] = 1 if sequences < 1 else sequences
    # float() of a Fraction runs three Python calls (numbers.Rational.__float__): each cache
    # type's float kept once (_KV_ELEMENT_FLOATS); any other spelling asks as before.
    element = _KV_ELEMENT_FLOATS.get(kv_type)
    values["kv_element_bytes"] = (
        float(kv_bytes_per_element(kv_type)) if element is None else element
    )
    values["attn_prefill_tile_flops"] = attn_prefill_tile
    values["attn_prefill_scores"] = _scores_per_token(spec, attn_prefill)
    features_ = new(SpeedFeatures)
    set_dict(features_, "__dict__", values)
    return features_


# ggml-cuda/fattn.cu, ggml_cuda_get_best_fattn_kernel, for one decoded token (Q->ne[1] == 1)
# with flash attention, on GPUs without Turing's MMA (turing_mma_available): with two or more
# query heads per KV head (gqa_opt_applies) Volta takes the tile kernel once the power of two
# in the ratio (gqa_ratio_eff) exceeds 2 ("On Volta tensor cores are only faster for
# sufficiently large matrices"), Pascal and older take it for an F16/BF16 cache (a quantized
# one keeps the vector kernel). Turing and later take the MMA kernel for grouped-query decode
# too (PR #12014; on Ada and later only past 4 heads per KV head and 8,192 cells, PR #15035),
# but there it measured as fast as the vector kernel, no faster (PR #15035: an RTX 4090's
# tg128 of Qwen 2.5 3B equal from 0 to 32,768 cells of depth), so the vector kernel's cost is
# kept for those GPUs.
GQA_PACKING_PASCAL = GqaPacking()
GQA_PACKING_VOLTA = GqaPacking(min_power_of_two=4)
VOLTA_COMPUTE_CAPABILITY = 7.0


def gqa_decode_packing(
    compute_capability: float | None, runtime: Runtime, kv_type: str
) -> GqaPacking | None:
    """Which grouped-query layers llama.cpp's CUDA flash attention decodes in its tile kernel
    on an NVIDIA GPU of this compute capability (memory.GqaPacking): Volta's and Pascal's
    rules on builds with PR #16492 (Runtime.cuda_tile_gqa_decode); None: every layer narrow
    enough in the vector kernel."""
    cc = compute_capability
    if cc is None or cc >= TURING[0] or not runtime.flash_attn:
        return None
    if not runtime.cuda_tile_gqa_decode:
        return None
    if cc >= VOLTA_COMPUTE_CAPABILITY:
        return GQA_PACKING_VOLTA
    quantized = kv_type.lower() not in ("f16", "bf16", "f32")
    return None if quantized else GQA_PACKING_PASCAL


# Kept per runtime, model and weights: a new query mostly finds its model and quantization
# asked before on other devices (gqa_groups alone walked every layer of the model per answer).
@lru_cache(maxsize=4096)
def _model_features_template(
    runtime: Runtime | None, spec: ModelSpec, inv: WeightInventory
) -> dict[str, Any]:
    """_features_template(runtime) with the SpeedFeatures fields that depend only on the model
    and its weights set (features copies it and sets the plan's). Field order is the
    template's: setting a key a dict holds keeps its place."""
    values = _features_template(runtime).copy()
    moe_share = (spec.n_experts_used / spec.n_experts) if spec.is_moe else 1.0
    values["quant_family"] = quant_family(inv.quant)
    values["n_layers"] = spec.n_layers
    values["active_params"] = float(spec.params_matmul_active)
    values["active_expert_params"] = float(spec.routed_expert_params * moe_share)
    values["expert_share"] = moe_share
    values["n_experts"] = spec.n_experts if spec.is_moe else 0
    values["quant"] = inv.quant.upper()
    values["gqa_groups"] = gqa_groups(spec)
    if spec.is_moe:
        values["expert_rows"] = expert_matrix_rows(spec)
    if spec.mla is not None:
        values["mla"] = True
    values["cache_free_tail_params"] = cache_free_tail_params(spec)
    if spec.delta_rule_state_elements:
        layers = spec.layers_by_kind.get("recurrent", 0)
        values["delta_rule_flops"] = float(
            DELTA_RULE_FLOPS_PER_ELEMENT * spec.delta_rule_state_elements * layers
        )
    if spec.ssm_scan_state_elements:
        mixers = sum(1 for layer in spec.layers if layer.recurrent_state_elements)
        values["ssm_scan_state_bytes"] = float(F32_BYTES * spec.ssm_scan_state_elements * mixers)
    return values


def cache_free_tail_params(spec: ModelSpec) -> float:
    """Parameters of the layers that follow the model's last cache-owning layer: the run of
    "none" layers (KV-shared layers that read an earlier layer's cache and write none) at
    the end of the stack, 0 where the last layer has a cache of its own."""
    total = 0
    for layer in reversed(spec.layers):
        if layer.kind != "none":
            break
        total += layer.params
    return float(total)


def gqa_groups(spec: ModelSpec) -> int:
    """Query heads per KV head: the model's heads over the most KV heads any attention layer
    has (layers without a cache left out); 1 for multi-head attention or no attention."""
    kv_heads = max((layer.n_kv_heads for layer in spec.layers), default=0)
    return max(spec.n_heads // kv_heads, 1) if kv_heads else 1


@lru_cache(maxsize=64)
def runtime_traits(runtime: Runtime | None) -> dict[str, Any]:
    """The SpeedFeatures fields that only describe the runtime (the same in every plan it
    runs), as device_traits does for a device."""
    return {
        "flash_attn": runtime.flash_attn if runtime is not None else True,
        "ubatch": runtime.ubatch if runtime is not None else LLAMA_UBATCH,
        # MMQ and dp4a GEMMs are llama.cpp's own kernels; vLLM, transformers and ExLlama run
        # FP16/BF16 tensor-core GEMMs (cuBLAS, Marlin, their own) on quantized weights too.
        "mmq": runtime is None or (runtime.mmq and runtime.engine == "llama.cpp"),
        "llama_kernels": runtime is None or runtime.engine == "llama.cpp",
        "fp4_mma": runtime is None or (runtime.fp4_mma and runtime.engine == "llama.cpp"),
        "engine": runtime.engine if runtime is not None else "llama.cpp",
        "engine_version": release(runtime.version) if runtime is not None else None,
        "rdna4_fattn_mma": runtime is None or runtime.rdna4_fattn_mma,
        "rdna3_fattn_mma": runtime is None or runtime.rdna3_fattn_mma,
        "cdna_mmq": runtime is None or runtime.cdna_mmq,
        "rdna4_mmq": runtime is None or runtime.rdna4_mmq,
        "rdna3_mmq": runtime is None or runtime.rdna3_mmq,
        "amd_vulkan_tiles": runtime is None or runtime.amd_vulkan_tiles,
        "moe_expert_tiles": runtime is None or runtime.moe_expert_tiles,
        "vulkan_cm1_pv": runtime is None or runtime.vulkan_cm1_pv,
        "sycl_xmx_attention": runtime is None or runtime.sycl_xmx_attention,
        "sycl_counting_sort": runtime is None or runtime.sycl_counting_sort,
        "cuda_ssd_scan": runtime is None or runtime.cuda_ssd_scan,
        "sycl_fused_moe_decode": runtime is None or runtime.sycl_fused_moe_decode,
        "intel_vulkan_coopmat": runtime is None or runtime.intel_vulkan_coopmat,
        "vulkan_mesa": runtime is not None and runtime.vulkan_mesa,
        "metal_tensor_tiles": runtime is None or runtime.metal_tensor_tiles,
        "cuda_graphs_min_cc": runtime.cuda_graphs_min_cc
        if runtime is not None and runtime.engine == "llama.cpp"
        else None,
    }


# Kept per model, runtime, cache type, sequences, depth and run of layers: the seeded
# whole-catalog draws of bench_engine.py ask ~14,000 of them in 22,000 queries (each entry
# ~0.4 KB), and a new query finds its model's layers at its depth asked before on other
# devices.
@lru_cache(maxsize=16384)
def _layer_terms(
    spec: ModelSpec,
    runtime: Runtime,
    kv_type: str,
    sequences: int,
    depth: int,
    lo: int,
    hi: int,
    vector_kernel: bool,
    packing: GqaPacking | None = None,
) -> tuple[float, float, float, int]:
    """What layers [lo, hi) of a model read and compute per decoded token at ``depth``,
    whatever device holds them and at whatever quantization: the KV bytes (with the
    recurrent state's write-back), the attention
    FLOPs (split between llama.cpp's CUDA/HIP vector kernel and its matrix kernels when
    ``vector_kernel``; ``packing``: the grouped-query layers CUDA packs into the matrix
    kernels, gqa_decode_packing), and the layers that route to experts. A table asks the same
    layers of one model on many devices and at many quantizations."""
    # The same floats as the model's functions asked one by one (memory.layer_terms).
    return layer_terms_of(spec, runtime, kv_type, sequences, vector_kernel, packing).at(
        depth, lo, hi
    )


def _scores_per_token(spec: ModelSpec, attn_flops: float) -> float:
    """Attention scores per prompt token from its attention FLOPs: attention_flops counts
    2 x (K + V width) FLOPs per head and cached token read, one score each, so the scores
    are the FLOPs over 2 x the attention layers' mean K + V width. 0 where unknown."""
    width = _mean_attention_width(spec)
    return attn_flops / (2 * width) if width and attn_flops else 0.0


@lru_cache(maxsize=256)
def _mean_attention_width(spec: ModelSpec) -> float:
    """The mean K + V head width of the layers that attend over a cache, shared-KV layers
    as their source layer (attending_spec) (0: none)."""
    spec = attending_spec(spec)
    widths = [
        layer.head_dim_k + layer.head_dim_v
        for layer in spec.layers
        if layer.kind not in ("recurrent", "none") and layer.n_kv_heads
    ]
    return sum(widths) / len(widths) if widths else 0.0


@lru_cache(maxsize=4096)
def _prefill_attention(spec: ModelSpec, runtime: Runtime, depth: int) -> float:
    """attention_flops of one prompt token at ``depth`` over every layer."""
    return attention_flops(spec, runtime, depth, 0, spec.n_layers, decode=False)
