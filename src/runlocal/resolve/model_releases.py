"""A model name that names another checkpoint than the entry found: a base checkpoint of a tuned
entry, or a tune word (Instruct, Thinking, Chat) that another entry holds (docs/names.md,
"session 15 names3"). Used by runlocal.resolve.models after it has found one entry."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import date

from ..catalog import Entry

_BASE_WORD = re.compile(r"(?i)(?<![a-z0-9])base(?![a-z0-9])")
_TUNE_WORD = re.compile(r"(?i)(?<![a-z0-9])(?:instruct|it|chat|think|thinking)(?![a-z0-9])")


def _has_word(text: str, words: set[str]) -> bool:
    return any(re.search(rf"(?<![a-z0-9]){w}(?![a-z0-9])", text) for w in words)


def base_of_tuned(entry: Entry, text: str) -> bool:
    """Whether the text names a base checkpoint ("granite-3.1-8b-base", "Mistral-Nemo-Base-2407")
    and the entry is a tuned release that says so in its name (Instruct, -it, Chat, Think):
    another checkpoint than the entry, refused as catalog check refuses such an alias."""
    if not _BASE_WORD.search(text) or _TUNE_WORD.search(text):
        return False
    own = " ".join((entry.id, entry.name, *entry.aliases))
    return bool(_TUNE_WORD.search(f"{entry.id} {entry.name}")) and not _BASE_WORD.search(own)


def tuned_elsewhere(
    keys: list[tuple[Counter[str], str]],
    entries: Mapping[str, Entry],
    entry: Entry,
    text: str,
    words: Counter[str],
) -> list[str]:
    """A tune word typed (Instruct, Thinking, Chat) that none of the answer's names has, where
    another entry with all the typed words has it in its name and only a release date or
    number more: "Qwen3-30B-A3B-Instruct" is the Instruct-2507 release with its date left out
    as much as the original hybrid model, so it is "which one?" (the names to offer)."""
    typed = {m.lower() for m in _TUNE_WORD.findall(text)} - {"it"}
    if not typed or _has_word(" ".join((entry.id, entry.name, *entry.aliases)).lower(), typed):
        return []
    found: list[str] = []
    for key, eid in keys:
        other = entries[eid]
        if eid == entry.id or other.name in found or any(key[w] < n for w, n in words.items()):
            continue
        if any(len(w) > 1 and not any(c.isdigit() for c in w) for w in key - words):
            continue  # a word left out that names another model ("Coder"), not a release date
        if _has_word(f"{other.id} {other.name}".lower(), typed):
            found.append(other.name)
    return found


# The words a release's tune is named with: Qwen's "-Instruct" / "-Thinking", AllenAI's "-Think",
# Microsoft's "-reasoning", the "-Chat" and "-it" of older releases.
_TUNES = frozenset({"instruct", "thinking", "think", "chat", "it", "reasoning"})
# Releases announced together: Qwen published each Instruct/Thinking pair within days
# (Qwen3-235B-A22B Instruct-2507 on 21 July 2025, Thinking-2507 on 25 July; the 30B-A3B pair
# on 29 and 30 July; Qwen3-Next's on the same day). A sibling published months later (Kimi K2
# in July 2025, K2 Thinking in November) was named by adding its word to a name in use.
_TOGETHER_DAYS = 31


def _untuned(name: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """A name's words without its tune words, and the tune words: "Qwen3 30B-A3B Instruct 2507"
    → (qwen3 30b a3b 2507), {instruct}."""
    words = re.findall(r"[a-z0-9]+(?:\.\d+)?", name.lower())
    return tuple(w for w in words if w not in _TUNES), frozenset(w for w in words if w in _TUNES)


def release_siblings(entries: Mapping[str, Entry]) -> dict[str, tuple[str, ...]]:
    """Per entry, the other entries whose names differ from its name only by the tune word
    and which were released together with it (within a month, or a release date unknown):
    Qwen3-30B-A3B-Instruct-2507 → (Thinking-2507,); Kimi K2 Instruct has none (K2 Thinking
    came four months later)."""
    groups: dict[tuple[str, ...], list[tuple[str, frozenset[str]]]] = {}
    for eid, e in entries.items():
        rest, tunes = _untuned(e.name)
        if tunes:
            groups.setdefault(rest, []).append((eid, tunes))
    out: dict[str, tuple[str, ...]] = {}
    for members in groups.values():
        for eid, tunes in members:
            found = tuple(
                other
                for other, their in members
                if other != eid and their != tunes and _together(entries[eid], entries[other])
            )
            if found:
                out[eid] = found
    return out


def _together(a: Entry, b: Entry) -> bool:
    da, db = a.get("release_date"), b.get("release_date")
    if not (isinstance(da, date) and isinstance(db, date)):
        return True  # order unknown: neither can be said to own the name
    return abs((da - db).days) <= _TOGETHER_DAYS


def untuned_sibling(siblings: Mapping[str, tuple[str, ...]], entry: Entry, text: str) -> bool:
    """Whether the text, which names no tune word, found an entry that was released together
    with another of the same name but its tune word: "Qwen3 30B A3B 2507" is the Instruct-2507
    and the Thinking-2507 release alike, so it is "which one?"."""
    return entry.id in siblings and not _ANY_TUNE.search(text)


_ANY_TUNE = re.compile(r"(?i)(?<![a-z0-9])(?:" + "|".join(sorted(_TUNES)) + r")(?![a-z])")
