"""vLLM, transformers, MLX and ExLlamaV2: vLLM's preallocation sized as its memory profiler
sizes it, and the simpler plans of the other runtimes (weights, cache, activations, the
process's fixed part)."""

from __future__ import annotations

import math
from collections.abc import Callable

from ..hardware import Device
from ..runtimes import Runtime
from ..spec import ModelSpec, WeightInventory
from ..units import GIB, MIB
from .kv import MLX_PREFILL_STEP, VLLM_MAX_BATCHED_TOKENS, kv_cache_bytes, swa_prefill_bytes
from .llama_buffers import split_layers
from .records import SYSTEM_RAM, DeviceUse, MemoryPlan, lookup_bytes
from .transformers_decode import transformers_decode_bytes

# Python + PyTorch + CUDA context for vLLM / transformers / ExLlamaV2 processes.
TORCH_CONTEXT_BYTES = 500 * MIB
# A transformers process holds more than the bare context: the kernels of cuBLAS, cuBLASLt
# and SDPA loaded on first use (CUDA lazy loading defers, it does not avoid them), their
# workspaces, and the blocks the caching allocator keeps after loading the weights. PyTorch
# measured ~300 MB for the lazily loaded context alone (pytorch#107667) and 1,008 MiB once
# every kernel is resident (pytorch#28394); it does not shrink with the model, which is
# why a 1B model's total is far above its weights.
TRANSFORMERS_PROCESS_BYTES = 1 * GIB
# What PyTorch's caching allocator reserves beyond its peak allocation, as a share of the
# activations and KV cache it serves.
TRANSFORMERS_RESERVE_SHARE = 0.1
VLLM_GPU_MEMORY_UTILIZATION = (
    0.9  # vLLM's default; Runtime.gpu_memory_utilization holds the one used
)
# CUDA graphs are captured after the KV pool is allocated (v1 gpu_worker.py
# compile_or_warm_up_model), so they sit outside the preallocation: "Graph capturing
# finished ... took 0.5–1.8 GiB" on H100s (llm-d-planner's v0.19.0 sweep, mean 1.0 GiB).
VLLM_CUDA_GRAPHS_BYTES = 512 * MIB
# The CUDA driver reports a little less than the board's memory: torch.cuda.mem_get_info
# gives 79.19 GiB on an 80 GiB H100 ("total_gpu_memory (79.19GiB)"), 79.15 on an A100 80GB.
# gpu_memory_utilization is a share of what the driver reports.
CUDA_DRIVER_RESERVED_SHARE = 0.01
# Memory vLLM's profile finds allocated outside PyTorch during the profile run (mem_utils.py
# MemorySnapshot.non_torch_memory: cuBLAS workspaces, attention-backend buffers): 0.24–0.27 GiB
# on one H100 (llm-d-planner v0.19.0, 40 runs). Tensor parallelism over NVSwitch adds NCCL's
# NVLink SHARP buffers and vLLM's all-reduce buffers, first touched in the profile's
# collectives: 2.06–2.21 GiB per GPU at TP 2 and 4 on H100 SXM. PCIe cards have neither
# NVLS nor custom all-reduce over P2P: a TP-2 RTX 4090 pair logs 0.25 GiB (vllm#13061).
VLLM_NON_TORCH_BYTES = 256 * MIB
VLLM_NVLS_BYTES = 1900 * MIB
# The profile's sampler (v1 gpu_model_runner._dummy_sampler_run) takes logits for
# max_num_seqs rows over the whole vocabulary, all TP ranks alike (logits are all-gathered):
# the bf16 logits (2 B), their float32 copy (4), softmax probabilities (4) and the
# exponential noise the random sample divides by (4): 14 bytes per row and vocabulary entry.
# Before 0.17 top-k/top-p sorted the float32 logits with int64 indices and scattered them
# back (4 + 8 + 4 + 4 + mask): 37 bytes, what Qwen3-14B's 5.64 GiB peak in 0.16 implies.
VLLM_SAMPLER_BYTES = 14
VLLM_SAMPLER_SORT_BYTES = 37
# While the sampler runs, the profile still holds hidden states of the whole batch: three
# bf16 tensors of max_num_batched_tokens × hidden (the output, the residual, the last norm).
VLLM_HIDDEN_COPIES_BYTES = 6


