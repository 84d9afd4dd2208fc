"""Quantization names runlocal reads but cannot size from the name alone: it refuses them in
one line rather than answer with a wrong size."""

from __future__ import annotations

import re

from .errors import InputError
from .quant import ALL_GGML_TYPES

__all__ = ["UnsizedQuantError", "refuse_unsized"]


class UnsizedQuantError(InputError):
    """A quantization name that states no size runlocal can trust."""


# llama.cpp's ternary types (PR ggml-org/llama.cpp#8151; ggml.c's type_traits: TQ1_0 is 54
# bytes per 256 weights, 1.6875 bits; TQ2_0 66 bytes, 2.0625 bits; both in quant.py's table,
# so a file's header sizes them). The name of a file does not say what it holds: the types'
# author notes that Unsloth's DeepSeek "UD-TQ1_0" files "did not actually use that type"
# (compilade, r/LocalLLaMA 1la1v4d), and llama-quantize's TQ mixes keep other tensors in
# other types. Sized as all-ternary they would come out far too small, so the name alone is
# refused, and the file (whose header states each tensor's type) is asked for.
_TERNARY = ("TQ1_0", "TQ2_0")


def refuse_unsized(name: str) -> None:
    """Raise UnsizedQuantError for a name (upper case, as normalize_quant has it) stating a
    ternary type, with or without Unsloth's "UD-" or a "MIX-" prefix."""
    bare = re.sub(r"^(?:UD|MIX)[-_]", "", name.replace("-", "_"))
    if bare not in _TERNARY:
        return
    bits = float(ALL_GGML_TYPES[bare].bits_per_weight)
    raise UnsizedQuantError(
        f"{name} cannot be sized from its name: {bare} is llama.cpp's ternary type "
        f"({bits:.2f} bits per weight), but files named so keep most tensors in types the "
        "name does not state; give the downloaded .gguf file, whose header "
        "states each tensor's type"
    )
