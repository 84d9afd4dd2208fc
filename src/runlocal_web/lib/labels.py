"""Display names the pages share: one spelling of each backend and loss bucket."""

from __future__ import annotations

BACKEND_LABELS = {
    "cuda": "CUDA",
    "rocm": "ROCm",
    "metal": "Metal",
    "vulkan": "Vulkan",
    "sycl": "SYCL",
    "cpu": "CPU",
}
# runlocal.quality's buckets for a quantization's measured loss.
LOSS_LABELS = {
    "none": "none",
    "negligible": "negligible",
    "small": "small",
    "moderate": "moderate",
    "large": "large",
    "unknown": "not measured",
}
