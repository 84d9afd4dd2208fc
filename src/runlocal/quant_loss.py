"""What a quantization costs a model's quality: llama.cpp's perplexity tables (the catalog's
`quants/` files) read as ln(PPL / PPL_F16), the measurement nearest a model picked by family,
generation and size, and the loss scaled to the model's size by the exponent the same tables
show between sizes of one family (docs/methodology.md, "Quality", step 2). `quality` turns
the loss into quality points.

Standard library only.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import fmean, median
from typing import Any

from .catalog import CATALOG_DIR, Catalog, Entry, load_catalog
from .frozen import interpreted


def finite_number(value: Any) -> float | None:
    """A TOML value as a float; None for a boolean, a string or a non-finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


REFERENCE_MODEL = "LLaMA 3 8B"  # the reference of llama.cpp's current KLD tables
# Buckets of ln(PPL/PPL_F16) at the model's size: Q4_K_M and above are "small" on LLaMA 3 8B,
# Q3_K_M/Q3_K_L/Q4_0 "moderate", Q3_K_S/IQ2_M/Q2_K "large".
LOSS_BUCKETS = ((0.005, "negligible"), (0.05, "small"), (0.15, "moderate"))
UNQUANTIZED = {"F32", "F16", "BF16", "FP16", "MLX-BF16"}
# Formats without a llama.cpp table, read as the GGUF type of about the same bits per weight.
LIKE_GGUF = {
    "FP8": "Q8_0",
    "INT8": "Q8_0",
    "MLX-8BIT": "Q8_0",
    "EXL2-8BPW": "Q8_0",
    "EXL2-6BPW": "Q6_K",
    "EXL2-5BPW": "Q5_K_M",
    "AWQ-4BIT": "Q4_K_M",
    "NF4": "Q4_K_M",
    "MLX-4BIT": "Q4_K_M",
    "EXL2-4BPW": "Q4_K_M",
    "EXL2-3BPW": "Q3_K_M",
}
# Fallbacks when the quant tables lack two sizes of one family (the shipped tables give
# 0.144 nats per doubling and a size exponent of about 0.23).
DEFAULT_NATS_PER_DOUBLING = 0.144
DEFAULT_SIZE_EXPONENT = 0.23


@interpreted
@dataclass(frozen=True)
class QuantTable:
    """A quantization's published measurements of quality lost (perplexity, KL divergence
    against the F16 model), per reference model."""

    quant: str
    bits_per_weight: float | None
    measurements: tuple[Mapping[str, Any], ...]

    @functools.cached_property
    def plain_rows(self) -> tuple[tuple[Mapping[str, Any], float, float, str, str], ...]:
        """(measurement, model size in B, ln(PPL/PPL_F16), family, generation) of each plain
        (no importance matrix) perplexity measurement, read once per table."""
        rows = []
        for m in self.measurements:
            loss = _ln_ratio(m)
            fs = _family_size(str(m.get("model") or ""))
            if loss is None or fs is None or m.get("imatrix") not in (None, "none"):
                continue
            fam, gen = _lineage(str(m.get("model")))
            rows.append((m, fs[1], loss, fam, gen))
        return tuple(rows)

    def reference(self) -> Mapping[str, Any] | None:
        """The LLaMA 3 8B row without an importance matrix (the table's plain quantization),
        else any LLaMA 3 8B row."""
        rows = [m for m in self.measurements if m.get("model") == REFERENCE_MODEL]
        plain = [m for m in rows if m.get("imatrix") in (None, "none")]
        found = plain or rows
        return found[0] if found else None


def _ln_ratio(m: Mapping[str, Any]) -> float | None:
    ppl, f16 = finite_number(m.get("ppl")), finite_number(m.get("ppl_f16"))
    if ppl is None or f16 is None or ppl <= 0 or f16 <= 0:
        return None
    return max(0.0, math.log(ppl / f16))


_SIZE = re.compile(r"\b(\d+(?:\.\d+)?)B\b")


def _family_size(model: str) -> tuple[str, float] | None:
    """'LLaMA 2 70B' → ('LLaMA 2', 70.0)."""
    m = _SIZE.search(model)
    if not m:
        return None
    return " ".join(_SIZE.sub(" ", model).split()), float(m.group(1))


def quant_tables(catalog: Catalog) -> dict[str, QuantTable]:
    """The catalog's `quants/` tables by quantization name; a catalog without any (a test
    catalog, a fork) uses the shipped ones."""
    entries = catalog.quants or _shipped().quants
    out: dict[str, QuantTable] = {}
    for e in entries.values():
        quant = str(e.get("quant") or "").upper()
        rows = e.get("measurements") or []
        if quant:
            out[quant] = QuantTable(
                quant,
                finite_number(e.get("bits_per_weight")),
                tuple(m for m in rows if isinstance(m, Mapping)),
            )
    return out


@functools.cache
def _shipped() -> Catalog:
    return load_catalog(CATALOG_DIR)


