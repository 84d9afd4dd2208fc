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

from name_variants_hardware import hardware_cases
from name_variants_models import Case, model_cases
from runlocal.catalog import Catalog, load_catalog, normalize
from runlocal.errors import InputError
from runlocal.resolve.hardware import resolve_hardware_name
from runlocal.resolve.models import resolve_model_name

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
