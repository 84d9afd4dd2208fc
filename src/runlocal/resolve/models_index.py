"""The catalog's model names read the same way as a typed name: the index the matching in
runlocal.resolve.models looks names up in (every name and alias read by models_reading, the Hub
repos the catalog lists, the sizes each name uses, the Ollama library tags), built once per
catalog and cached beside the parse cache.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..catalog import Catalog, Entry, code_stamp, derived_cached
from ..errors import InputError
from ..frozen import interpreted
from .model_releases import release_siblings
from .models_reading import SOFT_WORDS, name_words, read_reference
from .models_respelled import skeleton
from .refs import HubRef, parse_ref

_OLLAMA_RE = re.compile(r"^([a-z0-9][\w.-]*):([\w.-]+)$", re.I)  # catalog ollama_tag fields


_VERSION_V = re.compile(r"(?i)(?<![a-z0-9])v(?=\d)")


@interpreted
@dataclass
class ModelIndex:
    exact: dict[tuple[tuple[str, int], ...], list[str]]
    keys: list[tuple[Counter[str], str]]
    repos: dict[str, str]
    entries: Mapping[str, Entry]
    spelled: dict[str, str]
    sizes: dict[str, set[str]]  # per entry, the numbers its names use as sizes ("70" of 70B)
    ollama: dict[tuple[str, str], list[str]]  # (library name, size tag) → entries

    @functools.cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word the catalog's names and aliases are read as."""
        return frozenset(w for key, _ in self.keys for w in key)

    def words_of(self, entry_id: str) -> frozenset[str]:
        """Every word the entry's names and aliases use."""
        return self._words_by_entry.get(entry_id, frozenset())

    @functools.cached_property
    def _words_by_entry(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for key, eid in self.keys:
            out.setdefault(eid, set()).update(key)
        return {eid: frozenset(words) for eid, words in out.items()}

    def family_words(self, letters: frozenset[str]) -> frozenset[str]:
        """Every word of the entries whose names use all the given words that the catalog
        knows (all the catalog's words where none is known): the numbers a name of those
        words may mean as a size or a release."""
        known = letters & self.vocabulary
        if not known:
            return self.vocabulary
        return frozenset(w for ws in self._words_by_entry.values() if known <= ws for w in ws)

    @functools.cached_property
    def siblings(self) -> dict[str, tuple[str, ...]]:
        """Releases of one name told apart only by their tune word (model_releases)."""
        return release_siblings(self.entries)

    @functools.cached_property
    def skeletons(self) -> dict[str, tuple[str, ...]]:
        """The words of the names (and soft words) by their doubled letters written once."""
        out: dict[str, set[str]] = {}
        for word in self.vocabulary | SOFT_WORDS:
            if word.isalpha() and len(word) >= 3:
                out.setdefault(skeleton(word), set()).add(word)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    @functools.cached_property
    def publishers(self) -> dict[str, set[str]]:
        """The words Hub owners are written with ('zai-org', 'zai') → the entries they own."""
        out: dict[str, set[str]] = {}
        for e in self.entries.values():
            for word in _publisher(e):
                out.setdefault(word, set()).add(e.id)
        return out


def frozen_words(words: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(words.items()))


@lru_cache(maxsize=8)  # Catalog hashes by identity: one index per loaded catalog
def model_index(catalog: Catalog) -> ModelIndex:
    # Reading every name and alias costs most of a cold `runlocal check`: kept beside the
    # parse cache, keyed by the catalog's files and this code.
    parts = derived_cached(catalog, "models", "names", CODE, lambda: _build(catalog))
    exact, keys, repos, spelled, sizes, ollama = parts
    return ModelIndex(exact, keys, repos, catalog.models, spelled, sizes, ollama)


# The code every catalog name is read with: a cached index is rebuilt when any of it changes
# (weights.py and quant.py say which quant words a name's reading takes out).
_HERE = Path(__file__).parent
CODE = code_stamp(
    __file__,
    *(str(_HERE / f) for f in ("models_reading.py", "refs.py", "text.py")),
    *(str(_HERE.parent / f) for f in ("weights.py", "quant.py")),
)

_Built = tuple[
    dict[tuple[tuple[str, int], ...], list[str]],
    list[tuple[Counter[str], str]],
    dict[str, str],
    dict[str, str],
    dict[str, set[str]],
    dict[tuple[str, str], list[str]],
]


def _build(catalog: Catalog) -> _Built:
    exact: dict[tuple[tuple[str, int], ...], list[str]] = {}
    keys: list[tuple[Counter[str], str]] = []
    repos: dict[str, str] = {}
    spelled: dict[str, str] = {}
    entries = catalog.models
    unversioned: list[tuple[Counter[str], str]] = []
    for entry in entries.values():
        labels = [entry.id, entry.name, *entry.aliases]
        if entry.get("ollama_tag"):
            labels.append(str(entry.get("ollama_tag")))
        if entry.get("hf_repo"):
            repos.setdefault(str(entry.get("hf_repo")).lower(), entry.id)
        for f in entry.get("files", []):
            repo = _repo_of(str(f.get("url", "")))
            if repo:
                repos.setdefault(repo.lower(), entry.id)
        for label in labels:
            ref = read_reference(label)
            if ref.repo:  # an alias that is a repo id ("meta-llama/Llama-3.1-8B-Instruct")
                repos.setdefault(ref.repo.lower(), entry.id)
            if ref.ollama and ref.ollama[1].lower() == "latest":
                # An Ollama library's default tag ("deepseek-r1:latest" is the 8b tag): found
                # by its tag only; the library's name alone may name another model.
                continue
            words = name_words(ref.name)
            if not words or _third_party(ref.repo, entry):
                continue
            spelled.setdefault(" ".join(sorted(words.elements())), entry.id)
            bucket = exact.setdefault(frozen_words(words), [])
            if entry.id not in bucket:
                bucket.append(entry.id)
                keys.append((words, entry.id))
            if _VERSION_V.search(ref.name):
                unversioned.append((name_words(_VERSION_V.sub(" ", ref.name)), entry.id))
        size = _size_words(entry)
        if size is not None:
            words = name_words(f"{entry.name} {size}")
            exact.setdefault(frozen_words(words), []).append(entry.id)
            keys.append((words, entry.id))
    # A version written without its "v" ("Codestral 22B 0.1", "Mistral 7B Instruct 0.3"): the
    # name read so is another key, unless a catalog name already reads that way or two
    # entries would share it. Only a "v" that opens a word and is glued to the number
    # ("-v0.3", " V3"): the V of "MiniCPM-V 4.5" is a model letter.
    seen: Counter[tuple[tuple[str, int], ...]] = Counter(
        {frozen_words(w): len({e for ww, e in unversioned if ww == w}) for w, _ in unversioned}
    )
    for words, eid in unversioned:
        key = frozen_words(words)
        if words and key not in exact and seen[key] == 1:
            exact[key] = [eid]
            keys.append((words, eid))
    # (an expert count is part of a size: the 8 of "Mixtral 8x7B" is no generation number)
    sizes = {
        eid: {
            size or count
            for size, count in re.findall(
                r"(\d+(?:\.\d+)?)\s*[bm]\b|(\d+)\s*x\s*(?=\d+(?:\.\d+)?\s*[bm]\b)",
                " ".join([e.name, *e.aliases]).lower(),
            )
        }
        for eid, e in entries.items()
    }
    ollama: dict[tuple[str, str], list[str]] = {}
    for eid, e in entries.items():
        for label in [str(e.get("ollama_tag") or ""), *e.aliases]:
            m = _OLLAMA_RE.match(label)
            if m and "/" not in label:
                bucket = ollama.setdefault((m.group(1).lower(), m.group(2).lower()), [])
                if eid not in bucket:
                    bucket.append(eid)
    return exact, keys, repos, spelled, sizes, ollama


def _third_party(repo: str | None, entry: Entry) -> bool:
    """Whether a repo alias is another publisher's copy ("antirez/deepseek-v4-gguf" of
    DeepSeek-V4-Flash): its name is the copier's label, found as the repo it is, never a name
    of the model ("DeepSeek V4" is not V4-Flash)."""
    publisher = str(entry.get("hf_repo") or "").partition("/")[0].lower()
    if not repo or not publisher:
        return False
    return repo.partition("/")[0].lower() != publisher


def _repo_of(url: str) -> str | None:
    try:
        ref = parse_ref(url)
    except InputError:
        return None
    return ref.repo if isinstance(ref, HubRef) else None


def _size_words(entry: Entry) -> str | None:
    """'671b' for a model whose names carry no size (DeepSeek-R1), so 'deepseek-r1:671b'
    still finds it."""
    names = " ".join([entry.name, *entry.aliases]).lower()
    if re.search(r"\d(?:\.\d+)?\s*[bm]\b", names):
        return None
    total = entry.get("params_total_b")
    return f"{float(total):g}b" if isinstance(total, int | float) else None


def _publisher(entry: Entry) -> tuple[str, ...]:
    """The words a model's Hub owner is written with: 'zai-org' → ('zai-org', 'zai');
    'NousResearch' → ('nousresearch', 'nous'), its first word as the owner writes it."""
    owner = str(entry.get("hf_repo") or "").partition("/")[0]
    if not owner:
        return ()
    camel = re.match(r"[A-Z][a-z]{2,}(?=[A-Z])", owner)
    first = (camel.group(0),) if camel else ()
    return tuple(dict.fromkeys(w.lower() for w in (owner, re.split(r"[-_.]", owner)[0], *first)))
