"""Model names as people type them → a catalog entry and the quantization the name states.

runlocal.resolve.models_reading reads the typed string (its form: Hub repo, Ollama tag, GGUF
file or free text; the quant it states; its words), and every catalog name and alias the same
way, and runlocal.resolve.models_index keeps the catalog's names so read. Here the words are
matched against the catalog's: a Hub repo of a catalog model, or of a
well-known quantizer's copy of it (the catalog lists their files), is that model; an Ollama tag
is the model and the quant that tag ships (Q4_K_M unless the tag or the model's native format
says otherwise); otherwise the same words as a catalog name → that model; fewer words that only
one model holds → that model; several → "which one?" with the candidates; none → the closest
names.
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import suppress
from dataclasses import replace
from functools import lru_cache

from ..bounds import MODEL_REQUIRED, name_problem
from ..catalog import Catalog, Entry, normalize
from ..errors import AmbiguousNameError, InputError, UnknownNameError
from ..quant_unsized import UnsizedQuantError
from .mistyped import holds_size, sentence_runs, size_only
from .model_releases import base_of_tuned, tuned_elsewhere, untuned_sibling
from .models_index import ModelIndex, frozen_words, model_index
from .models_reading import (
    OWNER_PREFIX,
    SOFT_WORDS,
    Reference,
    folder_words,
    model_field,
    name_words,
    ollama_default_quant,
    read_reference,
)
from .models_respelled import (
    dotted_readings,
    respelled_readings,
    spoken_readings,
    undotted_readings,
    unglued_readings,
    unit_readings,
)
from .models_settings import is_release_code, settings_left_out
from .models_versions import apart_readings, separated_readings
from .names import ModelName

# --- matching ------------------------------------------------------------------------------


def resolve_model_name(catalog: Catalog, text: str) -> ModelName:
    """The catalog model a typed string names, and the quant it states.

    Raises UnknownNameError (closest names), AmbiguousNameError (candidates) or InputError."""
    return _resolve(catalog, text)


@lru_cache(maxsize=4096)
def _resolve(catalog: Catalog, text: str) -> ModelName:
    if not text.strip():
        raise InputError(f"model: {MODEL_REQUIRED}")
    problem = name_problem("model", text)
    if problem:
        raise InputError(problem)
    value = model_field(text)
    if value is not None:
        # A config's model field is its value, so an Ollama tag there ships its quant; a value
        # that names nothing is read with the rest, as before.
        try:
            return _resolve(catalog, value)
        except AmbiguousNameError:
            raise
        except UnknownNameError:
            pass
    index = model_index(catalog)
    if text in index.entries:
        return ModelName(index.entries[text], None, "name")
    ref = read_reference(text)
    entry_id = index.repos.get(ref.repo.lower()) if ref.repo else None
    # The entry is the one a repo the catalog lists, or the library's tag for that size, names.
    by_tag = entry_id is not None
    if entry_id is None and ref.ollama is not None:
        entry_id = _by_ollama_tag(index, *ref.ollama)
        by_tag = entry_id is not None
        if entry_id is not None and _tag_says_more(index, entry_id, ref):
            by_tag = False
            # The library names several models under one size: "qwen3:30b-a3b-instruct-2507"
            # beside qwen3:30b-a3b, "deepseek-r1:8b-llama-distill" beside deepseek-r1:8b
            # (retagged to the 0528 Qwen3 distill). Words the size's entry never uses name
            # another model: read the whole tag as a name; the size's entry only if that
            # finds nothing or several.
            try:
                entry_id = _by_words(index, text, ref).id
            except AmbiguousNameError:
                by_tag = True
            except UnknownNameError:
                by_tag = True
                if _tag_says_more(index, entry_id, ref, numbers=True):
                    # A number the size's entry never uses is another release under that
                    # size ("command-r:35b-08-2024" is the 08-2024 Command R, not v01), and
                    # so is a release stage ("qwq:32b-preview"): the typed model is unknown.
                    raise
    if entry_id:
        entry = index.entries[entry_id]
    else:
        try:
            entry = _by_words(index, text, ref)
        except UnknownNameError as unknown:
            entry = _by_other_words(index, text, ref, unknown)
    if base_of_tuned(entry, text):
        raise UnknownNameError("model", text, [entry.name])
    other = (
        []
        if ref.form == "ollama"  # an Ollama tag names one model of its library
        else tuned_elsewhere(index.keys, index.entries, entry, text, name_words(ref.name))
    )
    if not other and not by_tag and untuned_sibling(index.siblings, entry, text):
        # "Qwen3 30B A3B 2507", "Qwen3-Next-80B-A3B": two releases of that name, Instruct and
        # Thinking, published together; a name without its tune word is either.
        other = [index.entries[s].name for s in index.siblings[entry.id]]
    if other:
        raise AmbiguousNameError("model", text, [entry.name, *other][:6])
    if ref.unsized:
        # A Hub repo the catalog knows, tagged with a quant no name sizes (UD-TQ1_0): the
        # catalog would answer at another quant, so refuse (an unknown repo's file is read).
        raise UnsizedQuantError(ref.unsized)
    implied = ollama_default_quant(entry) if ref.form == "ollama" else None
    return ModelName(entry, ref.quant, ref.form, implied)


def _by_other_words(
    index: ModelIndex, text: str, ref: Reference, unknown: UnknownNameError
) -> Entry:
    """Tried only when the whole name is unknown: a quantizer's file named
    "{owner}_{repo}-{quant}.gguf" ("Qwen_Qwen3-32B-Q4_K_M.gguf", "meta-llama_Llama-3.3-70B-…")
    without the owner; then a file's folder, when the file's own name names nothing
    ("…/Qwen2.5-7B-Instruct-GGUF/model-q4_k_m.gguf")."""
    names = []
    if ref.form in ("gguf-file", "hub"):
        bare = OWNER_PREFIX.sub("", ref.name)
        if bare != ref.name:
            names.append(bare)
    folder = folder_words(ref)
    if folder:
        names.append(folder)
    for name in names:
        with suppress(UnknownNameError):
            return _by_words(index, text, replace(ref, name=name), closest=False)
    # Dots as separators ("Baichuan.M2.32B", "Gemma.3.27B", "Qwen2.7B": a dot between digits
    # read both ways), then two words typed as one ("gptoss-120b", "mistralsmall 3.2",
    # "kimik2"): an answer only where the readings that name a model name one.
    known = index.vocabulary | SOFT_WORDS  # "LiteChat", "Instructhf": a half may be a soft word
    for readings in (
        unit_readings(ref.name),
        dotted_readings(ref.name),
        unglued_readings(known, ref.name),
        undotted_readings(ref.name),
        respelled_readings(known, index.skeletons, ref.name),
        spoken_readings(known, ref.name),
    ):
        entry = _one_reading(index, text, ref, readings)
        if entry is not None:
            return entry
    # A version spelled with a separator or with its dot dropped ("llama-3-1-8b", "qwen2p5",
    # "llama-31-8b"; models_versions): read strictly, every reading that names anything
    # counted, a reading that names several included.
    entry = _one_reading(
        index,
        text,
        ref,
        separated_readings(ref.name, lambda name: _names_any(index, text, ref, name))
        + apart_readings(ref.name, index.family_words),
        strict=True,
    )
    if entry is not None:
        return entry
    # The publisher's name typed as a word ("Nvidia Llama-3.1-Nemotron-Ultra-253B-v1",
    # "Qwen QwQ 32B", "Tencent Hunyuan-A13B"): left out, if the model found is published
    # under that name on the Hub (the owner of its hf_repo).
    for word in name_words(ref.name):
        owned = index.publishers.get(word)
        if not owned:
            continue
        rest = re.sub(rf"(?i)(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", " ", ref.name)
        with suppress(UnknownNameError):
            entry = _by_words(index, text, replace(ref, name=rest), closest=False)
            if entry.id in owned:
                return entry
    # An architecture word typed beside the name ("Gemma 4 26B MoE", "Qwen3 dense 32B"): left
    # out if the model found is built so (fewer parameters active per token than it has, or
    # all of them). A name that holds the word ("Phi-3.5-MoE") was found above.
    lowered = {w.lower() for w in re.findall(r"[A-Za-z]+", ref.name)}
    for word in sorted(_ARCHITECTURE_WORDS & lowered):
        rest = re.sub(rf"(?i)(?<![a-z0-9]){word}(?![a-z0-9])", " ", ref.name)
        with suppress(UnknownNameError):
            entry = _by_words(index, text, replace(ref, name=rest), closest=False)
            if _is_moe(entry) == (word == "moe"):
                return entry
    # A run's setting or the model's total size typed beside its name (models_settings).
    for rest, fits in settings_left_out(ref.name):
        with suppress(UnknownNameError):
            entry = _by_words(index, text, replace(ref, name=rest), closest=False)
            if fits(entry, index.sizes[entry.id]):
                return entry
    if ref.form == "name" and (" " in ref.name or not ref.name.isascii()):
        entry = _in_a_sentence(index, text, ref)
        if entry is not None:
            return entry
    raise unknown


_ARCHITECTURE_WORDS = frozenset({"moe", "dense"})


def _is_moe(entry: Entry) -> bool:
    """Whether fewer of the model's parameters run per token than it has (a mixture of
    experts: gpt-oss-120b, 5.1B of 116.8B), from the catalog's params_active_b."""
    total, active = entry.get("params_total_b"), entry.get("params_active_b")
    if not isinstance(total, int | float) or not isinstance(active, int | float):
        return False
    return active < total


