"""Ways people mistype a name: a slip of the keyboard in one word of a model name or in the
variant word after a device's model number, and a model name written inside a question. Used
by runlocal.resolve.models and runlocal.resolve.hardware, which answer only where the reading
names one entry."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .hardware_reading import VARIANTS
from .text import NAME_SUFFIX_RE

# The words of a question ("can my 3060 run llama 3.1 8b", "will llama 3.3 70b fit on 2x
# 3090", "is gpt-oss-120b usable on strix halo"): they never belong to a model's name, so a
# model named in a sentence is a run of words between them.
_SENTENCE_WORDS = frozenset(
    """
    can could will would does do did is are am should shall how what which who why where my i
    me we our you your run runs running fit fits fitting on for with at in to vs or and if
    usable enough good fast faster speed use using get getting best worth want try trying
    puedo puede correr ejecutar en mi mis con para necesita necesito que como el la los las
    un una es y o funciona sirve tengo qué cual cuál uso usar mejor dos tres
    kann ich auf meiner meinem meine mit wie viel braucht brauche laufen lassen ist der die
    das ein eine einer und oder genug reicht welche welches beste zwei
    peut on peux je faire tourner sur mon ma mes avec pour combien de du des le les faut
    fonctionne quelle quel meilleur deux tourne est-ce est ce
    da pra rodar roda um numa num meu minha com quanta quanto precisa preciso posso consigo
    em qual melhor duas dois corre corren cabe mein pc
    what's whats much many need needs require requires vram memory ram locally local
    difference between than better worse compare compared versus
    any anyone runnable possible feasible decent home tips advice
    posso eseguire far girare gira il mio mia su per quale serve quanto quanta basta
    no nos na ao do da modelo quantizado laptop notebook computer computador
    czy na w z mój moim moja jak ile lokalnie komputerze karcie model
    yerelde miyim mi ile ve bir bilgisayarda
    """.split()  # noqa: SIM905
)
# The same words in the other languages people ask in (Spanish, German, French, Portuguese,
# Italian; Polish and Turkish since session 16 names5; "any good", "runnable at home", "any
# tips for" since session 18 names10:
# "¿Puedo correr Llama 3.1 8B en mi portátil?", "Kann ich Qwen3 14B auf meiner 4070 laufen
# lassen?"); none is a word of a catalog name. A word written with letters outside ASCII
# ("portátil", "für", Cyrillic, kana, Han) is never one either: every catalog name is ASCII,
# so such a word, or a run of such letters glued to a name ("我的4090能跑Qwen2.5 72B吗"),
# separates the runs as a sentence word does.
_OTHER_LETTERS = re.compile(r"[^\x00-\x7f\s]+")
_LATIN_WORD = re.compile(r"[A-Za-z]*[À-ɏ]+[A-Za-zÀ-ɏ]*")  # Latin-1 to Latin Extended-B
# A parameter size alone ("14b", "0.5B"): in a sentence it is another model of the line named
# beside it ("qwen3 8b or 14b"), so the sentence names more than one.
_SIZE_ONLY = re.compile(r"(?i)^\d+(?:\.\d+)?\s*[bm]$")


def sentence_runs(name: str) -> list[tuple[str, bool]]:
    """The runs of words between a sentence's words, each with whether it holds a number:
    "can my 3060 run llama 3.1 8b" → [("3060", True), ("llama 3.1 8b", True)]; [] when the
    text has no sentence word."""
    runs: list[list[str]] = [[]]
    if not name.isascii():
        # (a Latin word with letters outside ASCII is a word of the sentence whole: Polish
        # "zadziała", Turkish "çalıştırırım"; other scripts' runs are split off, as Chinese
        # and Japanese glue them to a name)
        name = _LATIN_WORD.sub(" ¿ ", NAME_SUFFIX_RE.sub("", name))
        name = _OTHER_LETTERS.sub(" ¿ ", name)
    for word in name.split():
        if word == "¿" or word.lower().strip("?,.!:;¿¡") in _SENTENCE_WORDS:
            runs.append([])
        else:
            runs[-1].append(word)
    if len(runs) < 2:
        return []
    return [(" ".join(r), any(c.isdigit() for w in r for c in w)) for r in runs if r]


# A parameter size anywhere in a run ("qwen3 8b", "the difference between qwen3 8b"): a run
# that holds one names a model, even where its other words name none.
_HOLDS_SIZE = re.compile(r"(?i)(?<![\w.])\d+(?:\.\d+)?\s*[bm](?![\w])")


def holds_size(run: str) -> bool:
    """Whether a run of a sentence holds a parameter size ("qwen3 8b need")."""
    return bool(_HOLDS_SIZE.search(run))


def size_only(run: str) -> bool:
    """Whether a run of a sentence is a parameter size alone ("14b")."""
    return bool(_SIZE_ONLY.match(run.strip("?,.!:;")))


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


# Words of a sentence that may follow a model number ("a 3090 to run llama", "4090 so I can"):
# one slip from a variant word (Ti, Le) but no slip where more text follows them.
_SENTENCE_AFTER = frozenset("to so it is in on or at as if of be by an do my me we up".split())  # noqa: SIM905


def slipped_variant(
    keys: Iterable[tuple[str, ...]],
    vocabulary: frozenset[str],
    tokens: list[str],
    start: int,
    end: int,
) -> bool:
    """Whether the word after a matched name is one slip (a letter changed, added, left out,
    or two neighbours swapped: Damerau, 1964) from a variant word that a catalog name takes
    right after that name, and no word of any name itself: "3090 to" is a 3090 Ti mistyped,
    "6700 zt" a 6700 XT. Answering the plain card would be a silent wrong answer."""
    word = tokens[end]
    after = _variants_after(keys, tokens[start:end]) if word.isalpha() else set()
    if any(v != word and v.startswith(word) for v in after):
        # A variant word cut short ("4080 s", "4070 t", "4070 ti sup": Super or Ti, or
        # nothing?): the plain card would be a silent guess, so only where no variant the
        # line takes there starts with it is the word left out.
        return True
    if len(word) == 1:
        return False
    if not word.isalpha() or word in vocabulary:
        return False
    if word in _SENTENCE_AFTER and end + 1 < len(tokens):
        return False
    return any(one_slip_apart(word, v) for v in after if len(v) >= 2)


def _variants_after(keys: Iterable[tuple[str, ...]], name_words: list[str]) -> set[str]:
    """The variant words that a catalog name takes right after these words."""
    name = tuple(name_words)
    n = len(name)
    return {
        key[i + n]
        for key in keys
        for i in range(len(key) - n)
        if key[i : i + n] == name and key[i + n] in VARIANTS
    }


def one_slip_apart(a: str, b: str) -> bool:
    """Damerau–Levenshtein distance 1: one letter changed, added or left out, or two
    neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
