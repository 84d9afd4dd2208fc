"""The runtimes the engine models, with the defaults each one ships."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .architectures import OLLAMA_FLASH_ATTN_ARCHITECTURES, architecture_key
from .errors import InputError, shown
from .frozen import hash_once


@hash_once
@dataclass(frozen=True)
class Runtime:
    """An inference runtime (a release of it, where rules changed): the formats it loads
    and the memory rules it follows."""

    id: str
    name: str
    engine: str  # llama.cpp | vllm | transformers | mlx | exllamav2
    default_quant: str
    default_context: int
    formats: tuple[str, ...]  # quant families it loads: gguf, hf, mlx, exl2, exl3
    # Sliding-window layers hold only their window: llama.cpp (llama-kv-cache-iswa.cpp),
    # vLLM's hybrid KV cache manager (SlidingWindowSpec, v0.10+), transformers' DynamicCache
    # (DynamicSlidingWindowLayer, 4.54+) and mlx-lm's RotatingKVCache; ExLlamaV2 does not.
    swa_windowed: bool
    url: str
    # Multi-head latent attention caches the compressed latent (kv_lora_rank + rope dims)
    # rather than per-head K and V.
    mla_latent: bool = False
    version: str | None = None  # None: the current release's behaviour
    # llama.cpp: flash attention on (the default "auto" from the end of August 2025, about
    # build 6325) and
    # the physical batch (n_ubatch) prompt processing works in.
    flash_attn: bool = True
    # Ollama turns flash attention on by default only for the architectures of this set
    # (fs/ggml/ggml.go, GGML.FlashAttention, read by llm/server.go as
    # envconfig.FlashAttention(f.FlashAttention()): OLLAMA_FLASH_ATTENTION overrides it); every
    # other architecture (llama, qwen2, gemma2, ...) runs without it. Names as Ollama's GGUF
    # architectures, compared after runtime_for_architecture's normalisation. None: the
    # runtime's flash_attn holds for every architecture.
    flash_attn_architectures: frozenset[str] | None = None
    ubatch: int = 512
    # llama.cpp on NVIDIA Turing and later: quantized prompt GEMMs in its own int8 tensor-core
    # kernels (MMQ, the default since PR #8075 of 24 June 2024); before that, dequantized to
    # FP16 and run in cuBLAS.
    mmq: bool = True
    # llama.cpp on NVIDIA compute capability 12.x (RTX 50, RTX PRO Blackwell, DGX Spark):
    # MXFP4/NVFP4 weights multiply in the native block-scaled FP4 MMA (m16n8k64, activations
    # quantized to FP4) from PR #17906 (merged 24 December 2025, build b7536); before that,
    # in the int8 MMQ kernels like any other quant.
    fp4_mma: bool = True
    # llama.cpp's HIP flash attention for prompts on the WMMA units (its MMA kernel) for heads
    # up to 128 wide (memory.hip_tile_attention_flops): RDNA4 from PR #18481 (merged January
    # 2026), RDNA3/RDNA3.5 from PR #22880 (May 2026, build b9158); before that every layer
    # ran the tile kernel on the vector ALUs (PR #14323 had disabled the MMA path on RDNA4).
    rdna4_fattn_mma: bool = True
    rdna3_fattn_mma: bool = True
    # llama.cpp's HIP build multiplies quantized prompt weights of 64 tokens or more in its MMQ
    # kernels on AMD's matrix units, not by dequantizing them for hipBLAS
    # (kernels.hip_dequant_blas): CDNA's MFMA from PRs #14624 and #14949 (late July 2025),
    # RDNA4's WMMA from PR #17156 (24 November 2025), RDNA3's from PR #17576 (5 December 2025).
    cdna_mmq: bool = True
    rdna4_mmq: bool = True
    rdna3_mmq: bool = True
    # llama.cpp's Vulkan matmul tiles for AMD GPUs with cooperative matrices (RDNA3, RDNA3.5,
    # RDNA4 under RADV): 256 x 128 x 128 from PR #18749 (January 2026); before it these GPUs
    # took the smaller tiles of every KHR_coopmat device, and their prompts ran 1.36-1.76x
    # slower (the PR's Radeon 8060S pp512 rows).
    amd_vulkan_tiles: bool = True
    # llama.cpp's HIP MMQ sizes a routed expert's column tiles from the mean tokens per expert
    # on RDNA3 (gfx110x) and RDNA4, not from the micro-batch: PR #28552 (PR #24546 recreated,
    # merged September 2026; speed.hip_moe_tiles). Before, the experts' tiles were mostly
    # padding (128 columns for 32 tokens an expert at -ub 512).
    moe_expert_tiles: bool = True
    # llama.cpp's Vulkan flash attention on AMD's cooperative matrices (the coopmat1 shader of
    # RDNA3, RDNA3.5 and RDNA4): Q·K^T on the matrix units from PR #13506 (May 2025), the
    # softmax-times-V product too from PR #19075 (merged 28 January 2026, about b7880); before
    # it S·V ran in scalar code on the vector ALUs.
    vulkan_cm1_pv: bool = True
    # llama.cpp's SYCL flash attention for prompts on Intel's XMX matrix engines: PR #25025
    # (Q·K^T and S·V through oneMKL GEMM) and PR #25222 (oneDNN's fused SDPA), both merged in
    # July 2026; before them its VEC and TILE kernels ran on the vector engines (XVE).
    sycl_xmx_attention: bool = True
    # llama.cpp's SYCL MUL_MAT_ID sorts a prompt's routed rows by a counting sort from PR
    # #23142 (opened 16 May 2026); before it the host scanned every (expert, token, slot)
    # triple per expert matrix, as ggml-cuda's fallback does (speed.kernels.HOST_ID_SCAN_NS).
    sycl_counting_sort: bool = True
    # llama.cpp's SYCL MUL_MAT_ID multiplies a decoded token's routed experts in one fused
    # mat-vec kernel from PR #21920 (opened 14 April 2026); before it one mat-vec call per
    # routed expert after a host sync (speed.decode.sycl_expert_call_seconds).
    sycl_fused_moe_decode: bool = True
    # llama.cpp's Vulkan matmul shaders on Intel's XMX engines through VK_KHR_cooperative_matrix,
    # on Xe2 and later GPUs: PR #14001 (June 2025, b5589); before it they ran the scalar shaders
    # on the vector engines (speed.vulkan_kernels.intel_vulkan_coopmat).
    intel_vulkan_coopmat: bool = True
    # The Vulkan driver is Mesa's (Linux: ANV on Intel GPUs, RADV on AMD) rather than the GPU
    # vendor's own (Intel's Windows driver). Not a llama.cpp build but the stack it runs on:
    # the same build decodes 2.5-3.1x slower on Intel GPUs under Mesa (PR #14001's tables;
    # speed.decode.intel_vulkan_weight_read_factor).
    vulkan_mesa: bool = False
    # llama.cpp's Metal prompt GEMMs on the M5's Neural Accelerators (the Metal 4 tensor API):
    # their own kernel with 64 x 128 tiles, device-memory B operand and cooperative-tensor
    # stores from PR #20962 (opened 24 March 2026, merged in April); before it the tensor path
    # shared the simdgroup kernel's 64 x 32 tiles and threadgroup staging, and the PR's M5 Max
    # prompts ran 1.26x slower (geometric mean of its matrix).
    metal_tensor_tiles: bool = True
    # llama.cpp's CUDA backend records a decoded token's kernels in a CUDA graph and launches
    # them as one (PR #6766, May 2024), on GPUs of at least this compute capability: Ampere
    # (8.0) at first, Volta and Turing (7.0) from PR #25749 (July 2026); None: a build without
    # graphs, every kernel launched from the host.
    cuda_graphs_min_cc: float | None = 7.0
    # llama.cpp's CUDA flash attention decodes grouped-query layers on GPUs before Turing in
    # its tile kernel, the query heads that share a KV head packed as the rows of one tile,
    # from PR #16492 (October 2025); before it in the vector kernel, one head at a time
    # (speed.features.gqa_decode_packing).
    cuda_tile_gqa_decode: bool = True
    # llama.cpp's CUDA backend computes Mamba-2's scan for prompts as chunked State-Space-
    # Duality GEMMs on Turing and later from PR #22675 (merged 28 July 2026); before it, and on
    # HIP still, a token-serial kernel (speed.ssm_scan).
    cuda_ssd_scan: bool = True
    # vLLM: the share of each GPU it preallocates (--gpu-memory-utilization, default 0.9).
    gpu_memory_utilization: float = 0.9
    # vLLM's V1 engine (the default from 0.8): its batch defaults depend on the GPU
    # (engine/arg_utils.py); V0 ran 256 sequences and, up to 32K context, batched a whole one.
    v1_engine: bool = True
    # vLLM before 0.17 profiled its sampler with top-k and top-p on every row (v1
    # gpu_model_runner._dummy_sampler_run: top_p 0.9, top_k vocab - 1), which sorts the
    # float32 logits with int64 indices; the peak it reserves is then ~2.6x larger.
    profile_sampler_sorts: bool = False
    # vLLM's fused-MoE kernels take their scratch from the worker's WorkspaceManager, one
    # allocation kept for the process's life (memory/frameworks.py vllm_moe_workspace_bytes);
    # earlier releases allocated it per call and freed it before the sampler was profiled.
    moe_workspace_persistent: bool = True
    # transformers: attention masks built by masking_utils.sdpa_mask as booleans (one byte
    # per query-key pair); earlier releases built each model's mask in its own dtype.
    bool_attention_masks: bool = True
    # transformers' generate() asks the model for the last position's logits only
    # (num_logits_to_keep=1, PR #31292, 4.45); before it a prompt's forward pass computed the
    # logits of every position and upcast them all to float32
    # (memory.transformers_activation_bytes).
    prefill_last_logits: bool = True


def runtime_for_architecture(runtime: Runtime, architecture: str) -> Runtime:
    """``runtime`` as it runs a model of ``architecture``: Ollama's flash attention is on
    only for the architectures of its list (Runtime.flash_attn_architectures)."""
    archs = runtime.flash_attn_architectures
    if archs is None or not runtime.flash_attn or architecture_key(architecture) in archs:
        return runtime
    return replace(runtime, flash_attn=False)


RUNTIMES: dict[str, Runtime] = {
    r.id: r
    for r in (
        Runtime(
            "llama.cpp",
            "llama.cpp",
            "llama.cpp",
            "Q4_K_M",
            8192,
            ("gguf",),
            True,
            "https://github.com/ggml-org/llama.cpp",
            mla_latent=True,
        ),
        Runtime(
            "ollama",
            "Ollama",
            "llama.cpp",
            "Q4_K_M",
            4096,
            ("gguf",),
            True,
            "https://github.com/ollama/ollama",
            mla_latent=True,
            flash_attn_architectures=OLLAMA_FLASH_ATTN_ARCHITECTURES,
        ),
        Runtime(
            "lm-studio",
            "LM Studio",
            "llama.cpp",
            "Q4_K_M",
            4096,
            ("gguf",),
            True,
            "https://lmstudio.ai/docs",
            mla_latent=True,
        ),
        Runtime(
            "vllm",
            "vLLM",
            "vllm",
            "BF16",
            8192,
            ("hf",),
            True,
            "https://docs.vllm.ai/",
            mla_latent=True,
        ),
        Runtime(
            "transformers",
            "Hugging Face transformers",
            "transformers",
            "BF16",
            4096,
            ("hf",),
            True,
            "https://huggingface.co/docs/transformers",
            mla_latent=True,
        ),
        Runtime(
            "mlx",
            "MLX (mlx-lm)",
            "mlx",
            "MLX-4BIT",
            8192,
            ("mlx",),
            True,
            "https://github.com/ml-explore/mlx-lm",
            # mlx_lm prefills in steps of 2048 tokens (prefill_step_size): each step streams
            # the weights once.
            ubatch=2048,
        ),
        Runtime(
            "exllamav2",
            "ExLlamaV2",
            "exllamav2",
            "EXL2-4BPW",
            8192,
            ("exl2", "hf"),
            False,
            "https://github.com/turboderp-org/exllamav2",
        ),
        # ExLlamaV3 loads EXL3 (and plain safetensors); its cache and scratch behave like
        # ExLlamaV2's, so the engine plans it with the same model.
        Runtime(
            "exllamav3",
            "ExLlamaV3",
            "exllamav2",
            "EXL3-4BPW",
            8192,
            ("exl3", "hf"),
            False,
            "https://github.com/turboderp-org/exllamav3",
        ),
    )
}
_ALIASES = {
    "llamacpp": "llama.cpp",
    "llama-cpp": "llama.cpp",
    "llama.cpp": "llama.cpp",
    "llama-server": "llama.cpp",
    "ollama": "ollama",
    "lmstudio": "lm-studio",
    "lm-studio": "lm-studio",
    "lm studio": "lm-studio",
    "vllm": "vllm",
    "transformers": "transformers",
    "hf": "transformers",
    "pytorch": "transformers",
    "huggingface": "transformers",
    "mlx": "mlx",
    "mlx-lm": "mlx",
    "mlx_lm": "mlx",
    "exllamav2": "exllamav2",
    "exl2": "exllamav2",
    "tabbyapi": "exllamav2",
    "exllamav3": "exllamav3",
    "exl3": "exllamav3",
}


# Where a runtime changed how much memory it takes: (engine, first release with today's
# behaviour, field, value before that release, source). "transformers@4.50" gets the old
# behaviour; a bare name gets today's.
# llama.cpp builds where a kernel path arrived (the harness reads the same from each row's
# build or month, accuracy_setup.py): native FP4 MMA on Blackwell (PR #17906, b7536); HIP flash
# attention on the WMMA units, RDNA4 (PR #18481, January 2026, about b7700) and RDNA3 (PR
# #22880, b9158); CUDA graphs for decode (PR #6766, 8 May 2024, about b2830, Ampere on; PR
# #25749, July 2026, about b10000, Volta and Turing too); the large Vulkan matmul tiles for
# AMD's cooperative matrices (PR #18749, merged with #18481 in January 2026, about b7700).
LLAMA_FP4_MMA_BUILD = 7536
LLAMA_AMD_VULKAN_TILES_BUILD = 7700
# HIP MMQ on AMD's matrix units (Runtime.cdna_mmq, rdna4_mmq, rdna3_mmq): PR #14624 (26 July
# 2025, CDNA3) and PR #14949 (30 July 2025, CDNA1/2), taken as b6013 (b6097 is of 6 August
# 2025); PR #17156 (24 November 2025, RDNA4), taken as b7165 (b7083 is of 17 November); PR
# #17576 (5 December 2025, RDNA3), taken as b7295 (b7600 is of 31 December).
LLAMA_CDNA_MMQ_BUILD = 6013
LLAMA_RDNA4_MMQ_BUILD = 7165
LLAMA_RDNA3_MMQ_BUILD = 7295
# Vulkan coopmat1 flash attention's S·V on the matrix units (PR #19075, merged 28 January 2026;
# b7821 of 24 January is before it, taken as 7880).
LLAMA_VULKAN_CM1_PV_BUILD = 7880
LLAMA_RDNA4_FATTN_MMA_BUILD = 7700
LLAMA_RDNA3_FATTN_MMA_BUILD = 9158
LLAMA_CUDA_GRAPHS_BUILD = 2830
LLAMA_CUDA_GRAPHS_VOLTA_BUILD = 10000
# SYCL prompt attention on the XMX engines (PRs #25025 and #25222, July 2026): PR #25222 was
# measured on b9856, whose flash attention still ran on the vector engines.
LLAMA_SYCL_XMX_ATTENTION_BUILD = 9857
# Metal's own tensor-API GEMM kernel (PR #20962, April 2026; the build number is taken as 8700,
# between b7536 of 24 December 2025 and b9100 of 13 May 2026, whose rows have it).
LLAMA_METAL_TENSOR_TILES_BUILD = 8700
# Vulkan's cooperative-matrix shaders on Intel Xe2 and later (PR #14001, measured as b5589
# against b5583).
LLAMA_INTEL_VULKAN_COOPMAT_BUILD = 5589
# SYCL's counting sort of MUL_MAT_ID's routed rows (PR #23142, opened 16 May 2026, after b9100
# of 13 May; the build number is taken as 9200, not verified).
LLAMA_SYCL_COUNTING_SORT_BUILD = 9200
# SYCL's fused MoE mat-vec for decode (PR #21920, opened 14 April 2026 against a base of about
# b8790; in master by 4 May, about b9000, as a downstream build that lifted ggml-sycl from
# master that day lists its commit 60b68a6279; the build number is taken as 8900, not
# verified).
LLAMA_SYCL_FUSED_MOE_BUILD = 8900
# CUDA flash attention's tile kernel with GQA packing (Runtime.cuda_tile_gqa_decode): PR #16492,
# opened 9 October 2025 (b6097 is of 6 August, b7083 of 17 November; taken as b6760, not
# verified).
LLAMA_CUDA_TILE_GQA_BUILD = 6760
# CUDA's chunked SSD scan for Mamba-2 prompts (Runtime.cuda_ssd_scan): PR #22675, merged 28 July
# 2026 (b9739 is of 17 July, b10050 of 7 August; taken as b9900, not verified).
LLAMA_CUDA_SSD_SCAN_BUILD = 9900
# HIP MMQ's routed-expert tiles sized from the tokens per expert (Runtime.moe_expert_tiles): PR
# #28552, merged 8 September 2026 (b10298 is of August 2026; taken as b10600, not verified).
LLAMA_MOE_EXPERT_TILES_BUILD = 10600

# (runtime id, first release with the new behaviour, Runtime field, its value before, source).
# A field listed twice takes the value of the last entry the release is before. By runtime,
# not engine: Ollama's and LM Studio's own release numbers are not llama.cpp build numbers.
BEHAVIOUR_CHANGES: tuple[tuple[str, tuple[int, ...], str, bool | float | None, str], ...] = (
    (
        "llama.cpp",
        (6325,),
        "flash_attn",
        False,
        "--flash-attn defaults to auto (on where the backend supports it) from August 2025; "
        "llama.cpp versions are build numbers (b6325)",
    ),
    (
        "llama.cpp",
        (LLAMA_FP4_MMA_BUILD,),
        "fp4_mma",
        False,
        "MXFP4/NVFP4 in the native FP4 MMA on compute capability 12.x (PR #17906)",
    ),
    (
        "llama.cpp",
        (LLAMA_RDNA4_FATTN_MMA_BUILD,),
        "rdna4_fattn_mma",
        False,
        "HIP flash attention on RDNA4's WMMA units (PR #18481, January 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_AMD_VULKAN_TILES_BUILD,),
        "amd_vulkan_tiles",
        False,
        "Vulkan matmul tiles tuned for AMD's cooperative matrices (PR #18749, January 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_CDNA_MMQ_BUILD,),
        "cdna_mmq",
        False,
        "HIP MMQ on CDNA's MFMA units for prompts (PRs #14624 and #14949, July 2025)",
    ),
    (
        "llama.cpp",
        (LLAMA_RDNA4_MMQ_BUILD,),
        "rdna4_mmq",
        False,
        "HIP MMQ on RDNA4's WMMA units for prompts (PR #17156, November 2025)",
    ),
    (
        "llama.cpp",
        (LLAMA_RDNA3_MMQ_BUILD,),
        "rdna3_mmq",
        False,
        "HIP MMQ on RDNA3's WMMA units for prompts (PR #17576, December 2025)",
    ),
    (
        "llama.cpp",
        (LLAMA_VULKAN_CM1_PV_BUILD,),
        "vulkan_cm1_pv",
        False,
        "Vulkan coopmat1 flash attention multiplies softmax x V on the matrix units (PR #19075, "
        "January 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_SYCL_XMX_ATTENTION_BUILD,),
        "sycl_xmx_attention",
        False,
        "SYCL flash attention for prompts on Intel's XMX engines (PRs #25025 and #25222, "
        "July 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_SYCL_COUNTING_SORT_BUILD,),
        "sycl_counting_sort",
        False,
        "SYCL's MUL_MAT_ID sorts routed rows by a counting sort instead of scanning every "
        "(expert, token, slot) on the host (PR #23142, May 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_SYCL_FUSED_MOE_BUILD,),
        "sycl_fused_moe_decode",
        False,
        "SYCL decodes a token's routed experts in one fused mat-vec kernel instead of one call "
        "per expert after a host sync (PR #21920, April 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_INTEL_VULKAN_COOPMAT_BUILD,),
        "intel_vulkan_coopmat",
        False,
        "Vulkan matmuls on Intel Xe2's XMX engines through VK_KHR_cooperative_matrix (PR "
        "#14001, June 2025)",
    ),
    (
        "llama.cpp",
        (LLAMA_METAL_TENSOR_TILES_BUILD,),
        "metal_tensor_tiles",
        False,
        "Metal's tensor-API GEMM kernel with its own tiles on the M5 family (PR #20962, "
        "April 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_MOE_EXPERT_TILES_BUILD,),
        "moe_expert_tiles",
        False,
        "HIP MMQ sizes routed experts' column tiles from the tokens per expert on RDNA3 and "
        "RDNA4 (PR #28552, September 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_RDNA3_FATTN_MMA_BUILD,),
        "rdna3_fattn_mma",
        False,
        "HIP flash attention on RDNA3's WMMA units (PR #22880)",
    ),
    (
        "llama.cpp",
        (LLAMA_CUDA_TILE_GQA_BUILD,),
        "cuda_tile_gqa_decode",
        False,
        "CUDA flash attention's tile kernel packs grouped-query heads for decode on Pascal and "
        "Volta (PR #16492, October 2025)",
    ),
    (
        "llama.cpp",
        (LLAMA_CUDA_SSD_SCAN_BUILD,),
        "cuda_ssd_scan",
        False,
        "CUDA computes Mamba-2's prompt scan as chunked SSD GEMMs on Turing and later (PR "
        "#22675, July 2026)",
    ),
    (
        "llama.cpp",
        (LLAMA_CUDA_GRAPHS_VOLTA_BUILD,),
        "cuda_graphs_min_cc",
        8.0,
        "CUDA graphs on Volta and Turing (PR #25749, July 2026); Ampere on before",
    ),
    (
        "llama.cpp",
        (LLAMA_CUDA_GRAPHS_BUILD,),
        "cuda_graphs_min_cc",
        None,
        "CUDA graphs for decode (PR #6766, May 2024)",
    ),
    (
        "transformers",
        (4, 54),
        "swa_windowed",
        False,
        "cache_utils.py DynamicSlidingWindowLayer keeps the last sliding_window - 1 tokens",
    ),
    (
        "transformers",
        (4, 53),
        "bool_attention_masks",
        False,
        "masking_utils.sdpa_mask builds boolean (batch, 1, q, kv) masks; before it each "
        "model's _update_causal_mask filled them with the dtype's minimum (the release is the "
        "first with masking_utils, not verified)",
    ),
    (
        "transformers",
        (4, 45),
        "prefill_last_logits",
        False,
        "generate() passes num_logits_to_keep=1 and the forward pass slices the hidden states "
        "before lm_head (PR #31292, merged for 4.45; renamed logits_to_keep in 4.49); before "
        "it the prompt's logits were computed for every position and upcast with "
        "logits.float()",
    ),
    (
        "transformers",
        (5, 0),
        "mla_latent",
        False,
        "MLA attention caches the kv_lora_rank latent and the rope key (PR #47761); "
        "4.x cached per-head K and V",
    ),
    (
        "vllm",
        (0, 10),
        "swa_windowed",
        False,
        "v1 hybrid KV cache manager: SlidingWindowSpec.max_memory_usage_bytes",
    ),
    (
        "vllm",
        (0, 8),
        "v1_engine",
        False,
        "V1 engine the default; batch defaults by GPU memory (engine/arg_utils.py)",
    ),
    (
        "vllm",
        (0, 17),
        "profile_sampler_sorts",
        True,
        "the memory profile's sampler no longer sorts the logits for top-k/top-p: Qwen3-14B's "
        "activation peak 5.64 GiB in 0.16, 2.23 GiB in 0.17 (llm-d-planner accuracy sweep)",
    ),
    (
        "vllm",
        (0, 12),
        "moe_workspace_persistent",
        False,
        "fused-MoE workspaces held by v1/worker/workspace.py WorkspaceManager (PR #27532, "
        "November 2025; the release is the first after it, not verified); 0.9.2 freed them "
        "after each call (Qwen3-235B-A22B's KV pool in vllm#21348 fits that)",
    ),
    (
        "vllm",
        (0, 7),
        "mla_latent",
        False,
        "MLA backends cache one latent vector per token (AttentionSpec.page_size_bytes)",
    ),
)
# Engines whose GEMMs accumulate in FP32 (PyTorch and ExLlama kernels): the rate they get from a
# GPU is hardware.tensor_rate_for's FP32-accumulate figure, not llama.cpp's FP16-accumulate one.
FP32_ACCUMULATING_ENGINES = frozenset({"vllm", "transformers", "exllamav2"})
_VERSION = r"^[vb]?(\d+(?:\.\d+){0,2})"  # as text: compiled when a version is first read


def version_tuple(text: str, runtime_id: str = "") -> tuple[int, ...]:
    """A release as typed after "@" (b6325, 0.17.1, v4.53) as numbers; refused otherwise."""
    if not (m := re.match(_VERSION, text.strip())):
        kind, example = version_example(runtime_id)
        raise InputError(f"runtime version {shown(text)} is not a {kind} such as {example}")
    return tuple(int(x) for x in m.group(1).split("."))


def version_example(runtime_id: str) -> tuple[str, str]:
    """What a release of ``runtime_id`` is called and the latest its rules change at
    (BEHAVIOUR_CHANGES; 1.2 for one without): llama.cpp's builds (b10600), others' numbers."""
    at = max((s for r, s, *_ in BEHAVIOUR_CHANGES if r == runtime_id), default=(1, 2))
    if len(at) == 1:
        return "build number", f"{runtime_id}@b{at[0]}"
    return "release number", f"{runtime_id or 'NAME'}@{'.'.join(map(str, at))}"


def get_runtime(name: str) -> Runtime:
    """A runtime by name, optionally at a release: "transformers@4.50", "vllm@0.9.2"."""
    base, _, version = name.partition("@")
    key = _ALIASES.get(base.strip().lower())
    if key is None:
        raise InputError(f"unknown runtime {shown(base)}; known: {', '.join(RUNTIMES)}")
    runtime = RUNTIMES[key]
    if not version.strip():
        return runtime
    at = version_tuple(version, runtime.id)
    changes: dict[str, bool | float | None] = {}
    for runtime_id, since, attr, before, _source in BEHAVIOUR_CHANGES:
        if runtime_id == runtime.id and at < since:
            changes[attr] = before
    return replace(runtime, version=version.strip(), **changes)  # type: ignore[arg-type]
