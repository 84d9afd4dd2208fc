"""The bounds of a check's numbers and the words for a value outside them.

One table for every surface: the CLI (through runlocal.query.validate and
hardware.explicit_device), the API's schemas and the pages' forms read it, so the three refuse
the same value in the same sentence. The CLI prints it after the flag (`--ram-gb -1 is out of
range (above 0, up to 65536)`), the API after the field (`ram_gb: -1 is out of range (above 0,
up to 65536)`), a page under the box (`-1 is out of range (above 0, up to 65536)`). An open
bound is written in words: "0 is out of range (0–65536)" read as a contradiction."""

from __future__ import annotations

import math

MAX_CONTEXT = 10_000_000
MAX_BATCH = 4096


class Bound:
    """lo ≤ value ≤ hi, or lo < value when ``lo_open``; ``text`` is the range as printed. (A
    plain class: a dataclass costs every cold start of the CLI its generated methods.)"""

    __slots__ = ("hi", "lo", "lo_open", "text")

    def __init__(self, lo: float, hi: float, lo_open: bool, text: str) -> None:
        self.lo, self.hi, self.lo_open, self.text = lo, hi, lo_open, text

    def holds(self, value: float) -> bool:
        # No float() here: a whole number of hundreds of digits, typed in a box, overflows it.
        if isinstance(value, float) and not math.isfinite(value):
            return False
        return (self.lo < value if self.lo_open else self.lo <= value) and value <= self.hi


# Keyed by the API's field names (the CLI's flags with dashes as underscores).
# Memory and rates of a described device: at least 1 MiB, 1 MB/s and 1 GFLOPS keep byte counts
# and rates off zero (a device of 0 bytes cannot hold a layer; hardware.explicit_device).
BOUNDS: dict[str, Bound] = {
    "context": Bound(1, MAX_CONTEXT, False, f"1–{MAX_CONTEXT:,}"),
    "batch": Bound(1, MAX_BATCH, False, f"1–{MAX_BATCH}"),
    "ram_gb": Bound(0, 65536, True, "above 0, up to 65536"),
    "gpu_memory_gb": Bound(0, 65536, True, "above 0, up to 65536"),
    "gpu_memory_utilization": Bound(0.05, 1, False, "0.05–1"),
    "vram_gb": Bound(0.001, 4096, False, "0.001–4096"),
    "bandwidth_gb_s": Bound(0.001, 50_000, False, "0.001–50000"),
    "tflops": Bound(0.001, 100_000, False, "0.001–100000"),
}


def shown(value: float) -> str:
    """A number as the messages quote it: whole numbers in full (up to 30 digits; past that,
    how many, as str() refuses past 4,300), others as %g."""
    if isinstance(value, int):
        if abs(value) < 10**30:
            return str(value)
        return f"a {int(abs(value).bit_length() * math.log10(2)) + 1}-digit number"
    return f"{value:g}"


def between(lo: float | None, hi: float | None, lo_open: bool = False) -> Bound:
    """Bounds from a form field's minimum and maximum (either may be missing)."""
    low = -math.inf if lo is None else lo
    high = math.inf if hi is None else hi
    above = "above" if lo_open else "at least"
    if lo is not None and hi is not None:
        text = f"above {shown(lo)}, up to {shown(hi)}" if lo_open else f"{shown(lo)}–{shown(hi)}"
    elif lo is not None:
        text = f"{above} {shown(lo)}"
    elif hi is not None:
        text = f"at most {shown(hi)}"
    else:
        text = "a finite number"
    return Bound(low, high, lo_open, text)


def outside(value: float, bound: Bound) -> str | None:
    """The sentence refusing ``value`` (without the field's name), or None if it is within
    ``bound`` and finite."""
    if bound.holds(value):
        return None
    return f"{shown(value)} is out of range ({bound.text})"


def out_of_range(field: str, value: float) -> str | None:
    """The sentence refusing ``value`` for ``field`` (a key of BOUNDS), or None."""
    return outside(value, BOUNDS[field])


def not_a_number(text: str, whole: bool = False) -> str:
    """The sentence refusing text that does not read as a number."""
    return f"{text[:40]!r} is not a {'whole ' if whole else ''}number"


def flag(field: str) -> str:
    """The CLI's flag for an API field name."""
    return "--" + field.replace("_", "-")


# --- names ---------------------------------------------------------------------------------

# The longest model or hardware name read (runlocal.resolve): longer text is no name people
# type, and each is resolved with its fuzzy matches, whose cost grows with the length.
MAX_NAME = 300
# An empty model box or argument, and an empty hardware box with no device described by its
# numbers, on every surface (the page shows it under the box; the API and the CLI after the
# field's name).
MODEL_REQUIRED = "Name a model, for example “Llama 3.1 8B”."
HARDWARE_REQUIRED = (
    "Name at least one GPU, Mac or CPU, or give the memory and bandwidth of your own."
)

# A device described by its numbers needs both memory and bandwidth; TFLOPS only add to them.
# The CLI names the flag (`--bandwidth-gb-s: Give …`), the API the field, the page the box.
BANDWIDTH_TOO = "Give the bandwidth too: memory alone sets no speed."
MEMORY_TOO = "Give the memory too: bandwidth alone sets no budget."
TFLOPS_ALONE = "TFLOPS describe a custom GPU: give its memory and bandwidth."


# The longest quantization, runtime (with its @release) and KV cache type read: each is a
# short name ("Q4_K_M", "llama.cpp@b10600", "q8_0"). The page's boxes, the API's fields and
# the CLI's flags refuse longer text in these words, before any name is looked up (the page
# and the API once said so in Django's and pydantic's words, and the CLI echoed it whole).
MAX_SETTING = {"quant": 40, "runtime": 40, "kv_type": 20}
_SETTING_NAMES = {"quant": "quantization", "runtime": "runtime", "kv_type": "KV cache type"}


def setting_too_long(field: str) -> str:
    """The sentence refusing a ``field`` of MAX_SETTING past its length."""
    return f"{_SETTING_NAMES[field]} is too long ({MAX_SETTING[field]} characters at most)"


def too_long(kind: str) -> str:
    """The sentence refusing a ``kind`` ("model", "hardware") name past MAX_NAME."""
    return f"{kind} name is too long ({MAX_NAME} characters at most)"


def name_problem(kind: str, text: str) -> str | None:
    """Why ``text`` is no ``kind`` name to look up (a NUL, past MAX_NAME), or None."""
    if "\x00" in text:
        return f"{kind} name contains a NUL character"
    if len(text) > MAX_NAME:
        return too_long(kind)
    return None
