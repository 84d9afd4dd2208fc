"""Device names as people type them → catalog entries, a memory size and a device count.

"ASUS TUF Gaming GeForce RTX 4070 Ti SUPER 16GB", "2 x Tesla P40 24GB", "M4 Max 16/40 128GB",
a pasted llama.cpp device line: each is read in the same steps.

1. What is not the product is read and removed: a device count (only from explicit forms:
   "2x", "x2", "2 x", "dual", "two"…, never from a model number), memory sizes in any spelling,
   Apple's CPU/GPU core notation, log boilerplate, bandwidth and clock figures, vendor and
   board-partner names and their product lines (with the numbers those lines carry: "Ventus
   3X", "MERC 310" are never a count or a model).
2. The rest is split into tokens, letters apart from digits ("rx7900xtx" → rx 7900 xtx), and
   every catalog name and alias is read the same way, so the lookup needs no spelling tables.
3. The longest run of tokens that is a catalog name wins. A run may not cut a glued word:
   "4070ti" is never the 4070, "A6000" never a 6000. A variant word right after the run that
   the run did not take ("4090 Ti") means a product the catalog lacks: refused, never rounded
   to its neighbour. Several entries left → the typed memory or GPU core count picks one, else
   the entry whose alias claims the bare name, else the answer is "which one?".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from ..catalog import Catalog, Entry, code_stamp, derived_cached, normalize
from ..errors import AmbiguousNameError, InputError, NotSoldError, UnknownNameError
from .names import HardwareName
from .text import clean, glued_groups

MAX_DEVICES = 64

# --- step 1: what is read and removed ----------------------------------------------------

_LOG_NOISE = [
    r"ggml_\w+:?",
    r"found \d+ \w+ devices?:?",
    r"\bdevice \d+\s*:",
    r"compute capability[:\s]*\d+(?:\.\d+)?",
    r"\bvmm[:\s]*(?:yes|no)\b",
    r"wave ?size[:\s]*\d+",
    r"\bgfx[0-9a-f]{3,5}\b",
    r"\(?\b0x[0-9a-f]+\b\)?",
    r"\b[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-9a-f]\b",  # PCI bus id
    r"\d+\s*mib\s*/\s*\d+\s*mib",  # nvidia-smi usage column
    r"\d+(?:\.\d+)?\s*(?:gb|tb|mb|gib)\s*/\s*s(?:ec)?\b",  # bandwidth, not a size
    r"\d+(?:\.\d+)?\s*(?:mhz|ghz|tflops|tops|w|watts?)\b",
    r"\d+\s*-?\s*bit\b",
    r"\d+\s*(?:cus?|compute units?|sms?|xe[- ]?cores?|cuda cores?|stream processors)\b",
    r"(?<=pcie)\s*(?:gen\s*)?[1-6](?:\.\d)?(?![\d.]|\s*gb|\s*g\b)(?:\s*x\s*(?:16|8|4))?",
    r"\bx(?:16|8)\b",
    r"\(\s*(?:19|20)\d\d\s*\)",  # a model year in brackets: "Mac Studio (2025)"
    r"\b(?:early|mid|late)\s+(?:19|20)\d\d\b",
    r"\b\d{2}(?:\.\d)?\s*(?:-\s*)?(?:inch|in\b|\"|”|'')",  # screen sizes
    r"\d+(?:\.\d+)?\s*(?:tb|gb)\s*(?:ssd|nvme|storage|hdd)\b",
    r"\b(?:macbook\s*(?:pro|air)?|mac\s*(?:studio|mini|pro)|imac|mbp|mba)\b",
    r"\bfounders?\s*edition\b",
    r"\b(?:limited|special|anniversary)\s*edition\b",
    r"\b(?:ftw|xc)\s*\d?\s*(?:ultra)?\b",  # EVGA lines: "FTW3 Ultra" is not an Apple Ultra
    r"\bultra\s*gaming\b",
    r"\bstrix\b(?!\s*halo)",  # ASUS ROG Strix, not AMD's Strix Halo
    r"\bg?ddr\d\w*|\blpddr\d\w*|\bhbm\d?e?\b|\bgddr\d\w*",
]
_GFX_RE = re.compile(r"\bgfx[0-9a-f]{3,5}\b")
# Device lines' boilerplate, looked for only where one of these words is.
_DEVICE_NOISE = [
    # A device index: nvidia-smi -L's and Task Manager's "GPU 0", rocm-smi's "GPU[0]",
    # llama.cpp's Vulkan "ggml_vulkan: 0 = …"; never "GPU 40-core" (Apple's core count).
    r"\bgpu\s*\[?\d{1,2}\]?\s*:?(?!\s*-?\s*(?:cores?|c)\b)(?=\s|$)",
    r"(?<![\w.])\d{1,2}\s*=",
    # nvidia-smi -L's "(UUID: GPU-5a1c…)"; llama.cpp's Vulkan fields "| uma: 0 | fp16: 1 |
    # warp size: 32 | shared memory: 49152 | int dot: 1 | matrix cores: KHR_coopmat"
    # (ggml-vulkan.cpp, ggml_vk_print_gpu_info).
    r"\(?\s*uuid\s*:?\s*(?:gpu|mig)-[0-9a-f-]+\s*\)?",
    r"\|\s*[a-z][a-z0-9 _]*:\s*[\w.-]+",
    # llama.cpp's loader and backend device names: "llama_model_load_from_file_impl: using
    # device CUDA0 (…)", "ROCm0", "Vulkan0", "SYCL0", "MTL0".
    r"\bllama_\w+:?",
    r"\busing device\b",
    r"\b(?:cuda|rocm|vulkan|sycl|mtl|opencl)\d+\b",
]
_DEVICE_NOISE_RE = re.compile("|".join(f"(?:{p})" for p in _DEVICE_NOISE))
_DEVICE_NOISE_WORDS = (
    "gpu",
    "=",
    "uuid",
    "|",
    "llama_",
    "using",
    "cuda",
    "rocm",
    "vulkan",
    "sycl",
    "mtl",
    "opencl",
)
_LOG_NOISE_RE = re.compile("|".join(f"(?:{p})" for p in _LOG_NOISE))

_SIZE_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(gib|gb|gigabytes?|g|mib|mb|tb)(?![a-z0-9])"
    r"(\s*(?:of\s+)?(?:vram|unified\s+memory|unified|system\s+ram|system\s+memory|ram|memory|"
    r"ddr\d?\w*))?"
)
_SYSTEM_RAM_WORDS = ("system", "ram", "ddr")
# Memory in use or left, not the device's size: llama.cpp's "using device CUDA0 (…) - 23008
# MiB free" (llama_model_load_from_file_impl), "96GB usable", "1200MiB used". What is free
# or usable is at most the size: a floor that can rule out a smaller memory variant.
_IN_USE_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(gib|gb|g|mib|mb)\s*(free|available|usable|used|in use)\b"
)

_CORES_PAIR_RE = re.compile(r"(?<![\w.])(\d{1,2})\s*/\s*(\d{1,3})(?![\w.])")
_CORES_LABELLED_RE = re.compile(
    r"(\d{1,3})\s*-?\s*(?:cores?|c)\s*-?\s*(cpu|gpu)\b|(cpu|gpu)\s*:?\s*(\d{1,3})\s*-?\s*(?:cores?|c)\b"
)
_HOST_DDR_RE = re.compile(r"(\d\s*(?:gib|gb|g))\s*(?:lp)?ddr\d\w*")
_PROFILER_CORES_RE = re.compile(
    r"total number of cores\s*:?\s*(\d{1,3})(\s*\(\s*\d+\s*performance[^)]*\))?"
)
_CORES_BARE_RE = re.compile(r"(?<![\w.])(\d{1,3})\s*-?\s*(?:cores?|c)(?![a-z0-9])")

_COUNT_WORDS = {
    "single": 1,
    "one": 1,
    "dual": 2,
    "two": 2,
    "double": 2,
    "triple": 3,
    "three": 3,
    "quad": 4,
    "four": 4,
    "six": 6,
    "eight": 8,
}
_LEAD_COUNT_RE = re.compile(r"^(\d{1,3})\s*[x×*]\s*(?=[a-z0-9(])")
_LEAD_COUNT_WORD_RE = re.compile(r"^(" + "|".join(_COUNT_WORDS) + r")\b\s*(?:x\b\s*)?")
_LEAD_BARE_COUNT_RE = re.compile(r"^(\d{1,2})\s+(?=[a-z])(?!x\b|cores?\b|gb\b|gpus?\b)")
_TRAIL_COUNT_RE = re.compile(r"(?:^|[\s(,]|(?<=\d))[x×*]\s*(\d{1,3})\s*\)?\s*$")
_PCIE_LANES_RE = re.compile(r"pci[\s-]*e(?:xpress)?\s*(?:gen\s*)?([1-6](?:\.\d)?)?\s*$")


def _lanes(before: str, n: str) -> bool:
    """Whether "xN" after "PCIe" is the slot's lane count: always after a PCIe generation
    ("PCIe 4.0 x16"), and x16 after a bare "PCIe"; "H100 PCIe x2" is two cards."""
    m = _PCIE_LANES_RE.search(before)
    return m is not None and (m.group(1) is not None or n == "16")


_BRACKET_COUNT_RE = re.compile(r"\(\s*(\d{1,3})\s*[x×]\s*\)")
_PLURAL_RE = re.compile(r"(\d{3,5})s\b")  # "two 3090s": lower-case s after a model number


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that name a vendor, a series or a board partner, not the product.
_NOISE = _wordset(
    """
    nvidia geforce amd radeon intel apple tesla instinct rtx gtx rx arc graphics gpu gpus
    card cards video vram memory unified ram the my i have with and w a an of on off in for
    at x oc edition processor desktop chip soc asus rog tuf msi gigabyte
    aorus zotac evga pny palit gainward inno3d sapphire powercolor xfx asrock galax kfa2
    colorful manli biostar leadtek sparkle acer maxsun yeston lenovo dell hp alienware razer
    ventus windforce eagle gaming trio ichill merc swft qick speedster twin edge trinity amp
    airo extreme gamerock jetstream phantom pulse nitro hellhound devil red dragon fighter
    challenger legion omen zephyrus suprim expert prime proart turbo blower sg ex stealth
    katana raider blade xps predator helios aero vision master xtreme steel legend taichi
    reference founders fe verto xlr8 uprising epic revel mech armor shadow hof low profile
    lp inspiron scar
    """
)
# Series words glued to a model number ("rtx5090", "rx7900xtx").
_GLUED_NOISE = {"rtx", "gtx", "rx"}
# Product lines that carry their own numbers ("Ventus 3X", "MERC 310", "iChill X3"):
# the numbers right after them are part of the line, not the product.
_LINES = _wordset(
    """
    ventus windforce eagle ichill merc swft qick trio legion omen zephyrus blade xps
    predator helios katana raider stealth aero scar inspiron nitro twin edge gaming dual
    uprising verto aorus rog tuf alienware proart expert prime trinity
    """
)
# Variant words written as one: "tisuper", "xtx" is a word of its own.
_COMPOUNDS = {"tisuper": ("ti", "super")}
_SYNONYMS = {"mobile": "laptop", "notebook": "laptop", "ultimate": "ultra"}

# Words that select a variant: left over right after the matched name they mean a product
# the catalog lacks ("4090 Ti"), never to be answered as the plain card.
_VARIANTS = _wordset(
    """
    ti super xt xtx gre d laptop maxq max pro ultra ada blackwell nvl sff le
    """
)
# Form factors select a variant only where the catalog has one for that product.
_FORM_FACTORS = {"pcie", "sxm", "nvl", "sff"}


@dataclass
class _Reading:
    """A typed hardware name read: its words, then the count, sizes and cores it states."""

    tokens: list[str]
    group_of: list[int]
    sizes: list[tuple[float, bool]] = field(default_factory=list)  # (GiB, said "RAM"/"DDR")
    gpu_cores: int | None = None
    bare_cores: list[int] = field(default_factory=list)
    count: int | None = None
    rest: str = ""  # the text after the count, as typed but trimmed
    floor_gib: float = 0.0  # memory typed as free or usable: the size is at least this
    cpu_cores: int | None = None  # "14-core CPU", the 14 of "14/40"


def _read(text: str, *, counts: bool) -> _Reading:
    s = clean(text)
    count: int | None = None
    if counts:
        count, s = _take_count(s)
        if count is not None and count > 1:
            # "two 3090s" is two 3090s, not a 3090 Super; only with a count, only lower-case.
            s = clean(_PLURAL_RE.sub(r"\1", text))
            count2, s = _take_count(s)
            count = count2 if count2 is not None else count
    if count and count > 1:  # "4x 3090 (96GB total VRAM)": the size of each device
        s = re.sub(
            r"(\d+(?:\.\d+)?)\s*(gb|g)\s+(?:of\s+)?total",
            lambda m: f"{float(m.group(1)) / count:g}{m.group(2)}",
            s,
        )
    rest = s.strip()
    s = re.sub(r"\bw/", " with ", s)
    s = re.sub(r"\bpci[\s-]*e(?:xpress)?\b|\bpci\s+express\b", "pcie", s)
    s = re.sub(r"max\s*-?\s*q\b", " maxq ", s)
    # "64GB DDR5" is the host's memory (a GPU's is GDDR): said before the memory-type words
    # are dropped as noise below.
    # (The rarer forms are looked for only where a word of theirs is: a name is read in
    # tens of microseconds.)
    if "ddr" in s:
        s = _HOST_DDR_RE.sub(r"\1 ram", s)
    floor = 0.0
    if any(w in s for w in ("free", "avail", "usable", "use")):
        for m in _IN_USE_RE.finditer(s):
            if m.group(3) != "used" and m.group(3) != "in use":
                value = float(m.group(1))
                floor = max(floor, value / 1024 if m.group(2) in ("mib", "mb") else value)
        s = _IN_USE_RE.sub(" ", s)
    s = _LOG_NOISE_RE.sub(" ", s)
    if any(w in s for w in _DEVICE_NOISE_WORDS):
        s = _DEVICE_NOISE_RE.sub(" ", s)
    sizes: list[tuple[float, bool]] = []

    def size(m: re.Match[str]) -> str:
        value, unit, after = float(m.group(1)), m.group(2), (m.group(3) or "").strip()
        gib: float | None
        if unit in ("mib", "mb"):
            gib = value / 1024 if value >= 1024 else None
        elif unit == "tb":
            gib = value * 1024 if after and not after.startswith("ddr") else None
        elif unit == "g":
            gib = value if value <= 256 else None
        else:
            gib = value if value <= 8192 else None
        if gib is None:
            return m.group(0) if unit == "g" else " "
        # Word starts, not substrings: "VRAM" is the card's memory, "RAM" and "DDR5" the host's.
        host = any(w.startswith(_SYSTEM_RAM_WORDS) for w in after.split())
        sizes.append((gib, host))
        return " "

    s = _SIZE_RE.sub(size, s)
    gpu_cores: int | None = None
    bare: list[int] = []
    # system_profiler SPDisplaysDataType prints a GPU's cores as "Total Number of Cores: 40";
    # SPHardwareDataType prints the CPU's as "Total Number of Cores: 12 (8 performance and 4
    # efficiency)", read here as the CPU's and dropped.
    if "total number" in s:
        for m in _PROFILER_CORES_RE.finditer(s):
            if not m.group(2):
                gpu_cores = int(m.group(1))
        s = _PROFILER_CORES_RE.sub(" ", s)
    cpu_cores: int | None = None
    for m in _CORES_PAIR_RE.finditer(s):
        cpu_cores, gpu_cores = int(m.group(1)), int(m.group(2))
    s = _CORES_PAIR_RE.sub(" ", s)
    for m in _CORES_LABELLED_RE.finditer(s):
        n = int(m.group(1) or m.group(4))
        if (m.group(2) or m.group(3)) == "gpu":
            gpu_cores = n
        else:
            cpu_cores = n
    s = _CORES_LABELLED_RE.sub(" ", s)
    bare = [int(m.group(1)) for m in _CORES_BARE_RE.finditer(s)]
    s = _CORES_BARE_RE.sub(" ", s)
    tokens, group_of = _tokens(s)
    return _Reading(tokens, group_of, sizes, gpu_cores, bare, count, rest, floor, cpu_cores)


def _take_count(s: str) -> tuple[int | None, str]:
    for regex in (_LEAD_COUNT_RE, _LEAD_COUNT_WORD_RE, _BRACKET_COUNT_RE, _TRAIL_COUNT_RE):
        m = regex.search(s)
        before = s[: m.start()].split() if m else []
        if m and regex is _TRAIL_COUNT_RE and before and before[-1] in _LINES:
            continue  # "Twin X2", "iChill X3": a product line, not a count
        if m and regex is _TRAIL_COUNT_RE and _lanes(s[: m.start()], m.group(1)):
            continue  # "PCIe 4.0 x16": the slot's lanes (a spec sheet's interface line)
        if m:
            word = m.group(1)
            n = _COUNT_WORDS[word] if word in _COUNT_WORDS else int(word)
            return n, (s[: m.start()] + " " + s[m.end() :]).strip()
    m = _LEAD_BARE_COUNT_RE.match(s)
    if m:
        return int(m.group(1)), s[m.end() :].strip()
    return None, s


def _tokens(s: str) -> tuple[list[str], list[int]]:
    tokens: list[str] = []
    group_of: list[int] = []
    series: list[tuple[int, str, int]] = []  # dropped series words: (position, word, group)
    after_line = False
    for g, runs in enumerate(glued_groups(s, keep_decimals=False)):
        for k, run in enumerate(runs):
            if run == "s" and k > 0 and runs[k - 1].isdigit():
                run = "super"  # "4080S"
            if run == "m" and k > 0 and runs[k - 1].isdigit():
                # "RTX 4090M", "RX 7600M", "GTX 980M", "Radeon 780M": the M glued to a model
                # number is the mobile part (NVIDIA's notebook naming through the GTX 900M
                # series, AMD's to this day); catalog names are read the same way.
                run = "laptop"
            run = _SYNONYMS.get(run, run)
            if run in _COMPOUNDS:  # "4070tisuper"
                first, second = _COMPOUNDS[run]
                tokens.append(first)
                group_of.append(g)
                run = second
            if after_line and ((run.isdigit() and len(run) <= 3) or run == "x"):
                continue  # a product line's own number: "Ventus 3X", "MERC 310"
            after_line = run in _LINES
            if (run in _NOISE or after_line) if len(runs) == 1 else run in _GLUED_NOISE:
                if run in _GLUED_NOISE:
                    series.append((len(tokens), run, g))
                continue
            tokens.append(run)
            group_of.append(g)
    if series and not any(c.isdigit() for t in tokens for c in t):
        # No model number: the series word is part of the name ("Titan RTX").
        for position, word, g in reversed(series):
            tokens.insert(position, word)
            group_of.insert(position, g)
    return tokens, group_of


# --- step 2: the catalog read the same way -------------------------------------------------


@dataclass(frozen=True)
class _Key:
    """One reading of a catalog name: the entry, and the memory and GPU cores it states."""

    entry_id: str
    memory_gib: float | None
    gpu_cores: int | None


@dataclass
class _Index:
    """Every catalog hardware name read as _read reads a typed one, by its words."""

    keys: dict[tuple[str, ...], list[_Key]]
    entries: Mapping[str, Entry]
    spelled: dict[str, str]  # a curated name or alias exactly as written → its entry

    def keys_of(self, entry_id: str) -> list[_Key]:
        """Every reading of one entry's names."""
        return self._by_entry.get(entry_id, [])

    @functools.cached_property
    def _by_entry(self) -> dict[str, list[_Key]]:
        out: dict[str, list[_Key]] = {}
        for ks in self.keys.values():
            for k in ks:
                out.setdefault(k.entry_id, []).append(k)
        return out

    @functools.cached_property
    def host_words(self) -> frozenset[str]:
        """The first words of CPU and unified-memory names that no discrete GPU's name uses
        ("ryzen", "xeon", "snapdragon"): typed beside a GPU's bare model number, they name a
        processor."""
        host: set[str] = set()
        gpu: set[str] = set()
        for key, ks in self.keys.items():
            for k in ks:
                entry = self.entries.get(k.entry_id)
                if entry is None:
                    continue
                if entry.get("kind") == "gpu":
                    gpu.update(key)
                elif key[0].isalpha() and len(key[0]) > 1:
                    host.add(key[0])  # a line's name leads its products' names
        return frozenset(host - gpu)

    def sizes(self, entry: Entry) -> list[float]:
        configs = [float(x) for x in entry.get("memory_configs_gib", [])]
        return configs or [float(entry.get("memory_gib", 0.0))]