def vllm_batch_defaults(device: Device, runtime: Runtime, context: int) -> tuple[int, int]:
    """(max_num_batched_tokens, max_num_seqs) of `vllm serve` left at its defaults.

    V1 (engine/arg_utils.py get_batch_defaults): 8192 tokens and 1024 sequences on GPUs
    whose driver reports at least 70 GiB, A100s excepted (PR #17885); 2048 and 256 below.
    V0: 256 sequences; without chunked prefill (the default up to a 32K context) a batch
    holds a whole context."""
    if not runtime.v1_engine:
        return (max(context, 2048) if context <= 32768 else 2048), 256
    visible = device.memory_bytes * (1 - CUDA_DRIVER_RESERVED_SHARE)
    if visible >= 70 * GIB and "a100" not in device.name.lower():
        return VLLM_MAX_BATCHED_TOKENS, 1024
    return 2048, 256


def _expert_width(spec: ModelSpec) -> int:
    """One routed expert's intermediate width (moe_intermediate_size)."""
    for layer in spec.layers:
        if layer.moe:
            if layer.expert_down_rows:
                return layer.expert_down_rows
            if spec.n_experts:
                return layer.params_experts // (3 * spec.n_experts * spec.hidden_size)
    return 0


# The fused-MoE layer runs at most this many tokens at a time (envs.py
# VLLM_FUSED_MOE_CHUNK_SIZE, 16 × 1024); a longer batch is processed in chunks.
VLLM_FUSED_MOE_CHUNK_TOKENS = 16384


