"""Unit constants. Names carry units; GB (10^9) and GiB (2^30) never mix silently."""

from __future__ import annotations

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