def size_scaling(tables: Mapping[str, QuantTable]) -> tuple[float, float]:
    """(nats of F16 perplexity per doubling of parameters, exponent by which a quantization's
    loss shrinks with size), both as medians over the families the tables measure at two
    sizes; the defaults when they measure none."""
    f16: dict[tuple[str, float], float] = {}
    losses: dict[tuple[str, str, float], list[float]] = {}
    for t in tables.values():
        for m in t.measurements:
            fs = _family_size(str(m.get("model") or ""))
            ref, loss = finite_number(m.get("ppl_f16")), _ln_ratio(m)
            if fs is None or ref is None:
                continue
            f16.setdefault(fs, math.log(ref))
            if loss and m.get("imatrix") in (None, "none"):
                losses.setdefault((t.quant, fs[0], fs[1]), []).append(loss)
    per_doubling: list[float] = []
    for (fam, small), ln_small in f16.items():
        for (fam2, big), ln_big in f16.items():
            if fam2 == fam and big > small:
                per_doubling.append((ln_small - ln_big) / math.log2(big / small))
    exponents: list[float] = []
    for (quant, fam, small), ls in losses.items():
        for (quant2, fam2, big), lb in losses.items():
            if quant2 == quant and fam2 == fam and big > small:
                exponents.append(-math.log(fmean(lb) / fmean(ls)) / math.log(big / small))
    nats = median(per_doubling) if per_doubling else DEFAULT_NATS_PER_DOUBLING
    alpha = median(exponents) if exponents else DEFAULT_SIZE_EXPONENT
    return (nats if nats > 0 else DEFAULT_NATS_PER_DOUBLING), min(1.0, max(0.0, alpha))


@dataclass(frozen=True)
class QuantLoss:
    """What a quantization costs one model's quality, with the numbers it rests on."""

    quant: str
    nats: float | None  # ln(PPL/PPL_F16) expected at this model's size; None: unknown
    bucket: str  # none | negligible | small | moderate | large | unknown
    note: str  # the cited numbers, one clause

    @property
    def rank(self) -> int:
        """0 for at most a small loss, 1 moderate, 2 large or unknown: a tier for sorting."""
        return {"none": 0, "negligible": 0, "small": 0, "moderate": 1}.get(self.bucket, 2)


def loss_bucket(nats: float) -> str:
    for limit, name in LOSS_BUCKETS:
        if nats <= limit:
            return name
    return "large"


@functools.lru_cache(maxsize=4096)  # Entry hashes by identity
def is_native(entry: Entry | None, quant: str) -> bool:
    """True when ``quant`` is the format the model ships in (its `native_quant`)."""
    from .errors import InputError
    from .weights import normalize_quant

    native = entry.get("native_quant") if entry is not None else None
    if not isinstance(native, str) or not native:
        return False
    try:
        return normalize_quant(native) == normalize_quant(quant)
    except InputError:
        return native.upper() == quant.upper()


def _lineage(text: str) -> tuple[str, str]:
    """(family, generation) of a model name as the tables write it: 'LLaMA 3 8B' →
    ('llama', '3'), 'LLaMA 7B (v1)' → ('llama', '1'), 'Llama 3.3 70B' → ('llama', '3')."""
    words = _SIZE.sub(" ", text).replace("-", " ").split()
    if not words:
        return "", ""
    rest = " ".join(words[1:])
    gen = re.search(r"\bv?(\d+)", rest)
    return words[0].lower(), gen.group(1) if gen else ""


def _model_generation(family: str, model_name: str) -> str:
    """The generation a catalog name gives its family: 'Llama 3.1 8B' of llama → '3'."""
    m = re.search(rf"\b{re.escape(family)}[\s_-]*v?(\d+)", model_name, re.I)
    return m.group(1) if m else ""


def nearest_measurement(
    table: QuantTable,
    params_b: float,
    family: str | None,
    model_name: str | None,
    size_exponent: float,
) -> tuple[Mapping[str, Any], float, float, str] | None:
    """(measurement, its size in B, loss in nats scaled to params_b, how it relates to the
    model) for the plain (no importance matrix) perplexity measurement nearest the model:
    same family first, then same generation, then nearest size. With none of its family, the
    one whose scaled loss is largest, an upper estimate. None when the table measures none."""
    rows = [
        (m, size, loss * (params_b / size) ** -size_exponent, fam, gen)
        for m, size, loss, fam, gen in table.plain_rows
    ]
    if not rows:
        return None
    fam = (family or "").lower()
    kin = [r for r in rows if fam and r[3] == fam]
    if kin:
        gen = _model_generation(fam, model_name or "")
        best = min(kin, key=lambda r: (r[4] != gen, abs(math.log(params_b / r[1]))))
        same = "same family and generation" if gen and best[4] == gen else "same family"
        return best[0], best[1], best[2], same
    best = max(rows, key=lambda r: r[2])
    who = f"no measurement of {fam} models" if fam else "no measurement of this model's family"
    return best[0], best[1], best[2], f"{who}; the most sensitive measured, an upper estimate"


@functools.cache
def _shipped_tables() -> dict[str, QuantTable]:
    return quant_tables(_shipped())


def quant_rank(quant: str) -> int:
    """0 when a quantization loses little (Q4_K_M and above), 1 moderately (Q3_K_M), 2 much
    (Q2_K) or unknown: from the shipped tables' LLaMA 3 8B row."""
    name = quant.upper()
    if name in UNQUANTIZED or name == "MXFP4":
        return 0
    table = _shipped_tables().get(LIKE_GGUF.get(name, name))
    ref = table.reference() if table is not None else None
    loss = _ln_ratio(ref) if ref is not None else None
    return 2 if loss is None else QuantLoss(quant, loss, loss_bucket(loss), "").rank