def _in_a_sentence(index: ModelIndex, text: str, ref: Reference) -> Entry | None:
    """A model named inside a question: each run of words between a sentence's words
    (resolve.mistyped.sentence_runs) read as a name, a run without a number only as a whole
    name; the answer only where the runs name one model (a run that holds an unknown word,
    "Llama 3.1 8B Lexi", names none)."""
    found: dict[str, Entry] = {}
    for run, numbered in sentence_runs(ref.name):
        if size_only(run):
            return None  # "qwen3 8b or 14b": a second size is a second model
        if not numbered:
            # Without a size or version, only a whole name ("flux dev", "sdxl"): "my pc"
            # or "llama" alone names no one model.
            exact = index.exact.get(frozen_words(name_words(run)), [])
            if len(exact) == 1:
                found[exact[0]] = index.entries[exact[0]]
            continue
        try:
            entry = _by_words(index, text, replace(ref, name=run), closest=False)
        except (UnknownNameError, AmbiguousNameError):
            if holds_size(run):
                # A run with a model's size that names no one model ("what's the difference
                # between qwen3 8b", "qwen 32b": several) is a model all the same: the other
                # runs' answer would be one of two.
                return None
            continue
        found[entry.id] = entry
    return next(iter(found.values())) if len(found) == 1 else None


