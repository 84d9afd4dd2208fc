"""Reading a device name as people type or paste it: what it states besides the product.

"ASUS TUF Gaming GeForce RTX 4070 Ti SUPER 16GB", "2 x Tesla P40 24GB", "M4 Max 16/40 128GB",
a pasted llama.cpp, nvidia-smi or system_profiler line: each is read in the same steps, and
every catalog name and alias is read by the same function (runlocal.resolve.hardware matches
the two readings).

1. What is not the product is read and removed: a device count (only from explicit forms:
   "2x", "x2", "2 x", "dual", "two"…, never from a model number), memory sizes in any spelling,
   Apple's CPU/GPU core notation, log boilerplate, bandwidth and clock figures, vendor and
   board-partner names and their product lines (with the numbers those lines carry: "Ventus
   3X", "MERC 310" are never a count or a model).
2. The rest is split into tokens, letters apart from digits ("rx7900xtx" → rx 7900 xtx), so
   the lookup needs no spelling tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .hardware_languages import OTHER_GB_RE, other_language_words, other_languages
from .names import PLURAL_RE
from .text import clean, glued_groups

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
    r"\d+\s*(?:cus?|compute units?|sms?|xe[- ]?cores?)\b",
    # A cloud machine's virtual CPUs and a processor's threads ("1x RTX 4090 … 16 vCPU", RunPod's
    # and Vast.ai's rows; "16 cores / 32 threads"): the host's, never a memory size or a
    # device's cores (session 17 names6).
    r"\d+\s*-?\s*(?:v\s*cpus?|vcores?|threads?)\b",
    r"(?<=pcie)\s*(?:gen\s*)?[1-6](?:\.\d)?(?![\d.]|\s*gb|\s*g\b)(?:\s*x\s*(?:16|8|4))?",
    # a bare slot width, never the x of Dell's Alienware x-series model ("Alienware x16")
    r"(?:^|(?<!alienware)\s)x(?:16|8)\b",
    r"\(\s*(?:19|20)\d\d\s*\)",  # a model year in brackets: "Mac Studio (2025)"
    r"\b(?:early|mid|late)\s+(?:19|20)\d\d\b",
    r"\b\d{2}(?:\.\d)?\s*(?:-\s*)?(?:inch|in\b|\"|”|'')",  # screen sizes
    r"\d+(?:\.\d+)?\s*(?:tb|gb)\s*(?:ssd|nvme|storage|hdd)\b",
    # A Mac's name, with the screen size that names its model ("MacBook Pro 14", "iMac 24"),
    # never a memory size ("MacBook Pro 16GB").
    r"\b(?:macbook\s*(?:pro|air)?|mac\s*(?:studio|mini|pro)|imac|mbp|mba)\b"
    r"(?:\s+(?:1[1-7]|24)\b(?!\s*(?:gb|g|gib|tb)\b))?",
    r"\bfounders?\s*edition\b",
    r"\b(?:limited|special|anniversary)\s*edition\b",
    r"\b(?:ftw|xc)\s*\d?\s*(?:ultra)?\b",  # EVGA lines: "FTW3 Ultra" is not an Apple Ultra
    r"\bultra\s*gaming\b",
    r"\bstrix\b(?!\s*(?:halo|point))",  # ASUS ROG Strix, not AMD's Strix Halo or Strix Point
    # A price in a listing or a post ("$700 OBO", "€1.299", "1400 USD"): never a size or a
    # model number.
    r"[$€£¥]\s*\d[\d,]*(?:\.\d+)?k?(?![\w.])|\b\d[\d,.]*\s*(?:[$€£]|usd|eur|gbp|dollars?|euros?|bucks)(?![a-z])",
    # A part number: four or more groups of letters and digits joined by hyphens, each with a
    # digit, the first starting with one (NVIDIA's "900-21010-0000-000", "900-2G610-0000-000").
    r"(?<![\w.-])\d[0-9a-z]*(?:-[0-9a-z]*\d[0-9a-z]*){3,}(?![\w.-])",
    r"\bg?ddr\d\w*|\blpddr\d\w*|\bhbm\d?e?\b|\bgddr\d\w*",
]
GFX_RE = re.compile(r"\bgfx[0-9a-f]{3,5}\b")
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

# (A size may be glued to the variant word before it: "5060Ti16G", "4060ti16gb".)
_SIZE_RE = re.compile(
    r"(?:(?<![\w.])|(?<=ti)|(?<=xt)|(?<=super)|(?<=gre))"
    r"(\d+(?:\.\d+)?)\s*(gib|gb|gigabytes?|g|mib|mb|tb)(?![a-z0-9])"
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

# A GPU's shader count, as listings and spec sheets give it: "RX 580 2048SP" (a cut-down RX 580
# sold in China), "2304 stream processors", "10496 CUDA cores", "3072 shading units".
_SHADERS_RE = re.compile(
    r"(?<![\w.])(\d{3,5})\s*-?\s*(?:sps?|stream processors?|shaders?|shading units?|cuda cores?)"
    r"(?![a-z0-9])"
)
_CORES_PAIR_RE = re.compile(r"(?<![\w.])(\d{1,2})\s*/\s*(\d{1,3})(?![\w.])")
_CORES_LABELLED_RE = re.compile(
    r"(\d{1,3})\s*-?\s*(?:cores?|c)\s*-?\s*(cpu|gpu)\b|(cpu|gpu)\s*:?\s*(\d{1,3})\s*-?\s*(?:cores?|c)\b"
    # (and "8 CPU cores", "40 GPU cores": the unit's word before "cores"; session 17 names6)
    r"|(\d{1,3})\s*-?\s*(cpu|gpu)\s*-?\s*cores?\b"
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
# A count inside a sentence, right before a model number ("Kaggle 2x T4", "running 2 x 3090");
# never before a word without digits ("SHADOW 3X OC" is MSI's cooler), a memory size
# ("2x 32GB DDR5": the host's modules) or a power connector ("2x 8-pin"). Also glued and after a
# bracket ("48GB VRAM (2x3090)", a forum signature; session 16 names5); never a
# hexadecimal id ("(0x1100)").
_MID_COUNT_RE = re.compile(
    r"(?<=[\s(])([1-9]\d?)\s*[x×]\s*(?=(?:(?:nvidia|geforce|rtx|gtx|tesla|quadro|amd|radeon|rx|"
    r"instinct|intel|arc)\s+){0,2}[a-z-]*\d)"
    r"(?!\d+(?:\.\d+)?\s*(?:gb|g|gib|tb|mb|mib)\b|\d+\s*-?\s*pin)"
)
# A count word inside a sentence, right before a model number ("CUDA_VISIBLE_DEVICES=0,1 two
# 3090s", "running dual 4090"), as _MID_COUNT_RE; and "xN" right after a model number, before
# more words ("3090 x2 for 70b"): the trailing form with a question after it. Never a PCIe
# slot's lanes ("4090 x16 slot") and at most eight (a board's slots).
_MID_COUNT_WORD_RE = re.compile(
    r"(?<=\s)(" + "|".join(w for w, n in _COUNT_WORDS.items() if n > 1) + r")\s+"
    r"(?=(?:(?:nvidia|geforce|rtx|gtx|tesla|quadro|amd|radeon|rx|instinct|intel|arc)\s+){0,2}"
    r"[a-z-]*\d)(?!\d+(?:\.\d+)?\s*(?:gb|g|gib|tb|mb|mib)\b)"
)
# "Dual" is also a board line ("ASUS Dual RTX 4060", "Palit 4060 Ti Dual 8GB"): a count only
# after a word of a sentence ("running dual 4090", "with dual 3090").
_COUNT_AFTER = frozenset("have has got run running with on my a an using use and or".split())  # noqa: SIM905
# Session 16 names5: also after a model number ending in a letter ("MI300X x8 192GB") or after
# a memory size ("H100 80GB x 8 SXM"), and before a size ("x8 192GB": the total, read below),
# as cloud marketplaces write their rows; never after "PCIe" (the lanes, _lanes).
_AFTER_NUMBER_COUNT_RE = re.compile(
    r"(?:(?<=\d)|(?<=\d[a-z])|(?<=\dgb)|(?<=\dg))\s+[x×]\s*([2-8])\s+"
    r"(?!(?:pci(?:e|[\s-]*express)?|lanes?|slots?|electrical)\b)(?=\(?\s*(?:[a-z]|\d+(?:\.\d+)?\s*(?:gb|g|gib)\b))"
)
# A Kubernetes node's label or a pod's request names the number of GPUs as a field
# ("nvidia.com/gpu.count=8", "nvidia.com/gpu: 4"; NVIDIA GPU feature discovery and the device
# plugin's resource name); the product is another label beside it.
_FIELD_COUNT_RE = re.compile(r"\bgpu(?:\.count)?\s*[=:]\s*(\d{1,2})(?![\w.])")
# A count written with the word GPU after it ("HGX H100 8-GPU", "8 GPUs"), never a core count
# ("10 GPU cores", "40-core GPU").
_GPUS_COUNT_RE = re.compile(r"(?<![\w.-])(\d{1,2})\s*-?\s*gpus?\b(?!\s*-?\s*cores?\b)")
# An NVIDIA DGX server named by its GPU holds eight SXM boards of it (DGX A100, H100, H200,
# B200, B300: NVIDIA's DGX datasheets), and the memory it is named with is the eight's total;
# DGX Spark and DGX Station are devices of their own.
_DGX_RE = re.compile(r"\bdgx\s*-?\s*(?=[abh]\d{3}\b)")
# A letter O typed for a zero inside a model number ("rtx 4o90", "3O90").
_O_FOR_ZERO_RE = re.compile(r"(?<![a-z0-9])(\d[0-9o]*o[0-9o]*)(?![a-z0-9])")
# An interconnect between the cards, not a product: "2x 3090 NVLink", "with SLI bridge"
# (not a superchip's "NVLink-C2C", a spec-sheet line kept as it is).
_LINK_RE = re.compile(r"\b(?:with\s+)?(?:nv-?link|sli)(?:\s+bridge)?\b(?![-\s]*c2c)")
# (also right after a size: "4090 24G*2", a Chinese forum's two 24 GB cards)
_TRAIL_COUNT_RE = re.compile(r"(?:^|[\s(,]|(?<=\d)|(?<=\dg)|(?<=\dgb))[x×*]\s*(\d{1,3})\s*\)?\s*$")
_PCIE_LANES_RE = re.compile(r"pci[\s-]*e(?:xpress)?\s*(?:gen\s*)?([1-6](?:\.\d)?)?\s*$")


def _lanes(before: str, n: str) -> bool:
    """Whether "xN" after "PCIe" is the slot's lane count: always after a PCIe generation
    ("PCIe 4.0 x16"), and x16 after a bare "PCIe"; "H100 PCIe x2" is two cards."""
    m = _PCIE_LANES_RE.search(before)
    return m is not None and (m.group(1) is not None or n == "16")


_BRACKET_COUNT_RE = re.compile(r"\(\s*(\d{1,3})\s*[x×]\s*\)")


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
    lp inspiron scar cyborg vector victus loq zenbook vivobook zbook thinkpad sword crosshair
    envy spectre
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
    uprising verto aorus rog tuf alienware proart expert prime trinity cyborg vector victus
    loq zenbook vivobook zbook thinkpad sword crosshair envy spectre
    """
)
# Product lines sold only as laptops (ASUS ROG Zephyrus and ROG Strix Scar, Razer Blade, MSI
# Raider and Katana, Acer Predator Helios): a GPU named in them is the laptop GPU ("Zephyrus
# G14 RTX 4060" is the RTX 4060 Laptop GPU, not the desktop card). Lines sold as desktops too
# (Legion, Omen, XPS, Alienware, Stealth) say nothing. HP's ZBook and Lenovo's ThinkPad are
# laptop-only workstation lines (HP's desktops are "Z2"/"Z4"/"Z8", Lenovo's "ThinkStation"):
# "ZBook Fury G11 RTX 5000 Ada" is the RTX 5000 Ada Laptop GPU (session 17 names8).
_LAPTOP_LINES = _wordset("zephyrus scar blade raider katana helios zbook thinkpad")
# A laptop's model name: a product line's name with the screen size after it ("XPS 15",
# "Omen 16", "Stealth 16 Studio", "Titan 18 HX", "AORUS 17X", "LOQ 15IRX9", "Nitro V 15"), or a
# vendor's letter glued to the screen size ("Zephyrus G14", "Strix G16", "TUF Gaming A15", "Dell
# G15", "ProArt P16", "Alienware m18"; Dell's workstation laptops "Precision 16", "Dell Pro
# Max 16": session 17 names6). Desktops name their volume in litres ("Omen 45L",
# "Victus 15L"), never a bare 13 to 18. A word of the model's own may come between ("Omen
# Transcend 14", "Legion Slim 16"), or the line's series number ("Legion 7 16", "Legion Pro 7
# 16", "Legion 5i 15": Lenovo's model names; session 17 names8), or both ("Legion Slim 5 16");
# Dell's x-series writes its letter before the screen size right after the line ("Alienware
# x16", as its m-series "m18"; session 18 names9; never a revision, "Aurora R16"); the model's name is the laptop's, never the GPU's words.
_LAPTOP_MODEL_RE = re.compile(
    r"\b(?:legion|omen|zephyrus|blade|xps|predator|helios|katana|raider|stealth|aero|scar|"
    r"inspiron|nitro|alienware|aorus|cyborg|vector|titan|victus|loq|pulse|sword|crosshair|"
    r"zenbook|vivobook|zbook|thinkpad|envy|spectre|precision|dell\s+pro\s+max)"
    r"\s+(?:v\s+|(?:[a-z]{3,}\s+)?(?:[5-9]i?\s+)?|x)1[3-8](?:\.\d)?(?:[a-z]+\d*)?\b(?<!l)"
    r"|(?<![\w.-])[gafpm]1[4-8](?![\w.])"
)
# Lines sold both as laptops and as desktops (Lenovo Legion and LOQ, HP Omen and Victus, Dell
# XPS and Alienware): a GPU named in one, with neither a laptop's model name nor a desktop's
# word ("Tower", "Desktop", "Aurora", a volume in litres), is either the card or the laptop
# GPU of that name: "which one?".
# (Dell's Precision and Pro Max workstations too: "Precision 5690" is a laptop, "Precision 7960
# Tower" a desktop; "Dell Pro Max 16", "Dell Pro Max Tower T2"; session 17 names6.)
_EITHER_LINES_RE = re.compile(
    r"\b(?:legion|loq|omen|victus|xps|alienware|precision|dell\s+pro\s+max)\b"
)
_DESKTOP_RE = re.compile(r"\b(?:tower|desktop|aurora|\d{2}l)\b")
# Variant words written as one: "tisuper", "xtx" is a word of its own.
_COMPOUNDS = {"tisuper": ("ti", "super"), "tis": ("ti", "super")}  # "4070TiS", as "4080S"
_SYNONYMS = {"mobile": "laptop", "notebook": "laptop", "ultimate": "ultra"}

