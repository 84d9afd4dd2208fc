"""Other readings of a model name typed otherwise than the catalog writes it: dots as
separators ("Baichuan.M2.32B"), two words glued ("gptoss"), a version without its dot
("qwen25"), a word misspelled by its doubled letters or one keyboard slip ("lamma",
"mistal"). runlocal.resolve.models tries each reading and answers only where the readings
that name a model name one (docs/names.md, "Models")."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .mistyped import one_slip


def dotted_readings(name: str) -> list[str]:
    """A name whose dots may be separators ("Baichuan.M2.32B", "Qwen2.7B"), each dot between
    digits read as a decimal point or a separator (at most 4 such dots: 16 readings); [] for
    a name with no dot between digits or letters."""
    if not re.search(r"[a-z]\.|\.[a-z]|\d\.\d", name, re.I):
        return []
    spaced = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", name)
    digit_dots = [m.start() for m in re.finditer(r"(?<=\d)\.(?=\d)", spaced)]
    if len(digit_dots) > 4:
        return []
    out = []
    for mask in range(1 << len(digit_dots)):
        chars = list(spaced)
        for bit, at in enumerate(digit_dots):
            if mask >> bit & 1:
                chars[at] = " "
        out.append("".join(chars))
    return out


def unglued_readings(known: frozenset[str], name: str) -> list[str]:
    """The name with each run of letters that no catalog name uses split in two where both
    halves are words the catalog's names use (the first of two letters or more): "gptoss" →
    "gpt oss", "kimik" (of "kimik2") → "kimi k". At most 16 readings; [] when no run splits."""
    readings = [name]
    for run in dict.fromkeys(re.findall(r"[a-z]+", name.lower())):
        if run in known:
            continue
        halves = [(run[:i], run[i:]) for i in range(2, len(run)) if {run[:i], run[i:]} <= known]
        if not halves:
            continue
        whole = re.compile(rf"(?i)(?<![a-z]){run}(?![a-z])")
        readings = [whole.sub(f"{a} {b}", r) for r in readings for a, b in halves][:16]
    return readings if readings != [name] else []


def undotted_readings(name: str) -> list[str]:
    """A version typed without its dot, glued to the name ("qwen25 coder", "llama31 8b"):
    each two-digit number right after a letter read as a version, "2.5", "3.1" (at most 4
    such numbers: 16 readings); [] where there is none."""
    at = [m.start() for m in re.finditer(r"(?<=[a-z])\d\d(?![\d.])", name, re.I)][:4]
    out = []
    for mask in range(1, 1 << len(at)):
        chars = list(name)
        for bit, i in enumerate(at):
            if mask >> bit & 1:
                chars[i] += "."
        out.append("".join(chars))
    return out


def skeleton(word: str) -> str:
    """A word with its doubled letters written once: 'llama', 'lamma' and 'lama' → 'lama'."""
    return re.sub(r"(.)\1+", r"\1", word)


def respelled_readings(
    known: frozenset[str], skeletons: Mapping[str, tuple[str, ...]], name: str
) -> list[str]:
    """The name with each run of letters that no catalog name uses replaced by the one word
    the names use that differs from it only in doubled letters ("lamma", "lama" → llama;
    "mistrall" → mistral; "distil" → distill): the commonest misspelling, a letter doubled
    or not, moved or dropped. Runs of three letters or more; [] when no run reads so."""
    out = name
    for run in dict.fromkeys(re.findall(r"[a-z]+", name.lower())):
        if run in known or len(run) < 3:
            continue
        same = skeletons.get(skeleton(run), ()) or one_slip(known, run)
        if len(same) == 1:
            out = re.sub(rf"(?i)(?<![a-z]){run}(?![a-z])", same[0], out)
    return [out] if out != name else []


# Numbers said rather than written (dictation, speech-to-text, "gemma four", "qwen three point
# five"): English number words up to ninety-nine, "point" a decimal point between two of them
# (session 17 names8).
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 10 + i for i, w in enumerate(_TEENS)}
_SAID_RE = re.compile(
    rf"(?i)(?<![a-z])(?:({'|'.join(_TENS)})(?:[\s-]+({'|'.join(_UNITS[1:])}))?"
    rf"|({'|'.join(_UNITS + _TEENS)}))(?![a-z])"
)


def spoken_readings(known: frozenset[str], name: str) -> list[str]:
    """The name with its number words written as digits ("gemma four 31b" → "gemma 4 31b",
    "qwen three point five twenty seven b" → "qwen 3.5 27 b"); a word the catalog's names use
    ("zero" of "R1-Zero") is kept. [] where there is none."""

    def digits(m: re.Match[str]) -> str:
        if m.group(3):
            word = m.group(3).lower()
            return m.group(0) if word in known else str(_NUMBER_WORDS[word])
        tens = 20 + 10 * _TENS.index(m.group(1).lower())
        return str(tens + (_UNITS.index(m.group(2).lower()) if m.group(2) else 0))

    out = _SAID_RE.sub(digits, name)
    out = re.sub(r"(?i)(?<=\d)\s+point\s+(?=\d)", ".", out)
    return [out] if out != name else []


# A parameter count with its unit: "600m", "600 M", "600 million", "0.6b", "0.6 billion".
_SIZE_UNIT_RE = re.compile(
    r"(?i)(?<![\w.])(\d+(?:\.\d+)?)\s?-?\s?(m|million|b|bn|billion)(?![a-z0-9])"
)


def unit_readings(name: str) -> list[str]:
    """A name with each parameter count written in the other unit: millions as billions and
    billions as millions (600M = 0.6B, the same count; "qwen3 600m" is Qwen3 0.6B,
    "gemma 3 0.27b" is Gemma 3 270M). Cards and tags write a sub-billion model either way
    (Ollama's qwen3:0.6b, gemma3:270m), so the typed count is compared with the catalog's
    under the billions' rule, never a nearby one: 360M is not SmolLM2 1.7B."""
    out = []
    for m in _SIZE_UNIT_RE.finditer(name):
        count = float(m.group(1))
        in_millions = m.group(2).lower().startswith("m")
        other = f"{count / 1000:g}b" if in_millions else f"{count * 1000:g}m"
        if "e" in other:  # a count too small or large to write plainly names no model
            continue
        out.append(f"{name[: m.start()]}{other}{name[m.end() :]}")
    return out
