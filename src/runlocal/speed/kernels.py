"""Which kernels a backend runs for a prompt on each hardware generation and build: llama.cpp's
int8 MMQ or dp4a, FP4 MMA, dequantize + FP16/BF16 GEMMs or FP32, MMF or a host loop for
routed experts, Vulkan's cooperative-matrix shaders, Metal's tensor path, MLX's gather GEMMs,
and the flash-attention kernels; prefill.py prices what they do."""

from __future__ import annotations

from .decode import cpu_int8_flops
from .device_traits import wmma_generation
from .features import (
    EXPERT_MATMULS_PER_LAYER,
    DeviceLoad,
    SpeedFeatures,
    apple_matrix_units,
)
from .vulkan_kernels import vulkan_coopmat2

# llama.cpp's quantized GEMMs (MMQ) use int8 tensor-core MMA from Turing on
# (ggml-cuda mmq.cu, ggml_cuda_should_use_mmq: turing_mma_available); Volta has FP16 tensor
# cores only, so large batches dequantize to FP16 and run cuBLAS there.
INT8_MMA_MIN_COMPUTE_CAPABILITY = 7.5


def amd_dp4a_mmq(gpu_arch: str | None) -> bool:
    """AMD GPUs on which llama.cpp's HIP build runs quantized prompt GEMMs in MMQ on the
    int8 dot product (v_dot4_i32_i8, 4 multiply-adds per FP32 lane) for lack of matrix
    units: Vega 20 (gfx906) and RDNA2 (gfx103x). CDNA (MFMA) and RDNA3/4 (WMMA) reach their
    matrix units through MMQ or hipBLAS (ggml-cuda mmq.cu, ggml_cuda_should_use_mmq)."""
    return gpu_arch is not None and (gpu_arch == "gfx906" or gpu_arch.startswith("gfx103"))


# llama.cpp's HIP build decides per quantized prompt GEMM between its MMQ kernels and
# dequantizing the weights to FP16 for a hipBLAS (rocBLAS) GEMM: ggml-cuda mmq.cu,
# ggml_cuda_should_use_mmq, whose AMD branch changed by generation and build. Until mid-2025
# every AMD GPU with FP16 matrix units (RDNA3, RDNA4, CDNA) took hipBLAS from 64 tokens
# (MMQ_DP4A_MAX_BATCH_SIZE) up, MMQ then meaning the dp4a kernels. PR #14624 (26 July 2025)
# gave CDNA3 MMQ on MFMA for every batch; PR #14949 (30 July 2025) gave CDNA1/CDNA2 (gfx908,
# gfx90a) MFMA MMQ for Q4_0/Q4_1/Q5_0/Q5_1, for Q4_K/Q5_K up to 256 tokens and for anything up
# to 128 (PR #18537, January 2026: and for MoE with more than 64 experts); PR #17156 (24
# November 2025) RDNA4 WMMA MMQ for every batch ("For RDNA4 MMQ is consistently faster than
# dequantization + hipBLAS"); PR #17576 (5 December 2025) RDNA3's, where PR #18537 sends
# Q2_K, Q6_K, IQ2_XS and IQ2_S above 128 tokens back to hipBLAS ("For some quantization types
# MMQ can have lower peak TOPS than hipBLAS") unless the model has 64 or more experts (PR
# #18202: "the synchronization overhead in the cuBLAS/hipBLAS path").
HIP_MMQ_DP4A_MAX_BATCH = 64
HIP_MMQ_SMALL_BATCH = 128
CDNA_MMQ_K_QUANT_MAX_BATCH = 256
CDNA_MMQ_QUANTS = ("Q4_0", "Q4_1", "Q5_0", "Q5_1")
CDNA_MMQ_K_QUANTS = ("Q4_K", "Q5_K")
CDNA_MMQ_MIN_EXPERTS = 65
RDNA3_HIPBLAS_QUANTS = frozenset({"Q2_K", "Q6_K", "IQ2_XS", "IQ2_S"})
RDNA3_MMQ_MIN_EXPERTS = 64
CDNA12_ARCHES = ("gfx908", "gfx90a")
CDNA3_ARCH_PREFIXES = ("gfx94", "gfx95")
# The dequantize + BLAS path writes an FP16 copy of each weight matrix it multiplies and the
# GEMM reads it back (ggml-cuda.cu, ggml_cuda_op_mul_mat_cublas: to_fp16_cuda into a pool
# buffer, then hipblasGemmEx on it). The dequantize kernel is a separate, memory-bound pass:
# its 2-byte write per weight and micro-batch is charged at the device's bandwidth, on top of
# reading the quantized weight. The GEMM's read of the copy is not: it is the same stream of
# operand tiles that MMQ reads from the quantized weights, and like it (the prompt's
# arithmetic and its weight stream are summed once, bandwidth_efficiency and
# prefill_efficiency absorbing their overlap) it is not charged a second time. With 4 bytes
# (write and read) the RX 7900 XT/GRE gpt-oss-20b prompts of builds 6194 and 6829 (hipBLAS
# for every expert slice at n_ubatch 2048) read 0.79-0.99x their measured rate, with 2 bytes
# 0.85-1.11x (docs/methodology.md has the held-out effect).
# The GEMM itself runs on FP16 operands: no unpacking inside it (prefill_quant_factor does
# not apply).
DEQUANT_FP16_BYTES_PER_WEIGHT = 2.0