# Words that select a variant: left over right after the matched name they mean a product
# the catalog lacks ("4090 Ti"), never to be answered as the plain card. "Industrial" is
# NVIDIA's Jetson module with other clocks and ECC memory (the Jetson AGX Orin Industrial
# data sheet; session 18 names10).
VARIANTS = _wordset(
    """
    ti super xt xtx gre d laptop maxq max pro ultra ada blackwell nvl sff le industrial
    """
)
# Form factors select a variant only where the catalog has one for that product.
FORM_FACTORS = {"pcie", "sxm", "nvl", "sff"}


@dataclass
class Reading:
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
    laptop: bool = False  # a laptop's product line was named ("Zephyrus", "Razer Blade")
    either: bool = False  # a line sold as laptops and desktops, neither said ("Legion")
    shaders: int | None = None  # "2048SP", "10496 CUDA cores": the GPU's shader count

    def model_size_at(self, i: int) -> bool:
        """Whether token i is a number glued to a B ("8b", "70B"): a model's parameter count,
        never a device's memory ("3060 for 8b models"). Right after a device's name it may
        also be "8 GB" mistyped ("RTX 3060 8b"), so the caller asks which one there."""
        return (
            self.tokens[i].isdigit()
            and self.tokens[i + 1 : i + 2] == ["b"]
            and self.group_of[i + 1] == self.group_of[i]
        )


