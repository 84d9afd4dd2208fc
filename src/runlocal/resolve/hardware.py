"""Device names as people type them → catalog entries, a memory size and a device count.

A typed name and every catalog name and alias are read alike (runlocal.resolve.hardware_reading:
the count, sizes and cores a name states, and the product's words as tokens); here the two
readings are matched.

The longest run of tokens that is a catalog name wins. A run may not cut a glued word:
"4070ti" is never the 4070, "A6000" never a 6000. A variant word right after the run that the
run did not take ("4090 Ti") means a product the catalog lacks: refused, never rounded to its
neighbour. Several entries left → the typed memory or GPU core count picks one, else the entry
whose alias claims the bare name, else the answer is "which one?".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ..bounds import HARDWARE_REQUIRED, name_problem
from ..catalog import Catalog, Entry, code_stamp, derived_cached, normalize
from ..errors import AmbiguousNameError, InputError, UnknownNameError
from ..frozen import interpreted
from .hardware_reading import (
    FORM_FACTORS,
    GFX_RE,
    VARIANTS,
    Reading,
    host_memory_only,
    read_name,
)
from .hardware_variants import Key, choose, sized, sold_sizes
from .instances import cloud_instance
from .mistyped import slipped_variant
from .names import PLURAL_RE, HardwareName
from .text import clean

MAX_DEVICES = 64

# --- the catalog read the same way ----------------------------------------------------------------


@interpreted
@dataclass
class _Index:
    """Every catalog hardware name read as read_name reads a typed one, by its words."""

    keys: dict[tuple[str, ...], list[Key]]
    entries: Mapping[str, Entry]
    spelled: dict[str, str]  # a curated name or alias exactly as written → its entry

    def keys_of(self, entry_id: str) -> list[Key]:
        """Every reading of one entry's names."""
        return self._by_entry.get(entry_id, [])

    @functools.cached_property
    def _by_entry(self) -> dict[str, list[Key]]:
        out: dict[str, list[Key]] = {}
        for ks in self.keys.values():
            for k in ks:
                out.setdefault(k.entry_id, []).append(k)
        return out

    def words_of(self, entry_id: str) -> frozenset[str]:
        """Every word of one entry's names."""
        return self._words_by_entry.get(entry_id, frozenset())

    @functools.cached_property
    def _words_by_entry(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for key, ks in self.keys.items():
            for k in ks:
                out.setdefault(k.entry_id, set()).update(key)
        return {i: frozenset(w) for i, w in out.items()}

    @functools.cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word of every catalog name."""
        return frozenset(w for key in self.keys for w in key)

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


@lru_cache(maxsize=8)  # Catalog hashes by identity: one index per loaded catalog
def _index(catalog: Catalog) -> _Index:
    # Reading ~1,400 names costs most of a cold `runlocal check`: kept beside the parse cache.
    keys, spelled = derived_cached(catalog, "hardware", "names", _CODE, lambda: _build(catalog))
    return _Index(keys, catalog.hardware, spelled)


# The code every catalog name is read with: a cached index is rebuilt when any of it changes
# (catalog.py's normalize spells the names the closest are looked for among).
_HERE = Path(__file__).parent
_CODE = code_stamp(
    __file__,
    # (hardware_variants.py holds Key, the class the cached readings are made of)
    *(str(_HERE / f) for f in ("hardware_reading.py", "hardware_variants.py", "text.py")),
    str(_HERE.parent / "catalog.py"),
)


def _build(catalog: Catalog) -> tuple[dict[tuple[str, ...], list[Key]], dict[str, str]]:
    keys: dict[tuple[str, ...], list[Key]] = {}
    spelled: dict[str, str] = {}
    entries = catalog.hardware
    for entry in entries.values():
        cores = entry.get("gpu_cores")
        for label in (entry.id, entry.name, *entry.aliases):
            spelled.setdefault(normalize(label), entry.id)
            r = read_name(label, counts=True)
            if not r.tokens:
                continue
            mem = r.sizes[0][0] if r.sizes else None
            gpu = r.gpu_cores
            if gpu is None and r.bare_cores and cores in r.bare_cores:
                gpu = int(cores)
            if len(r.tokens) == 1 and r.tokens[0].isdigit() and len(r.tokens[0]) < 3:
                continue  # "Radeon 7" reads as "7": too weak to find a product by
            key = Key(entry.id, mem, gpu)
            bucket = keys.setdefault(tuple(r.tokens), [])
            if key not in bucket:
                bucket.append(key)
    return keys, spelled


# --- matching -------------------------------------------------------------------------------------


def resolve_hardware_name(catalog: Catalog, text: str) -> tuple[HardwareName, ...]:
    """What a typed hardware string names; several parts for "RTX 3090 + RTX 4090".

    Raises UnknownNameError (with the closest names), AmbiguousNameError (with the
    candidates) or InputError (a count out of range, a memory size the device is not sold
    with)."""
    return _resolve(catalog, text)


@lru_cache(maxsize=4096)
def _resolve(catalog: Catalog, text: str) -> tuple[HardwareName, ...]:
    if not text.strip():
        raise InputError(f"hardware: {HARDWARE_REQUIRED}")
    problem = name_problem("hardware", text)
    if problem:
        raise InputError(problem)
    parts = [p for p in re.split(r"\s\+\s", text) if p.strip()]
    if len(parts) > 1:  # "2 x 3090 + 128gb ddr4": the host's memory is no device
        parts = [p for p in parts if not host_memory_only(p)] or parts
    out: list[HardwareName] = []
    for part in parts:
        out.append(_resolve_one(catalog, part.strip()))
    return tuple(out)


# Words that name one vendor's products, each vendor's own (its name and its GPU series): a
# text that holds only one vendor's words names that vendor's device (session 16 names5).
_VENDOR_OF = {w: "nvidia" for w in ("nvidia", "geforce", "rtx", "gtx", "quadro")}
_VENDOR_OF |= {w: "amd" for w in ("amd", "radeon", "rx", "instinct", "ryzen")}
_VENDOR_OF |= {"intel": "intel", "apple": "apple"}
_VENDOR_WORDS_RE = re.compile(r"(?<![a-z])(" + "|".join(_VENDOR_OF) + r")(?![a-z])")


_LANES_OR_COUNT_RE = re.compile(
    r"\d[a-z]*\s+[x×]\s*[2-8]\s+pci(?:e|[\s-]*express)?\b"
    # "RTX 4090 x16" at the end: a slot's width as spec sheets write it (x16 is the usual
    # graphics slot) or sixteen cards (session 18 names9); after "PCIe" it is the width
    r"|^(?!.*pci).*\d[a-z]*\s+[x×]\s*16\s*$"
)


def _resolve_one(catalog: Catalog, text: str) -> HardwareName:
    index = _index(catalog)
    if text in index.entries:
        return HardwareName(index.entries[text], None, 1)
    instance = cloud_instance(catalog, text)
    if instance is not None:
        return instance
    lanes_or_count = _LANES_OR_COUNT_RE.search(clean(text)) if "x" in text.lower() else None
    if lanes_or_count:
        # "RTX 4060 Ti x8 PCIe" is the card's link width (spec sheets); "A100 x8 PCIe" in a
        # cloud row is eight cards: "xN" right before "PCIe" reads both ways, so it is asked.
        error = UnknownNameError("hardware", text, [])
        error.args = (
            f"hardware {text!r}: {lanes_or_count.group(0).split(None, 1)[1]!r} may be the"
            " card's PCIe link width or a number of cards; type the count as '8x …'",
        )
        raise error
    r = read_name(text, counts=True)
    if r.count is not None and r.count > 1 and PLURAL_RE.search(text):
        # "2x nvidia-l40s": an id after a count is that id, though its last letter reads as
        # a plural ("two 3090s") and would leave another id (nvidia-l40).
        as_typed = read_name(text, counts=True, plurals=False)
        if as_typed.rest in index.entries:
            r = as_typed
    try:
        found = _resolve_read(index, text, r)
    except UnknownNameError as error:
        if _MAX_Q_RE.search(text) and not isinstance(error, AmbiguousNameError):
            # "RTX 3070 Max-Q", "RTX 2080 Max-P": NVIDIA's Max-Q and Max-P designs are its
            # laptop GPUs' power levels (its GeForce notebook pages: "GeForce RTX 2080 with
            # Max-Q Design"), so a name with no Max-Q product of its own (the RTX PRO 6000
            # Blackwell Max-Q is one, found above) is that laptop GPU (session 17 names6).
            said = re.search(r"(?i)\b(?:laptop|mobile|notebook)\b", text)  # "Mobile / Max-Q"
            r = read_name(_MAX_Q_RE.sub(" " if said else " Laptop ", text), counts=True)
            found = _resolve_read(index, text, r)
            if found.entry.get("segment") != "laptop":
                raise
        elif not PLURAL_RE.search(text):
            raise
        else:
            # "H100s", "3090s": a lower-case s after a model number read as a Super names
            # nothing (no H100 Super), so it is a plural.
            r = read_name(PLURAL_RE.sub(r"\1", text), counts=True)
            found = _resolve_read(index, text, r)
    vendors = {_VENDOR_OF[w] for w in _VENDOR_WORDS_RE.findall(clean(text))}
    if len(vendors) == 1 and str(found.entry.get("vendor", "")).lower() not in vendors | {""}:
        # One vendor's series word before another vendor's model number ("RX 4090": RX is
        # AMD's Radeon series, 4090 an NVIDIA number) names no product: a slip of either
        # word, never answered as the other vendor's card.
        raise UnknownNameError("hardware", text, [found.entry.name]) from InputError(
            f"{found.entry.name} is no {vendors.pop().upper()} product"
        )
    shaders = found.entry.get("gpu_cores")
    if r.shaders and found.entry.get("kind") == "gpu" and shaders and int(shaders) != r.shaders:
        # A shader count the product does not have ("RX 580 2048SP", a cut-down card sold
        # under the RX 580's name) is another product, never the one the catalog has.
        raise UnknownNameError("hardware", text, [found.entry.name]) from InputError(
            f"{found.entry.name} has {int(shaders)} shaders, not {r.shaders}"
        )
    return found


# NVIDIA's laptop GPU designs, "Max-Q" and "Max-P" in any spelling ("MaxQ", "Max Q").
_MAX_Q_RE = re.compile(r"(?i)(?<![a-z0-9])max\s*-?\s*[qp](?![a-z0-9])")


def _resolve_read(index: _Index, text: str, r: Reading) -> HardwareName:
    count = 1 if r.count is None else r.count
    if not 1 <= count <= MAX_DEVICES:
        raise InputError(f"device count {count} is out of range (1–{MAX_DEVICES})")
    if r.rest in index.entries:  # "2x nvidia-rtx-3090": an id after a count
        return HardwareName(index.entries[r.rest], None, count)
    curated = index.spelled.get(normalize(text))
    if curated is None and r.count is not None:  # "2x Instinct MI50": the name after a count
        curated = index.spelled.get(normalize(r.rest))
    if curated is not None and not r.laptop:  # a name or alias exactly as the catalog writes it
        # (not where a laptop was said in words the catalog's spelling drops: "笔记本 4060",
        # Chinese "notebook", reads as the alias "4060"; the match below takes the laptop GPU)
        keys = index.keys_of(curated)
        entry, memory = choose(index.entries, text, keys, r)
        return HardwareName(entry, memory, count)
    if not r.tokens:
        # No product name, only ROCm's generic "AMD Radeon Graphics" and the chip's LLVM
        # target ("gfx1151", llama.cpp's ROCm device line): a chip is sold as several
        # products (gfx1034: RX 6500 XT, RX 6400, mobile parts), so the answer is "which
        # one?" with the catalog's products on that chip.
        arch = GFX_RE.search(clean(text))
        chips = [
            e.id for e in index.entries.values() if arch and e.get("gpu_arch") == arch.group(0)
        ]
        if chips:
            raise AmbiguousNameError("hardware", text, _names(index, chips))
        raise UnknownNameError("hardware", text, _closest(index, text))
    return _match(index, text, r, count)


def _match(index: _Index, text: str, r: Reading, count: int) -> HardwareName:
    """The entry the reading's words name (the longest run that is a catalog name)."""
    best_len, spans = _spans(index, r)
    if not spans:
        # Short of a full name ("RTX PRO 6000") or in another order ("Jetson Orin NX"): the
        # entries whose names hold every word. An entry whose name adds a variant word or a
        # number to what was typed is another product ("GTX 1050" is not the 1050 Ti).
        typed = set(r.tokens) | ({"laptop"} if r.laptop else set())  # "Katana 15 RTX 4050"
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
            entry, memory = choose(index.entries, text, keys, r)
            return HardwareName(entry, memory, count)
        if len(found) > 1 and safe == found:
            # Several entries hold every word, in another order ("Jetson Orin AGX 64GB") and
            # without a variant word: the memory or core count typed picks one, as for a full
            # name (else "which one?").
            keys = [k for i in found for k in index.keys_of(i)]
            entry, memory = choose(index.entries, text, keys, r)
            return HardwareName(entry, memory, count)
        if within:
            raise AmbiguousNameError("hardware", text, _names(index, within))
        raise UnknownNameError("hardware", text, _closest(index, text, r.tokens))
    best = [s for s in spans if s[1] - s[0] == best_len]
    if r.laptop and "laptop" not in r.tokens:
        best = [_as_laptop(index, text, r, s) for s in best]
    elif r.either and "laptop" not in r.tokens:
        _either(index, text, r, best)
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
    same_names_end = {s[1] - 1 for s in spans if {k.entry_id for k in s[2]} <= set(ids)}
    for start, end, _ in best:
        if end < len(r.tokens) and end not in same_names_at:
            word = r.tokens[end]
            if r.model_size_at(end):  # "3060 for 8b models": a model's size, not memory;
                if len(ids) > 1 and r.group_of[end] == r.group_of[end - 1] + 1:
                    raise AmbiguousNameError("hardware", text, _names(index, ids))  # "3060 8b"
                continue
            if word.isdigit():
                # A number typed without its unit right after the name: a memory size the
                # device is sold with ("M4 Max 128", "RTX 5060 Ti 8") or a GPU core count
                # of one of its variants ("M4 Max 40"); never dropped in silence.
                read = _number_after(index, text, ids, r, end)
                if read is not None:  # matched again without it: "A100 80 SXM"
                    return _match(index, text, read, count)
            # A number right after the name, in a word of its own, that is neither continues
            # a product name the catalog lacks ("Test GPU 2"), unless the name already has
            # one (a board partner's "SHADOW 3X", "(1-Click OC)" follow model numbers).
            numbered = any(t.isdigit() for t in r.tokens[start:end])
            form_factor_only = word in FORM_FACTORS and not _has_form_factor(
                index, r.tokens[start:end], word
            )
            if word in FORM_FACTORS and _other_form_factor(index, ids, r.tokens[start:end], word):
                # "Tesla P100-SXM2", "H800 PCIe": a form factor that the named product's
                # entries spell otherwise ("Tesla P100 PCIe 16GB") is a product the catalog
                # lacks (another board, memory and power), never the one it has.
                shown = " ".join(r.tokens[start : end + 1])
                raise UnknownNameError(
                    "hardware", text, _closest(index, text, r.tokens[start : end + 1])
                ) from InputError(f"no {shown!r} in the catalog")
            # One slip from a variant word a name of the line takes there ("RTX 3090 to",
            # "RX 6700 zt": Ti, XT) is that product mistyped, never the plain card.
            slip = slipped_variant(index.keys, index.vocabulary, r.tokens, start, end)
            if (
                (word.isdigit() and not numbered)
                or (word in VARIANTS and not form_factor_only)
                or slip
            ):
                shown = " ".join(r.tokens[start : end + 1])
                raise UnknownNameError(
                    "hardware", text, _closest(index, text, r.tokens[start : end + 1])
                ) from InputError(f"no {shown!r} in the catalog")
    # A name without a number of its own ("Elite" of the Snapdragon X Elite) next to a model
    # number it does not hold ("Snapdragon X2 Elite": letters and digits glued in one word)
    # is another product of the line; so is one after a variant word that no name of it
    # takes ("Radeon Pro VII" is not the Radeon VII).
    for start, end, _ in best:
        if any(t.isdigit() for t in r.tokens[start:end]):
            continue
        if start > 0 and r.tokens[start - 1] in VARIANTS and start - 1 not in same_names_end:
            shown = " ".join(r.tokens[start - 1 : end])
            raise UnknownNameError(
                "hardware", text, _closest(index, text, r.tokens)
            ) from InputError(f"no {shown!r} in the catalog")
        for g in (r.group_of[start] - 1, r.group_of[end - 1] + 1):
            words = [t for t, group in zip(r.tokens, r.group_of, strict=True) if group == g]
            # (or a bare number right before it: "Snapdragon 8 Elite" is Qualcomm's phone
            # chip, not the X Elite; a count or a size before a name was read already)
            # (the word before the number one of the name's own: "Surface Laptop 7 Snapdragon
            # X Elite" names the laptop's generation)
            at = r.group_of.index(g) if words else 0
            before = (
                g < r.group_of[start]
                and bool(words)
                and all(w.isdigit() for w in words)
                and at > 0
                and any(r.tokens[at - 1] in index.words_of(i) for i in ids)
            )
            if any(w.isdigit() for w in words) and (any(w.isalpha() for w in words) or before):
                raise UnknownNameError(
                    "hardware", text, _closest(index, text, r.tokens)
                ) from InputError(f"no {''.join(words)!r} in the catalog")
    # A model number joined by a hyphen to a word no catalog name holds is that word's
    # product code ("Minisforum MS-A2" is a mini PC, not the NVIDIA A2; "MS-01"): part
    # numbers and product codes are written so, while a catalog name's own words may be
    # hyphen-joined to it ("RTX-4090", "Tesla-T4", "HX-370"). (session 16 names5)
    cleaned = clean(text)
    for start, _, _ in best:
        if start > 0 and r.tokens[start - 1].isalpha():
            word = r.tokens[start - 1]
            first = "".join(
                t for t, g in zip(r.tokens, r.group_of, strict=True) if g == r.group_of[start]
            )
            if word not in index.vocabulary and re.search(
                rf"(?<![a-z0-9]){re.escape(word)}-{re.escape(first)}(?![a-z0-9])", cleaned
            ):
                raise UnknownNameError("hardware", text, _closest(index, text, r.tokens))
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
    entry, memory = choose(index.entries, text, keys, r)
    return HardwareName(entry, memory, count)


def _as_laptop(
    index: _Index, text: str, r: Reading, span: tuple[int, int, list[Key]]
) -> tuple[int, int, list[Key]]:
    """A GPU named in a laptop's product line is the laptop GPU of that name (the catalog's
    "RTX 4060 Laptop GPU"); refused, with the closest names, where the catalog has none: the
    laptop part has its own clocks, power and memory, never the desktop card's."""
    start, end, keys = span
    if not all(index.entries[k.entry_id].get("kind") == "gpu" for k in keys):
        return span
    laptop = index.keys.get((*r.tokens[start:end], "laptop"))
    if laptop:
        return start, end, laptop
    tokens = [*r.tokens[start:end], "laptop"]
    raise UnknownNameError("hardware", text, _closest(index, text, tokens)) from InputError(
        f"no {' '.join(tokens)!r} in the catalog"
    )


def _either(index: _Index, text: str, r: Reading, best: list[tuple[int, int, list[Key]]]) -> None:
    """A GPU named in a line sold both as laptops and as desktops ("Lenovo Legion … RTX 4090"),
    with nothing saying which: "which one?" where the catalog has both the card and the laptop
    GPU of that name."""
    for start, end, keys in best:
        if not all(index.entries[k.entry_id].get("kind") == "gpu" for k in keys):
            continue
        laptop = index.keys.get((*r.tokens[start:end], "laptop"))
        if laptop:
            ids = _unique([*(k.entry_id for k in keys), *(k.entry_id for k in laptop)])
            raise AmbiguousNameError("hardware", text, _names(index, ids))
        if all(index.entries[k.entry_id].get("segment") == "workstation" for k in keys):
            # NVIDIA sells its workstation GPUs for laptops under the card's name ("RTX 5000
            # Ada Generation Laptop GPU", "RTX A5000 Laptop GPU", "RTX PRO 5000 Blackwell
            # Generation Laptop GPU": its professional laptop GPU pages), and a workstation
            # line sold both ways carries both: "Precision 5690 RTX 5000 Ada" is a laptop whose
            # GPU the catalog lacks, never the desktop card (session 17 names8).
            tokens = [*r.tokens[start:end], "laptop"]
            raise UnknownNameError("hardware", text, _closest(index, text, tokens)) from InputError(
                f"no {' '.join(tokens)!r} in the catalog, and no desktop word"
            )


def _other_form_factor(index: _Index, ids: list[str], name: list[str], word: str) -> bool:
    """Whether a form factor typed after a name that holds none is one the named entries'
    own names never spell, while they spell another ("P100 SXM" for the PCIe card)."""
    if FORM_FACTORS & set(name):
        return False
    spelled = {t for i in ids for t in index.words_of(i)}
    return word not in spelled and bool(FORM_FACTORS & spelled)


def _number_after(index: _Index, text: str, ids: list[str], r: Reading, at: int) -> Reading | None:
    """A bare number after a device's name (the token at ``at``) read as what it can only be,
    the reading returned without it: a memory size one of the entries is sold with, else a
    GPU core count of one of them (Apple's variants: "M4 Max 40"), else a CPU core count
    that picks a variant ("M4 Pro 14"); both a size and a core count ("M1 Pro 16": 16 GB or
    the 16-core GPU) is "which one?"; an even number that is none of them a size (refused by
    the sizes sold); None for an odd one (a board partner's line number)."""
    n = int(r.tokens[at])
    entries = [index.entries[i] for i in ids]
    sizes = {s for e in entries for s in sold_sizes(e)} - {float(gib) for gib, _ in r.sizes}
    cores = {int(e.get("gpu_cores")) for e in entries if e.get("gpu_cores")}
    cpus = {int(e.get("cpu_cores")) for e in entries if e.get("cpu_cores") and e.get("gpu_cores")}
    is_size, is_cores = float(n) in sizes, n in cores and r.gpu_cores is None
    if is_size and is_cores:
        raise AmbiguousNameError("hardware", text, sized(entries))
    rest = replace(
        r,
        tokens=r.tokens[:at] + r.tokens[at + 1 :],
        group_of=r.group_of[:at] + r.group_of[at + 1 :],
    )
    if is_size:
        return replace(rest, sizes=[*r.sizes, (float(n), False)])
    if is_cores:
        return replace(rest, gpu_cores=n)
    if n in cpus and r.cpu_cores is None and len(cpus) > 1:  # "M4 Pro 14": the 14-core CPU
        return replace(rest, cpu_cores=n)
    # Neither, but shaped like a memory size (an even number of GB, a word of its own): read
    # as one, so that a size the device is not sold with is refused with the sizes it is
    # ("RTX 4090 48" is a modded card); a board partner's odd line numbers ("SHADOW 3X",
    # "(1-Click OC)") stay ignored.
    alone = r.group_of.count(r.group_of[at]) == 1
    if alone and n % 2 == 0 and 2 <= n <= 1024:
        return replace(rest, sizes=[*r.sizes, (float(n), False)])
    return None


def _spans(index: _Index, r: Reading) -> tuple[int, list[tuple[int, int, list[Key]]]]:
    n = len(r.tokens)
    spans: list[tuple[int, int, list[Key]]] = []
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
    return word in VARIANTS or word.isdigit() or len(word) == 1


def _overlaps(a: tuple[int, int, list[Key]], b: tuple[int, int, list[Key]]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _has_form_factor(index: _Index, tokens: list[str], word: str) -> bool:
    numbers = {t for t in tokens if t.isdigit()}
    return any(word in key and numbers & set(key) for key in index.keys)


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