def hip_dequant_blas(f: SpeedFeatures, load: DeviceLoad, tokens: int) -> bool:
    """Whether llama.cpp's HIP build multiplies this AMD GPU's quantized prompt weights, a
    micro-batch of ``tokens``, by dequantizing them to FP16 for hipBLAS rather than in MMQ
    (ggml_cuda_should_use_mmq's AMD branch, by generation and build; see above). RDNA1/RDNA2
    and Vega keep their dp4a MMQ (amd_dp4a_mmq)."""
    if (
        load.backend != "rocm"
        or not f.llama_kernels
        or f.quant_family == "f16"
        or tokens < HIP_MMQ_DP4A_MAX_BATCH
    ):
        return False
    arch = load.gpu_arch or ""
    scheme = f.quant.upper()
    generation = wmma_generation(arch)
    if generation == 4:
        return not f.rdna4_mmq
    if generation == 3:
        if not f.rdna3_mmq:
            return True
        if f.n_experts >= RDNA3_MMQ_MIN_EXPERTS:
            return False
        return scheme in RDNA3_HIPBLAS_QUANTS and tokens > HIP_MMQ_SMALL_BATCH
    if arch.startswith(CDNA3_ARCH_PREFIXES):
        return not f.cdna_mmq
    if arch.startswith(CDNA12_ARCHES):
        if not f.cdna_mmq:
            return True
        if f.n_experts >= CDNA_MMQ_MIN_EXPERTS or tokens <= HIP_MMQ_SMALL_BATCH:
            return False
        if scheme.startswith(CDNA_MMQ_QUANTS):
            return False
        return not (scheme.startswith(CDNA_MMQ_K_QUANTS) and tokens <= CDNA_MMQ_K_QUANT_MAX_BATCH)
    return False


# llama.cpp's SYCL backend has MMQ kernels but never takes them (ggml-sycl.cpp,
# ggml_sycl_supports_mmq: "TODO: accuracy issues in MMQ", return false for every type), so a
# quantized matrix with more rows than its mat-vec kernels take (MMVQ, up to 8) goes to
# ggml_sycl_op_mul_mat_sycl: to_fp16_sycl dequantizes the weights into a pool buffer and
# oneDNN (or oneMKL) multiplies FP16 copies on XMX, the shape of HIP's dequantize + hipBLAS.
SYCL_MMVQ_MAX_BATCH = 8


def sycl_dequant_gemm(f: SpeedFeatures, load: DeviceLoad, tokens: int) -> bool:
    """Whether llama.cpp's SYCL backend multiplies this micro-batch of ``tokens`` against the
    weights by dequantizing them to FP16 for a oneDNN/oneMKL GEMM (SYCL_MMVQ_MAX_BATCH): every
    quantized prompt GEMM. BF16 weights take the FP32 GEMM instead (bf16_arithmetic)."""
    return (
        load.backend == "sycl"
        and f.llama_kernels
        and f.quant_family != "f16"
        and tokens > SYCL_MMVQ_MAX_BATCH
    )


