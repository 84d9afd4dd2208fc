"""A check's question and its answer's container: the query's fields and their limits, this
machine's devices for the CLI, and the result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .bounds import BOUNDS, MAX_SETTING, flag, outside, setting_too_long

# The limits live with their messages (runlocal.bounds); runlocal.engine re-exports them.
from .bounds import MAX_BATCH as MAX_BATCH
from .bounds import MAX_CONTEXT as MAX_CONTEXT
from .errors import InputError
from .frozen import builder, hash_once
from .hardware import Device
from .units import parse_tokens

# System RAM assumed beside discrete GPUs when a query gives none: a common desktop's 32 GiB.
# Every surface (pages, tools, API, CLI) gets it from here, and every answer says it assumed it.
DEFAULT_RAM_GIB = 32.0

if TYPE_CHECKING:
    from .profile import Calibration


@hash_once  # keys the answer memo: a query asked again hashes once
@dataclass(frozen=True)
class CheckQuery:
    """One question: a model on some hardware, with the quantization, context, batch and
    runtime asked for (None: the default), and a device the catalog lacks described by its
    numbers."""

    model: str
    hardware: tuple[str, ...] = ()
    quant: str | None = None
    context: int | None = None
    batch: int = 1
    runtime: str = "llama.cpp"
    kv_type: str = "f16"
    no_measured: bool = False
    vram_gb: float | None = None
    bandwidth_gb_s: float | None = None
    tflops: float | None = None
    ram_gb: float | None = None
    # GPU memory a setting allows (Apple iogpu.wired_limit_mb, Strix Halo carve-out + GTT).
    gpu_memory_gb: float | None = None
    gpu_memory_utilization: float | None = None  # vLLM's --gpu-memory-utilization

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> CheckQuery:
        """Build from JSON keys (the CLI's long flags with dashes as underscores)."""
        unknown = data.keys() - cls.__dataclass_fields__.keys()
        if unknown:
            raise InputError(f"unknown key(s): {', '.join(sorted(unknown))}")
        if data.get("model") is None:  # absent, or null
            raise InputError("model: missing")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if value is None:
                continue
            if key == "hardware":
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InputError("hardware: expected a list of names")
                kwargs[key] = tuple(value)
            elif key in ("model", "quant", "runtime", "kv_type"):
                if not isinstance(value, str):
                    raise InputError(f"{key}: expected a string")
                kwargs[key] = value
            elif key == "context" and isinstance(value, str):
                kwargs[key] = parse_tokens(value)
            elif key in ("context", "batch"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InputError(f"{key}: expected an integer")
                kwargs[key] = value
            elif key == "no_measured":
                if not isinstance(value, bool):
                    raise InputError(f"{key}: expected true or false")
                kwargs[key] = value
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise InputError(f"{key}: expected a number")
                # A whole number past a float's range (10**400) is refused by its bound,
                # as the API refuses it, not by float()'s OverflowError.
                try:
                    kwargs[key] = float(value)
                except OverflowError:
                    raise InputError(f"{key}: {outside(value, BOUNDS[key])}") from None
        return _new_query(**kwargs) if cls is CheckQuery else cls(**kwargs)


# A batch builds a query per line: builder's one-step constructor, the same object.
_new_query = builder(CheckQuery)


@dataclass(frozen=True)
class LocalMachine:
    """This machine, for the CLI (never the API): the devices `runlocal detect` found, used
    when a query names no hardware, with free memory as their budget; the system RAM they
    may offload to; and the bandwidths `runlocal bench` measured, by profile.device_key."""

    devices: tuple[Device, ...] = ()
    host_ram_bytes: int | None = None
    calibration: Mapping[str, Calibration] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    unavailable: str = "detection found no usable device"


@dataclass
class CheckResult:
    """The answer to a CheckQuery, as the JSON object `runlocal check --json` prints."""

    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data

    @property
    def verdict(self) -> str:
        return str(self.data["verdict"])


# The query's own numbers and their bounds, in the order they are refused.
_QUERY_BOUNDS = tuple(
    (key, BOUNDS[key])
    for key in ("context", "batch", "ram_gb", "gpu_memory_gb", "gpu_memory_utilization")
)


def validate(q: CheckQuery) -> None:
    """The query's numbers within runlocal.bounds, and its short names within their lengths,
    refused in the words every surface uses."""
    for key, limit in MAX_SETTING.items():
        text = getattr(q, key)
        if text is not None and len(text) > limit:
            raise InputError(f"{flag(key)}: {setting_too_long(key)}")
    for key, bound in _QUERY_BOUNDS:
        value = getattr(q, key)
        # Bound.holds written out for a plain int, which is finite (a context, a batch: every
        # new query has them), without out_of_range's three calls; anything else asks it.
        if value is None or (
            type(value) is int
            and (bound.lo < value if bound.lo_open else bound.lo <= value)
            and value <= bound.hi
        ):
            continue
        problem = outside(value, bound)
        if problem:
            raise InputError(f"{flag(key)} {problem}")
