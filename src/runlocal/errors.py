"""One hierarchy for every error the engine raises on purpose.

The CLI turns any RunlocalError into exit code 2 and its message on one line;
the website and API turn it into a 4xx with the same message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# What a refusal echoes of a value as typed: enough to recognise it, never a pasted page.
SHOWN_CHARS = 40


def shown(text: str) -> str:
    """``text`` quoted as a refusal repeats it (its repr), cut after SHOWN_CHARS characters with
    an ellipsis and the length typed: a 2,000-character --quant is refused in one short line."""
    if len(text) <= SHOWN_CHARS:
        return repr(text)
    return f"{text[:SHOWN_CHARS] + '…'!r} ({len(text):,} characters)"


def closest_spellings(typed: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The few known names spelled nearest ``typed`` (difflib, as the name resolvers suggest
    models and hardware), case, spaces, '-' and '_' ignored: 'Q5KM' is nearest Q5_K_M. A
    refusal names these, never the whole list (a quantization's would be ~150 names)."""
    import difflib  # only for a refusal

    def bare(name: str) -> str:
        return re.sub(r"[\s_-]+", "", name).upper()

    by_bare: dict[str, str] = {}
    for name in known:
        by_bare.setdefault(bare(name), name)
    near = difflib.get_close_matches(bare(typed[:100]), list(by_bare), n=n, cutoff=0.6)
    return [by_bare[b] for b in near]


class RunlocalError(Exception):
    """Base of every error the engine raises on purpose."""


class InputError(RunlocalError, ValueError):
    """A value given by the user is out of range or malformed."""


class UnknownNameError(InputError):
    """A model or hardware name the catalog does not know."""

    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")

    @property
    def headline(self) -> str:
        """The message without the closest names, for a page that lists them as links: the
        pages, the API and the CLI refuse the name in the same words."""
        return str(self).split("; closest: ", 1)[0]


class AmbiguousNameError(UnknownNameError):
    """A name that fits several catalog entries equally well: the answer is "which one?",
    never a guess."""

    def __init__(self, kind: str, name: str, candidates: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = candidates
        InputError.__init__(
            self, f"{kind} {name!r} could be {', '.join(candidates)}; say which one"
        )


class NotSoldError(UnknownNameError):
    """A device named with a memory size or GPU core count it is not sold with: refused, never
    answered for another size. The suggestions are the versions that exist."""

    def __init__(self, kind: str, name: str, message: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        InputError.__init__(self, message)


class ModelFileError(InputError):
    """A GGUF, config.json or safetensors file that cannot be read."""

    def __init__(self, message: str) -> None:
        # Names read from a damaged file may hold control characters; keep the message one
        # printable line.
        super().__init__("".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message))


class RemoteError(InputError):
    """A model on the Hugging Face Hub or the Ollama registry that cannot be read: missing,
    gated or private, rate limited, timed out, or answered with something that is not one."""

    def __init__(self, message: str) -> None:
        super().__init__("".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message))


class RemoteNotFoundError(RemoteError):
    """The repository, revision, file or registry tag does not exist (or is private)."""


class RemoteUnavailableError(RemoteError):
    """The Hub or the registry could not answer: a timeout, no connection, HTTP 5xx, or
    offline mode without a cached copy. Worth retrying later, unlike the other failures."""


class RemoteRateLimitError(RemoteError):
    """Too many remote reads for one client (a server's limit, or the Hub's HTTP 429)."""

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message)


class UnsupportedArchitectureError(RunlocalError):
    """A model whose architecture the engine cannot size without guessing."""


class CatalogError(RunlocalError):
    """A catalog file that fails its schema or plausibility checks."""

    def __init__(self, path: str, field: str, problem: str) -> None:
        self.path = path
        self.field = field
        self.problem = problem
        super().__init__(f"{path}: {field}: {problem}")