# Dense int8 tensor-core operations per SM per clock on Turing, GA10x, Ada and GB20x SMs
# (e.g. RTX 4090: 660.6 dense int8 TOPS / (128 SMs × 2.52 GHz) = 2048). llama.cpp's MMQ
# kernels are bound by loading and unpacking quantized tiles per SM, not by the MMA rate:
# measured per SM and clock, the wider tensor cores of A100/H100 (4096/8192) give them no
# more than GA10x/Ada, so the MMQ path is rated per SM × clock at this width.
MMQ_OPS_PER_SM_CLOCK = 2048
# llama.cpp's native FP4 MMA (PR #17906) on compute capability 12.x: Blackwell's m16n8k64
# block-scaled FP4 instruction has twice the int8 MMA's throughput per SM and clock, and the
# kernel quantizes the activations to FP4, so its activation tiles are half the bytes of the
# q8_1 ones: the FP4 tensors' MMQ cost (multiply-adds and tile loads alike) halves. Diluted
# by attention, dense layers and weight streaming this gives the 1.2-1.3x on the whole prompt
# the PR measured on DGX Spark and desktop Blackwell. Compute capability 10.x (B200) has
# other FP4 instructions (tcgen05) that llama.cpp does not use (GGML_CUDA_CC_BLACKWELL 1200).
FP4_MMQ_SPEEDUP = 2.0
FP4_MMA_COMPUTE_CAPABILITY = (12.0, 13.0)
FP4_QUANTS = ("MXFP4", "NVFP4")
# Full-rate FP16 arithmetic on NVIDIA GPUs: every one from Pascal (6.0) on except the GP10x
# consumer chips (6.1), whose FP16 runs at 1/64 (ggml-cuda common.cuh,
# fast_fp16_hardware_available); below Volta only GP100 and GP10B have it.
FAST_FP16_MIN_COMPUTE_CAPABILITY = 6.0
# llama.cpp's SYCL backend runs a prompt's MUL_MAT_ID (ggml-sycl.cpp, ggml_sycl_mul_mat_id,
# the ne12 > 1 branch) from the host: it copies the routing ids back (a blocking wait), sorts
# the rows by expert, gathers them, then loops over the experts and calls the ordinary
# ggml_sycl_mul_mat once for each expert that received rows, and scatters the results back.
# Every other GPU backend multiplies all experts in one kernel (CUDA/HIP mmid, Vulkan and
# Metal mul_mm_id). A single token (decode) takes the fused mul_mat_vec path instead.
HOST_EXPERT_LOOP_BACKENDS = frozenset({"sycl"})
# llama.cpp's CUDA backend does the same where neither MMQ nor MMF takes a prompt's quantized
# MUL_MAT_ID (ggml-cuda.cu, ggml_cuda_mul_mat_id_needs_sync: "the fallback path that requires
# stream synchronization"): it copies the ids to the host and calls the dequantize + cuBLAS
# GEMM once per expert. That is every CUDA GPU whose quantized prompts skip MMQ: no dp4a
# (below compute capability 6.1: the "fp32" path), Volta at large batches and builds before
# MMQ became the default (the "matrix" path with quantized weights).
CUDA_HOST_EXPERT_LOOP_PATHS = frozenset({"fp32", "matrix"})
# llama.cpp's SYCL flash attention for prompts ran its VEC and TILE kernels in SYCL subgroup
# operations on the vector engines (XVE), not on the XMX matrix engines the weight GEMMs
# reach through oneDNN/oneMKL: PR #25025 ("The existing SYCL flash attention kernels (VEC,
# TILE) run entirely in SYCL subgroup operations") and PR #25222 ("it uses shader unit (XVE
# engine)", measured on b9856: 1.21x the whole prompt at 512 tokens, 4.26x at 80K on an
# Arc Pro B70) moved them to XMX in July 2026 (Runtime.sycl_xmx_attention). Intel's vector
# engines run FP16 at twice their FP32 rate (the packed-FP16 rate of the "vector" path):
# on the B70 45.8 TFLOPS against 183.5 on XMX, a quarter.
INTEL_VECTOR_FP16_PER_FP32 = 2.0
# llama.cpp's MMF kernel (ggml-cuda mmf.cu, ggml_cuda_should_use_mmf with mul_mat_id true)
# multiplies a prompt's unquantized (F16, BF16, F32) experts in one kernel only for expert
# matrices of at most 1,024 output rows and micro-batches of at most 512 tokens, or wider
# matrices and at most 128 tokens; MMQ takes no unquantized type, so every other expert
# matrix takes ggml_cuda_mul_mat_id's synchronising fallback, one host-side call per expert
# (ggml_cuda_mul_mat_id_needs_sync). MMF needs matrix instructions for the type: F16 MMA
# from Volta, BF16/F32 from Ampere (ampere_mma_available), AMD WMMA (RDNA3: PR #17879,
# RDNA4: PR #17437, late 2025) or MFMA (CDNA: PR #18896, January 2026). Builds before those
# AMD PRs looped over every expert matrix; the engine follows the current rule.
MMF_ID_NARROW_ROWS = 1024
MMF_ID_MAX_TOKENS = 512
MMF_ID_MAX_TOKENS_WIDE = 128
MMF_F16_MIN_COMPUTE_CAPABILITY = 7.0
MMF_BF16_MIN_COMPUTE_CAPABILITY = 8.0
# AMD CDNA targets (MFMA): gfx908 (MI100), gfx90a (MI200), gfx94x (MI300), gfx95x (MI350).
MFMA_ARCH_PREFIXES = ("gfx908", "gfx90a", "gfx94", "gfx95")
# ggml_cuda_mul_mat_id's synchronising fallback (CUDA and HIP: one ggml-cuda source) builds
# its expert-sorted row lists on the host by scanning every (expert, token, slot) triple: for
# each of the E experts, every token's k routing ids (ggml-cuda.cu, "for (int64_t i02 = 0;
# i02 < ne02; ++i02) { // expert matrices" over the tokens i12 and the slots iex, since
# PR #13199 of April 2025; the code it replaced counted each expert's rows with the same
# triple loop). That is E × k iterations per token and expert matrix, host work that grows
# with the micro-batch instead of being shared by it, unlike the per-expert calls
# (expert_loop_us). Each iteration is a load from the ids copied back, a compare and a
# branch with the loop's counter: two to three cycles of a 2-3 GHz host core, about 1 ns.
# SYCL's ggml_sycl_mul_mat_id sorts the rows by a counting sort (mmid_counting_sort_rows,
# E + T × k steps) since PR #23142 (May 2026: "switches the O(n_as * n_routed_rows)
# contraption to a counting sort", up to 10% of that PR's MoE prompt gain) and pays no such
# scan; builds before it scanned as CUDA does (Runtime.sycl_counting_sort).
HOST_ID_SCAN_NS = 1.0
HOST_ID_SCAN_BACKENDS = frozenset({"cuda", "rocm"})
# llama.cpp reaches the M5 family's Neural Accelerators through the Metal 4 tensor API
# (matmul2d; PR #16634, 2025). Until PR #20962 (April 2026; Runtime.metal_tensor_tiles) that
# path lived inside the simdgroup kernel_mul_mm, sharing its 64 x 32 tiles and staging both
# operands in threadgroup memory; the PR gave it its own kernel (64 x 128 tiles, B read from
# device memory) and measured the M5 Max's prompts 26% faster (geometric mean of its pp512 to
# pp4096 matrix; 6.8% on a Q4_0 model, 72% on an F16 one). Not fitted: the rows from those
# builds are one M5 and one fork of March 2026.
METAL_EARLY_TENSOR_SLOWDOWN = 1.26