def _cleaned(text: str) -> str:
    """clean(), with underscores as spaces (a cloud console's "gpu_8x_a100_80gb_sxm4"), after
    the log prefixes spelled with them ("ggml_vulkan:", "llama_model_load…:") are gone, and a
    letter O typed for a zero inside a model number of four digits or more as a zero."""
    s = clean(text)
    if "go" in s or not s.isascii():
        # Gigabytes written the French way ("16 Go", gigaoctet) or in Cyrillic ("8 ГБ",
        # гигабайт) after a memory size of at most three digits ("3090 go" is no size).
        s = OTHER_GB_RE.sub(r"\1gb", s)
    if not s.isascii() or any(w in s for w in other_language_words):
        s = other_languages(s)
    if "o" in s:
        s = _O_FOR_ZERO_RE.sub(
            lambda m: m.group(1).replace("o", "0") if len(m.group(1)) >= 4 else m.group(1), s
        )
    if "_" in s:
        s = re.sub(r"\b(?:ggml|llama)_\w+:?", " ", s).replace("_", " ")
    return s


_DEVICE_INDEX_RE = re.compile(r"\b(?:device|gpu)\s*\[?(\d{1,2})\]?\s*:")


def read_name(text: str, *, counts: bool, plurals: bool = True) -> Reading:
    s = _unlinked(_cleaned(text))
    count: int | None = None
    if counts:
        count, s = _take_count(s)
        if count is not None and count > 1 and plurals:
            # "two 3090s" is two 3090s, not a 3090 Super; only with a count, only lower-case.
            s = _unlinked(_cleaned(PLURAL_RE.sub(r"\1", text)))
            count2, s = _take_count(s)
            count = count2 if count2 is not None else count
        if count is None and ("device" in s or "gpu" in s):
            # Several devices listed by index in one paste (llama.cpp's "Device 0: … Device 1:
            # …", nvidia-smi -L's "GPU 0: … GPU 1: …"): as many devices as indexes. Naming
            # different products still asks which one (the match finds both names).
            indexes = set(_DEVICE_INDEX_RE.findall(s))
            if len(indexes) > 1:
                count = len(indexes)
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
    shaders: int | None = None
    if any(w in s for w in ("sp", "stream", "shad", "cuda core")):
        for m in _SHADERS_RE.finditer(s):
            shaders = int(m.group(1))
        s = _SHADERS_RE.sub(" ", s)
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
    # efficiency)", read here as the CPU's: Apple bins each chip's CPU with its GPU, so it picks
    # the GPU variant (the M3 Pro's 11-core CPU has the 14-core GPU; apple.com/macbook-pro/specs).
    cpu_cores: int | None = None
    if "total number" in s:
        for m in _PROFILER_CORES_RE.finditer(s):
            if m.group(2):
                cpu_cores = int(m.group(1))
            else:
                gpu_cores = int(m.group(1))
        s = _PROFILER_CORES_RE.sub(" ", s)
    for m in _CORES_PAIR_RE.finditer(s):
        cpu_cores, gpu_cores = int(m.group(1)), int(m.group(2))
    s = _CORES_PAIR_RE.sub(" ", s)
    for m in _CORES_LABELLED_RE.finditer(s):
        n = int(m.group(1) or m.group(4) or m.group(5))
        if (m.group(2) or m.group(3) or m.group(6)) == "gpu":
            gpu_cores = n
        else:
            cpu_cores = n
    s = _CORES_LABELLED_RE.sub(" ", s)
    bare = [int(m.group(1)) for m in _CORES_BARE_RE.finditer(s)]
    s = _CORES_BARE_RE.sub(" ", s)
    model = _LAPTOP_MODEL_RE.search(s) if re.search(r"1[3-8]", s) else None
    if model:  # "Nitro V 15", "Omen Transcend 14": the laptop's model, read as a laptop below
        line = model.group(0).split()[0]
        s = f"{s[: model.start()]} {line if line.isalpha() else ''} {s[model.end() :]}"
    tokens, group_of = _tokens(s)
    laptop = not _LAPTOP_LINES.isdisjoint(re.findall(r"[a-z]+", s))
    if "laptop" in tokens:
        # "Framework Laptop 16 RTX 5070", "my laptop has a 4060", "Laptop RTX 3080 Ti": the
        # word away from a model number says the GPU named is a laptop's ("RTX 4070 Laptop",
        # "4070 Ti Laptop" keep it as a word of the name).
        at = tokens.index("laptop")
        if at == 0 or not (tokens[at - 1].isdigit() or tokens[at - 1] in VARIANTS):
            del tokens[at], group_of[at]
            laptop = True
    either = False
    if not laptop and model:
        laptop = True
    elif not laptop and _EITHER_LINES_RE.search(s) and not _DESKTOP_RE.search(s):
        either = True
    return Reading(
        tokens,
        group_of,
        sizes,
        gpu_cores,
        bare,
        count,
        rest,
        floor,
        cpu_cores,
        laptop,
        either,
        shaders,
    )


