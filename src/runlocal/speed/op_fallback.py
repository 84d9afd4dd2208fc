"""Ops a GPU backend has no kernel for, run by llama.cpp's CPU backend instead.

ggml's scheduler (ggml-backend.cpp, ggml_backend_sched_split_graph) gives every node to the
first backend whose ``supports_op`` accepts it; a node no GPU backend supports goes to the
CPU backend, which cuts the graph there: the node's inputs are copied to host memory, the CPU
runs it, and the GPU's next split copies its output back. Per decoded token that is, for each
such node: its inputs and outputs across the host link, the CPU's own pass over them, and
two hand-offs between the backends (not charged: no source times them).
"""

from __future__ import annotations

from .features import DeviceLoad, SpeedFeatures
from .params import SpeedParams

# llama.cpp's SYCL backend has no GGML_OP_SSM_SCAN kernel: ggml-sycl's
# ggml_backend_sycl_device_supports_op returns false for it (PR #21163, "sycl: add ssm_scan",
# closed unmerged, 2026), so every Mamba / Mamba-2 mixer's scan runs on the CPU. Its inputs
# include the mixer's whole F32 state (build_rs gathers it on the GPU from the recurrent
# cache), and its output carries the new state, which the ggml_cpy into the cache (a view of
# a GPU buffer) takes back to the GPU: the state crosses the host link twice per mixer and
# token, and the CPU reads it and writes the new one.
SYCL_CPU_OPS = frozenset({"SSM_SCAN"})
STATE_CROSSINGS = 2  # to the host and back
CPU_STATE_PASSES = 2  # the CPU's scan reads the state and writes the new one

# A PCIe 4.0 x16 link's usable rate, the one prefill charges offloaded weights at
# (speed.prefill, "llama.cpp streams their weights over PCIe"): 25 GB/s of its 31.5.
HOST_LINK_BYTES_PER_S = 25e9
# A desktop's dual-channel DDR5 where the host's memory is not known (estimate._host_bandwidth).
DEFAULT_HOST_BANDWIDTH_BYTES_PER_S = 80e9


def cpu_ops(f: SpeedFeatures, load: DeviceLoad) -> frozenset[str]:
    """The ops of the model's decode graph that the load's backend hands to the CPU."""
    if load.backend != "sycl" or not f.llama_kernels:
        return frozenset()
    ops = set()
    if f.ssm_scan_state_bytes:
        ops.add("SSM_SCAN")
    return frozenset(ops) & SYCL_CPU_OPS


def cpu_fallback_seconds(f: SpeedFeatures, load: DeviceLoad, p: SpeedParams) -> float:
    """Per decoded token, what the ops the load's backend cannot run (cpu_ops) add on the CPU:
    the load's share of the Mamba mixers' F32 scan state across the host link twice
    (HOST_LINK_BYTES_PER_S), the CPU's read of it and write of the new one at the host's
    bandwidth × η_cpu. The hand-offs themselves (each input a blocking copy) are not charged:
    no source times them."""
    if "SSM_SCAN" not in cpu_ops(f, load) or not f.n_layers:
        return 0.0
    share = load.layers / f.n_layers
    state = f.ssm_scan_state_bytes * share
    host = f.host_bandwidth_bytes_per_s or DEFAULT_HOST_BANDWIDTH_BYTES_PER_S
    t = STATE_CROSSINGS * state / HOST_LINK_BYTES_PER_S
    t += CPU_STATE_PASSES * state / (host * p.bandwidth_efficiency["cpu"])
    return t