@lru_cache(maxsize=8)  # Catalog hashes by identity: one index per loaded catalog
def _index(catalog: Catalog) -> _Index:
    # Reading ~1,400 names costs most of a cold `runlocal check`: kept beside the parse cache.
    keys, spelled = derived_cached(catalog, "hardware", "names", _CODE, lambda: _build(catalog))
    return _Index(keys, catalog.hardware, spelled)


# The resolver's own code: a cached index is rebuilt when it changes.
_CODE = code_stamp(__file__)


def _build(catalog: Catalog) -> tuple[dict[tuple[str, ...], list[_Key]], dict[str, str]]:
    keys: dict[tuple[str, ...], list[_Key]] = {}
    spelled: dict[str, str] = {}
    entries = catalog.hardware
    for entry in entries.values():
        cores = entry.get("gpu_cores")
        for label in (entry.id, entry.name, *entry.aliases):
            spelled.setdefault(normalize(label), entry.id)
            r = _read(label, counts=True)
            if not r.tokens:
                continue
            mem = r.sizes[0][0] if r.sizes else None
            gpu = r.gpu_cores
            if gpu is None and r.bare_cores and cores in r.bare_cores:
                gpu = int(cores)
            if len(r.tokens) == 1 and r.tokens[0].isdigit() and len(r.tokens[0]) < 3:
                continue  # "Radeon 7" reads as "7": too weak to find a product by
            key = _Key(entry.id, mem, gpu)
            bucket = keys.setdefault(tuple(r.tokens), [])
            if key not in bucket:
                bucket.append(key)
    return keys, spelled


