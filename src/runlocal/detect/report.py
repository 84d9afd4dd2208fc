"""`runlocal detect`: what was found and what `runlocal check` would plan on, as text or JSON."""

from __future__ import annotations

import json
import sys

from ..catalog import Catalog
from ..errors import RunlocalError
from ..profile import load_profile
from ..units import GIB
from . import detect_machine
from .devices import Usable, usable_devices
from .found import Machine


def _gib(n: int | None) -> str:
    return "?" if n is None else f"{n / GIB:.1f}"


def format_machine(machine: Machine, usable: Usable) -> str:
    lines = [f"runlocal detect · {machine.platform}", ""]
    discrete = [g for g in machine.gpus if not g.integrated]
    if discrete:
        rows = [("GPU", "name", "memory free / total", "bandwidth", "catalog")]
        for g in discrete:
            rows.append(
                (
                    str(g.index),
                    g.name,
                    f"{_gib(g.memory_free_bytes)} / {_gib(g.memory_total_bytes)} GiB",
                    f"{g.bandwidth_gb_s:,.0f} GB/s" if g.bandwidth_gb_s else "?",
                    g.catalog_id or "unknown (raw specs, low confidence)",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for r in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        for g in discrete:
            extra = [
                f"driver {g.driver}" if g.driver else "",
                f"compute {g.compute_capability}" if g.compute_capability else "",
                f"PCIe {g.pcie}" if g.pcie else "",
                f"{g.bus_width_bits}-bit bus" if g.bus_width_bits else "",
                f"memory clock {g.memory_clock_mhz} MHz" if g.memory_clock_mhz else "",
                f"via {g.source}",
            ]
            lines.append(f"  GPU {g.index}: " + ", ".join(x for x in extra if x))
        lines.append("")
    apple = machine.apple
    if apple is not None:
        cores = f", {apple.gpu_cores}-core GPU" if apple.gpu_cores else ""
        lines.append(
            f"Apple  {apple.chip}{cores}, {_gib(apple.unified_memory_bytes)} GiB unified memory, "
            f"GPU working set {_gib(apple.working_set_bytes)} GiB ({apple.working_set_source})"
        )
        lines.append(f"       catalog: {apple.catalog_id or 'unknown (low confidence)'}")
        lines.append("")
    cpu = machine.cpu
    flags = ", ".join(
        f"{label} {'yes' if cpu.flags.get(key) else 'no'}"
        for key, label in (("avx2", "AVX2"), ("avx512", "AVX-512"), ("amx", "AMX"))
    )
    cores = f"{cpu.cores or '?'} cores / {cpu.threads or '?'} threads"
    lines.append(
        f"CPU    {cpu.model} ({cpu.arch}), {cores}; {flags}"
        if cpu.flags
        else f"CPU    {cpu.model}, {cores}"
    )
    lines.append(f"       catalog: {cpu.catalog_id or 'unknown (low confidence)'}")
    lines.append(
        f"RAM    {_gib(cpu.ram_available_bytes)} GiB available of {_gib(cpu.ram_total_bytes)} GiB"
    )
    lines.append("")
    if not machine.has_gpu:
        lines.append("No GPU found on this machine.")
    if usable.devices:
        names = " + ".join(d.name for d in usable.devices)
        budget = sum(d.budget_bytes for d in usable.devices)
        lines.append(
            f"`runlocal check MODEL` without --hardware plans for: {names} "
            f"({budget / GIB:.1f} GiB budget, free memory)"
        )
    else:
        lines.append(f"`runlocal check MODEL` needs --hardware here: {usable.unavailable}")
    detected = "hardware detected on this machine"
    for note in [*machine.notes, *(n for n in usable.notes if not n.startswith(detected))]:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def run_detect(as_json: bool) -> int:
    from ..catalog import load_catalog

    try:
        catalog: Catalog | None = load_catalog()
    except RunlocalError as exc:
        catalog = None
        print(f"runlocal: warning: catalog not loaded: {exc}", file=sys.stderr)
    machine = detect_machine(catalog)
    profile = load_profile()
    calibration = profile.calibration() if profile is not None else {}
    usable = (
        usable_devices(machine, catalog, calibration)
        if catalog is not None
        else Usable([], None, [], "the catalog could not be loaded")
    )
    if as_json:
        data = machine.to_dict()
        data["check_devices"] = [d.to_dict() for d in usable.devices]
        data["check_host_ram_bytes"] = usable.host_ram_bytes
        data["check_unavailable"] = usable.unavailable or None
        data["check_notes"] = usable.notes
        data["has_gpu"] = machine.has_gpu
        json.dump(data, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_machine(machine, usable))
    return 0