def vllm_moe_workspace_bytes(spec: ModelSpec, tp: int, tokens: int) -> int:
    """The routed experts' scratch that vLLM keeps allocated once the profile's forward pass
    has run: the modular fused-MoE kernel takes its buffers from the worker's WorkspaceManager
    (v1/worker/workspace.py get_simultaneous), one persistent allocation that grows to the
    largest request and is never freed, so it is still held while the sampler is profiled.

    For the Triton experts (fused_moe/experts TritonExperts.workspace_shapes) with M tokens
    in a chunk, top-k routed copies of each, N = 2 × moe_intermediate / TP (gate and up
    merged, column-parallel) and K = hidden, in the activation dtype (bf16, 2 B):

        workspace13 = M × top_k × max(N / 2, K)   (the activated intermediate, cache 2)
        workspace2  = M × top_k × max(N, K)       (gate/up output, cache 1; down output, cache 3)

    In one chunk the (tokens × K) output shares workspace13's memory (modular_kernel.py
    _allocate_buffers, PR #31531); across chunks it is a third buffer. Each view is rounded up
    to 256 bytes. 0 for a dense model."""
    width = _expert_width(spec) if spec.is_moe else 0
    if not width or not spec.n_experts_used:
        return 0
    chunk = min(tokens, VLLM_FUSED_MOE_CHUNK_TOKENS)
    n = 2 * width // tp
    k = spec.hidden_size
    top_k = spec.n_experts_used
    ws13 = chunk * top_k * max(n // 2, k) * 2
    ws2 = chunk * top_k * max(n, k) * 2
    out = tokens * k * 2
    parts = [max(ws13, out), ws2] if chunk == tokens else [ws13, ws2, out]
    return sum(-(-part // 256) * 256 for part in parts)


def vllm_activation_bytes(
    spec: ModelSpec, runtime: Runtime, device: Device, tp: int, context: int
) -> int:
    """The activation peak vLLM's memory profile reserves on one GPU ("PyTorch activation
    peak memory"): the larger of the forward pass over max_num_batched_tokens and the sampler
    over max_num_seqs rows (v1 gpu_model_runner.profile_run: _dummy_run, then
    _dummy_sampler_run), the sampler's on top of the MoE workspace the forward pass left
    allocated (vllm_moe_workspace_bytes) where the release keeps it."""
    tokens, seqs = vllm_batch_defaults(device, runtime, context)
    seqs = tokens if tokens < seqs else seqs  # min of two (see speed.features)
    hidden = spec.hidden_size
    per_entry = VLLM_SAMPLER_SORT_BYTES if runtime.profile_sampler_sorts else VLLM_SAMPLER_BYTES
    moe_workspace = vllm_moe_workspace_bytes(spec, tp, tokens)
    held = moe_workspace if runtime.moe_workspace_persistent else 0
    sampler = tokens * hidden * VLLM_HIDDEN_COPIES_BYTES + seqs * spec.vocab_size * per_entry + held
    # Forward: the MLP's gate/up output and its activation (3 × intermediate / TP) beside the
    # hidden state and residual, bf16. Routed experts work inside the MoE workspace.
    if moe_workspace:
        forward = moe_workspace + tokens * 2 * hidden * 2
    else:
        inter = spec.intermediate_size or 4 * hidden
        forward = tokens * (3 * inter // tp + 2 * hidden) * 2
    return forward if forward > sampler else sampler  # max of two (see speed.features)


def vllm_non_torch_bytes(devices: list[Device]) -> int:
    """Non-torch memory the profile counts on each GPU (see VLLM_NVLS_BYTES)."""
    first = devices[0]
    nvswitch = (
        first.backend == "cuda"
        and (first.interface or "").startswith("SXM")
        and (first.compute_capability or 0) >= 9.0
    )
    return VLLM_NON_TORCH_BYTES + (VLLM_NVLS_BYTES if len(devices) > 1 and nvswitch else 0)


# A multimodal checkpoint's vision (or audio) tower and projector, loaded with the language
# model by the runtimes that load the checkpoint whole (vLLM builds the model's multimodal class;
# transformers' AutoModelForCausalLM maps Gemma 3's config to Gemma3ForConditionalGeneration,
# and the other VLMs load through AutoModelForImageTextToText): kept at 16 bits, as quantization
# recipes leave the towers unquantized (llm-compressor's VLM examples ignore
# "re:vision_tower.*" and "re:multi_modal_projector.*"; AutoAWQ and GPTQ quantize the language
# model's linears). llama.cpp keeps the projector in a separate mmproj file, loaded only with
# --mmproj, and mlx-lm drops the vision weights when it loads (each model's sanitize()).
TOWER_BYTES_PER_PARAM = 2


def tower_bytes(spec: ModelSpec) -> int:
    """Bytes of the vision or audio tower (ModelSpec.params_tower) in the runtimes that hold it."""
    return spec.params_tower * TOWER_BYTES_PER_PARAM


def _vllm_sums(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> tuple[int, int, int, list[tuple[int, int]]]:
    """What plan_vllm adds up: the weights and the KV cache each GPU holds (tensor parallel),
    the non-torch memory, and per GPU its preallocation and activation peak."""
    weights_per = math.ceil((inv.total_bytes + tower_bytes(spec)) / len(devices))
    return (weights_per, *_vllm_rest(spec, devices, runtime, context, kv_type, sequences))


def _vllm_rest(
    spec: ModelSpec,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> tuple[int, int, list[tuple[int, int]]]:
    """_vllm_sums' parts that do not depend on the weights: the KV cache per GPU, the
    non-torch memory, and per GPU its preallocation and activation peak."""
    tp = len(devices)
    need_kv = math.ceil(kv_cache_bytes(spec, context, runtime, kv_type, sequences) / tp)
    per_gpu = []
    for dev in devices:
        visible = int(dev.memory_bytes * (1 - CUDA_DRIVER_RESERVED_SHARE))
        prealloc = int(visible * runtime.gpu_memory_utilization)
        per_gpu.append((prealloc, vllm_activation_bytes(spec, runtime, dev, tp, context)))
    return need_kv, vllm_non_torch_bytes(devices), per_gpu


def vllm_usage_of(
    spec: ModelSpec,
    devices: list[Device],
    runtime: Runtime,
    kv_type: str,
    sequences: int,
) -> Callable[[WeightInventory, int], list[tuple[int, int]]]:
    """vllm_usage as a function of the weights and the context, what does not depend on the
    weights kept per context: the best quantization asks one context at several
    quantizations."""
    rest_at: dict[int, tuple[int, int, list[tuple[int, int]]]] = {}
    tp = len(devices)
    tower = tower_bytes(spec)

    def usage(inv: WeightInventory, context: int) -> list[tuple[int, int]]:
        rest = rest_at.get(context)
        if rest is None:
            rest = rest_at[context] = _vllm_rest(
                spec, devices, runtime, context, kv_type, sequences
            )
        need_kv, non_torch, per_gpu = rest
        weights_per = math.ceil((inv.total_bytes + tower) / tp)
        return [(weights_per + act + non_torch + need_kv, prealloc) for prealloc, act in per_gpu]

    return usage


def vllm_usage(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> list[tuple[int, int]]:
    """records.usage of each GPU of plan_vllm's plan (what must fit, the preallocation) from
    the same sums without building the plan: the largest context and the best quantization
    ask it at each probe."""
    weights_per, need_kv, non_torch, per_gpu = _vllm_sums(
        spec, inv, devices, runtime, context, kv_type, sequences
    )
    return [(weights_per + act + non_torch + need_kv, prealloc) for prealloc, act in per_gpu]


def plan_vllm(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> MemoryPlan:
    """vLLM preallocates gpu_memory_utilization of what the driver reports on each GPU and
    profiles one forward pass and one sampler pass; the KV pool is what remains:

        pool = util × reported − (weights + activation peak + non-torch memory)

    (v1/worker/gpu_worker.py determine_available_memory; utils/mem_utils.py
    memory_profiling: non_kv_cache_memory = weights + torch_peak_increase + non_torch_increase).
    The CUDA context and NCCL's start-up buffers exist before the baseline snapshot and CUDA
    graphs are captured after the pool: both sit outside the preallocation. vLLM starts only
    if one sequence of max_model_len fits the pool."""
    tp = len(devices)
    weights_per, need_kv, non_torch, per_gpu = _vllm_sums(
        spec, inv, devices, runtime, context, kv_type, sequences
    )
    uses = []
    for dev, (prealloc, act) in zip(devices, per_gpu, strict=True):
        fixed = weights_per + act + non_torch
        # max of two written out (see speed.features)
        pool = prealloc - fixed
        pool = 0 if pool < 0 else pool
        # Positional: a class called with keywords builds a dict of them first (CPython).
        uses.append(
            DeviceUse(
                dev,  # device
                spec.n_layers,  # layers
                weights_per,  # weights_bytes
                need_kv if need_kv > pool else pool,  # kv_cache_bytes
                act,  # compute_bytes
                non_torch + VLLM_CUDA_GRAPHS_BYTES + TORCH_CONTEXT_BYTES,  # overhead_bytes
                dev.budget_bytes,  # budget_bytes
                prealloc,  # fit_limit_bytes
                fixed + need_kv,  # required_bytes
                pool,  # kv_pool_bytes
            )
        )
    plan = MemoryPlan(
        devices=uses,
        host=None,
        gpu_layers=spec.n_layers + 1,
        total_layers=spec.n_layers + 1,
        kv_tokens=context * sequences,
        tensor_parallel=tp > 1,
        lookup_bytes=(lookup_bytes(spec, inv, 1 / tp),) * tp,
    )
    if plan.fits and need_kv:
        pool_tokens = int(uses[0].kv_cache_bytes / need_kv * context * sequences)
        plan.notes.append(
            f"vLLM preallocates {runtime.gpu_memory_utilization:.0%} of each GPU "
            "(--gpu-memory-utilization); its KV pool "
            f"holds about {pool_tokens:,} tokens ({pool_tokens // max(context, 1)} sequences "
            f"of {context:,})"
        )
    return plan


# MLX's fused prefill attention (the steel kernel) takes head dimensions 64, 80 and 128
# (mlx/backend/metal/scaled_dot_product_attention.cpp, sdpa_full_supported_head_dim); other
# widths fall back to mx.fast's unfused path, which materialises the [heads, step, keys]
# score matrix of one layer in the activation dtype (bf16/fp16).
MLX_FUSED_PREFILL_HEAD_DIMS = frozenset({64, 80, 128})


def mlx_unfused_scores_bytes(spec: ModelSpec, step: int, context: int) -> int:
    """The score matrix of a prefill step whose attention MLX cannot fuse: the last step's
    queries against every key of the context, 2 bytes each; 0 where the kernel is fused."""
    widths = {
        layer.head_dim_k for layer in spec.layers if layer.kind == "full" and layer.n_kv_heads
    }
    if spec.mla is not None or not widths or widths <= MLX_FUSED_PREFILL_HEAD_DIMS:
        return 0
    return spec.n_heads * step * context * 2


# ExLlamaV2 (exllamav2/config.py): prompts are forwarded in chunks of max_input_len = 2048
# tokens (capped at the context, model.py), and a linear layer is dequantized for a chunk's
# GEMM into a scratch slice of at most max_dq_size = 512 Mi elements in FP16 (linear.py
# temp_dq_size).
EXL2_MAX_INPUT_LEN = 2048
EXL2_MAX_DQ_ELEMENTS = 512 * 1024**2


def exllamav2_scratch_bytes(spec: ModelSpec, context: int) -> int:
    """What ExLlamaV2 allocates on a GPU beside the weights and the cache: the fixed scratch
    every device gets at load, the largest ``scratch_space_fixed()`` of the model's modules
    (model.py load_autosplit_gen), and the rotary sin/cos tables. In FP16, with L the chunk:
    the MLP's state (L x hidden), two intermediate-wide slices (L x max(hidden, intermediate))
    and its largest projection dequantized (mlp.py); attention's state (L x max(heads x
    head_dim, hidden)) and its largest projection dequantized (attn.py); the head's
    dequantized matrix, vocab x hidden (linear.py), the largest of the three for most models
    (1 GB for Llama 3's 128,256-entry vocabulary); every slice padded by 128 bytes. The
    sin/cos tables: head_dim x context x 2 B, two of them (set_device_map's constant_size)."""
    chunk = min(EXL2_MAX_INPUT_LEN, context)
    hidden = spec.hidden_size
    inter = spec.intermediate_size or 4 * hidden
    head_dim = _rope_width(spec)
    q_width = spec.n_heads * head_dim

    def dq(rows: int, cols: int) -> int:
        return 2 * min(rows * cols, EXL2_MAX_DQ_ELEMENTS)

    wide = max(hidden, inter)
    mlp = (chunk * hidden * 2 + 128) + 2 * (chunk * wide * 2 + 128) + dq(hidden, inter)
    attn = (chunk * max(q_width, hidden) * 2 + 128) + dq(hidden, q_width)
    head = dq(hidden, spec.vocab_size)
    return max(mlp, attn, head) + 2 * head_dim * context * 2


def transformers_mask_bytes(
    spec: ModelSpec, runtime: Runtime, tokens: int, sequences: int
) -> tuple[int, int]:
    """(held, at its creation) bytes of the attention mask transformers builds for a prompt of
    ``tokens`` tokens under SDPA, its default attention.

    masking_utils.sdpa_mask passes ``is_causal`` instead of a mask only while the keys fit
    inside every local window (_ignore_causal_mask_sdpa: kv_length < local_size): a model
    with sliding-window layers prefilling at least its window gets a (batch, 1, q, kv) mask,
    one byte per query-key pair (a 131,072-token prompt: 16 GiB), held through the forward
    pass. It is built by and_masks(causal, sliding overlay), so two such tensors and their
    result exist at once for a moment, before any activation. Releases before masking_utils
    built it per model in the weights' dtype (2 bytes). Full-attention layers need none."""
    window = spec.sliding_window
    if not window or tokens < window or not any(layer.kind == "swa" for layer in spec.layers):
        return 0, 0
    element = 1 if runtime.bool_attention_masks else 2
    held = sequences * tokens * tokens * element
    return held, 3 * held


# transformers' prefill peak (memory.transformers_activation_bytes), in bytes of the
# activation dtype (bf16/fp16) per prompt token: while a decoder layer's MLP multiplies its
# activated gate by its up projection (modeling_llama.py / modeling_qwen2.py LlamaMLP.forward,
# down_proj(act_fn(gate_proj(x)) * up_proj(x))), three intermediate-wide tensors exist at once
# (the activated gate, the up projection and their product), beside four hidden-wide ones: the
# embeddings (the model's forward keeps ``inputs_embeds`` referenced for the whole pass), the
# layer's input (still the model loop's ``hidden_states``), the residual after attention, and
# its post-attention norm, the MLP's input. The rotary cos and sin, computed once per pass and
# cast to the activation dtype, are two head-wide tensors.
TRANSFORMERS_MLP_WIDTHS = 3
TRANSFORMERS_HELD_HIDDEN = 4
TRANSFORMERS_ROPE_TABLES = 2
# Logits upcast to float32 (4 B) from the lm_head's bf16 output (2 B), both alive while
# logits.float() copies: 6 bytes per position and vocabulary entry.
TRANSFORMERS_LOGITS_BYTES = 6


def _rope_width(spec: ModelSpec) -> int:
    """The head dimension the rotary tables are built for: the first attention layer's key
    width, else hidden / heads."""
    for layer in spec.layers:
        if layer.kind in ("full", "swa") and layer.head_dim_k:
            return layer.head_dim_k
    return spec.hidden_size // max(spec.n_heads, 1)


def transformers_activation_bytes(
    spec: ModelSpec, runtime: Runtime, tokens: int, sequences: int, kv_bytes: int = 0
) -> int:
    """Bytes the forward pass over a prompt of ``tokens`` tokens allocates beside the weights
    and the KV cache of ``kv_bytes`` (torch.cuda.max_memory_allocated less both), attention in
    SDPA or FlashAttention-2 (no score matrix): the largest of three moments.

    - A decoder layer's MLP (TRANSFORMERS_MLP_WIDTHS ... TRANSFORMERS_ROPE_TABLES):
      tokens × (3 × intermediate + 4 × hidden + 2 × head_dim) × 2 B. Measured: the Qwen2.5
      speed benchmark's allocator peaks (transformers 4.46, FlashAttention-2, A100) rise by
      6.0 × intermediate + 8.1–8.2 × hidden bytes per prompt token beyond the KV cache, 0.5B
      to 32B.
    - The logits, once the model's layers have returned: the final norm's output (2 × hidden
      per token) and the lm_head's output with its float32 copy (6 B per vocabulary entry) for
      the last position only from 4.45 (num_logits_to_keep=1, PR #31292), for every prompt
      position before: a 32,768-token prompt on a 151,936-entry vocabulary then holds 27.8 GiB
      of logits, far more than the layers.
    - A sliding-window model's attention mask (transformers_mask_bytes): held beside the
      layers' activations (the model's forward frees it before lm_head), and three times its
      size while it is built, before the KV cache holds anything."""
    n = tokens * sequences
    hidden = spec.hidden_size
    inter = spec.intermediate_size or 4 * hidden
    mlp = n * (
        TRANSFORMERS_MLP_WIDTHS * inter
        + TRANSFORMERS_HELD_HIDDEN * hidden
        + TRANSFORMERS_ROPE_TABLES * _rope_width(spec)
    )
    positions = sequences if runtime.prefill_last_logits else n
    logits = n * hidden * 2 + positions * spec.vocab_size * TRANSFORMERS_LOGITS_BYTES
    held, building = transformers_mask_bytes(spec, runtime, tokens, sequences)
    # max of three written out (see speed.features)
    peak = mlp * 2 + held
    peak = logits if logits > peak else peak
    return building - kv_bytes if building - kv_bytes > peak else peak


def plan_simple(
    spec: ModelSpec,
    inv: WeightInventory,
    devices: list[Device],
    runtime: Runtime,
    context: int,
    kv_type: str,
    sequences: int,
) -> MemoryPlan:
    """transformers, MLX and ExLlamaV2: all weights on the accelerator(s), split by layers."""
    kv = kv_cache_bytes(spec, context, runtime, kv_type, sequences)
    inter = spec.intermediate_size or 4 * spec.hidden_size
    if runtime.engine == "transformers":
        # Peak of prefilling the whole context in one pass (transformers_activation_bytes) —
        # what torch.cuda.max_memory_allocated reports. The caching allocator reserves more
        # than it hands out (blocks split and rounded, the KV cache regrown by torch.cat): that
        # reserve is the process's, with the context, not an allocation, so it sits in the
        # overhead.
        # The sliding-window layers hold the whole prompt when its prefill ends
        # (swa_prefill_bytes): beside the activations, freed at the first decoded token.
        # Like the KV cache, that hold is split with the layers.
        held = swa_prefill_bytes(spec, context, runtime, kv_type, sequences)
        act = transformers_activation_bytes(spec, runtime, context, sequences, kv + held)
        # The last decoded token's moment, beside the same cache (transformers_decode_bytes):
        # below the prefill's but for a grouped-query copy on a short-MLP model.
        decode = transformers_decode_bytes(spec, runtime, context, sequences)
        act = decode if decode > act else act  # max of two (see speed.features)
        overhead = TRANSFORMERS_PROCESS_BYTES + int((act + held + kv) * TRANSFORMERS_RESERVE_SHARE)
    elif runtime.engine == "mlx":
        step = min(context, MLX_PREFILL_STEP)
        act = step * (3 * inter + 6 * spec.hidden_size) * 2 + spec.vocab_size * 4 * step
        act += mlx_unfused_scores_bytes(spec, step, context)
        held = swa_prefill_bytes(spec, context, runtime, kv_type, sequences)
        overhead = 256 * MIB
    else:  # exllamav2: its fixed scratch per device (exllamav2_scratch_bytes)
        act = exllamav2_scratch_bytes(spec, context)
        held = 0
        overhead = TORCH_CONTEXT_BYTES
    # ExLlamaV2 keeps the token embeddings in system RAM (model.py: "Embedding layer on CPU",
    # set_device_map(embed_cpu=True)); a tied head is the table again on the last GPU.
    exl = runtime.engine == "exllamav2"
    tied = inv.output_bytes <= spec.hidden_size * 4
    gpu_input = inv.input_bytes if not exl else 0
    head_copy = int(inv.input_bytes * spec.token_embedding_share) if exl and tied else 0
    counts = split_layers(spec.n_layers, devices)
    uses = []
    for k, (dev, count) in enumerate(zip(devices, counts, strict=True)):
        share = count / spec.n_layers
        weights = int(sum(inv.layer_bytes) * share)
        if k == 0:
            weights += gpu_input
            if runtime.engine == "transformers":  # the tower runs before the first layer
                weights += tower_bytes(spec)
        if k == len(devices) - 1:
            weights += inv.output_bytes + inv.other_bytes + head_copy
        uses.append(
            DeviceUse(
                device=dev,
                layers=count,
                weights_bytes=weights,
                kv_cache_bytes=int(kv * share),
                compute_bytes=act + int(held * share),
                overhead_bytes=overhead,
                budget_bytes=dev.budget_bytes,
            )
        )
    host = None
    if exl:
        # Looked up, never the reason to fail (as llama.cpp's host table): budget = its size.
        host = DeviceUse(SYSTEM_RAM, 0, inv.input_bytes, 0, 0, 0, inv.input_bytes)
    return MemoryPlan(
        devices=uses,
        host=host,
        gpu_layers=spec.n_layers + 1,
        total_layers=spec.n_layers + 1,
        kv_tokens=context * sequences,
        lookup_bytes=(lookup_bytes(spec, inv) if not exl else 0,) + (0,) * (len(uses) - 1),
    )