# --- step 3: matching ----------------------------------------------------------------------


def resolve_hardware_name(catalog: Catalog, text: str) -> tuple[HardwareName, ...]:
    """What a typed hardware string names; several parts for "RTX 3090 + RTX 4090".

    Raises UnknownNameError (with the closest names), AmbiguousNameError (with the
    candidates) or InputError (a count out of range, a memory size the device is not sold
    with)."""
    return _resolve(catalog, text)


@lru_cache(maxsize=4096)
def _resolve(catalog: Catalog, text: str) -> tuple[HardwareName, ...]:
    if not text.strip():
        raise InputError("empty hardware name")
    if len(text) > 300:
        raise InputError("hardware name is too long (300 characters at most)")
    parts = [p for p in re.split(r"\s\+\s", text) if p.strip()]
    out: list[HardwareName] = []
    for part in parts:
        out.append(_resolve_one(catalog, part.strip()))
    return tuple(out)


def _resolve_one(catalog: Catalog, text: str) -> HardwareName:
    index = _index(catalog)
    if text in index.entries:
        return HardwareName(index.entries[text], None, 1)
    r = _read(text, counts=True)
    count = 1 if r.count is None else r.count
    if not 1 <= count <= MAX_DEVICES:
        raise InputError(f"device count {count} is out of range (1–{MAX_DEVICES})")
    if r.rest in index.entries:  # "2x nvidia-rtx-3090": an id after a count
        return HardwareName(index.entries[r.rest], None, count)
    curated = index.spelled.get(normalize(text))
    if curated is None and r.count is not None:  # "2x Instinct MI50": the name after a count
        curated = index.spelled.get(normalize(r.rest))
    if curated is not None:  # a name or alias exactly as the catalog writes it
        keys = index.keys_of(curated)
        entry, memory = _choose(index, text, keys, r)
        return HardwareName(entry, memory, count)
    if not r.tokens:
        # No product name, only ROCm's generic "AMD Radeon Graphics" and the chip's LLVM
        # target ("gfx1151", llama.cpp's ROCm device line): a chip is sold as several
        # products (gfx1034: RX 6500 XT, RX 6400, mobile parts), so the answer is "which
        # one?" with the catalog's products on that chip.
        arch = _GFX_RE.search(clean(text))
        chips = [
            e.id for e in index.entries.values() if arch and e.get("gpu_arch") == arch.group(0)
        ]
        if chips:
            raise AmbiguousNameError("hardware", text, _names(index, chips))
        raise UnknownNameError("hardware", text, _closest(index, text))
    best_len, spans = _spans(index, r)
    if not spans:
        # Short of a full name ("RTX PRO 6000") or in another order ("Jetson Orin NX"): the
        # entries whose names hold every word. An entry whose name adds a variant word or a
        # number to what was typed is another product ("GTX 1050" is not the 1050 Ti).
        typed = set(r.tokens)
        within = _unique(
            k.entry_id for key, ks in index.keys.items() if typed <= set(key) for k in ks
        )
        safe = _unique(
            k.entry_id
            for key, ks in index.keys.items()
            if typed <= set(key) and not any(_defining(t) for t in set(key) - typed)
            for k in ks
        )
        # Without a number, only every word of a name in another order: a left-out word
        # may name a generation ("Jetson Nano" is not the Jetson Orin Nano).
        found = within
        if not _numbered(typed):
            safe = found = _unique(
                k.entry_id for key, ks in index.keys.items() if typed == set(key) for k in ks
            )
        if len(found) == 1 and safe == found:
            keys = index.keys_of(found[0])
            entry, memory = _choose(index, text, keys, r)
            return HardwareName(entry, memory, count)
        if len(found) > 1 and safe == found:
            # Several entries hold every word, in another order ("Jetson Orin AGX 64GB") and
            # without a variant word: the memory or core count typed picks one, as for a full
            # name (else "which one?").
            keys = [k for i in found for k in index.keys_of(i)]
            entry, memory = _choose(index, text, keys, r)
            return HardwareName(entry, memory, count)
        if within:
            raise AmbiguousNameError("hardware", text, _names(index, within))
        raise UnknownNameError("hardware", text, _closest(index, text, r.tokens))
    best = [s for s in spans if s[1] - s[0] == best_len]
    ids = _unique(k.entry_id for s in best for k in s[2])
    others = [
        s
        for s in spans
        if not any(_overlaps(s, b) for b in best) and not {k.entry_id for k in s[2]} <= set(ids)
    ]
    if others:
        extra = _unique(k.entry_id for s in others for k in s[2])
        raise AmbiguousNameError("hardware", text, _names(index, [*ids, *extra]))
    # Another name of the same device may follow ("Strix Halo (Radeon 8060S)").
    same_names_at = {s[0] for s in spans if {k.entry_id for k in s[2]} <= set(ids)}
    for start, end, _ in best:
        if end < len(r.tokens) and end not in same_names_at:
            word = r.tokens[end]
            # A number right after the name, in a word of its own, continues a product
            # name the catalog lacks ("Test GPU 2"), unless the name already has one.
            numbered = any(t.isdigit() for t in r.tokens[start:end])
            form_factor_only = word in _FORM_FACTORS and not _has_form_factor(
                index, r.tokens[start:end], word
            )
            if (word.isdigit() and not numbered) or (word in _VARIANTS and not form_factor_only):
                shown = " ".join(r.tokens[start : end + 1])
                raise UnknownNameError(
                    "hardware", text, _closest(index, text, r.tokens[start : end + 1])
                ) from InputError(f"no {shown!r} in the catalog")
    # A name without a number of its own ("Elite" of the Snapdragon X Elite) next to a model
    # number it does not hold ("Snapdragon X2 Elite": letters and digits glued in one word)
    # is another product of the line.
    for start, end, _ in best:
        if any(t.isdigit() for t in r.tokens[start:end]):
            continue
        for g in (r.group_of[start] - 1, r.group_of[end - 1] + 1):
            words = [t for t, group in zip(r.tokens, r.group_of, strict=True) if group == g]
            if any(w.isdigit() for w in words) and any(w.isalpha() for w in words):
                raise UnknownNameError(
                    "hardware", text, _closest(index, text, r.tokens)
                ) from InputError(f"no {''.join(words)!r} in the catalog")
    # A processor's name around a GPU's bare model number ("Ryzen 7 6800" is no RX 6800):
    # without the GPU's series word typed before the number, it names a CPU the catalog lacks.
    if all(i in index.entries and index.entries[i].get("kind") == "gpu" for i in ids):
        inside = {i for start, end, _ in best for i in range(start, end)}
        outside = {t for i, t in enumerate(r.tokens) if i not in inside}
        if outside & index.host_words:
            for start, _, _ in best:
                group = r.group_of[start]
                if group == 0 or group - 1 in r.group_of:  # no series word right before
                    raise UnknownNameError("hardware", text, _closest(index, text, r.tokens))
    keys = [k for s in best for k in s[2]]
    entry, memory = _choose(index, text, keys, r)
    return HardwareName(entry, memory, count)


