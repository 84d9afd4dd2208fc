"""A model name that names another checkpoint than the entry found: a base checkpoint of a tuned
entry, or a tune word (Instruct, Thinking, Chat) that another entry holds (docs/names.md,
"session 15 names3"). Used by runlocal.resolve.models after it has found one entry."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

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
