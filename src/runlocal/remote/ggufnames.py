"""The quantization a GGUF file's name declares, and which file to read by default."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..gguf_header import split_name

# llama.cpp's quantization types from fewest to most bits per weight (the order of the
# table `llama-quantize --help` prints); a name not in it ranks by file size alone.
QUALITY_ORDER = (
    "IQ1_S",
    "IQ1_M",
    "TQ1_0",
    "IQ2_XXS",
    "IQ2_XS",
    "TQ2_0",
    "IQ2_S",
    "IQ2_M",
    "Q2_K_S",
    "Q2_K",
    "IQ3_XXS",
    "IQ3_XS",
    "IQ3_S",
    "Q3_K_S",
    "IQ3_M",
    "Q3_K_M",
    "Q3_K_L",
    "IQ4_XS",
    "IQ4_NL",
    "Q4_0",
    "MXFP4",
    "Q4_1",
    "Q4_K_S",
    "Q4_K_M",
    "Q5_0",
    "Q5_1",
    "Q5_K_S",
    "Q5_K_M",
    "Q6_K",
    "Q8_0",
    "BF16",
    "F16",
    "F32",
)
DEFAULT_QUANT = "Q4_K_M"
_ALIASES = {
    "Q4_K": "Q4_K_M",
    "Q5_K": "Q5_K_M",
    "Q3_K": "Q3_K_M",
    "FP16": "F16",
    "MXFP4_MOE": "MXFP4",
}
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])("
    + "|".join(sorted((*QUALITY_ORDER, *_ALIASES), key=len, reverse=True))
    + r")(?![A-Za-z0-9_])",
    re.IGNORECASE,
)


def quant_in_name(name: str) -> str | None:
    """The quantization a file name (or its folder) declares, e.g. Q4_K_M; None if none."""
    found = _TOKEN.findall(name)
    if not found:
        return None
    token = str(found[-1]).upper()
    return _ALIASES.get(token, token)


def normalize(quant: str) -> str:
    q = quant.strip().upper().replace("-", "_")
    return _ALIASES.get(q, q)


@dataclass(frozen=True)
class GGUFChoice:
    """One model file of a repo: all its shards, in order."""

    quant: str | None
    files: tuple[str, ...]
    size_bytes: int

    @property
    def first(self) -> str:
        return self.files[0]

    @property
    def label(self) -> str:
        return self.quant or self.first.rsplit("/", 1)[-1]


def group_files(sizes: dict[str, int | None]) -> list[GGUFChoice]:
    """The model files among a repo's .gguf files (projectors left out), shards grouped."""
    groups: dict[str, list[str]] = {}
    for name in sorted(sizes):
        base = name.rsplit("/", 1)[-1]
        if not base.lower().endswith(".gguf") or "mmproj" in base.lower():
            continue
        split = split_name(base)
        folder = name[: len(name) - len(base)]
        key = f"{folder}{split[0]}-of-{split[2]}" if split else name
        groups.setdefault(key, []).append(name)
    out = []
    for names in groups.values():
        names.sort()
        size = sum(sizes[n] or 0 for n in names)
        out.append(GGUFChoice(quant_in_name(names[0]), tuple(names), size))
    out.sort(key=lambda c: (c.size_bytes, c.first))
    return out


def _rank(c: GGUFChoice) -> int:
    return QUALITY_ORDER.index(c.quant) if c.quant in QUALITY_ORDER else -1


def choose(choices: Sequence[GGUFChoice], want: str | None) -> GGUFChoice | None:
    """The file named by ``want``; without one, Q4_K_M, else the smallest of higher quality,
    else the best of lower quality. None when ``want`` names no file."""
    if want is not None:
        w = normalize(want)
        named = [c for c in choices if c.quant == w or c.label.upper() == want.strip().upper()]
        return min(named, key=lambda c: c.size_bytes) if named else None
    if not choices:
        return None
    floor = QUALITY_ORDER.index(DEFAULT_QUANT)
    known = [c for c in choices if _rank(c) >= 0]
    if not known:
        return min(choices, key=lambda c: c.size_bytes)
    above = [c for c in known if _rank(c) >= floor]
    if above:
        return min(above, key=lambda c: (_rank(c), c.size_bytes))
    return max(known, key=lambda c: (_rank(c), -c.size_bytes))