def _spans(index: _Index, r: _Reading) -> tuple[int, list[tuple[int, int, list[_Key]]]]:
    n = len(r.tokens)
    spans: list[tuple[int, int, list[_Key]]] = []
    best = 0
    for i in range(n):
        if i > 0 and r.group_of[i - 1] == r.group_of[i]:
            continue  # a run may not start inside a glued word
        for j in range(i + 1, min(n, i + 10) + 1):
            if j < n and r.group_of[j] == r.group_of[j - 1]:
                continue  # nor end inside one
            keys = index.keys.get(tuple(r.tokens[i:j]))
            if keys:
                spans.append((i, j, keys))
                best = max(best, j - i)
    return best, spans


def _numbered(tokens: Iterable[str]) -> bool:
    return any(t.isdigit() for t in tokens)


def _defining(word: str) -> bool:
    """A word that makes another product when added to a name: a variant, a number or a
    model letter ("Ti", "1050", the "A" of A2000)."""
    return word in _VARIANTS or word.isdigit() or len(word) == 1


def _overlaps(a: tuple[int, int, list[_Key]], b: tuple[int, int, list[_Key]]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _has_form_factor(index: _Index, tokens: list[str], word: str) -> bool:
    numbers = {t for t in tokens if t.isdigit()}
    return any(word in key and numbers & set(key) for key in index.keys)


def _choose(index: _Index, text: str, keys: list[_Key], r: _Reading) -> tuple[Entry, float | None]:
    ids = _unique(k.entry_id for k in keys)
    entries = [index.entries[i] for i in ids]
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
                _sized(index, entries),
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
        fitting = [e for e in entries if _size_match(index.sizes(e), gib) is not None]
        if not fitting:
            offered = sorted({s for e in entries for s in index.sizes(e)})
            shown = ", ".join(f"{s:g}" for s in offered)
            raise NotSoldError(
                "hardware",
                text,
                f"{_family(entries)} is sold with {shown} GB, not {gib:g} GB",
                _sized(index, entries),
            )
        entries = fitting
        memory = gib
    if len(entries) > 1 and r.floor_gib:  # "- 11059 MiB free": not the 6 GB RTX 2060
        roomy = [e for e in entries if max(index.sizes(e)) >= r.floor_gib]
        entries = roomy or entries
    if len(entries) > 1:
        entries = _defaults(entries, keys, memory, cores)
    if len(entries) > 1:
        raise AmbiguousNameError("hardware", text, [e.name for e in entries])
    entry = entries[0]
    chosen: float | None = None
    if memory is not None and entry.get("memory_configs_gib"):
        size = _size_match(index.sizes(entry), memory)
        if size is not None and size != float(entry.get("memory_gib", 0.0)):
            chosen = size
    return entry, chosen


def _defaults(
    entries: list[Entry], keys: list[_Key], memory: float | None, cores: int | None
) -> list[Entry]:
    """Among entries sharing a name, the one an alias names exactly as typed (with the typed
    memory or cores, or with none where none was typed)."""
    ids = {e.id for e in entries}
    for want_mem, want_cores in ((memory, cores), (None, cores), (memory, None), (None, None)):
        hits = _unique(
            k.entry_id
            for k in keys
            if k.entry_id in ids
            and (k.memory_gib is None if want_mem is None else _close(k.memory_gib, want_mem))
            and k.gpu_cores == want_cores
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


def _sized(index: _Index, entries: list[Entry]) -> list[str]:
    """The versions that exist, as names that read back: 'Apple M4 Max (40-core GPU) 128GB'."""
    out: list[str] = []
    for e in entries:
        configs = e.get("memory_configs_gib") or []
        out.extend([f"{e.name} {float(c):g}GB" for c in configs] if len(configs) > 1 else [e.name])
    return out[:6]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _names(index: _Index, ids: list[str]) -> list[str]:
    return [index.entries[i].name for i in _unique(ids)][:6]


def _closest(index: _Index, text: str, tokens: list[str] | None = None) -> list[str]:
    """Entries sharing the typed product number, else those spelled closest."""
    import difflib

    numbers = {t for t in tokens or [] if t.isdigit()}
    shared = _unique(
        k.entry_id for key, ks in index.keys.items() if numbers and numbers & set(key) for k in ks
    )
    if shared:
        return _names(index, shared)[:5]
    spelled = {" ".join(key): ks for key, ks in index.keys.items()}
    typed = " ".join(tokens) if tokens else clean(text)
    close = difflib.get_close_matches(typed, list(spelled), n=8, cutoff=0.5)
    return _names(index, [k.entry_id for c in close for k in spelled[c]])[:5]