# MLX multiplies a prompt's routed experts in one sorted gather GEMM: mlx-lm's SwitchGLU sorts
# the token-expert pairs by expert and GatherQMM::eval_gpu sends them to gather_qmm_rhs when
# every expert has at least 4 rows on average (``B / E >= 4``; ml-explore/mlx
# mlx/backend/metal/quantized.cpp). Its kernels (affine_gather_qmm_rhs in quantized.h and, where
# MLX finds the M5's Neural Accelerators, affine_gather_qmm_rhs_nax in quantized_nax.h, from
# PR #2772, MLX 0.30) walk the sorted rows in tiles and, for each distinct expert in a tile,
# run the whole K loop with that expert's weights and keep only its rows; each SIMD group
# multiplies its own rows in every pass that any of them belongs to. With n rows per expert
# a SIMD group's r rows straddle 1 + (r − 1) / n experts on average, so it does that many
# times the useful multiply-adds. r is the tile's rows over its SIMD groups along M:
# 16 / 1 in the SIMD-group-matrix kernel, 64 / 2 in the Neural Accelerator one. (MLX PR #4023,
# August 2026, halves the NAX tile to 32 rows when n < 64; the rows here predate it.)
MLX_SORTED_GATHER_MIN_ROWS = 4
MLX_GATHER_TILE_ROWS = 16
MLX_GATHER_NAX_TILE_ROWS = 32