def _one_reading(
    index: ModelIndex, text: str, ref: Reference, readings: list[str], *, strict: bool = False
) -> Entry | None:
    """The model the readings of a name that name one name; None when none does, "which
    one?" when they name several. ``strict``: a reading that names several models counts
    as naming each of them (never dropped for another reading's one answer)."""
    found: dict[str, Entry] = {}
    several: set[str] = set()
    for name in readings:
        try:
            entry = _by_words(index, text, replace(ref, name=name), closest=False)
        except AmbiguousNameError as many:  # (before its base class, UnknownNameError)
            if strict:
                several.update(many.suggestions)
            continue
        except UnknownNameError:
            continue
        found[entry.id] = entry
    names = {e.name for e in found.values()} | several
    if len(found) > 1 or several:
        raise AmbiguousNameError("model", text, sorted(names)[:6])
    return next(iter(found.values()), None)


def _names_any(index: ModelIndex, text: str, ref: Reference, name: str) -> bool:
    """Whether a reading of the name names a model or several."""
    try:
        _by_words(index, text, replace(ref, name=name), closest=False)
    except AmbiguousNameError:
        return True
    except UnknownNameError:
        return False
    return True


def _by_words(index: ModelIndex, text: str, ref: Reference, *, closest: bool = True) -> Entry:
    """The model the words of ref.name name. ``closest=False`` for a retry whose refusal is
    not shown (the closest names are the costly part of a refusal)."""
    words = name_words(ref.name)
    if not words:
        raise UnknownNameError("model", text, [])
    hits = index.exact.get(frozen_words(words), []) or _unit_left_out(index, words, ref.name)
    if len(hits) == 1:
        return index.entries[hits[0]]
    if not hits:
        hits = list(dict.fromkeys(eid for key, eid in index.keys if _contains(key, words)))
        # Fewer words than a name is fine when what was left out only describes it ("llama 3.3"
        # for the one Llama 3.3); a left-out version number or model letter makes another
        # model ("Yi 34B" is not Yi 1.5 34B, "gemma3:2b" not Gemma 3n E2B).
        safe = {
            eid
            for key, eid in index.keys
            if _contains(key, words)
            and not _defining(_active_left_out(index, eid, key - words), index.sizes[eid], words)
        }
        narrowed = _narrowed(index, hits, words, ref.name)
        if len(narrowed) == 1 and len(hits) > 1:
            return index.entries[narrowed[0]]
        if len(hits) == 1 and (
            hits[0] in safe
            or _named_with_more(index, words, ref.name) == hits
            or _release_pins(index, hits[0], words)
        ):
            # (a name of it typed in full, with words of its other names: "DeepSeek R1
            # 0528 8B" holds its Ollama name deepseek-r1:8b)
            return index.entries[hits[0]]
        if len(hits) == 1:
            # One name holds the typed words but adds a number or letter that makes it another
            # model ("Yi 34B" beside Yi 1.5 34B): the typed model is unknown, that name the
            # closest, not a choice of one.
            near = [index.entries[hits[0]].name]
            if closest:
                near = list(dict.fromkeys(near + _closest(index, words)))[:5]
            raise UnknownNameError("model", text, near)
    if not hits:
        # A full name typed with words of the model's other names ("Mistral Nemo 12B
        # Instruct 2407": "Mistral Nemo 12B" and "Mistral-Nemo-Instruct-2407"; "Dolphin 3
        # Llama 3.1 8B"): the one model that has a name among the typed words and every
        # other typed word among its names.
        found = _named_with_more(index, words, ref.name)
        if len(found) == 1:
            return index.entries[found[0]]
    if hits:
        typed = normalize(text)
        names = sorted(
            (index.entries[h].name for h in hits),
            key=lambda n: (not normalize(n).startswith(typed), n),  # "qwen": Qwen models first
        )
        raise AmbiguousNameError("model", text, names[:6])
    raise UnknownNameError("model", text, _closest(index, words) if closest else [])


