"""Other ways of typing the catalog's own names, generated from the catalog, against the resolver.

    python bench/name_variants.py [--kind models|hardware] [--show N] [--rule RULE]

For every catalog model and hardware entry, the names it is known by (its name, its Hub repo,
its aliases) are rewritten the ways people type them: case, spaces / hyphens / underscores,
unicode dashes, glued or split versions ("Llama3.1", "Llama 3.1"), a version's dot as "-", "_",
"p" or a URL slug's ("llama-3-1-8b", "llama-31-8b"), two words glued ("gptoss"),
sizes written "8b", "8 B", "8 billion" or without the unit ("gpt-oss 120"); Hub ids with and without the owner, quantizers' repos (-GGUF, -AWQ, -GPTQ-Int4,
MLX -4bit), GGUF file names with quant and shard suffixes, Ollama tags with size, variant and
quant; for hardware, glued and bare model numbers, memory sizes in every spelling, Apple's core
notation and Mac product names, and device lines as nvidia-smi, rocm-smi, system_profiler,
vulkaninfo and llama.cpp's CUDA / ROCm / Vulkan / Metal / SYCL logs print them.

Each rewrite keeps the meaning, so the expected answer is the entry it came from (with the
memory size or quant the rewrite states). A string that two entries' rewrites both produce is
ambiguous: the answer is a refusal, or the entry that the catalog makes the default for that
name (an alias spelled so). Each answer is counted as

    right       the expected entry (and memory / quant where the text states one)
    wrong       another entry, or the right entry with the wrong memory / quant
    refused     a refusal (unknown or "which one?") where the text names one entry
    overclaim   a confident answer where the text is ambiguous and no alias makes a default

and the wrong ones are listed by rule. The exit code is 0 either way: this is a report.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from runlocal.catalog import Catalog, Entry, load_catalog, normalize
from runlocal.errors import InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.models import resolve_model_name
from runlocal.resolve.models_reading import take_quant


@dataclass
class Case:
    kind: str  # "models" | "hardware"
    typed: str
    expected: set[str]  # entry ids the rewrites came from
    rule: str
    mem: float | None = None  # hardware: the memory the text states
    quant: str | None = None  # models: the quant the text states
    claimed: set[str] = field(default_factory=set)  # entries an alias makes the default
    name: str = ""  # the product words of a log line, where an alias may claim them
    count: int = 1  # hardware: the number of devices the text states


# --- models ----------------------------------------------------------------------------------

_QUANTIZERS = ("bartowski", "lmstudio-community", "unsloth", "QuantFactory", "MaziyarPanahi")
_SIZE_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([bBmM])(?![A-Za-z0-9])")
# A version's dot (one digit each side, not a size's: "3.1" of "Llama 3.1 8B", not "1.5B").
_VERSION_DOT = re.compile(r"(?<![\d.])(\d)\.(\d)(?![\d.]|\s*[bBmM](?![A-Za-z]))")
_SIZE_DOT = re.compile(r"\d\.\d+\s*[bBmM](?![A-Za-z])")
_TUNE_RE = re.compile(r"(?i)(?<![a-z0-9])(instruct|it|chat)(?![a-z0-9])")


def _model_labels(entry: Entry) -> list[str]:
    """The names to rewrite: the name, the Hub repo name, aliases that are plain names."""
    out = [entry.name]
    repo = str(entry.get("hf_repo") or "")
    if "/" in repo:
        out.append(repo.split("/", 1)[1])
    for alias in entry.aliases:
        if not any(c in alias for c in "/:()[]") and not alias.lower().endswith(".gguf"):
            out.append(alias)
    return list(dict.fromkeys(out))


def _text_rewrites(label: str) -> Iterator[tuple[str, str]]:
    """Spelling rewrites that keep every word: case, separators, dashes, glued versions, sizes."""
    yield "lower", label.lower()
    yield "upper", label.upper()
    yield "hyphens", re.sub(r"[\s_]+", "-", label)
    yield "spaces", re.sub(r"[-_]+", " ", label)
    yield "underscores", re.sub(r"[\s-]+", "_", label)
    yield "dots", re.sub(r"[\s_-]+", ".", label)
    yield "en-dash", label.replace("-", "\u2013")
    yield "nb-hyphen", label.replace("-", "\u2011")
    yield "glued-version", re.sub(r"([A-Za-z])[\s_-]+(\d)", r"\1\2", label)
    # Not inside a format word: "FP8", "BF16" are not versions.
    yield "split-version", re.sub(r"(?i)\b(?!(?:fp|bf|int)\d)([a-z]{2,})(\d)", r"\1 \2", label)
    yield "lower-spaces", re.sub(r"[-_]+", " ", label).lower()
    yield "lower-glued", re.sub(r"([a-z])[\s_-]+(\d)", r"\1\2", label.lower())
    yield "padded", f"  {label.replace(' ', '  ')} "
    if _SIZE_RE.search(label):
        yield "size-lower", _SIZE_RE.sub(lambda m: m[1] + m[2].lower(), label)
        yield "size-upper", _SIZE_RE.sub(lambda m: m[1] + m[2].upper(), label)
        yield "size-space", _SIZE_RE.sub(lambda m: f"{m[1]} {m[2].upper()}", label)
        yield (
            "size-word",
            _SIZE_RE.sub(
                lambda m: f"{m[1]} {'billion' if m[2].lower() == 'b' else 'million'}", label
            ),
        )
        yield (
            "size-hyphen-word",
            _SIZE_RE.sub(
                lambda m: f"{m[1]}-{'billion' if m[2].lower() == 'b' else 'million'}", label
            ),
        )
    if _SIZE_RE.search(label) and re.search(r"\d", _SIZE_RE.sub(" ", label)):
        # Only beside another number: a name's only number typed bare reads as a version
        # ("Gemma 2 IT" is Gemma 2, not Gemma 2B).
        yield "size-no-unit", _SIZE_RE.sub(lambda m: m[1], label)
    glued = re.sub(
        r"(?i)(?<![a-z0-9])([a-z]{2,})[\s_-]+([a-z]+)(?![a-z0-9])", r"\1\2", label, count=1
    )
    if glued != label:
        yield "glued-words", glued
    if re.search(r"(?i)\bv\d", label):
        yield "no-v", re.sub(r"(?i)\bv(\d)", r"\1", label)
    if _VERSION_DOT.search(label):
        # A version's dot spelled otherwise (resolve/models_versions.py): a separator, as
        # Bedrock ("llama3-1-8b") and file names ("llama_3_1_8b") write it, Fireworks' "p"
        # ("qwen2p5"), and URL slugs: python-slugify's ("llama-3-1-8b") and Django's, which
        # drops the dot ("llama-31-8b"); the slugs only of names without a decimal size.
        for sep, rule in (("-", "version-hyphen"), ("_", "version-underscore"), ("p", "version-p")):
            yield rule, _VERSION_DOT.sub(rf"\1{sep}\2", label)
        if not _SIZE_DOT.search(label):
            slug = re.sub(r"[^a-z0-9.]+", "-", label.lower()).strip("-")
            yield "slug", slug.replace(".", "-")
            yield "slug-no-dot", slug.replace(".", "")
    if _SIZE_RE.search(label):
        yield "size-params", f"{label} parameters"
    if _TUNE_RE.search(label):
        for word in ("Instruct", "it", "Chat"):
            yield f"tune-{word.lower()}", _TUNE_RE.sub(word, label)


# How a text model's Hub repository is typed: a template over the repository's name, its
# owner, the catalog name (title) and the name in lower case; the rule; the quant it states.
_REPO_FORMS: tuple[tuple[str, str, str | None], ...] = (
    ("bartowski/{owner}_{name}-GGUF", "quantizer-owner_", None),
    ("{name}-GGUF", "repo-GGUF", None),
    ("TheBloke/{name}-GGUF", "quantizer-TheBloke", None),
    ("mradermacher/{name}-i1-GGUF", "mradermacher-i1", None),
    ("{name}.i1-Q4_K_M.gguf", "mradermacher-file", "Q4_K_M"),
    ("{title} (GGUF, Q4_K_M)", "text(GGUF, quant)", "Q4_K_M"),
    ("someuser/{name}-Q4_K_M-GGUF", "gguf-my-repo", "Q4_K_M"),
    ("lmstudio-community/{name}-GGUF/{name}-Q4_K_M.gguf", "lmstudio-path", "Q4_K_M"),
    (
        "https://huggingface.co/bartowski/{name}-GGUF/blob/main/{name}-Q4_K_M.gguf",
        "hub-file-url",
        "Q4_K_M",
    ),
    ("unsloth/{name}-GGUF:UD-Q4_K_XL", "hf-tag-ud", "UD-Q4_K_XL"),
    ("ollama pull hf.co/unsloth/{name}-GGUF:Q4_K_M", "ollama-pull-hf", "Q4_K_M"),
    ("{owner}/{name}-GPTQ-Int8", "repo-GPTQ-Int8", "GPTQ-8BIT"),
    ("RedHatAI/{name}-FP8-dynamic", "repo-FP8-dynamic", "FP8"),
    ("{name}-AWQ", "repo-AWQ", "AWQ-4BIT"),
    ("{name}-GPTQ-Int4", "repo-GPTQ-Int4", "GPTQ-4BIT"),
    ("{name}-FP8", "repo-FP8", "FP8"),
    ("{name}-bnb-4bit", "repo-bnb-4bit", "NF4"),
    ("mlx-community/{name}-4bit", "mlx-4bit", "MLX-4BIT"),
    ("{name}-MLX-8bit", "mlx-8bit", "MLX-8BIT"),
    ("mlx-community/{name}-6bit", "mlx-6bit", "MLX-6BIT"),
    ("mlx-community/{name}-4bit-DWQ", "mlx-dwq", "MLX-4BIT"),
    ("RedHatAI/{name}-quantized.w4a16", "llm-compressor-w4a16", "GPTQ-4BIT"),
    ("{name}-W8A8", "llm-compressor-w8a8", "INT8"),
    ("LoneStriker/{name}-4.65bpw-h6-exl2", "exl2-bpw", "EXL2-4.65BPW"),
    ("{title} EXL3 4.0bpw", "exl3-bpw", "EXL3-4BPW"),
    ("mlx-community/{name}-4bit-DWQ-053125", "mlx-dwq-date", "MLX-4BIT"),
    ("~/models/{name}-GGUF/model-Q4_K_M.gguf", "file-in-repo-folder", "Q4_K_M"),
    ("C:\\Users\\me\\models\\{name}-Q4_K_M.gguf", "windows-path", "Q4_K_M"),
    ("hf.co/bartowski/{name}-GGUF:Q4_K_M", "hf.co-tag", "Q4_K_M"),
    ("{name}-Q4_K_M.gguf", "gguf-file", "Q4_K_M"),
    ("{name}-IQ4_XS.gguf", "gguf-file", "IQ4_XS"),
    ("{name}-Q8_0.gguf", "gguf-file", "Q8_0"),
    ("{name}-Q5_K_S.gguf", "gguf-file", "Q5_K_S"),
    ("{name}-Q6_K.gguf", "gguf-file", "Q6_K"),
    ("{name}-UD-Q4_K_XL.gguf", "gguf-ud", "UD-Q4_K_XL"),
    ("{name}.Q4_K_M.gguf", "gguf-dot", "Q4_K_M"),
    ("llama-server -hf bartowski/{name}-GGUF:Q4_K_M -c 8192 -ngl 99", "llama-server-hf", "Q4_K_M"),
    ("./llama-cli -m models/{name}-Q5_K_M.gguf -p hi", "llama-cli-m", "Q5_K_M"),
    ("{name}-BF16.gguf", "gguf-bf16", "BF16"),
    ("{name}-IQ2_XXS-00002-of-00004.gguf", "gguf-shard-iq", "IQ2_XXS"),
    ("{lower}-q4_k_m.gguf", "gguf-lower", "Q4_K_M"),
    ("{name}-Q8_0-00001-of-00003.gguf", "gguf-shard", "Q8_0"),
    ("{owner}_{name}-Q4_K_M.gguf", "gguf-owner_", "Q4_K_M"),
)


def model_cases(catalog: Catalog) -> list[Case]:
    out: list[Case] = []
    for entry in catalog.models.values():
        eid = entry.id
        labels = _model_labels(entry)
        repo = str(entry.get("hf_repo") or "")
        owner, _, repo_name = repo.partition("/")
        for label in labels:
            out.append(Case("models", label, {eid}, "catalog-label"))
            for rule, text in _text_rewrites(label):
                out.append(Case("models", text, {eid}, rule))
            if take_quant(label)[1] is not None:
                continue  # the label states a quant already ("…-FP8")
            out.append(Case("models", f"{label} Q4_K_M", {eid}, "text+quant", quant="Q4_K_M"))
            out.append(Case("models", f"{label} (Q8)", {eid}, "text+(Q8)", quant="Q8_0"))
            out.append(Case("models", f"{label}, Q4_K_M", {eid}, "text,quant", quant="Q4_K_M"))
            out.append(Case("models", f"{label} @ q8_0", {eid}, "text@quant", quant="Q8_0"))
            out.append(Case("models", f"{label} (4-bit MLX)", {eid}, "text(mlx)", quant="MLX-4BIT"))
            out.append(Case("models", f"{label} Q4KM", {eid}, "text+Q4KM", quant="Q4_K_M"))
            out.append(Case("models", f"{label} q5-k-s", {eid}, "text+q5-k-s", quant="Q5_K_S"))
            out.append(
                Case("models", f"{label} UD Q4 K XL", {eid}, "text+UD Q4 K XL", quant="UD-Q4_K_XL")
            )
        if not repo_name:
            continue
        name = repo_name
        m = entry.get("modality")
        text_model = m in (None, "text", "vision-language")
        out.append(Case("models", repo, {eid}, "hub-id"))
        out.append(Case("models", repo.lower(), {eid}, "hub-id-lower"))
        out.append(Case("models", repo.upper(), {eid}, "hub-id-upper"))
        first = re.split(r"[-_.]", owner)[0]
        if first.lower() not in entry.name.lower() and first.isalpha() and len(first) > 2:
            # The publisher as a word: "Google Gemma 3 27B", "Microsoft Phi-4".
            out.append(Case("models", f"{first.title()} {entry.name}", {eid}, "publisher-word"))
        out.append(Case("models", f"https://huggingface.co/{repo}", {eid}, "hub-url"))
        out.append(
            Case(
                "models",
                f"https://huggingface.co/{repo}?library=transformers",
                {eid},
                "hub-url-query",
            )
        )
        out.append(Case("models", f"vllm serve {repo} --max-model-len 32768", {eid}, "vllm-serve"))
        if not text_model:
            continue
        for q in _QUANTIZERS:
            out.append(Case("models", f"{q}/{name}-GGUF", {eid}, f"quantizer-{q}"))
        for template, rule, quant in _REPO_FORMS:
            typed = template.format(name=name, owner=owner, title=entry.name, lower=name.lower())
            out.append(Case("models", typed, {eid}, rule, quant=quant))
        tag = str(entry.get("ollama_tag") or "")
        if ":" in tag:
            tuned = bool(_TUNE_RE.search(" ".join(labels)))
            out.append(Case("models", f"{tag}-q8_0", {eid}, "ollama-quant", quant="Q8_0"))
            out.append(Case("models", f"{tag}-fp16", {eid}, "ollama-fp16", quant="F16"))
            out.append(Case("models", f"ollama run {tag}", {eid}, "ollama-run"))
            out.append(Case("models", f"https://ollama.com/library/{tag}", {eid}, "ollama-page"))
            out.append(Case("models", tag.upper(), {eid}, "ollama-upper"))
            if tuned:
                word = "it" if re.search(r"(?i)-it\b", repo) else "instruct"
                for q, canon in (("q4_K_M", "Q4_K_M"), ("q5_K_M", "Q5_K_M"), ("q8_0", "Q8_0")):
                    out.append(
                        Case("models", f"{tag}-{word}-{q}", {eid}, "ollama-tuned", quant=canon)
                    )
                out.append(Case("models", f"{tag}-{word}-fp16", {eid}, "ollama-tuned", quant="F16"))
    return out


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


# --- scoring ---------------------------------------------------------------------------------


def merge(cases: list[Case], catalog: Catalog) -> list[Case]:
    """One case per typed string; a string several entries' rewrites produce is ambiguous, and
    an entry with an alias spelled as the string (up to case and spacing) is its default."""
    by_text: dict[str, Case] = {}
    for c in cases:
        key = c.typed
        old = by_text.get(key)
        if old is None:
            by_text[key] = Case(
                c.kind, c.typed, set(c.expected), c.rule, c.mem, c.quant, name=c.name, count=c.count
            )
        else:
            old.expected |= c.expected
    entries = catalog.models if cases and cases[0].kind == "models" else catalog.hardware
    spelled: dict[str, set[str]] = defaultdict(set)
    for e in entries.values():
        for label in (e.name, *e.aliases):
            spelled[_squash(label)].add(e.id)
            spelled[_sorted_words(label)].add(e.id)
    for c in by_text.values():
        if len(c.expected) > 1:
            typed = re.sub(r"\s*\d+\s*gb\b", " ", normalize(c.name or c.typed))
            c.claimed = (
                spelled.get(_squash(typed), set()) | spelled.get(_sorted_words(typed), set())
            ) & c.expected
    return list(by_text.values())


def _sorted_words(text: str) -> str:
    """The words in any order ("Jetson Orin AGX" is the alias "Jetson AGX Orin")."""
    return " ".join(sorted(re.split(r"[\s_-]+", _squash_words(text))))


def _squash_words(text: str) -> str:
    s = normalize(text).replace("\u2013", "-").replace("\u2011", "-")
    return re.sub(
        r"\b(?:apple|nvidia|amd|intel|geforce|tesla|macbook (?:pro|air)|mac studio|mac mini)\b",
        " ",
        s,
    ).strip()


def _squash(text: str) -> str:
    s = normalize(text).replace("\u2013", "-").replace("\u2011", "-")
    s = re.sub(
        r"\b(?:apple|nvidia|amd|intel|geforce|tesla|macbook (?:pro|air)|mac studio|mac mini)\b",
        " ",
        s,
    )
    return re.sub(r"[\s_-]+", "", s)


def answer(catalog: Catalog, case: Case) -> tuple[str | None, float | None, str | None, str]:
    """(entry id or None, memory, quant or device count, error)."""
    try:
        if case.kind == "models":
            name = resolve_model_name(catalog, case.typed)
            return name.entry.id, None, name.quant, ""
        parts = resolve_hardware_name(catalog, case.typed)
    except InputError as e:
        return None, None, None, f"{type(e).__name__}: {str(e).splitlines()[0][:150]}"
    if len(parts) != 1:
        return None, None, None, f"{len(parts)} devices"
    p = parts[0]
    configs = p.entry.get("memory_configs_gib") or []
    mem = p.memory_gib if p.memory_gib is not None else p.entry.get("memory_gib")
    size = float(mem) if len(configs) > 1 and mem is not None else None
    return p.entry.id, size, str(p.count), ""


def judge(catalog: Catalog, case: Case) -> tuple[str, str]:
    got, mem, quant, err = answer(catalog, case)
    ambiguous = len(case.expected) > 1 and len(case.claimed) != 1
    if got is None:
        return ("right" if ambiguous else "refused"), err
    if ambiguous:
        return ("overclaim" if got in case.expected else "wrong"), f"answered {got}"
    want = next(iter(case.claimed)) if len(case.expected) > 1 else next(iter(case.expected))
    if got != want:
        return "wrong", f"answered {got}, expected {want}"
    if case.mem is not None and mem is not None and abs(mem - case.mem) > 0.01:
        return "wrong", f"memory {mem:g}, expected {case.mem:g}"
    if case.kind == "hardware" and quant != str(case.count):
        return "wrong", f"count {quant}, expected {case.count}"
    if case.kind == "models" and case.quant is not None and quant != case.quant:
        return "wrong", f"quant {quant}, expected {case.quant}"
    return "right", ""


def run(kind: str, catalog: Catalog) -> tuple[Counter[str], dict[str, list[str]], int, float]:
    cases = merge(model_cases(catalog) if kind == "models" else hardware_cases(catalog), catalog)
    tally: Counter[str] = Counter()
    failures: dict[str, list[str]] = defaultdict(list)
    t0 = time.perf_counter()
    for case in cases:
        outcome, why = judge(catalog, case)
        tally[outcome] += 1
        if outcome != "right":
            exp = ",".join(sorted(case.expected))
            failures[f"{outcome}/{case.rule}"].append(f"{case.typed!r} [{exp}] {why}")
    return tally, failures, len(cases), time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=("models", "hardware"), action="append")
    parser.add_argument("--show", type=int, default=5, help="failures listed per rule")
    parser.add_argument("--rule", help="list every failure of the rules containing this")
    args = parser.parse_args(argv)
    catalog = load_catalog()
    for kind in args.kind or ("models", "hardware"):
        tally, failures, n, seconds = run(kind, catalog)
        counts = " ".join(f"{k}={tally[k]}" for k in ("right", "wrong", "refused", "overclaim"))
        print(f"{kind}: {n} variants, {counts} ({seconds:.1f} s)")
        for rule in sorted(failures, key=lambda r: (-len(failures[r]), r)):
            lines = failures[rule]
            if args.rule and args.rule not in rule:
                continue
            print(f"  {rule}: {len(lines)}")
            for line in lines if args.rule else lines[: args.show]:
                print(f"    {line}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
