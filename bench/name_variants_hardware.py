"""bench/name_variants.py's rewrites of the catalog's hardware names (model numbers, memory sizes,
Apple's core notation and Mac names, device lines as the drivers' tools and llama.cpp's logs
print them)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from name_variants_models import Case
from runlocal.catalog import Catalog, Entry

# --- hardware --------------------------------------------------------------------------------

_MEM_IN_NAME = re.compile(r"\s*\b(\d+)\s*GB\b", re.I)


_VENDOR_RE = re.compile(r"^(?:NVIDIA|AMD|Intel|Apple|Qualcomm)\s+", re.I)


_SERIES_RE = re.compile(r"\b(RTX|GTX|RX)\s+(?=\d)")


_MAC_FOR = {"max": "MacBook Pro", "pro": "Mac mini", "ultra": "Mac Studio", "": "MacBook Air"}


def _base(entry: Entry) -> str:
    """The entry's name without a memory size or a bracketed note that holds one ("(Radeon
    8060S, 128GB)"); a bracketed word that is part of the name stays ("TITAN X (Pascal)")."""
    name = re.sub(r"\s*\([^)]*(?:\d|,)[^)]*\)", "", entry.name)
    return _MEM_IN_NAME.sub("", name).strip()


def _hw_rewrites(base: str) -> Iterator[tuple[str, str]]:
    short = _VENDOR_RE.sub("", base)
    short = re.sub(r"^GeForce\s+", "", short)
    yield "lower", base.lower()
    yield "upper", base.upper()
    yield "no-vendor", short
    yield "hyphens", short.replace(" ", "-")
    yield "glued-series", re.sub(r"\b(RTX|GTX|RX)\s+(?=\d)", r"\1", short)
    glued = re.sub(r"(\d)\s+([A-Za-z]{1,5})\b", r"\1\2", short)
    yield "glued-variant", glued
    yield "glued-all", re.sub(r"\b(RTX|GTX|RX)\s+(?=\d)", r"\1", glued).lower()
    yield "en-dash", short.replace(" ", "\u2013") if "-" not in short else short.replace("-", "–")
    bare = _SERIES_RE.sub("", re.sub(r"^Radeon\s+(?=RX)", "", short))
    if bare != short and re.match(r"\d", bare):
        yield "bare-number", bare


# The chip lspci names before the product, by generation (the code only has to look real:
# the resolver knows no chip codes).
_CHIPS = (
    (r"GeForce RTX 50\d\d", "GB202"),
    (r"GeForce RTX 40\d\d", "AD102"),
    (r"GeForce RTX 30\d\d", "GA102"),
    (r"GeForce RTX 20\d\d", "TU102"),
    (r"GeForce GTX 16\d\d", "TU116"),
    (r"GeForce GTX 10\d\d", "GP104"),
    (r"Radeon RX 9\d\d\d", "Navi 48"),
    (r"Radeon RX 7\d\d\d", "Navi 31"),
    (r"Radeon RX 6\d\d\d", "Navi 21"),
)


def _lspci_chip(name: str) -> str | None:
    return next((chip for pattern, chip in _CHIPS if re.search(pattern, name)), None)


_NOTE_RE = re.compile(r"\s*\([^)]*(?:\d|,)[^)]*\)")


def _driver_marks(name: str) -> str:
    """Names as drivers print them: "Intel(R) Core(TM) i9-14900K", "AMD Ryzen 9 7950X"."""
    return re.sub(r"^Intel Core\b", "Intel(R) Core(TM)", name)


def _sizes(entry: Entry) -> list[float]:
    configs = [float(x) for x in entry.get("memory_configs_gib") or []]
    return configs or [float(entry.get("memory_gib", 0.0))]


