"""Unit constants. Names carry units; GB (10^9) and GiB (2^30) never mix silently."""

from __future__ import annotations

import math

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


def parse_tokens(value: str | int) -> int:
    """A token count as people type it: 8192, "8,192", "32k" or "128K" (k = 1024, as model
    cards and runtimes mean it: 32k = 32,768), "1.5k", "1M". Raises InputError otherwise;
    the caller bounds the range."""
    from .errors import InputError

    if isinstance(value, bool):
        raise InputError(f"{value!r} is not a number of tokens")
    if isinstance(value, int):
        return value
    text = str(value).strip().lower().replace(",", "").replace("_", "").replace(" ", "")
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
