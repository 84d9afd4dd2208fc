"""A model's version typed without its dot: spelled with a separator ("llama-3-1-8b",
"qwen2_5", "phi 3 5 mini", Fireworks' "llama-v3p1", "mistral-7b-v0-3") or with the dot dropped
and the number standing apart ("llama-31-8b", a URL slug). runlocal.resolve.models reads these
only where the name as typed names nothing, and answers only where exactly one model is named
by the readings (docs/names.md, "Models").

Why these spellings: a URL slug has no dots (Django's and python-slugify's slugify turn "3.1"
into "3-1" or drop the dot: "llama-31-8b"); AWS Bedrock writes "llama3-1-8b", Fireworks
"llama-v3p1-8b" and "qwen2p5-72b", file names "llama_3_1_8b". A confident wrong answer costs
more than a refusal, so each reading is narrow: one digit each side ("3-1", never a date such
as the "1-0528" of DeepSeek-R1-0528), the minor digit never glued to a size's unit ("gemma-3-1b"
is Gemma 3 1B, "3-27b" a version and a size), and a two-digit number read as "3.1" only where
the models of those words never use that number ("gemma 31 27b": 31 is Gemma 4 31B's size).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import pairwise

# A version's major and minor digit joined by a separator, or by Fireworks' "p" (for "point":
# "v3p1", "2p5"). Neither digit is part of a longer number or of a decimal, and the minor is
# not glued to a size's unit (B, M: "3-1b" is version 3 and 1B; x: the 8 of "8x7B" is an expert
# count), though it may be glued to a model letter ("glm-4-1v" is GLM-4.1V).
# Found overlapping ("qwen 2 5 7" holds "2 5" and "5 7"), so that every reading is tried.
_SEPARATED = re.compile(r"(?<![\d.])(?=((\d)(?:[-_ ]+|p)(\d))(?![\d.]|[bmx](?![a-z])))", re.I)
# Two digits standing alone, a version with its dot dropped ("llama-31-8b"); glued to a letter
# ("llama31") is models_respelled.undotted_readings.
_APART = re.compile(r"(?<![a-z0-9.])(\d)(\d)(?![a-z0-9.])", re.I)
# A "v" that opens a word before the version ("llama-v3p1", "v0-3"): Fireworks and Mistral
# write it, the catalog's names mostly do not, so the reading is tried with and without it.
_V_BEFORE = re.compile(r"(?<![a-z0-9])v$", re.I)

_MAX_SPOTS = 3  # at most 2**3 readings of one name


def separated_readings(name: str, names_any: Callable[[str], bool]) -> list[str]:
    """Each version spelled with a separator read as the dotted version, alone and together,
    with and without a "v" before it: 'llama-3-1-8b' → ['llama-3.1-8b']; 'llama-v3p1-8b' →
    ['llama-v3.1-8b', 'llama-3.1-8b']; [] where there is none. Not where the minor digit may
    be a size typed without its unit: ``names_any`` says whether the name with a B glued to
    that digit names any model ("llama 3 1" may be a 1B Llama 3 model, "llama 3 1b")."""
    spots = [
        (m.start(), m.end(1), m.group(2), m.group(3))
        for m in _SEPARATED.finditer(name)
        if not names_any(name[: m.end(1)] + "b" + name[m.end(1) :])
    ]
    return _apply(name, spots[:_MAX_SPOTS])


def apart_readings(name: str, used: Callable[[frozenset[str]], Iterable[str]]) -> list[str]:
    """Each two-digit number standing apart read as a version with its dot dropped ('llama 31
    8b' → ['llama 3.1 8b']), except a number that the models holding the name's other words
    use as a word of their names (a size, "gemma 31 27b"; or a release): ``used`` gives
    those words for the name's words of letters."""
    letters = frozenset(w.lower() for w in re.findall(r"[a-z]{2,}", name, re.I))
    taken = set(used(letters))
    spots = [
        (m.start(), m.end(), m.group(1), m.group(2))
        for m in _APART.finditer(name)
        if m.group(0) not in taken
    ]
    return _apply(name, spots[:_MAX_SPOTS])


# A place in the name read as a version: (start, end, major digit, minor digit).
_Spot = tuple[int, int, str, str]


def _apply(name: str, spots: list[_Spot]) -> list[str]:
    out: list[str] = []
    for mask in range(1, 1 << len(spots)):
        chosen = [spots[bit] for bit in range(len(spots)) if mask >> bit & 1]
        if any(a[1] > b[0] for a, b in pairwise(chosen)):
            continue  # two spots sharing a digit ("2 5" and "5 7" of "2 5 7")
        variants = [name]
        for start, end, major, minor in reversed(chosen):  # right to left: offsets stay valid
            nxt = []
            for v in variants:
                nxt.append(f"{v[:start]}{major}.{minor}{v[end:]}")
                if _V_BEFORE.search(v[:start]):
                    nxt.append(f"{v[: start - 1]}{major}.{minor}{v[end:]}")
            variants = nxt
        out.extend(variants)
    return list(dict.fromkeys(out))