def hardware_cases(catalog: Catalog) -> list[Case]:
    out: list[Case] = []
    for entry in catalog.hardware.values():
        eid = entry.id
        kind = entry.get("kind")
        vendor = str(entry.get("vendor") or "")
        configs = len(entry.get("memory_configs_gib") or []) > 1
        for alias in entry.aliases:
            if not re.search(r"\(\d+x\)", alias):  # "(8x)": a count, read as one
                out.append(Case("hardware", alias, {eid}, "catalog-label"))
        base = _base(entry)
        cores = entry.get("gpu_cores")
        apple = vendor == "Apple"
        if apple:
            # Apple entries are a chip and a GPU core count: "Apple M3 Max (40-core GPU)".
            chip = base  # "Apple M3 Max"
            cpu = entry.get("cpu_cores")
            named = [
                f"{chip} ({cores}-core GPU)",
                f"{_VENDOR_RE.sub('', chip)} {cores}-core GPU",
                f"{_VENDOR_RE.sub('', chip)} {cores}c",
                f"{_VENDOR_RE.sub('', chip)} {cores}C GPU",
            ]
            if cpu:
                named.append(f"{_VENDOR_RE.sub('', chip)} {cpu}/{cores}")
                named.append(f"{chip} {cpu}-core CPU {cores}-core GPU")
                # Apple's store text, with its non-breaking hyphens.
                named.append(
                    f"{chip} chip with {cpu}\u2011core CPU, {cores}\u2011core GPU, "
                    "16\u2011core Neural Engine"
                )
            tier = next((t for t in ("max", "pro", "ultra") if t in chip.lower().split()), "")
            for n in named:
                out.append(Case("hardware", n, {eid}, "apple-cores"))
                for gib in _sizes(entry):
                    out.append(
                        Case("hardware", f"{n} {gib:g}GB", {eid}, "apple-cores+mem", mem=gib)
                    )
                    out.append(
                        Case(
                            "hardware",
                            f"{_MAC_FOR[tier]} {n} {gib:g}GB",
                            {eid},
                            "mac-product+cores",
                            mem=gib,
                        )
                    )
            for gib in _sizes(entry):
                out.append(
                    Case(
                        "hardware",
                        f"Chipset Model: {chip} Type: GPU Bus: Built-In "
                        f"Total Number of Cores: {cores} Memory: {gib:g} GB",
                        {eid},
                        "system_profiler",
                        mem=gib,
                    )
                )
            if cpu:
                # A CPU core count alone: the variants sold with that CPU (and this memory).
                same_cpu = {
                    e.id
                    for e in catalog.hardware.values()
                    if _base(e) == chip and e.get("cpu_cores") == cpu
                }
                for gib in _sizes(entry):
                    both = {i for i in same_cpu if gib in _sizes(catalog.hardware[i])} or same_cpu
                    out.append(
                        Case(
                            "hardware",
                            f"{_VENDOR_RE.sub('', chip)} {cpu}-core CPU {gib:g}GB",
                            both,
                            "apple-cpu-cores+mem",
                            mem=gib,
                            name=chip,
                        )
                    )
            # Without a core count: the family, where the memory or a default picks one.
            for gib in _sizes(entry):
                for text, rule in (
                    (f"{chip} {gib:g}GB", "apple-chip+mem"),
                    (f"{_MAC_FOR[tier]} {_VENDOR_RE.sub('', chip)} {gib:g}GB", "mac-product+mem"),
                ):
                    out.append(Case("hardware", text, {eid}, rule, mem=gib))
            for gib in _sizes(entry):
                out.append(
                    Case(
                        "hardware",
                        f"Chip: {chip} Memory: {gib:g} GB",
                        {eid},
                        "about-this-mac",
                        mem=gib,
                        name=f"{chip} {gib:g}GB",
                    )
                )
            out.append(
                Case(
                    "hardware",
                    f"ggml_metal_init: found device: {chip}",
                    {eid},
                    "metal",
                    name=chip,
                )
            )
            continue
        for rule, text in _hw_rewrites(base):
            out.append(Case("hardware", text, {eid}, rule))
        if kind == "cpu":
            cpu = entry.get("cpu_cores")
            if cpu:  # lscpu / /proc/cpuinfo
                out.append(
                    Case(
                        "hardware",
                        f"Model name: {_driver_marks(base)} {cpu}-Core Processor",
                        {eid},
                        "lscpu",
                    )
                )
            continue
        short = re.sub(r"^GeForce\s+", "", _VENDOR_RE.sub("", base))
        memtype = str(entry.get("memory_type") or "")
        gib0 = float(entry.get("memory_gib", 0.0))
        for n, text in (
            (2, f"2x {short}"),
            (2, f"{short} x2"),
            (2, f"dual {short}"),
            (4, f"4 x {short} {gib0:g}GB"),
            (3, f"three {short}s" if re.search(r"\s\d{3,5}$", short) else f"3x {short}"),
        ):
            out.append(Case("hardware", text, {eid}, "count", count=n, name=short))
        if kind == "gpu":
            partner = {"NVIDIA": "ASUS TUF Gaming", "AMD": "Sapphire Pulse"}.get(
                vendor, "ASRock Challenger"
            )
            for text, rule in (
                (f"{partner} {short} {gib0:g}GB {memtype} OC Edition", "shop-listing"),
                (
                    f"{short} ({gib0:g}GB, {entry.get('bandwidth_gb_s')} GB/s, "
                    f"{entry.get('tdp_w')}W)",
                    "spec-sheet",
                ),
                (f"{entry.name} {gib0:g}GB {entry.get('interface')}", "with-interface"),
                (
                    f"Card name: {_NOTE_RE.sub('', entry.name)} "
                    f"Dedicated Memory: {int(gib0 * 1024) - 120} MB",
                    "dxdiag",
                ),
            ):
                out.append(Case("hardware", text, {eid}, rule))
        for gib in _sizes(entry):
            mem = gib if configs else None
            short = re.sub(r"^GeForce\s+", "", _VENDOR_RE.sub("", base))
            for text, rule in (
                (f"{base} {gib:g}GB", "mem"),
                (f"{short} {gib:g} GB", "mem-space"),
                (f"{short} ({gib:g}GB)", "mem-bracket"),
                (f"{short.lower()} {gib:g}gb", "mem-lower"),
                (f"{short} {gib:g}G VRAM", "mem-vram"),
            ):
                out.append(Case("hardware", text, {eid}, rule, mem=mem))
        words = base.split()
        if kind == "unified" and len(words) >= 3 and all(w.isalpha() for w in words[-2:]):
            # The words in another order ("Jetson Orin AGX").
            swapped = " ".join([*words[:-2], words[-1], words[-2]])
            out.append(Case("hardware", swapped, {eid}, "word-order"))
        if kind != "gpu":
            continue
        if re.search(r"Laptop GPU$", base):
            # The mobile suffix glued to the number: "RTX 4090M".
            out.append(
                Case("hardware", re.sub(r"(\d+)\s+Laptop GPU$", r"\1M", short), {eid}, "mobile-M")
            )

        gib = float(entry.get("memory_gib", 0.0))
        # Drivers print the product without a memory size ("NVIDIA GeForce RTX 4060 Ti").
        full = _MEM_IN_NAME.sub("", _NOTE_RE.sub("", entry.name)).strip()
        free = int(gib * 1024 * 0.9)
        # What is free is at most the size: every entry of this name that large may be meant.
        roomy = {
            e.id
            for e in catalog.hardware.values()
            if _MEM_IN_NAME.sub("", _NOTE_RE.sub("", e.name)).strip() == full
            and max(_sizes(e)) * 1024 >= free
        }
        out.append(
            Case(
                "hardware",
                f"llama_model_load_from_file_impl: using device CUDA0 ({full}) - {free} MiB free",
                roomy | {eid},
                "llama.cpp-free",
                name=full,
            )
        )
        # Device lines as drivers and tools print them, each naming the product without its
        # memory.
        lines: list[tuple[str, str]] = []
        if vendor == "NVIDIA":
            cc = entry.get("cuda_compute_capability") or "8.6"
            lines += [
                (f"Device 0: {full}, compute capability {cc}, VMM: yes", "llama.cpp-cuda"),
                (f"{full}, {int(gib * 1024) - 1}MiB", "nvidia-smi-csv"),
                (f"GPU 0: {full} (UUID: GPU-5a1c0e1e-8f3b-4c2d-9e7a-0b6d2f4c8a11)", "nvidia-smi-L"),
            ]
        if vendor == "AMD":
            arch = entry.get("gpu_arch") or "gfx1100"
            lines += [
                (
                    f"Device 0: {full}, {arch} (0x{arch[3:]}), VMM: no, Wave Size: 32",
                    "llama.cpp-rocm",
                ),
                (f"GPU[0] : Card Series: {full}", "rocm-smi"),
                (f"Name: {arch} Marketing Name: {full} Vendor Name: AMD", "rocminfo"),
            ]
        if vendor == "Intel":
            sycl = re.sub(r"^Intel Arc\b", "Intel(R) Arc(TM)", full) + " Graphics"
            lines.append((f"[level_zero:gpu:0] {sycl} 12.55.8 [1.6.32224+14]", "sycl-ls"))
        lines += [
            (
                f"ggml_vulkan: 0 = {full} ({vendor}) | uma: 0 | fp16: 1 | warp size: 32 | "
                "shared memory: 49152 | int dot: 1 | matrix cores: KHR_coopmat",
                "llama.cpp-vulkan",
            ),
            (f"deviceName = {full}", "vulkaninfo"),
            (f"GPU 0 {full}", "task-manager"),
        ]
        chip = _lspci_chip(full)
        if chip:
            corp = (
                "NVIDIA Corporation"
                if vendor == "NVIDIA"
                else "Advanced Micro Devices, Inc. [AMD/ATI]"
            )
            inner = _VENDOR_RE.sub("", full)
            lines.append(
                (f"01:00.0 VGA compatible controller: {corp} {chip} [{inner}] (rev a1)", "lspci")
            )
        out.extend(Case("hardware", text, {eid}, rule, name=full) for text, rule in lines)
    return out
