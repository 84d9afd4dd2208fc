"""Several catalog entries under one name (memory and GPU-core variants): the memory, GPU
cores or CPU cores typed pick one; a size or core count the device is not sold with is an
error that names the versions sold; with nothing typed, the entry whose alias claims the bare
name (docs/names.md, "Hardware", step 3). Used by runlocal.resolve.hardware."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..catalog import Entry
from ..errors import AmbiguousNameError, NotSoldError
from ..frozen import interpreted
from .hardware_reading import Reading


@interpreted
@dataclass(frozen=True)
class Key:
    """One reading of a catalog name: the entry, and the memory and GPU cores it states."""

    entry_id: str
    memory_gib: float | None
    gpu_cores: int | None


def choose(
    catalog: Mapping[str, Entry], text: str, keys: list[Key], r: Reading
) -> tuple[Entry, float | None]:
    """The entry the typed memory, GPU cores or CPU cores pick among those a name holds, and
    the memory size chosen when it is not the entry's default; NotSoldError for a size or core
    count the device is not sold with; "which one?" when nothing picks one."""
    ids = list(dict.fromkeys(k.entry_id for k in keys))
    entries = [catalog[i] for i in ids]
    # GPU cores (Apple): a labelled count must match; a bare "N-core" counts only if it can.
    cores = r.gpu_cores
    if cores is None:
        cores = next(
            (c for c in r.bare_cores if any(e.get("gpu_cores") == c for e in entries)), None
        )
    if cores is not None and any(e.get("gpu_cores") for e in entries):
        matching = [e for e in entries if e.get("gpu_cores") == cores]
        if not matching:
            shown = ", ".join(
                sorted({str(e.get("gpu_cores")) for e in entries if e.get("gpu_cores")})
            )
            raise NotSoldError(
                "hardware",
                text,
                f"{_family(entries)} comes with {shown} GPU cores, not {cores}",
                sized(entries),
            )
        entries = matching
    # CPU cores: Apple sells each chip's binned CPU with its binned GPU (the M3 Pro's 11-core
    # CPU comes with the 14-core GPU, its 12-core with the 18-core: apple.com/macbook-pro/
    # specs), so a CPU core count, labelled or a bare "11-core" that is no variant's GPU
    # count, picks the variants with that CPU; it never refuses on its own.
    cpu = r.cpu_cores
    if cpu is None and cores is None:
        cpu = next((c for c in r.bare_cores if any(e.get("cpu_cores") == c for e in entries)), None)
    if cpu is not None and len(entries) > 1:
        entries = [e for e in entries if e.get("cpu_cores") == cpu] or entries
    # Memory: every size typed must be one the device is sold with.
    memory: float | None = None
    # "64GB RAM" beside a GPU is the host's memory; a CPU's memory is the host's too.
    gpus = all(e.get("kind", "gpu") == "gpu" for e in entries)
    cpus = all(e.get("kind") == "cpu" and not e.get("memory_configs_gib") for e in entries)
    sizes = [] if cpus else [gib for gib, ram in r.sizes if not (ram and gpus)]
    for gib in sizes:
        fitting = [e for e in entries if _size_match(sold_sizes(e), gib) is not None]
        if not fitting and r.count and r.count > 1:
            # With a count, a size no card is sold with that is the count's multiple of one
            # is the cards' total, as forum signatures and cloud rows write it ("48GB VRAM
            # (2x3090)", "RTX 4090 x 2 (48 GB VRAM)", "A6000 x4 192GB"): 48 / 2 = 24 GB each.
            each = gib / r.count
            fitting = [e for e in entries if _size_match(sold_sizes(e), each) is not None]
            gib = each if fitting else gib
        if not fitting:
            offered = sorted({s for e in entries for s in sold_sizes(e)})
            shown = ", ".join(f"{s:g}" for s in offered)
            raise NotSoldError(
                "hardware",
                text,
                f"{_family(entries)} is sold with {shown} GB, not {gib:g} GB",
                sized(entries),
            )
        entries = fitting
        memory = gib
    if len(entries) > 1 and r.floor_gib:  # "- 11059 MiB free": not the 6 GB RTX 2060
        roomy = [e for e in entries if max(sold_sizes(e)) >= r.floor_gib]
        entries = roomy or entries
    if len(entries) > 1:
        entries = _defaults(entries, keys, memory, cores)
    if len(entries) > 1:
        raise AmbiguousNameError("hardware", text, [e.name for e in entries])
    entry = entries[0]
    chosen: float | None = None
    if memory is not None and entry.get("memory_configs_gib"):
        size = _size_match(sold_sizes(entry), memory)
        if size is not None and size != float(entry.get("memory_gib", 0.0)):
            chosen = size
    return entry, chosen


def _defaults(
    entries: list[Entry], keys: list[Key], memory: float | None, cores: int | None
) -> list[Entry]:
    """Among entries sharing a name, the one an alias names exactly as typed (with the typed
    memory or cores, or with none where none was typed)."""
    ids = {e.id for e in entries}
    for want_mem, want_cores in ((memory, cores), (None, cores), (memory, None), (None, None)):
        hits = list(
            dict.fromkeys(
                k.entry_id
                for k in keys
                if k.entry_id in ids
                and (k.memory_gib is None if want_mem is None else _close(k.memory_gib, want_mem))
                and k.gpu_cores == want_cores
            )
        )
        if len(hits) == 1:
            return [e for e in entries if e.id == hits[0]]
        if hits:
            return [e for e in entries if e.id in hits]
    return entries


def _size_match(sizes: list[float], gib: float) -> float | None:
    """The size sold nearest to the typed one, within the GB/GiB gap (7.4%) plus rounding."""
    near = min(sizes, key=lambda s: abs(s - gib))
    return near if _close(near, gib) else None


def _close(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= max(0.5, 0.08 * max(a, b))


def _family(entries: list[Entry]) -> str:
    names = [e.name for e in entries]
    return names[0] if len(names) == 1 else " / ".join(names[:3])


def sized(entries: list[Entry]) -> list[str]:
    """The versions that exist, as names that read back: 'Apple M4 Max (40-core GPU) 128GB'."""
    out: list[str] = []
    for e in entries:
        configs = e.get("memory_configs_gib") or []
        out.extend([f"{e.name} {float(c):g}GB" for c in configs] if len(configs) > 1 else [e.name])
    return out[:6]


def sold_sizes(entry: Entry) -> list[float]:
    """The memory sizes an entry is sold with (its memory_gib where it lists no variants)."""
    configs = [float(x) for x in entry.get("memory_configs_gib", [])]
    return configs or [float(entry.get("memory_gib", 0.0))]
