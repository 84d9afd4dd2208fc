"""Plausibility checks for `runlocal catalog check`: schema, units, physical ranges."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .catalog import _URL, KINDS, Catalog, Entry, normalize
from .errors import CatalogError, RunlocalError
from .resolve.model_releases import release_siblings
from .weights_dense import DENSE_SCHEMES

HARDWARE_KINDS = {"gpu", "unified", "cpu"}
BACKENDS = {"cuda", "rocm", "metal", "vulkan", "sycl", "cpu"}
MODALITIES = {"text", "vision-language", "embedding", "image", "speech"}
EARLIEST = dt.date(2010, 1, 1)
LATEST = dt.date(2027, 12, 31)
STREET_CONDITIONS = ("new", "used")
STREET_PRICE_KEYS = {"usd", "condition", "date", "source", "note"}
# Plausible street prices (USD, one unit) by hardware segment: wide enough for a used Pascal
# datacenter card at $100 or a new RTX PRO 6000 at $9,000, narrow enough to catch a slipped
# digit. A price must also lie within 1/50 and 4 times the launch price, when there is one.
STREET_PRICE_RANGES = {
    "consumer": (25.0, 6000.0),
    "laptop": (200.0, 10000.0),
    "workstation": (50.0, 20000.0),
    "datacenter": (30.0, 80000.0),
    "embedded": (50.0, 10000.0),
    "desktop-cpu": (20.0, 3000.0),
    "server-cpu": (50.0, 30000.0),
}
STREET_PRICE_DEFAULT_RANGE = (20.0, 100000.0)
# A printed Python tuple or list of strings: ('a', 'b') or ['a', "b"].
_PY_REPR_RE = re.compile(r"""[(\[]\s*(['"])[^'"]*\1\s*,\s*(['"])[^'"]*\2\s*[)\],]""")


# Intel GPU generations by Intel's names (gpu_arch of Intel records): Alchemist (Xe-HPG),
# Meteor Lake (Xe-LPG), Arrow Lake-H (Xe-LPG+, with XMX), Battlemage (Xe2-HPG), Lunar Lake
# (Xe2-LPG), Panther Lake (Xe3-LPG). They pick llama.cpp's Vulkan matmul shaders
# (speed.vulkan_kernels.intel_vulkan_coopmat).
INTEL_GPU_ARCHES = frozenset({"xe-hpg", "xe-lpg", "xe-lpg-plus", "xe2-hpg", "xe2-lpg", "xe3-lpg"})


def _rel(e: Entry) -> str:
    return f"{e.kind}/{e.path.name}"


def _number(
    e: Entry, key: str, lo: float, hi: float, required: bool = True
) -> Iterable[CatalogError]:
    value: Any = e.data.get(key)
    if value is None:
        if required:
            yield CatalogError(_rel(e), key, "missing")
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        yield CatalogError(_rel(e), key, f"expected a number, got {value!r}")
    elif not lo <= value <= hi:
        yield CatalogError(_rel(e), key, f"{value} is outside the plausible range {lo}–{hi}")


def _date(e: Entry, key: str, required: bool) -> Iterable[CatalogError]:
    value = e.data.get(key)
    if value is None:
        if required:
            yield CatalogError(_rel(e), key, "missing")
        return
    if not isinstance(value, dt.date) or not EARLIEST <= value <= LATEST:
        yield CatalogError(_rel(e), key, f"{value!r} is not a date between {EARLIEST} and {LATEST}")


def check_added(e: Entry, today: dt.date | None = None) -> Iterable[CatalogError]:
    """`added`: the day the record entered the catalog, kept apart from `last_verified` (when a
    person last checked it) so a page can say both. Every shipped record has one (the test
    suite checks that); a catalog written elsewhere may leave it out, but not get it wrong."""
    value = e.data.get("added")
    if value is None:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        yield CatalogError(_rel(e), "added", f"{value!r} must be a TOML date (YYYY-MM-DD)")
    elif value < EARLIEST or value > (today or dt.date.today()):
        yield CatalogError(_rel(e), "added", f"{value} is not between {EARLIEST} and today")


def check_hardware(e: Entry) -> Iterable[CatalogError]:
    d = e.data
    if d.get("kind") not in HARDWARE_KINDS:
        yield CatalogError(_rel(e), "kind", f"must be one of {sorted(HARDWARE_KINDS)}")
    yield from _number(e, "memory_gib", 0.5, 4096)
    yield from _number(e, "bandwidth_gb_s", 5, 20000)
    yield from _number(e, "fp16_tensor_tflops", 0.05, 20000, required=d.get("kind") != "cpu")
    yield from _number(e, "fp32_tflops", 0.05, 1000, required=False)
    # fp16_tensor_tflops is the FP16-accumulate rate; fp32_acc_tensor_tflops, where given, the
    # FP32-accumulate (and BF16) rate, half of it on GeForce cards and the L40.
    yield from _number(e, "fp32_acc_tensor_tflops", 0.05, 20000, required=False)
    acc, fp16 = d.get("fp32_acc_tensor_tflops"), d.get("fp16_tensor_tflops")
    if isinstance(acc, int | float) and isinstance(fp16, int | float) and acc > fp16:
        yield CatalogError(_rel(e), "fp32_acc_tensor_tflops", "above the FP16-accumulate rate")
    arch = d.get("gpu_arch")
    if arch is not None and d.get("vendor") == "Intel":
        if arch not in INTEL_GPU_ARCHES:
            yield CatalogError(_rel(e), "gpu_arch", f"must be one of {sorted(INTEL_GPU_ARCHES)}")
    elif arch is not None and not (
        isinstance(arch, str) and re.fullmatch(r"gfx[0-9a-f]{3,4}", arch)
    ):
        yield CatalogError(_rel(e), "gpu_arch", "must be an LLVM AMDGPU target such as gfx1100")
    yield from _number(e, "tdp_w", 1, 5000, required=False)
    yield from _number(e, "launch_price_usd", 1, 500000, required=False)
    yield from _number(e, "street_price_usd", 1, 500000, required=False)
    yield from _date(e, "release_date", required=False)
    yield from check_street_prices(e)
    backends = d.get("backends")
    if not isinstance(backends, list) or not backends or not set(backends) <= BACKENDS:
        yield CatalogError(_rel(e), "backends", f"must be a non-empty list from {sorted(BACKENDS)}")
    configs = d.get("memory_configs_gib")
    if configs is not None and (
        not isinstance(configs, list) or d.get("memory_gib") not in configs
    ):
        yield CatalogError(_rel(e), "memory_configs_gib", "must be a list that includes memory_gib")
    bw, tf = d.get("bandwidth_gb_s"), d.get("fp16_tensor_tflops")
    if isinstance(bw, int | float) and isinstance(tf, int | float) and tf * 1000 / bw > 2000:
        yield CatalogError(_rel(e), "fp16_tensor_tflops", "implausibly high for its bandwidth")


def check_street_prices(e: Entry, today: dt.date | None = None) -> Iterable[CatalogError]:
    """`[[street_prices]]`: dated, sourced prices of one unit, new or used."""
    rows = e.data.get("street_prices")
    if rows is None:
        return
    if not isinstance(rows, list) or not rows:
        yield CatalogError(_rel(e), "street_prices", "must be a non-empty array of tables")
        return
    today = today or dt.date.today()
    d = e.data
    lo, hi = STREET_PRICE_RANGES.get(str(d.get("segment")), STREET_PRICE_DEFAULT_RANGE)
    launch = d.get("launch_price_usd")
    if isinstance(launch, int | float) and not isinstance(launch, bool) and launch > 0:
        lo, hi = max(lo, launch / 50), min(hi, launch * 4)
    released = d.get("release_date")
    for i, row in enumerate(rows):
        where = f"street_prices[{i}]"
        if not isinstance(row, dict):
            yield CatalogError(_rel(e), where, "must be a table")
            continue
        for key in sorted(set(row) - STREET_PRICE_KEYS):
            yield CatalogError(
                _rel(e), f"{where}.{key}", f"unknown key; known: {sorted(STREET_PRICE_KEYS)}"
            )
        usd = row.get("usd")
        if isinstance(usd, bool) or not isinstance(usd, int | float):
            yield CatalogError(_rel(e), f"{where}.usd", f"expected a number, got {usd!r}")
        elif not lo <= usd <= hi:
            yield CatalogError(
                _rel(e),
                f"{where}.usd",
                f"{usd} is outside the plausible range {lo:g}–{hi:g} for this "
                f"{d.get('segment') or 'hardware'}"
                + (f" (launch price {launch:g})" if isinstance(launch, int | float) else ""),
            )
        if row.get("condition") not in STREET_CONDITIONS:
            yield CatalogError(
                _rel(e),
                f"{where}.condition",
                f"{row.get('condition')!r} must be one of {list(STREET_CONDITIONS)}",
            )
        when = row.get("date")
        if not isinstance(when, dt.date) or isinstance(when, dt.datetime):
            yield CatalogError(
                _rel(e), f"{where}.date", f"{when!r} must be a TOML date (YYYY-MM-DD)"
            )
        elif when > today:
            yield CatalogError(_rel(e), f"{where}.date", f"{when} is in the future")
        elif isinstance(released, dt.date) and when < released:
            yield CatalogError(
                _rel(e), f"{where}.date", f"{when} is before the release date {released}"
            )
        source = row.get("source")
        if not isinstance(source, str) or not re.match(_URL, source):
            yield CatalogError(_rel(e), f"{where}.source", f"{source!r} is not a URL")
        note = row.get("note")
        if note is not None and (not isinstance(note, str) or not note.strip()):
            yield CatalogError(_rel(e), f"{where}.note", "must be a non-empty string")
        elif isinstance(note, str) and _PY_REPR_RE.search(note):
            # Pages print the note as it is: a tuple or list written out by a script reads as
            # code ("('clearance', 'Approx. Price')"), not as prose.
            yield CatalogError(
                _rel(e), f"{where}.note", "reads like a Python tuple or list; write it as prose"
            )


def check_model(e: Entry) -> Iterable[CatalogError]:
    from .hfconfig import spec_from_config

    d = e.data
    yield from _number(e, "params_total_b", 0.01, 5000)
    native = d.get("native_quant")
    if native is not None:
        from .weights import normalize_quant

        try:
            normalize_quant(str(native))
        except RunlocalError:
            yield CatalogError(_rel(e), "native_quant", f"{native!r} is not a known quantization")
    yield from _number(e, "params_active_b", 0.01, 5000, required=False)
    yield from _date(e, "release_date", required=False)
    if d.get("modality", "text") not in MODALITIES:
        yield CatalogError(_rel(e), "modality", f"must be one of {sorted(MODALITIES)}")
    arch = d.get("architecture")
    components = d.get("components")
    if components is not None:
        yield from check_components(e, components)
    if not isinstance(arch, dict):
        if components is None:
            yield CatalogError(_rel(e), "architecture", "missing (keys as in config.json)")
        return
    try:
        spec = spec_from_config(arch, name=e.name, where=_rel(e))
    except RunlocalError as exc:
        yield CatalogError(_rel(e), "architecture", str(exc))
        return
    published = d.get("params_total_b")
    # Parameter count from the architecture must agree with the published one within 3%,
    # for the layouts the parser counts exactly (plain dense and MoE decoders).
    countable = (
        not spec.provenance.get("layout")
        and not d.get("vision_params_b")
        and all(layer.kind in ("full", "swa") for layer in spec.layers)
        and d.get("modality", "text") == "text"
    )
    if countable and isinstance(published, int | float) and published > 0:
        counted = spec.params_total / 1e9
        if abs(counted - published) / published > 0.03:
            yield CatalogError(
                _rel(e),
                "params_total_b",
                f"{published}B published but the architecture gives {counted:.2f}B (over 3% apart)",
            )
    for i, f in enumerate(d.get("files", [])):
        if isinstance(f, dict) and "size_bytes" not in f and "scheme" in f:
            # A file known by its layout rather than its size (sources.inventory_for).
            if f["scheme"] not in DENSE_SCHEMES:
                yield CatalogError(
                    _rel(e), f"files[{i}].scheme", f"{f['scheme']!r} is not a known layout"
                )
            continue
        if (
            not isinstance(f, dict)
            or not isinstance(f.get("size_bytes"), int)
            or f["size_bytes"] <= 0
        ):
            yield CatalogError(_rel(e), f"files[{i}].size_bytes", "must be a positive integer")


def check_components(e: Entry, components: Any) -> Iterable[CatalogError]:
    from .components import BYTES_PER_PARAM

    if not isinstance(components, list) or not components:
        yield CatalogError(_rel(e), "components", "must be a non-empty array of tables")
        return
    for i, c in enumerate(components):
        where = f"components[{i}]"
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            yield CatalogError(_rel(e), where, "needs a name")
            continue
        params = c.get("params_b")
        if isinstance(params, bool) or not isinstance(params, int | float) or not 0 < params < 2000:
            yield CatalogError(_rel(e), f"{where}.params_b", f"{params!r} is not a plausible size")
        if str(c.get("dtype", "fp16")).lower() not in BYTES_PER_PARAM:
            yield CatalogError(
                _rel(e), f"{where}.dtype", f"must be one of {sorted(BYTES_PER_PARAM)}"
            )


def check_benchmarks(e: Entry, catalog: Catalog) -> Iterable[CatalogError]:
    hw = e.data.get("hardware")
    if hw not in catalog.hardware:
        yield CatalogError(_rel(e), "hardware", f"{hw!r} is not a hardware id")
    for i, row in enumerate(e.data.get("results", [])):
        if row.get("model") not in catalog.models:
            yield CatalogError(
                _rel(e), f"results[{i}].model", f"{row.get('model')!r} is not a model id"
            )
        value = row.get("value")
        if not isinstance(value, int | float) or not 0 < value < 1e6:
            yield CatalogError(_rel(e), f"results[{i}].value", f"{value!r} is not a plausible rate")


RUNTIME_FITS = {"beginner", "production", "distributed"}
OSES = {"linux", "macos", "windows", "android", "ios"}
PRICE_KINDS = {"cloud-gpu", "api", "electricity"}


def _text(e: Entry, key: str) -> Iterable[CatalogError]:
    value = e.data.get(key)
    if not isinstance(value, str) or not value.strip():
        yield CatalogError(_rel(e), key, "must be a non-empty string")


def _ids(e: Entry, key: str, known: Mapping[str, Entry]) -> Iterable[CatalogError]:
    values = e.data.get(key, [])
    if not isinstance(values, list):
        yield CatalogError(_rel(e), key, "must be a list of ids")
        return
    for value in values:
        if value not in known:
            yield CatalogError(_rel(e), key, f"{value!r} is not a known id")


def check_runtime(e: Entry) -> Iterable[CatalogError]:
    d = e.data
    yield from _text(e, "summary")
    if not set(d.get("os", [])) <= OSES or not d.get("os"):
        yield CatalogError(_rel(e), "os", f"must be a non-empty list from {sorted(OSES)}")
    if not set(d.get("backends", [])) <= BACKENDS:
        yield CatalogError(_rel(e), "backends", f"must be a list from {sorted(BACKENDS)}")
    if d.get("fit") not in RUNTIME_FITS:
        yield CatalogError(_rel(e), "fit", f"must be one of {sorted(RUNTIME_FITS)}")


def check_price(e: Entry, catalog: Catalog) -> Iterable[CatalogError]:
    d = e.data
    kind = d.get("kind")
    if kind not in PRICE_KINDS:
        yield CatalogError(_rel(e), "kind", f"must be one of {sorted(PRICE_KINDS)}")
        return
    yield from _date(e, "observed", required=True)
    if kind == "cloud-gpu":
        yield from _number(e, "usd_per_hour", 0.01, 500)
        if d.get("hardware") not in catalog.hardware:
            yield CatalogError(_rel(e), "hardware", f"{d.get('hardware')!r} is not a hardware id")
    elif kind == "api":
        yield from _number(e, "usd_per_million_input", 0, 500)
        yield from _number(e, "usd_per_million_output", 0, 2000)
        if d.get("comparable_model") not in catalog.models:
            yield CatalogError(
                _rel(e), "comparable_model", f"{d.get('comparable_model')!r} is not a model id"
            )
    else:
        yield from _number(e, "usd_per_kwh", 0.01, 2)


def check_glossary(e: Entry, catalog: Catalog) -> Iterable[CatalogError]:
    for key in ("category", "short", "definition"):
        yield from _text(e, key)
    yield from _ids(e, "related", catalog.glossary)


def check_error(e: Entry, catalog: Catalog) -> Iterable[CatalogError]:
    for key in ("runtime", "error", "symptom", "cause"):
        yield from _text(e, key)
    fix = e.data.get("fix")
    if not isinstance(fix, list) or not fix:
        yield CatalogError(_rel(e), "fix", "must be a non-empty list of steps")
    yield from _ids(e, "related", catalog.errors)
    yield from _ids(e, "glossary", catalog.glossary)


def check_quant(e: Entry) -> Iterable[CatalogError]:
    """A quantization type and llama.cpp's measured quality loss for it (`[[measurements]]`:
    perplexity against FP16 on a reference model, KL divergence, top-1 agreement)."""
    yield from _text(e, "quant")
    yield from _number(e, "bits_per_weight", 1.0, 32.0)
    rows = e.data.get("measurements", [])
    if not isinstance(rows, list):
        yield CatalogError(_rel(e), "measurements", "must be an array of tables")
        return
    for i, m in enumerate(rows, 1):
        where = f"measurements[{i}]"
        if not isinstance(m, dict):
            yield CatalogError(_rel(e), where, "must be a table")
            continue
        if not isinstance(m.get("model"), str) or not m["model"].strip():
            yield CatalogError(_rel(e), f"{where}.model", "must name the reference model")
        for key, lo, hi in (("ppl", 1.0, 1000.0), ("ppl_f16", 1.0, 1000.0), ("kld", 0.0, 10.0)):
            value = m.get(key)
            if value is None and key == "kld":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                yield CatalogError(_rel(e), f"{where}.{key}", f"expected a number, got {value!r}")
            elif not lo <= value <= hi:
                yield CatalogError(_rel(e), f"{where}.{key}", f"{value} is outside {lo}–{hi}")
        top1 = m.get("top1_agreement")
        if top1 is not None and (
            isinstance(top1, bool) or not isinstance(top1, int | float) or not 0 <= top1 <= 100
        ):
            yield CatalogError(_rel(e), f"{where}.top1_agreement", "must be a percentage 0–100")
        source = m.get("source")
        if not isinstance(source, str) or not source.startswith(("https://", "http://")):
            yield CatalogError(_rel(e), f"{where}.source", "must be a URL")
        date = m.get("date")
        if not isinstance(date, dt.date) or not EARLIEST <= date <= LATEST:
            yield CatalogError(_rel(e), f"{where}.date", f"{date!r} is not a date")


# A path into this repository (tests/core/x.py, src/runlocal/y.py): readers cannot follow it.
_REPO_PATH_RE = re.compile(r"\b(?:tests|src|scripts|bench)/[\w./-]*\.py\b")


def check_reader_notes(e: Entry) -> Iterable[CatalogError]:
    """Pages print an entry's notes to readers: no repository paths in them."""
    notes = e.data.get("notes")
    if isinstance(notes, str) and _REPO_PATH_RE.search(notes):
        yield CatalogError(
            _rel(e), "notes", "names a file of the repository; readers cannot follow it"
        )


# An alias that names another release of a model folds that release's answers into this entry
# (session 15 names3: Mistral-7B-Instruct-v0.2 read as the v0.1 entry, Qwen3 Thinking-2507 as
# Instruct-2507). Release markers: a dotted version (v0.2), a release date (2507, 0905, 08-2024)
# and the Thinking / Instruct split; an alias whose marker the entry's id, name and repo lack is
# refused unless the notes name that marker and say the entry takes it ("is an alias here",
# "covers both releases"); an Instruct alias on a Think entry is refused too. A base
# checkpoint's alias on an entry that names its tune (Instruct, -it, Chat, Think) is refused too.
_RELEASE_RE = re.compile(
    r"(?i)(?<![a-z0-9.])(v?\d+(?:\.\d+)+|\d{4}|\d{2}-\d{4}|thinking|think)(?![a-z0-9]|\.\d)"
)
_TUNED_RE = re.compile(r"(?i)(?<![a-z0-9])(instruct|it|chat|think|thinking)(?![a-z0-9])")
_INSTRUCT_RE = re.compile(r"(?i)(?<![a-z0-9])instruct(?![a-z0-9])")
_BASE_RE = re.compile(r"(?i)(?<![a-z0-9])base(?![a-z0-9])")


def _release_marks(text: str) -> set[str]:
    marks = {m.lower() for m in _RELEASE_RE.findall(text.replace("_", "-"))}
    return {"think" if m == "thinking" else m for m in marks}


def check_alias_releases(e: Entry) -> Iterable[CatalogError]:
    own_text = " ".join((e.id, e.name, str(e.get("hf_repo") or "")))
    own = _release_marks(own_text)
    # A version glued to the model's word ("internlm2.5", "minimax-m2.5", "qwen3.8") is its own.
    own |= {v for m in re.findall(r"\d+(?:\.\d+)+", own_text) for v in (m, f"v{m}")}
    notes = str(e.get("notes") or "").lower()
    # The notes must say the entry takes that name ("is an alias here", "covers both releases",
    # "also calls this release"), not only that the release exists ("separate Instruct and
    # Thinking releases").
    covers = re.search(r"alias|covers|also calls", notes) is not None
    for alias in e.aliases:
        extra = _release_marks(alias) - own
        for mark in sorted(extra):
            if not (covers and mark in notes):
                yield CatalogError(
                    _rel(e), "aliases", f"{alias!r} names another release ({mark}) than this entry"
                )
        if "think" in own and _INSTRUCT_RE.search(alias) and not _INSTRUCT_RE.search(own_text):
            yield CatalogError(
                _rel(e), "aliases", f"{alias!r} names the Instruct release of a Think entry"
            )
        if (
            _BASE_RE.search(alias)
            and _TUNED_RE.search(own_text)
            and not (covers and "base" in notes)
        ):
            yield CatalogError(
                _rel(e), "aliases", f"{alias!r} names the base checkpoint of a tuned entry"
            )


def check_sibling_aliases(
    e: Entry, siblings: Mapping[str, tuple[str, ...]], models: Mapping[str, Entry]
) -> Iterable[CatalogError]:
    """An alias without a tune word on an entry released together with another of its name
    (Qwen3-Next-80B-A3B Instruct and Thinking) names both: the resolver answers such a name
    "which one?" (resolve.model_releases), so the alias would claim what it cannot. Ollama
    tags (a library's tag names one model) and Hub repo ids are the publishers' own names."""
    if e.id not in siblings:
        return
    others = ", ".join(models[s].name for s in siblings[e.id])
    for alias in e.aliases:
        if ":" in alias or "/" in alias or _TUNED_RE.search(alias) or _REASONING_RE.search(alias):
            continue
        yield CatalogError(
            _rel(e), "aliases", f"{alias!r} names {e.name} and {others} alike (no tune word)"
        )


_REASONING_RE = re.compile(r"(?i)(?<![a-z0-9])reasoning(?![a-z0-9])")


def validate_catalog(catalog: Catalog) -> Iterable[RunlocalError]:

    for kind in KINDS:
        for e in catalog.entries(kind).values():
            yield from check_added(e)
    for kind in ("models", "hardware", "runtimes", "glossary"):
        seen: dict[str, str] = {}
        for e in catalog.entries(kind).values():
            for alias in (e.id, e.name, *e.aliases):
                key = normalize(alias)
                other = seen.setdefault(key, e.id)
                if other != e.id:
                    yield CatalogError(_rel(e), "aliases", f"{alias!r} also names {other}")
    for kind in KINDS:
        for e in catalog.entries(kind).values():
            yield from check_reader_notes(e)
    for e in catalog.hardware.values():
        yield from check_hardware(e)
    siblings = release_siblings(catalog.models)
    for e in catalog.models.values():
        yield from check_model(e)
        yield from check_alias_releases(e)
        yield from check_sibling_aliases(e, siblings, catalog.models)
    for e in catalog.benchmarks.values():
        yield from check_benchmarks(e, catalog)
    for e in catalog.runtimes.values():
        yield from check_runtime(e)
    for e in catalog.prices.values():
        yield from check_price(e, catalog)
    for e in catalog.glossary.values():
        yield from check_glossary(e, catalog)
    for e in catalog.errors.values():
        yield from check_error(e, catalog)
    for e in catalog.quants.values():
        yield from check_quant(e)
