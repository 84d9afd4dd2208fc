"""Detected devices matched to the catalog's hardware entries by name, memory and bandwidth."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ..catalog import Catalog, Entry, normalize
from ..units import GIB
from .found import Machine

# Vendor and filler words drivers add to names ("NVIDIA GeForce", "(R)", "Processor").
_NOISE = frozenset(
    (
        "nvidia", "geforce", "amd", "ati", "radeon", "intel", "apple", "tesla", "corporation",
        "generation", "gpu", "graphics", "instinct", "r", "tm", "c", "processor", "cpu",
        "edition",
    )
)  # fmt: skip
_SOFT_RE = re.compile(r"^(\d+gb|hbm\d?e?|gddr\d+x?|sxm\d?|pcie|nvl|oam|hgx|mxm)$")


def _tokens(text: str) -> list[str]:
    text = re.sub(r"\((r|tm|c)\)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"(\d+)\s*gb\b", r"\1gb", text, flags=re.IGNORECASE)
    return normalize(text).split()


def _split(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(hard tokens that must agree exactly, soft tokens: memory size, type, form factor)."""
    hard: set[str] = set()
    soft: set[str] = set()
    for tok in _tokens(text):
        if tok in _NOISE:
            continue
        (soft if _SOFT_RE.match(tok) else hard).add(tok)
    return frozenset(hard), frozenset(soft)


@lru_cache(maxsize=8)
def _hardware_keys(
    catalog: Catalog,
) -> list[tuple[Entry, str, frozenset[str], frozenset[str], bool]]:
    """(entry, normalized key, hard tokens, soft tokens, is the full name) for every
    id, name and alias of every hardware entry."""
    rows = []
    for entry in catalog.hardware.values():
        for i, key in enumerate((entry.id, entry.name, *entry.aliases)):
            hard, soft = _split(key)
            if hard:
                rows.append((entry, normalize(key), hard, soft, i == 1))
    return rows


def _memory_ok(entry: Entry, memory_bytes: int | None) -> bool:
    """The detected memory is one the entry comes with (NVML reports ECC-reserved and
    rounded sizes: a T4 shows 15 GiB, an H100 79.6 GiB)."""
    if memory_bytes is None:
        return True
    gib = memory_bytes / GIB
    sizes = [float(x) for x in entry.get("memory_configs_gib") or [entry.get("memory_gib") or 0]]
    return any(s > 0 and 0.86 <= gib / s <= 1.04 for s in sizes)


def match_hardware(
    catalog: Catalog,
    names: Sequence[str],
    *,
    kinds: Iterable[str],
    vendor: str | None = None,
    memory_bytes: int | None = None,
    bandwidth: float | None = None,
) -> Entry | None:
    """The catalog entry for a detected device, or None when no entry is certain.

    Names as drivers print them ("NVIDIA A100-SXM4-80GB", "NVIDIA H100 80GB HBM3",
    "AMD Ryzen 9 7950X 16-Core Processor") are reduced to tokens without vendor words; the
    model tokens must equal an alias's exactly (so an RTX 4060 never becomes a 4060 Ti),
    while memory sizes, memory types and form factors (SXM4, PCIe, NVL) only rank the
    candidates, with the detected memory size and bandwidth.
    """
    kinds = set(kinds)
    best: tuple[tuple[float, ...], Entry] | None = None
    exact_keys = {normalize(n) for n in names}
    for name in names:
        q_hard, q_soft = _split(name)
        if not q_hard:
            continue
        for entry, key, hard, soft, _full in _hardware_keys(catalog):
            if hard != q_hard or entry.get("kind", "gpu") not in kinds:
                continue
            if vendor and entry.get("vendor") not in (None, vendor):
                continue
            if not _memory_ok(entry, memory_bytes):
                continue
            listed = float(entry.get("bandwidth_gb_s") or 0)
            score = (
                float(len(q_soft - soft)),
                0.0 if key in exact_keys else 1.0,
                abs(math.log(bandwidth / listed)) if bandwidth and listed else 0.0,
                abs(math.log(memory_bytes / (float(entry.get("memory_gib") or 1) * GIB)))
                if memory_bytes
                else 0.0,
            )
            if best is None or score < best[0]:
                best = (score, entry)
    return best[1] if best is not None else None


def _alternatives(name: str) -> list[str]:
    """'Navi 31 [Radeon RX 7900 XT/7900 XTX]' → the bracketed names, each complete."""
    out = [name]
    m = re.search(r"\[(.+?)\]", name)
    if m:
        parts = [p.strip() for p in m.group(1).split("/") if p.strip()]
        if parts:
            head = parts[0]
            prefix = re.split(r"\s(?=\S*\d)", head, maxsplit=1)[0] if " " in head else ""
            out.append(head)
            for p in parts[1:]:
                out.append(p if not prefix or p.startswith(prefix) else f"{prefix} {p}")
    return out


_CPU_NOISE_RE = re.compile(
    r"(\d+-core processor|\d+-cores?|processor|cpu @ [\d.]+\s*ghz|@ [\d.]+\s*ghz|"
    r"\d+(st|nd|rd|th) gen|w/ .*|with radeon.*)",
    re.IGNORECASE,
)


def match_machine(machine: Machine, catalog: Catalog) -> None:
    """Fill catalog_id / confidence of every detected device."""
    for gpu in machine.gpus:
        if gpu.integrated:
            continue
        entry = match_hardware(
            catalog,
            _alternatives(gpu.name),
            kinds=("gpu", "unified"),
            vendor=gpu.vendor,
            memory_bytes=gpu.memory_total_bytes,
            bandwidth=gpu.bandwidth_gb_s,
        )
        if entry is not None:
            gpu.catalog_id, gpu.catalog_name, gpu.confidence = entry.id, entry.name, "matched"
    apple = machine.apple
    if apple is not None:
        chip = apple.chip
        names = [f"{chip} ({apple.gpu_cores}-core GPU)"] if apple.gpu_cores else [chip]
        entry = match_hardware(
            catalog,
            names,
            kinds=("unified",),
            vendor="Apple",
            memory_bytes=apple.unified_memory_bytes,
        )
        if entry is None and apple.gpu_cores:
            entry = match_hardware(catalog, [chip], kinds=("unified",), vendor="Apple")
        if entry is not None:
            apple.catalog_id, apple.catalog_name, apple.confidence = entry.id, entry.name, "matched"
    cpu = machine.cpu
    cleaned = _CPU_NOISE_RE.sub(" ", cpu.model)
    entry = match_hardware(catalog, [cleaned], kinds=("cpu", "unified"))
    if entry is not None and entry.get("vendor") != "Apple":
        cpu.catalog_id, cpu.catalog_name, cpu.confidence = entry.id, entry.name, "matched"
        cpu.catalog_kind = str(entry.get("kind", "cpu"))
