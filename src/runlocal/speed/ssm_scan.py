"""Mamba's selective scan in a prompt: llama.cpp's CUDA/HIP kernel walks the micro-batch's
tokens one after another, a cost the weights' GEMMs do not include."""

from __future__ import annotations

from .features import F32_BYTES, DeviceLoad, SpeedFeatures

# llama.cpp's SSM_SCAN on CUDA and HIP (ggml-cuda/ssm-scan.cu: ssm_scan_f32_group for Mamba-2,
# ssm_scan_f32 for Mamba-1; HIP compiles the same source) keeps each state row in registers,
# one thread per state column, and loops over the micro-batch's tokens: each step loads the
# token's dt, B, C and x, updates the state (s = s * exp(dt * A) + B * dt * x: a multiply and a
# multiply-add on the precomputed dt * x) and reduces y = C . s across the threads (a
# multiply-add) before the next token, 5 FLOPs per state element and token. A rocprofv3
# profile of Nemotron-3-Super (128 heads of 64, state 128: 1,048,576 elements a layer) on an
# MI210 timed it at 11 ms per call of a 2,048-token micro-batch, 22.8% of the prompt's GPU
# time (the README of the llama.cpp-mi210 patch set, change set 4, "Chunked SSD Mamba-2 prefill
# on CDNA": 160 calls of 40 Mamba-2 layers at 2,048-token micro-batches, pp4096 run twice):
# 5 x 1,048,576 x 2,048 FLOPs in 11 ms is 0.98 TFLOPS, 4.3% of the MI210's 22.6 TFLOPS FP32.
# Not fitted.
SSM_SCAN_FLOPS_PER_ELEMENT = 5
LLAMA_SSM_SCAN_FP32_SHARE = 0.043
# PR #22675 (merged 28 July 2026; Runtime.cuda_ssd_scan) computes Mamba-2's scan as chunked
# State-Space-Duality GEMMs on NVIDIA from Turing (compute capability 7.5) on, for micro-batches
# of SSM_SSD_MIN_TOKENS tokens or more; the PR gates it off for HIP. (Its kernels take Mamba-2's
# grouped B and C; a spec does not tell Mamba-1 mixers apart, so the few Mamba-1 models are
# taken with it too.)
SSD_MIN_COMPUTE_CAPABILITY = 7.5
SSM_SSD_MIN_TOKENS = 128


def serial_ssm_scan_seconds(f: SpeedFeatures, load: DeviceLoad, tokens: int) -> float:
    """Seconds per prompt token of llama.cpp's token-serial Mamba scan on this device for
    the whole model (the caller takes the device's share of the layers): the scan's FLOPs
    (SSM_SCAN_FLOPS_PER_ELEMENT per state element) at LLAMA_SSM_SCAN_FP32_SHARE of the FP32
    rate on CUDA and HIP, but for micro-batches of ``tokens`` that CUDA's chunked SSD path
    takes (cuda_ssd_applies); 0 for other backends (their kernels are not timed anywhere we
    found), runtimes and models."""
    if not f.ssm_scan_state_bytes or not f.llama_kernels or not load.fp32_flops:
        return 0.0
    if load.backend not in ("cuda", "rocm") or cuda_ssd_applies(f, load, tokens):
        return 0.0
    elements = f.ssm_scan_state_bytes / F32_BYTES
    flops = SSM_SCAN_FLOPS_PER_ELEMENT * elements
    return flops / (load.fp32_flops * LLAMA_SSM_SCAN_FP32_SHARE)


def cuda_ssd_applies(f: SpeedFeatures, load: DeviceLoad, tokens: int) -> bool:
    """Whether llama.cpp runs a micro-batch of ``tokens`` through the chunked SSD scan of PR
    #22675: a build with it, an NVIDIA GPU of compute capability 7.5 or later under CUDA,
    SSM_SSD_MIN_TOKENS tokens or more."""
    cc = load.compute_capability
    return (
        f.cuda_ssd_scan
        and load.backend == "cuda"
        and cc is not None
        and cc >= SSD_MIN_COMPUTE_CAPABILITY
        and tokens >= SSM_SSD_MIN_TOKENS
    )