def early_metal_tensor_path(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether llama.cpp multiplies this device's prompt on the Neural Accelerators through
    the tensor path of the simdgroup kernel (METAL_EARLY_TENSOR_SLOWDOWN): an Apple GPU with
    matrix units and a build before PR #20962 (Runtime.metal_tensor_tiles)."""
    return f.llama_kernels and not f.metal_tensor_tiles and apple_matrix_units(load)


def metal_shader_attention(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether llama.cpp runs this device's prompt flash attention on the GPU cores while its
    weight GEMMs run on matrix units: an Apple GPU with Neural Accelerators
    (apple_matrix_units) with flash attention on. ggml-metal reaches the accelerators through
    the Metal 4 tensor API in kernel_mul_mm alone (PR #16634, PR #20962); its flash-attention
    kernels (kernel_flash_attn_ext in kernels/fa.metal) multiply Q·K^T and S·V in 8 x 8
    simdgroup matrices on the shader ALUs, the FP16 rate the catalog lists as fp32_tflops
    (equal to the FP16 figure of every Apple GPU without accelerators). Without flash
    attention the K·Q and KQ·V products are ordinary MUL_MATs and take the tensor path."""
    return f.llama_kernels and f.flash_attn and apple_matrix_units(load)


def mlx_dequantizes_beside_accelerators(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether MLX's quantized prompt GEMMs pay for their dequantization as llama.cpp's do
    (prefill_quant_factor): on an Apple GPU with matrix units. MLX's quantized GEMMs
    dequantize each weight tile into threadgroup memory on the SIMD ALUs (the
    QuantizedBlockLoader of quantized.h and quantized_nax.h) and multiply it over a tile of
    32-64 rows. Without matrix units the multiply-adds run on the same ALUs and the
    dequantization is a few percent of their work; on the M5's Neural Accelerators (MLX
    PR #2772) the multiply-adds run four times faster and the dequantization stays on the
    ALUs, a share the size of llama.cpp's fitted factor. The M5 Max's dense MLX rows read
    0.75-0.80x the formula without it (gemma-4-31B at 643 tokens/s under MLX, 651 under
    llama.cpp on the same machine) and 0.97-1.04x with it; the M4 Max's read 0.97-1.10x
    without it."""
    return f.engine == "mlx" and apple_matrix_units(load)


# mlx-lm's gated delta kernel (gated_delta.py, the Metal kernel gated_delta_step, used by
# Qwen3-Next, Qwen3.5/3.6 and Kimi Linear; unchanged since PR #454 of September 2025) walks a prompt's tokens
# one after another: each SIMD group keeps one value row of a head's state in registers and
# loops `for t in 0..T`, and each step waits on its loads and two simd_sum reductions before
# the next. Only value heads x value dim SIMD groups run side by side (4,096 for 32 heads of
# 128), so the step runs at a share of the FP32 rate. That share is read off the M5 Max's MLX
# rows of delta-rule models (Qwen3.5-9B, Qwen3.5/3.6-35B-A3B, Qwen3.6-27B, Qwen3-Coder-Next;
# 512-2,048 tokens) as the time they take beyond the formula without it, once the prompt
# clock's per-call costs are counted (mlx_call.mlx_prompt_call_seconds): 0.6-4.4 us per token
# and 32-head layer where any is left (Qwen3.6-27B leaves none), the median share of 9 such
# rows 0.23 (7 x 32 x 128 x 128 FLOPs in 1.0 us of 16.2 TFLOPS). The 0.041 read before those
# costs were counted charged them to the recurrence. In-sample.
MLX_DELTA_RULE_FP32_SHARE = 0.23
# llama.cpp's GATED_DELTA_NET op (PR #19504, February 2026; the graph takes it for prompts too,
# src/models/delta-net-base.cpp build_delta_net_fused) has the same shape on CUDA, and HIP
# compiles the same source (ggml-cuda/gated_delta_net.cu, gated_delta_net_cuda): one warp per
# value column of a head's state, the column in registers, `for (t = 0; t < n_tokens; t++)`
# with two warp_reduce_sum per step; launch_gated_delta_net still says "TODO: Add chunked
# kernel for even faster pre-fill" (issue #22967 proposes it). PR #22587 timed that kernel on
# an RTX 5090 at Qwen3.5's shape (128-wide state, 32 value heads): 279.6 us for 512 tokens on
# master, 0.546 us per token and layer; 7 x 32 x 128 x 128 FLOPs in 0.546 us is 6.7 TFLOPS,
# 6.4% of the 5090's 104.8 TFLOPS FP32. Not fitted. Metal's kernel_gated_delta_net, Vulkan's
# and SYCL's are not timed anywhere we found, so they pay nothing here.
LLAMA_CUDA_DELTA_RULE_FP32_SHARE = 0.064
LLAMA_SERIAL_DELTA_RULE_BACKENDS = frozenset({"cuda", "rocm"})


def serial_delta_rule_seconds(f: SpeedFeatures, load: DeviceLoad) -> float:
    """Seconds per prompt token of a token-serial delta-rule recurrence on this device (its
    share of the layers in ``share`` outside): the recurrence's FLOPs at a small share of the
    FP32 rate, MLX_DELTA_RULE_FP32_SHARE for MLX's Metal kernel and
    LLAMA_CUDA_DELTA_RULE_FP32_SHARE for llama.cpp's CUDA/HIP one; 0 for other runtimes,
    backends and models. Mamba-2 layers do not pay it: mlx-lm's ssm_attn prefills them in
    256-token chunks of matrix products (llama.cpp's SSM_SCAN: ssm_scan.serial_ssm_scan_seconds)."""
    if not f.delta_rule_flops or not load.fp32_flops:
        return 0.0
    if f.engine == "mlx":
        rate_share = MLX_DELTA_RULE_FP32_SHARE
    elif f.llama_kernels and load.backend in LLAMA_SERIAL_DELTA_RULE_BACKENDS:
        rate_share = LLAMA_CUDA_DELTA_RULE_FP32_SHARE
    else:
        return 0.0
    return f.delta_rule_flops / (load.fp32_flops * rate_share)


def mlx_expert_tile_rows(f: SpeedFeatures, load: DeviceLoad) -> int:
    """The rows each SIMD group multiplies in MLX's sorted gather GEMM on this device
    (MLX_GATHER_TILE_ROWS, MLX_GATHER_NAX_TILE_ROWS on GPUs with matrix units), 0 where it does
    not apply (other runtimes, dense models)."""
    if f.engine != "mlx" or not f.n_experts:
        return 0
    return MLX_GATHER_NAX_TILE_ROWS if apple_matrix_units(load) else MLX_GATHER_TILE_ROWS


def sycl_vector_attention(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether llama.cpp's SYCL backend runs this device's prompt flash attention on the
    vector engines (INTEL_VECTOR_FP16_PER_FP32): a build before PRs #25025/#25222
    (Runtime.sycl_xmx_attention) with flash attention on."""
    return load.backend == "sycl" and f.llama_kernels and f.flash_attn and not f.sycl_xmx_attention


def host_expert_loop(f: SpeedFeatures, load: DeviceLoad, path: str) -> bool:
    """Whether llama.cpp multiplies a prompt's routed experts one host-side call per expert
    on this device: SYCL always (HOST_EXPERT_LOOP_BACKENDS), CUDA for quantized weights on a
    path without MMQ (CUDA_HOST_EXPERT_LOOP_PATHS)."""
    if load.backend in HOST_EXPERT_LOOP_BACKENDS:
        return True
    return (
        load.backend == "cuda"
        and f.llama_kernels
        and f.quant_family != "f16"
        and path in CUDA_HOST_EXPERT_LOOP_PATHS
    )


def mmf_expert_mma(load: DeviceLoad, quant: str) -> bool:
    """Whether llama.cpp's MMF kernel has the matrix instructions it needs for unquantized
    experts of this type on this GPU (ggml-cuda mmf.cu, ggml_cuda_should_use_mmf): F16 from
    Volta on, BF16 and F32 from Ampere on (NVIDIA); AMD's RDNA3/RDNA4 WMMA
    (device_traits.wmma_generation) or CDNA's MFMA (gfx908 on: MFMA_ARCH_PREFIXES) for each type."""
    if load.backend == "rocm":
        arch = load.gpu_arch
        return wmma_generation(arch) is not None or bool(
            arch and arch.startswith(MFMA_ARCH_PREFIXES)
        )
    cc = load.compute_capability
    if load.backend != "cuda" or cc is None:
        return True
    return cc >= (
        MMF_F16_MIN_COMPUTE_CAPABILITY if quant == "F16" else MMF_BF16_MIN_COMPUTE_CAPABILITY
    )


def mmf_takes_expert_matrix(rows: int, tokens: int) -> bool:
    """Whether MMF takes a prompt's MUL_MAT_ID of one unquantized expert matrix with ``rows``
    output rows for a micro-batch of ``tokens`` (ggml_cuda_should_use_mmf, mul_mat_id true):
    up to MMF_ID_MAX_TOKENS tokens for at most MMF_ID_NARROW_ROWS rows, up to
    MMF_ID_MAX_TOKENS_WIDE for more."""
    limit = MMF_ID_MAX_TOKENS if rows <= MMF_ID_NARROW_ROWS else MMF_ID_MAX_TOKENS_WIDE
    return tokens <= limit


def host_looped_expert_matrices(f: SpeedFeatures, load: DeviceLoad, path: str, tokens: int) -> int:
    """How many of a MoE layer's expert matrices (gate, up, down) llama.cpp multiplies one
    host-side call per expert on this device for a micro-batch of ``tokens``: all three
    where host_expert_loop says so (SYCL; CUDA's quantized weights off MMQ) or HIP dequantizes
    them for hipBLAS (hip_dequant_blas). CUDA/HIP with
    unquantized (F16/BF16/F32) experts: MMQ never takes them, so each matrix MMF does not
    take (no MMA for the type, mmf_expert_mma; too many rows for the tokens,
    mmf_takes_expert_matrix: gate and up have the expert's FFN width as rows, down the
    hidden size) takes the synchronising fallback (ggml_cuda_mul_mat_id_needs_sync)."""
    if host_expert_loop(f, load, path) or hip_dequant_blas(f, load, tokens):
        # HIP off MMQ takes the same synchronising fallback as CUDA (one ggml-cuda source).
        return EXPERT_MATMULS_PER_LAYER
    if not f.llama_kernels or f.quant_family != "f16" or load.backend not in ("cuda", "rocm"):
        return 0
    if not mmf_expert_mma(load, f.quant):
        return EXPERT_MATMULS_PER_LAYER
    ffn, hidden = f.expert_rows
    if not ffn or not hidden:
        return 0  # widths unknown: taken to be MMF's
    gate_up = 0 if mmf_takes_expert_matrix(ffn, tokens) else 2
    return gate_up + (0 if mmf_takes_expert_matrix(hidden, tokens) else 1)


def host_expert_id_scan_seconds(f: SpeedFeatures, load: DeviceLoad) -> float:
    """Host time per prompt token and host-looped expert matrix that ggml-cuda's MUL_MAT_ID
    fallback spends scanning the routing ids (HOST_ID_SCAN_NS): E experts × k slots; 0 on
    backends that sort the rows otherwise (SYCL since PR #23142) and for dense models."""
    scans = load.backend in HOST_ID_SCAN_BACKENDS or (
        load.backend == "sycl" and not f.sycl_counting_sort
    )
    if not scans or not f.llama_kernels or f.n_experts <= 0:
        return 0.0
    used = f.expert_share * f.n_experts
    return f.n_experts * used * HOST_ID_SCAN_NS * 1e-9


def fp4_mma_applies(f: SpeedFeatures, load: DeviceLoad) -> bool:
    """Whether a device multiplies the model's FP4 weights in llama.cpp's native FP4 MMA:
    MXFP4/NVFP4 weights, a build with it (Runtime.fp4_mma), compute capability 12.x."""
    cc = load.compute_capability
    lo, hi = FP4_MMA_COMPUTE_CAPABILITY
    return (
        f.fp4_mma
        and f.llama_kernels
        and f.quant.startswith(FP4_QUANTS)
        and cc is not None
        and lo <= cc < hi
    )


# AMD targets whose matrix or dot instructions take no BF16 operand: Vega (gfx900/gfx906 and
# the gfx90c APUs) and RDNA1/RDNA2 (gfx10xx). CDNA (gfx908 on: MFMA) and RDNA3/RDNA4 (gfx11xx,
# gfx12xx: WMMA) multiply BF16 in hardware.
AMD_NO_BF16_ARCHES = frozenset({"gfx900", "gfx906", "gfx90c"})
# NVIDIA tensor cores take BF16 from Ampere (compute capability 8.0) on.
BF16_MMA_MIN_COMPUTE_CAPABILITY = 8.0


def bf16_arithmetic(load: DeviceLoad) -> bool:
    """Whether a GPU multiplies BF16 weights in hardware where llama.cpp's CUDA/HIP backend
    hands them to cuBLAS/hipBLAS (ggml-cuda.cu, ggml_cuda_op_mul_mat_cublas: BF16 weights go to
    cublasGemmEx/hipblasGemmEx as BF16 on every NVIDIA and AMD GPU). Without BF16 matrix or dot
    instructions the library converts them and multiplies at the FP32 rate: NVIDIA before
    Ampere, AMD Vega and RDNA1/RDNA2. Vulkan: llama.cpp's shaders multiply BF16 on the
    matrix units only through VK_KHR_shader_bfloat16, which neither RADV nor Intel's driver
    exposed in the 2026 runs of bench/data/measured-extra.csv (llama-bench's device line:
    "bf16: 0"), where BF16 prompts ran 1.8-2.8x below the FP16 matrix rate on Strix Halo and
    the Arc Pro B70; without it they run at the FP32 rate. SYCL: llama.cpp's GEMM path
    (ggml_sycl_op_mul_mat_sycl) hands F16 and quantized weights to oneDNN/oneMKL in FP16
    (XMX) and converts any other type, BF16 included, to FP32 for an FP32 GEMM (PR #21580
    describes the path: "dequantizes to FP32 and runs a full matrix multiply"); an Arc Pro
    B70 read a 9B BF16 model's prompt at 911 tokens/s, 72% of its FP32 rate, against 2,522
    for the same model in 8 bits. Metal, and GPUs whose generation the catalog does not
    give, are taken to have it."""
    if load.api == "vulkan" or load.backend == "sycl":
        return False
    if load.backend == "cuda":
        cc = load.compute_capability
        return cc is None or cc >= BF16_MMA_MIN_COMPUTE_CAPABILITY
    if load.backend == "rocm" and load.gpu_arch:
        arch = load.gpu_arch
        return not (arch in AMD_NO_BF16_ARCHES or arch.startswith("gfx10"))
    return True


# The "fp32" line of prefill_path is a vendor library's FP32 GEMM on the vector ALUs: cuBLAS
# for GPUs without tensor cores or dp4a and for BF16 before Ampere, hipBLAS/rocBLAS for BF16 on
# AMD GPUs without BF16 arithmetic, oneMKL/oneDNN for SYCL's BF16 (converted to FP32). A tuned
# SGEMM reaches a similar share of the FP32 rate on every vendor's GPU; the backends' own prompt
# efficiencies measure something else, their kernels feeding the matrix units (SYCL's 0.34 is
# oneDNN's XMX GEMMs after a dequantize pass, where an Arc Pro B70 runs a 9B BF16 model's FP32
# GEMMs at 911 tokens/s, 72% of its FP32 rate: kernels.bf16_arithmetic). So every backend's
# fp32 line is priced at one reach: CUDA's efficiency times the path's, the backend whose
# library GEMMs most rows measure.
FP32_LINE_REACH_BACKEND = "cuda"


# llama.cpp's Vulkan backend multiplies BF16 weights, where the driver gives its shaders no
# BF16 cooperative matrices (bf16_arithmetic), in its own scalar matmul shader (mul_mm.comp
# built for BF16, "bf16 scalar path promotes to f32, no dot2 variant"): the same shader source
# as its other GEMMs, each BF16 weight widened to FP32 and multiplied with FP32 FMAs on the
# vector ALUs. Its reach of the hardware is the Vulkan backend's own (prefill_efficiency), not
# that of the vendor FP32 GEMMs (cuBLAS) the "fp32" line's path efficiency stands for. Its peak
# is one FP32 FMA per lane and clock: the catalog's FP32 figure for AMD RDNA3 and later counts
# dual issue (VOPD), which a compiled shader gets only where the compiler pairs independent
# FMAs, so half that figure there. Strix Halo's Vulkan BF16 prompts at 512 tokens read
# 1.45-2.2x faster than the full figure (methodology, "Vulkan BF16 prompts"); the Arc Pro B70,
# whose figure counts no dual issue, reads 55-60% of it, about the Vulkan backend's share.
# The prompt's attention runs over the F16 cache on the F16 path (prefill.f16_cache_attention_rate).
VULKAN_SHADER_FP32 = "vulkan_fp32"
RDNA3_DUAL_ISSUE = 2.0


def vulkan_shader_fp32_flops(load: DeviceLoad) -> float:
    """The FP32 rate llama.cpp's scalar Vulkan matmul shader can reach on a GPU: the catalog's
    FP32 figure, halved on AMD RDNA3/RDNA3.5/RDNA4 whose figure counts dual issue
    (RDNA3_DUAL_ISSUE)."""
    fp32 = load.fp32_flops or 0.0
    if load.vendor == "AMD" and wmma_generation(load.gpu_arch) is not None:
        return fp32 / RDNA3_DUAL_ISSUE
    return fp32


def prefill_path(
    load: DeviceLoad,
    family: str,
    mmq: bool = True,
    llama_kernels: bool = True,
    bf16: bool = False,
) -> tuple[str, float | None]:
    """The arithmetic path prompt processing takes on a device, and its peak FLOP/s.

    - "mmq": NVIDIA Turing and later with quantized weights: llama.cpp's MMQ kernels with
      int8 tensor-core MMA (ggml-cuda mmq.cu, ggml_cuda_should_use_mmq). Rated per SM and
      clock (MMQ_OPS_PER_SM_CLOCK), not at the datasheet int8 rate: the kernels are bound by
      loading and unpacking tiles, so A100/H100's wider tensor cores do not speed them up.
      Builds before June 2024 (``mmq`` False) took the "matrix" path instead, as do other
      runtimes (``llama_kernels`` False: cuBLAS, Marlin and their own FP16/BF16 GEMMs).
      The GTX 16 chips run the same kernels without tensor cores: at their FP16 vector rate.
    - "matrix": FP16 GEMMs on tensor cores / matrix cores / XMX (cuBLAS for F16 weights, and
      on Volta, which has no int8 MMA, for dequantized ones; hipBLAS; MFMA on CDNA): the
      catalog's fp16_tensor_tflops.
    - "fp32": NVIDIA GPUs without tensor cores or dp4a dequantize and run cuBLAS at the FP32
      rate, or at the FP16 rate where it is full-rate (GP100).
    - "dp4a": NVIDIA Pascal GP10x (compute capability 6.1/6.2) has no tensor cores; llama.cpp's
      quantized GEMMs (MMQ) use the int8 dot product __dp4a, 4 multiply-adds per FP32 slot
      (ggml-cuda mmq.cuh, vecdotq.cuh); F16 runs at the FP32 rate (FP16 is 1/64 there).
      AMD Vega 20 and RDNA2 under ROCm likewise (amd_dp4a_mmq).
    - "coopmat2": NVIDIA tensor-core GPUs under Vulkan, whose driver exposes
      VK_NV_cooperative_matrix2 (vulkan_coopmat2): the FP16 tensor rate, at its own share of
      it; AMD and Intel matrix units under Vulkan take "matrix" (VK_KHR_cooperative_matrix).
    - "vector": GPUs whose matrix units the backend does not reach run on the vector ALUs at
      the packed-FP16 rate, 2 × FP32: Intel Arc under Vulkan (XMX is reached through SYCL;
      the Vulkan shaders' cooperative-matrix path on Xe2 measures far below XMX rates, and is
      priced as a multiple of this path: intel_vulkan_coopmat).
    - "int8" (CPUs, quantized weights): llama.cpp's int8 dot-product GEMMs at the CPU's
      int8 rate (cpu_int8_flops); "cpu_f16": F16/BF16 weights on the vector FMA units at the
      catalog's half-precision vector rate (fp16_tensor_tflops of a CPU record).
    Apple GPUs (no matrix units before M5) and AMD RDNA/Vega list their FP16 vector rate as
    fp16_tensor_tflops already, so they take the "matrix" line with that figure.
    ``bf16``: the weights are BF16; llama.cpp's CUDA/HIP GEMMs on a GPU without BF16
    arithmetic (bf16_arithmetic) take the "fp32" line."""
    fp16, fp32 = load.fp16_flops, load.fp32_flops
    if load.backend == "cpu":
        if family == "f16":
            return "cpu_f16", fp16 or fp32
        return "int8", cpu_int8_flops(load)
    if bf16 and llama_kernels and fp32 and not bf16_arithmetic(load):
        if (load.api or load.backend) == "vulkan":
            return VULKAN_SHADER_FP32, vulkan_shader_fp32_flops(load)
        return "fp32", fp32
    cc = load.compute_capability
    turing_mma = cc is not None and cc >= INT8_MMA_MIN_COMPUTE_CAPABILITY
    if load.backend == "cuda" and not load.tensor_cores and not turing_mma:
        if load.dp4a and family != "f16" and fp32:
            return "dp4a", 4 * fp32
        cc = load.compute_capability
        if cc is not None and cc >= FAST_FP16_MIN_COMPUTE_CAPABILITY and fp16 and not load.dp4a:
            # GP100: no dp4a, so no MMQ; dequantized weights go to cuBLAS in FP16, which it
            # runs at twice the FP32 rate.
            return "fp32", max(fp16, fp32 or 0.0)
        return "fp32", fp32 or fp16
    if load.backend == "cuda" and mmq and family != "f16" and load.sm_clock_hz and turing_mma:
        if not load.tensor_cores:
            # GTX 16 (TU116/TU117): llama.cpp picks MMQ's MMA kernels by compute capability
            # alone (turing_mma_available), and chips without tensor cores issue those
            # instructions on their FP16 vector units (PR #15360 measured them far below
            # the dp4a kernels), so the MMQ peak is the FP16 vector rate.
            return "mmq", fp16 or 2 * (fp32 or 0.0)
        return "mmq", load.sm_clock_hz * MMQ_OPS_PER_SM_CLOCK
    if (
        llama_kernels
        and load.backend == "rocm"
        and family != "f16"
        and fp32
        and amd_dp4a_mmq(load.gpu_arch)
    ):
        return "dp4a", 4 * fp32
    if (load.api or load.backend) == "vulkan" and load.vendor == "Intel" and fp32:
        return "vector", 2 * fp32
    if llama_kernels and vulkan_coopmat2(load):
        return "coopmat2", fp16
    return "matrix", fp16
