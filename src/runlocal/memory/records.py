"""What a plan says of each device, and the helpers every runtime's plan shares: the
headroom that makes a fit comfortable, the host's reserve, the lookups a token never streams."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..hardware import Device
from ..spec import ModelSpec, WeightInventory
from ..units import GIB

# Headroom below which a full fit is "tight": llama.cpp's --fit keeps 1 GiB free per device;
# desktops lose a few hundred MiB to the display and other programs, so we ask for 10%.
COMFORT_MARGIN_BYTES = 1 * GIB
COMFORT_MARGIN_SHARE = 0.10
# Share of system RAM the OS and other programs keep when the model runs on the CPU.
HOST_RESERVE_SHARE = 0.15
# The memory estimate's own uncertainty, as a share of a device's budget: a setup over its
# budget by no more than this is "at the edge" (it may or may not load), not "won't run".
# docs/accuracy.md's memory table: the median error of a device's total is 1.0-1.4% for the
# runtimes with more than a handful of rows (transformers' peak 1.0% over 112 rows,
# llama.cpp's GPU total 1.2% over 38, vLLM's activation peak 1.4% over 26; their p90s are
# 2.9-8.4%); the band is that median, rounded up (docs/methodology.md, "Verdict").
EDGE_SHARE = 0.015


def _comfort_margin(budget_bytes: int) -> int:
    share = int(budget_bytes * COMFORT_MARGIN_SHARE)
    # max(a, b) written out (see speed.features)
    return share if share > COMFORT_MARGIN_BYTES else COMFORT_MARGIN_BYTES


def edge_margin(budget_bytes: int) -> int:
    """How far over ``budget_bytes`` an estimate may be and still be within its uncertainty."""
    return int(budget_bytes * EDGE_SHARE)


def within_edge(used: int, budget: int) -> bool:
    """``used`` at most the budget plus the estimate's uncertainty (edge_margin)."""
    return used <= budget + edge_margin(budget)


def pad(n: int, to: int) -> int:
    return -(-n // to) * to


@dataclass(slots=True)
class DeviceUse:
    """What a memory plan puts on one device (or the host), in bytes."""

    device: Device
    layers: int = 0
    weights_bytes: int = 0
    kv_cache_bytes: int = 0
    compute_bytes: int = 0
    overhead_bytes: int = 0
    budget_bytes: int = 0
    # vLLM: what must fit inside its preallocation, and the KV pool it sizes from what is left
    # (the pool, even where it is smaller than the context needs and vLLM refuses to start).
    fit_limit_bytes: int | None = None
    required_bytes: int | None = None
    kv_pool_bytes: int | None = None

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.compute_bytes + self.overhead_bytes

    @property
    def fits(self) -> bool:
        if self.fit_limit_bytes is not None and self.required_bytes is not None:
            return self.required_bytes <= self.fit_limit_bytes
        used = self.weights_bytes + self.kv_cache_bytes + self.compute_bytes + self.overhead_bytes
        return used <= self.budget_bytes

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.device.name,
            "id": self.device.id,
            "layers": self.layers,
            "weights_bytes": self.weights_bytes,
            "kv_cache_bytes": self.kv_cache_bytes,
            "compute_bytes": self.compute_bytes,
            "overhead_bytes": self.overhead_bytes,
            # total_bytes written out: a property read costs a call from C (CPython)
            "total_bytes": self.weights_bytes
            + self.kv_cache_bytes
            + self.compute_bytes
            + self.overhead_bytes,
            "budget_bytes": self.budget_bytes,
        }
        if self.kv_pool_bytes is not None:
            out["kv_pool_bytes"] = self.kv_pool_bytes
        return out


