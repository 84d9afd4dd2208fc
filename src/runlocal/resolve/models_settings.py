"""What is typed beside a model's name and is no word of it (session 17 names7): a run's
setting and the model's total size where its names hold none, and the release codes that
pin a release. Read only where the name as typed names nothing (resolve.models)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..catalog import Entry

# A reasoning effort: gpt-oss's "Reasoning: low | medium | high" (OpenAI's gpt-oss model card
# and harmony format), Ollama's and LM Studio's "think" levels and OpenAI's API parameter
# reasoning_effort; typed "(high reasoning)", "reasoning: high", "reasoning_effort=medium".
_LEVEL = r"(?:low|medium|high)"
_REASONING_EFFORT_RE = re.compile(
    rf"(?i)[(\[]?\s*(?:{_LEVEL}[\s_-]+reasoning(?:[\s_-]+effort)?"
    rf"|reasoning(?:[\s_-]+effort)?\s*[:=]?\s*{_LEVEL}(?![a-z]))\s*[)\]]?"
)
# A total size typed with its unit, B or T (trillions: Moonshot's "1T total parameters").
_TOTAL_SIZE_RE = re.compile(r"(?i)(?<![a-z0-9.])(\d+(?:\.\d+)?)\s*([bt])(?![a-z0-9])")

Fits = Callable[[Entry, set[str]], bool]


def settings_left_out(name: str) -> Iterator[tuple[str, Fits]]:
    """The name with one such part read away, and what the model found without it must be
    for the reading to hold."""
    rest = _REASONING_EFFORT_RE.sub(" ", name)
    if rest != name and rest.strip():
        yield rest, lambda entry, sizes: True
    for match in _TOTAL_SIZE_RE.finditer(name):
        rest = f"{name[: match.start()]} {name[match.end() :]}"
        if rest.strip():
            yield rest, _total_size_fits(match.group(1), match.group(2).lower())


def _total_size_fits(number: str, unit: str) -> Fits:
    """A size typed beside a name that has none ("Kimi K2.5 1T"): the model's parameter count
    (the catalog's params_total_b, 1026 for Kimi K2.5) written to the typed number's
    precision is the typed number (1026B is "1T"; never "2T", and "1.5T" is not 1.0T). A whole
    number ending in one zero is written to the tens, as model cards round a count: MiniMax's
    "230 billion total parameters" for M2.5's 229B (session 18 names9); "700B" is still not
    DeepSeek V3's 671B."""
    decimals = len(number.partition(".")[2])
    if "." not in number and number.endswith("0") and not number.endswith("00"):
        decimals = -1
    scale = 1000.0 if unit == "t" else 1.0

    def fits(entry: Entry, sizes: set[str]) -> bool:
        total = entry.get("params_total_b")
        if sizes or not isinstance(total, int | float):
            return False  # (a name with a size of its own is found by that size)
        return round(float(total) / scale, decimals) == float(number)

    return fits


def is_release_code(word: str) -> bool:
    """Four digits that read as a year and month (2512, 2410) or a month and day (0528); a
    year ("2024") is neither."""
    if len(word) != 4 or not word.isdigit():
        return False
    return 1 <= int(word[2:]) <= 12 or (1 <= int(word[:2]) <= 12 and 1 <= int(word[2:]) <= 31)
