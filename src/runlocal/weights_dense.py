"""The non-GGUF weight formats (safetensors for vLLM/transformers, MLX, EXL2/EXL3): bits per
weight of the linear layers and of the embeddings and head, and the names they are written as."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .errors import InputError


@dataclass(frozen=True)
class DenseScheme:
    """A non-GGUF format: bits per weight of the linear layers, and how embeddings are kept."""

    label: str
    linear_bits: Fraction
    embed_bits: Fraction
    head_bits: Fraction
    family: str  # "hf" (safetensors for vLLM/transformers), "mlx", "exl2", "exl3"
    note: str
    # Mixed files (MLX "MXFP4-Q8"): the MLP weights (routed experts in a MoE, the FFN of a
    # dense model) at these bits, the rest of the linear layers at linear_bits.
    mlp_bits: Fraction | None = None
    # Files that keep the first and the last block's MLP at these bits (Meta's FP8 recipe).
    end_blocks_mlp_bits: Fraction | None = None


def _f(x: float | int | str) -> Fraction:
    return Fraction(str(x))


def _mlx_affine(bits: int) -> DenseScheme:
    """MLX's affine quantization at ``bits``: a bf16 scale and bias per 64 weights, embeddings
    and head included."""
    per_weight = bits + Fraction(32, 64)
    return DenseScheme(f"MLX-{bits}BIT", per_weight, per_weight, per_weight, "mlx", "group 64")


# GPTQ/AWQ 4-bit, group 128: 4 bits + an f16 scale and a packed 4-bit zero per 128 weights.
# MLX affine, group 64: a scale and a bias in bf16 per 64 weights (mlx.core.quantize docs).
# MLX's microscaling modes (mlx.core.quantize, mode="mxfp4"/"nvfp4"): FP4 E2M1 with an E8M0
# scale per 32 (4.25 bits) or an FP8 E4M3 scale per 16 (4.5 bits). NVIDIA NVFP4 checkpoints
# (ModelOpt, compressed-tensors): FP4 E2M1, an FP8 E4M3 scale per 16 weights and one FP32 scale
# per tensor (negligible), 4.5 bits; lm_head and embeddings stay BF16 in ModelOpt exports.
# bitsandbytes NF4: 4 bits + an fp32 absmax per 64 weights, itself quantized to 8 bits with
# double quantization (QLoRA paper, §2): 4 + 8/64 + 32/(64·256) bits.
DENSE_SCHEMES: dict[str, DenseScheme] = {
    s.label: s
    for s in (
        DenseScheme("BF16", _f(16), _f(16), _f(16), "hf", "unquantized"),
        DenseScheme("FP16", _f(16), _f(16), _f(16), "hf", "unquantized"),
        DenseScheme("FP8", _f(8), _f(16), _f(16), "hf", "8-bit float weights, per-tensor scales"),
        # Meta's own FP8 checkpoints (Llama 3.1 405B Instruct FP8, Llama 4's FP8): FP8 with a
        # float32 scale per row (fbgemm rowwise, negligible) only for the feed-forward weights
        # of the blocks between the first and the last, the routed experts in a MoE; attention,
        # the first and last blocks, embeddings and head stay BF16 (llama-models'
        # quantization/loader.py: "skip quantization on first and last layers", w1/w2/w3 of
        # feed_forward only; the Llama 3 paper, section 6.2: self-attention is not quantized).
        DenseScheme(
            "FP8-FFN",
            _f(16),
            _f(16),
            _f(16),
            "hf",
            "FP8 feed-forward weights (rowwise), attention, first and last blocks BF16",
            mlp_bits=_f(8),
            end_blocks_mlp_bits=_f(16),
        ),
        DenseScheme("GPTQ-4BIT", 4 + Fraction(16 + 4, 128), _f(16), _f(16), "hf", "group 128"),
        DenseScheme("GPTQ-8BIT", 8 + Fraction(16 + 8, 128), _f(16), _f(16), "hf", "group 128"),
        DenseScheme("AWQ-4BIT", 4 + Fraction(16 + 4, 128), _f(16), _f(16), "hf", "group 128"),
        DenseScheme(
            "NF4",
            4 + Fraction(8, 64) + Fraction(32, 64 * 256),
            _f(16),
            _f(16),
            "hf",
            "bitsandbytes 4-bit NormalFloat, double quantization",
        ),
        DenseScheme("INT8", 8 + Fraction(32, 4096), _f(16), _f(16), "hf", "bitsandbytes LLM.int8"),
        _mlx_affine(4),
        _mlx_affine(8),
        DenseScheme("MLX-BF16", _f(16), _f(16), _f(16), "mlx", "unquantized"),
        *(_mlx_affine(b) for b in (2, 3, 5, 6)),
        DenseScheme(
            "MLX-MXFP4",
            4 + Fraction(8, 32),
            4 + Fraction(8, 32),
            4 + Fraction(8, 32),
            "mlx",
            "MXFP4: FP4 E2M1, E8M0 scale per 32",
        ),
        DenseScheme(
            "MLX-MXFP4-Q8",
            8 + Fraction(32, 64),
            8 + Fraction(32, 64),
            8 + Fraction(32, 64),
            "mlx",
            "MXFP4 MLP/experts, 8-bit affine (group 64) attention, embeddings and head",
            mlp_bits=4 + Fraction(8, 32),
        ),
        DenseScheme(
            "MLX-NVFP4",
            4 + Fraction(8, 16),
            4 + Fraction(8, 16),
            4 + Fraction(8, 16),
            "mlx",
            "NVFP4: FP4 E2M1, FP8 E4M3 scale per 16",
        ),
        DenseScheme(
            "NVFP4",
            4 + Fraction(8, 16),
            _f(16),
            _f(16),
            "hf",
            "FP4 E2M1, FP8 E4M3 scale per 16, FP32 per tensor; embeddings and head BF16",
        ),
    )
}
_DENSE_ALIASES = {
    "F16": "FP16",
    "GPTQ": "GPTQ-4BIT",
    "AWQ": "AWQ-4BIT",
    "GPTQ-INT4": "GPTQ-4BIT",
    "AWQ-INT4": "AWQ-4BIT",
    "BNB-NF4": "NF4",
    "BNB-4BIT": "NF4",
    "BNB-INT8": "INT8",
    "BNB-8BIT": "INT8",
    "MLX-4": "MLX-4BIT",
    "MLX-8": "MLX-8BIT",
    "MLX4": "MLX-4BIT",
    "MLX8": "MLX-8BIT",
    "4BIT": "MLX-4BIT",
    "8BIT": "MLX-8BIT",
    "FP8-E4M3": "FP8",
    "FP8-DYNAMIC": "FP8",
    "FP8-BLOCK": "FP8",
    "MLX-2": "MLX-2BIT",
    "MLX-3": "MLX-3BIT",
    "MLX-5": "MLX-5BIT",
    "MLX-6": "MLX-6BIT",
    "2BIT": "MLX-2BIT",
    "3BIT": "MLX-3BIT",
    "5BIT": "MLX-5BIT",
    "6BIT": "MLX-6BIT",
    "MXFP4-Q8": "MLX-MXFP4-Q8",
    "MLX-MXFP4-Q8": "MLX-MXFP4-Q8",
    "NVFP4-MLX": "MLX-NVFP4",
    "MXFP4-MLX": "MLX-MXFP4",
    "MODELOPT-FP4": "NVFP4",
    "NVFP4A16": "NVFP4",
    "FP4": "NVFP4",
}
# As text, as the EXL3 pattern: compiled when an ExLlama name is first read.
_EXL2 = r"^EXL2[-_: ]?(\d+(?:\.\d+)?)(?:BPW)?$"
# EXL3 names: "EXL3-4.0bpw", "exl3 4bpw", "4.0bpw-exl3", and the branch names of EXL3 repos,
# "4.0bpw" or "4.0bpw_H6" (H = head bits). A bare "<n>bpw" is EXL3, today's ExLlama format.
_EXL3 = (
    r"^(?:EXL3[-_: ]?(?P<a>\d+(?:\.\d+)?)(?:BPW)?"
    r"|(?P<b>\d+(?:\.\d+)?)BPW(?:[-_]EXL3)?)(?:[-_]?H(?P<h>\d))?$"
)
# ExLlamaV3's convert.py: head_bits defaults to 6; embeddings stay FP16.
EXL3_DEFAULT_HEAD_BITS = 6


def _exl3_scheme(quant: str) -> DenseScheme:
    m = re.match(r"^EXL3-([\d.]+)BPW(?:-H(\d))?$", quant)
    if m is None:
        raise InputError(f"not an EXL3 quantization: {quant!r}")
    head = int(m.group(2) or EXL3_DEFAULT_HEAD_BITS)
    # EXL3 (QTIP trellis codes) stores every linear layer at exactly its bits per weight, plus
    # FP16 sign/scale vectors per input and output channel (ExLlamaV3 doc/exl3.md).
    return DenseScheme(quant, Fraction(m.group(1)), _f(16), _f(head), "exl3", "")