@dataclass(slots=True)
class MemoryPlan:
    """Where a model's weights, KV cache and buffers go: per device, the host, the layers
    offloaded, and the notes that explain it."""

    devices: list[DeviceUse]
    host: DeviceUse | None
    gpu_layers: int
    total_layers: int
    experts_on_host_layers: int = 0
    notes: list[str] = field(default_factory=list)
    kv_tokens: int = 0
    tensor_parallel: bool = False
    # Per device: bytes of embedding tables it holds that a token only looks up (one row),
    # so decoding never streams them.
    lookup_bytes: tuple[int, ...] = ()

    @property
    def fits(self) -> bool:
        """Every device's DeviceUse.fits (written out here: an answer asks a plan this some
        seven times, a property call per device each time)."""
        for d in self.devices:
            limit, required = d.fit_limit_bytes, d.required_bytes
            if limit is not None and required is not None:
                if required > limit:
                    return False
            elif d.weights_bytes + d.kv_cache_bytes + d.compute_bytes + d.overhead_bytes > (
                d.budget_bytes
            ):
                return False
        return self.host is None or self.host.fits

    @property
    def at_edge(self) -> bool:
        """Over some device's budget, but on every device by no more than the memory
        estimate's uncertainty (edge_margin), with system RAM's share within its own: the
        setup may load or fail, and the verdict says so rather than "won't run"."""
        if self.fits or not self.devices:
            return False
        for d in self.devices:
            if not within_edge(*usage(d)):
                return False
        return self.host is None or self.host.fits

    def edge_device(self) -> DeviceUse:
        """The device furthest over its budget, as a share of it (the one an edge verdict
        names)."""
        worst, worst_share = self.devices[0], float("-inf")
        for d in self.devices:
            used, budget = usage(d)
            share = (used - budget) / budget if budget > 0 else float("inf")
            if share > worst_share:
                worst, worst_share = d, share
        return worst

    @property
    def full_offload(self) -> bool:
        return self.gpu_layers == self.total_layers and self.experts_on_host_layers == 0

    def sum(self, attr: str) -> int:
        return sum(int(getattr(d, attr)) for d in self.devices)

    @property
    def tight(self) -> bool:
        """Less than the comfort margin to spare on some device, judged as the best
        quantization's search judges it: inside a preallocating runtime's pool what the request
        needs against the pool (vLLM takes its share of the GPU by design), else the device's
        total against its budget."""
        for d in self.devices:  # any(is_tight(*usage(d)) ...) written out: called per answer
            if d.required_bytes is not None and d.fit_limit_bytes is not None:
                used, budget = d.required_bytes, d.fit_limit_bytes
            else:
                used = d.weights_bytes + d.kv_cache_bytes + d.compute_bytes + d.overhead_bytes
                budget = d.budget_bytes
            if budget - used < _comfort_margin(budget):
                return True
        return False


def usage(use: DeviceUse) -> tuple[int, int]:
    """(bytes that must fit, the limit they must fit in) for one device of a plan."""
    if use.required_bytes is not None and use.fit_limit_bytes is not None:
        return use.required_bytes, use.fit_limit_bytes
    total = use.weights_bytes + use.kv_cache_bytes + use.compute_bytes + use.overhead_bytes
    return total, use.budget_bytes  # total_bytes written out (see DeviceUse.to_dict)


def is_tight(used: int, budget: int) -> bool:
    return budget - used < _comfort_margin(budget)


SYSTEM_RAM = Device(
    name="system RAM",
    kind="cpu",
    backend="cpu",
    memory_bytes=0,
    bandwidth_bytes_per_s=0.0,
    fp16_flops=None,
    fp32_flops=None,
)


def first_true(lo: int, hi: int, ok: Callable[[int], bool]) -> int:
    """Smallest x in [lo, hi] with ok(x), for ok monotonic (false … true); hi if none."""
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def lookup_bytes(spec: ModelSpec, inv: WeightInventory, share: float = 1.0) -> int:
    """Embedding bytes a token looks up rather than reads: the whole input table, less the
    token table when it doubles as the (tied) output head."""
    tied = inv.output_bytes <= spec.hidden_size * 4
    lookup = inv.input_bytes * (1 - spec.token_embedding_share) if tied else inv.input_bytes
    return int(lookup * share)


def first_true_near(lo: int, hi: int, ok: Callable[[int], bool], guess: int) -> int:
    """first_true(lo, hi, ok) for ok monotonic (false … true), probing from ``guess``
    outward by doubling steps and bisecting only the bracket that holds the change: two
    probes when the guess is right, where a bisection from scratch takes log2(hi - lo)."""
    if lo >= hi:
        return lo
    # min and max of two written out (see speed.features)
    guess = lo if lo > guess else guess
    guess = hi - 1 if hi - 1 < guess else guess
    if ok(guess):
        # The first true is at or below guess: step down until a false (or lo).
        top, step = guess, 1
        while top > lo:
            probe = top - step
            probe = probe if probe > lo else lo
            if not ok(probe):
                return first_true(probe + 1, top, ok)
            top, step = probe, step * 2
        return lo
    # Above guess: step up until a true (hi counts as true, as in first_true).
    bottom, step = guess + 1, 1
    while bottom < hi:
        probe = bottom + step - 1
        probe = probe if probe < hi else hi
        if probe == hi or ok(probe):
            return first_true(bottom, probe, ok)
        bottom, step = probe + 1, step * 2
    return hi
