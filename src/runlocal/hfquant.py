"""Which quantization a Hugging Face checkpoint uses, from its config.json and tensor dtypes.

The label only names the format (the bytes come from the safetensors headers); it is read
from what the checkpoint declares: ``quantization_config`` (transformers, llm-compressor)
or ``quantization`` (MLX).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["hf_quant_label"]


def _bits(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 64:
        return value
    return None


def _compressed_tensors(qc: Mapping[str, Any]) -> str | None:
    """compressed-tensors (llm-compressor): the weights' scheme of the first config group."""
    groups = qc.get("config_groups")
    if not isinstance(groups, Mapping):
        return None
    for group in groups.values():
        weights = group.get("weights") if isinstance(group, Mapping) else None
        if not isinstance(weights, Mapping):
            continue
        bits = _bits(weights.get("num_bits"))
        kind = str(weights.get("type", "int")).lower()
        if bits == 8 and kind == "float":
            return "FP8"
        if bits == 8:
            return "INT8"
        if bits == 4 and kind == "int":
            return "GPTQ-4BIT"  # W4A16 pack-quantized: the same 4-bit groups as GPTQ
    return None


def _from_quantization_config(qc: Mapping[str, Any]) -> str | None:
    method = str(qc.get("quant_method", "")).lower()
    bits = _bits(qc.get("bits"))
    if method in ("gptq", "awq") and bits:
        return f"{method.upper()}-{bits}BIT"
    if method in ("fp8", "fbgemm_fp8"):
        return "FP8"
    if method == "bitsandbytes":
        return "NF4" if qc.get("load_in_4bit") or qc.get("_load_in_4bit") else "INT8"
    if method == "mxfp4":
        return "MXFP4"
    if method in ("exl2", "exl3") and qc.get("bits"):
        return f"{method.upper()}-{float(qc['bits']):g}BPW"
    if method == "compressed-tensors":
        return _compressed_tensors(qc)
    if not method and bits in (4, 8) and "group_size" in qc:
        return f"MLX-{bits}BIT"  # mlx-lm writes its "quantization" block here too
    return None


def hf_quant_label(config: Mapping[str, Any]) -> str:
    """The checkpoint's quantization label (BF16, FP16, FP8, GPTQ-4BIT, NF4, MLX-4BIT, ...).

    An FP8 checkpoint that declares nothing is recognised from its tensor dtypes when the
    safetensors headers are read (runlocal.safetensors)."""
    for key in ("quantization_config", "quantization"):
        qc = config.get(key)
        if isinstance(qc, Mapping):
            label = _from_quantization_config(qc)
            if label is not None:
                return label
    dtype = str(config.get("torch_dtype") or config.get("dtype") or "bfloat16")
    return "FP16" if "float16" in dtype and "b" not in dtype else "BF16"