# A mixture-of-experts model's active parameters written after its size ("30B-A3B", "A22B").
_ACTIVE_RE = re.compile(r"(?<![a-z0-9])a(\d+(?:\.\d+)?)b(?![a-z0-9])")
# A size typed with its unit ("3b", "35B", "270m"), not the active part of "a3b".
_TYPED_SIZE_RE = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)\s*[bm](?![a-z0-9])")
# The words a release's tune is named with (model_releases._TUNES without the "it" of a
# sentence).
_TUNE_WORDS = frozenset({"instruct", "thinking", "think", "chat", "reasoning"})


def _active_left_out(index: ModelIndex, entry_id: str, extra: Counter[str]) -> Counter[str]:
    """The left-out words without the active-parameter part of a mixture-of-experts size
    ("Qwen3-VL 30B Thinking" for Qwen3-VL-30B-A3B-Thinking): "A3B" says how many of the 30B
    parameters run per token, a figure of the same model, never another model's name
    (session 17 names6). A left-out total size still counts as _defining reads it."""
    entry = index.entries[entry_id]
    for active in _active_sizes(entry):
        part = Counter({active: 1, "b": 1})  # (the "a" is a soft word, read away before)
        if _contains(extra, part):
            return extra - part - Counter({"a": 1})
    return extra


@lru_cache(maxsize=1024)
def _active_sizes(entry: Entry) -> tuple[str, ...]:
    names = " ".join([entry.id, entry.name, *entry.aliases]).lower()
    return tuple(dict.fromkeys(_ACTIVE_RE.findall(names)))