def _unlinked(s: str) -> str:
    """The text without the link between the cards ("2x 3090 NVLink")."""
    if "link" not in s and "sli" not in s:
        return s
    # (brackets left empty go too: "A6000 ×2 (NVLink)" ends in its count)
    return " ".join(re.sub(r"\(\s*\)", " ", _LINK_RE.sub(" ", s)).split())


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
    m = _GPUS_COUNT_RE.search(s)
    if m and int(m.group(1)) > 1:  # "HGX H100 8-GPU", "H100 (8 GPUs)"
        return int(m.group(1)), (s[: m.start()] + " " + s[m.end() :]).strip()
    for m in _MID_COUNT_RE.finditer(s):
        before = s[: m.start()].split()
        if before and before[-1] in _LINES:
            continue  # "Ventus 2X 12G": a product line's number
        return int(m.group(1)), (s[: m.start()] + " " + s[m.end() :]).strip()
    m = _MID_COUNT_WORD_RE.search(s)
    if (
        m
        and m.group(1) in _LINES
        and s[: m.start()].split()[-1:] != []
        and (s[: m.start()].split()[-1] not in _COUNT_AFTER)
    ):
        m = None
    m = m or _AFTER_NUMBER_COUNT_RE.search(s)
    if m:
        word = m.group(1)
        n = _COUNT_WORDS[word] if word in _COUNT_WORDS else int(word)
        return n, (s[: m.start()] + " " + s[m.end() :]).strip()
    m = _FIELD_COUNT_RE.search(s) if "=" in s or ":" in s else None
    if m and int(m.group(1)) > 1:
        return int(m.group(1)), (s[: m.start()] + " " + s[m.end() :]).strip()
    m = _DGX_RE.search(s) if "dgx" in s else None
    if m:  # (only where no count is typed) "DGX H100": eight H100 SXM5 boards; "DGX A100 640GB": 640 GB over the eight
        end = m.end() + 4  # the GPU's name: a letter and three digits
        rest = re.sub(r"(\d+(?:\.\d+)?)\s*(gb|g)\b(?!\s+(?:of\s+)?total)", r"\1\2 total", s[end:])
        return 8, f"{s[: m.start()]} {s[m.end() : end]} sxm {rest}".strip()
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


def host_memory_only(text: str) -> bool:
    """Whether a part names only the host's memory ("128gb ddr4", "64GB RAM")."""
    r = read_name(text, counts=False)
    return not r.tokens and bool(r.sizes) and all(host for _, host in r.sizes)
