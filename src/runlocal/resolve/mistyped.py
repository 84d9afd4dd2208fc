"""Two ways people mistype a model name: a slip of the keyboard in one word, and the name
written inside a question. Used by runlocal.resolve.models, which answers only where the
reading names one model."""

from __future__ import annotations

# The words of a question ("can my 3060 run llama 3.1 8b", "will llama 3.3 70b fit on 2x
# 3090", "is gpt-oss-120b usable on strix halo"): they never belong to a model's name, so a
# model named in a sentence is a run of words between them.
_SENTENCE_WORDS = frozenset(
    """
    can could will would does do did is are am should shall how what which who why where my i
    me we our you your run runs running fit fits fitting on for with at in to vs or and if
    usable enough good fast faster speed use using get getting best worth want try trying
    """.split()  # noqa: SIM905
)


def sentence_runs(name: str) -> list[tuple[str, bool]]:
    """The runs of words between a sentence's words, each with whether it holds a number:
    "can my 3060 run llama 3.1 8b" → [("3060", True), ("llama 3.1 8b", True)]; [] when the
    text has no sentence word."""
    runs: list[list[str]] = [[]]
    for word in name.split():
        if word.lower().strip("?,.!:;") in _SENTENCE_WORDS:
            runs.append([])
        else:
            runs[-1].append(word)
    if len(runs) < 2:
        return []
    return [(" ".join(r), any(c.isdigit() for w in r for c in w)) for r in runs if r]


def one_slip(known: frozenset[str], run: str) -> tuple[str, ...]:
    """The words of the names that a typed word is with one letter left out ("instuct",
    "mistal") or two neighbouring letters swapped ("gtp"): the two commonest slips of a
    keyboard (Damerau, 1964). Only letters are compared; the caller answers only where one
    word fits."""
    found = {
        run[:i] + c + run[i:] for i in range(len(run) + 1) for c in "abcdefghijklmnopqrstuvwxyz"
    }
    found |= {run[:i] + run[i + 1] + run[i] + run[i + 2 :] for i in range(len(run) - 1)}
    found.discard(run)
    return tuple(sorted(found & known))