def _narrowed(index: ModelIndex, hits: list[str], words: Counter[str], name: str) -> list[str]:
    """Several models hold the typed words: those that also hold what the typed words say
    in ways a word count cannot (session 17 names6), when one of them is left and its other
    words only describe it:
    - a size typed with its unit is one of the model's sizes ("ministral 3b 2512": the 3 of
      Ministral 3 8B is its version, not its size);
    - a tune word typed is in the model's name ("qwen3 235b 2507 instruct": the Instruct-2507
      release, not Thinking-2507; the typed "instruct" is no word of a name's key, since
      a Hub name adds it to models that have no other tune).
    Otherwise the hits as they were ("which one?")."""
    if len(hits) < 2:
        return hits
    lowered = name.lower()
    sizes = set(_TYPED_SIZE_RE.findall(lowered))
    tunes = {w for w in re.findall(r"[a-z]+", lowered) if w in _TUNE_WORDS}
    left = hits
    if sizes:
        left = [h for h in left if sizes <= index.sizes[h]] or left
    if tunes:
        tuned = [
            h
            for h in left
            if tunes & set(re.findall(r"[a-z]+", f"{h} {index.entries[h].name}".lower()))
        ]
        left = tuned or left
    if len(left) != 1:
        return hits
    # What the one left adds must only describe it: its active parameters, or a number of its
    # name equal to the size typed (the version 3 of "Ministral 3 3B") where another typed
    # number of that name pins the release ("ministral 3b 2512", Mistral's own id; a bare
    # "ministral 3b" is also the 2024 Ministral 3B, 2410).
    eid = left[0]
    for key, other in index.keys:
        if other != eid or not _contains(key, words):
            continue
        extra = _active_left_out(index, eid, key - words)
        if any(w[0].isdigit() and w not in sizes for w in words):
            extra = Counter({w: n for w, n in extra.items() if w not in sizes})
        if not _defining(extra, index.sizes[eid], words):
            return left
    return hits


# A version glued to a word ("llama3", "qwen2.5"): the number is that word's.
_GLUED_VERSION = re.compile(r"(?<![a-z])([a-z]{2,})(\d+(?:\.\d+)?)(?![\d.])")


def _named_with_more(index: ModelIndex, words: Counter[str], name: str = "") -> list[str]:
    """The entries with a name whose words, its size among them, are all typed, and whose
    other names hold every other typed word (a word of the name typed twice is not another word: "Llama 3.1 8B
    Instruct 8-billion" is a typo). A number typed glued to one of those other words is that
    word's version, never the name's: "dolphin-llama3:8b" (Dolphin 2.9 on Llama 3) is not
    "dolphin3:8b" with "llama" added."""
    glued = {(w, n) for w, n in _GLUED_VERSION.findall(name.lower())}
    found = []
    for key, eid in index.keys:
        if eid in found or not _contains(words, key) or not set(key) & index.sizes[eid]:
            continue  # (a name with the model's size: "Llama 3.1" is several models)
        more = words - key
        if any(w in more and words[n] <= key[n] for w, n in glued):
            continue
        known = index.words_of(eid)
        if all(n == 1 and w not in key and w in known for w, n in more.items()):
            found.append(eid)
    return found


def _unit_left_out(index: ModelIndex, words: Counter[str], name: str) -> list[str]:
    """A size typed without its unit ("gpt-oss 120", "llama 3.1 8", "Qwen3 235-A22B"): the
    entries whose name is exactly the typed words with a B (or M) after a typed number that
    is one of that entry's sizes and stands as a word of its own ("llama33" may be Llama 3.3
    without its dot). A version number typed alone ("gemma 3") names no such entry, since no
    name is "Gemma 3B"."""
    lowered = name.lower()
    apart = {
        w
        for w in words
        if w[0].isdigit() and re.search(rf"(?<![a-z0-9.]){re.escape(w)}(?![0-9.])", lowered)
    }
    if not apart:
        return []
    found = [
        eid
        for unit in ("b", "m")
        for eid in index.exact.get(frozen_words(words + Counter({unit: 1})), [])
        if apart & index.sizes[eid]
    ]
    return list(dict.fromkeys(found))


