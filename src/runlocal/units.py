"""Unit constants. Names carry units; GB (10^9) and GiB (2^30) never mix silently."""

from __future__ import annotations

import math
import unicodedata

KIB = 1024
MIB = 1024**2
GIB = 1024**3
GB = 10**9
TB = 10**12


def gib_to_bytes(gib: float) -> int:
    return round(gib * GIB)


def gb_to_bytes(gb: float) -> int:
    return round(gb * GB)


def bytes_to_gib(n_bytes: float) -> float:
    return n_bytes / GIB


def bytes_to_gb(n_bytes: float) -> float:
    return n_bytes / GB


_TOKEN_MULTIPLIERS = {"": 1, "k": 1024, "m": 1024**2}


def number_text(text: str) -> str:
    """A number as typed, in the ASCII every parser reads: NFKC folds full-width forms
    ("１２", "１２．５", "３２ｋ") to their ASCII twins, and any other Unicode decimal digit
    ("١٢") becomes its ASCII digit. Python's int() and float() (so Django's form fields and
    argparse) already took Unicode digits while pydantic (the API) refused them: every surface
    reads numbers through this one function, so the same text gets the same number."""
    text = unicodedata.normalize("NFKC", text).strip()
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def parse_tokens(value: str | int) -> int:
    """A token count as people type it: 8192, "8,192", "32k" or "128K" (k = 1024, as model
    cards and runtimes mean it: 32k = 32,768), "1.5k", "1M". Raises InputError otherwise;
    the caller bounds the range."""
    from .errors import InputError

    if isinstance(value, bool):
        raise InputError(f"{value!r} is not a number of tokens")
    if isinstance(value, int):
        return value
    text = number_text(str(value)).lower().replace(",", "").replace("_", "").replace(" ", "")
    suffix = text[-1:] if text[-1:] in ("k", "m") else ""
    number = text[: len(text) - len(suffix)]
    try:
        amount = float(number) if "." in number else int(number)
    except ValueError:
        raise InputError(
            f"{str(value)[:40]!r} is not a number of tokens (write 8192, 32k or 128k)"
        ) from None
    tokens = amount * _TOKEN_MULTIPLIERS[suffix]
    if isinstance(tokens, int):  # exact, however large: the caller bounds the range
        return tokens
    if not math.isfinite(tokens) or tokens != int(tokens):
        raise InputError(f"{str(value)[:40]!r} is not a whole number of tokens")
    return int(tokens)