def _defining(extra: Counter[str], sizes: set[str], typed: Counter[str]) -> bool:
    """Left-out words that make another model when the typed words already pin the model down
    with numbers of their own: a version number ("Yi 34B" is not Yi 1.5 34B), a model letter,
    or a variant word ("GLM 4.7" is not GLM-4.7-Flash, "DeepSeek V4" not V4-Flash); the words
    that only describe a release (instruct, chat, the publisher) are dropped before this. A
    bare "mixtral" may still be the only Mixtral."""
    # (a lone letter typed pins a model down as a number does: the M of "snowflake-arctic-
    # embed-m" is the medium model, not the unit of another's "568m")
    numbered = any(c.isdigit() or len(w) == 1 for w in typed for c in w)  # "3.3", "70b", "v4"
    if not numbered:
        # A left-out generation number ("V2", "3"; one digit, 2 or more, no size) names a
        # later generation of a line: the bare line name is its first one too ("deepseek
        # coder" is DeepSeek Coder, 1.3B-33B, not Coder V2 Lite; "internvl" not InternVL3).
        return any(len(w) == 1 and w.isdigit() and w >= "2" and w not in sizes for w in extra)
    return any((w[0].isdigit() and w not in sizes) or len(w) == 1 or w.isalpha() for w in extra)


def _release_pins(index: ModelIndex, eid: str, typed: Counter[str]) -> bool:
    """Whether a release code typed pins the one model that holds the typed words, so that
    the numbers left out (its version, its size) only describe it: Mistral's ids name a
    release by year and month ("ministral-8b-2512" is Ministral 3 8B Instruct 2512,
    "mistral small 2506" is Mistral Small 3.2 24B Instruct 2506; docs.mistral.ai's model
    list), DeepSeek's and Qwen's by month and day or year and month ("0528", "2507"). Only
    numbers may be left out: a word ("devstral 2512" leaves out "small": Devstral 2 is a
    release of that month too) still makes another model."""
    if not any(is_release_code(w) for w in typed):
        return False
    for key, other in index.keys:
        if other == eid and _contains(key, typed):
            extra = _active_left_out(index, eid, key - typed)
            sized = any(w[0].isdigit() for w in extra)  # (a size's unit is read apart)
            if all(w[0].isdigit() or (sized and w in {"b", "m"}) for w in extra):
                return True
    return False


def _by_ollama_tag(index: ModelIndex, model: str, tag: str) -> str | None:
    """An Ollama tag by the library's own naming: the model name and the size that opens the
    tag ("mistral-nemo:12b-instruct-2407-q8_0" → the entry whose tag is mistral-nemo:12b)."""
    size = tag.lower().split("-", 1)[0]
    ids = index.ollama.get((model.lower(), size), [])
    return ids[0] if len(ids) == 1 else None


def _tag_says_more(
    index: ModelIndex, entry_id: str, ref: Reference, *, numbers: bool = False
) -> bool:
    """Whether the typed Ollama tag holds words (besides its quant and the words that never
    tell models apart) that no name or alias of the entry its size picked uses; with
    ``numbers``, only numbers count (a release date or a version)."""
    known = index.words_of(entry_id)
    return any(
        w not in known and (not numbers or w[0].isdigit() or w in _RELEASE_WORDS)
        for w in name_words(ref.name)
    )


# A release stage typed in a tag names another release, as a date does ("qwq:32b-preview" is
# QwQ-32B-Preview, not QwQ-32B).
_RELEASE_WORDS = frozenset({"preview", "alpha", "beta", "exp", "experimental", "rc"})


def _contains(key: Counter[str], words: Counter[str]) -> bool:
    return all(key[w] >= n for w, n in words.items())


def _closest(index: ModelIndex, words: Counter[str]) -> list[str]:
    import difflib

    typed = " ".join(sorted(words.elements()))
    close = difflib.get_close_matches(typed, list(index.spelled), n=10, cutoff=0.5)
    names = list(dict.fromkeys(index.entries[index.spelled[c]].name for c in close))
    return names[:5]
