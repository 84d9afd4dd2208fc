"""What every start of the package pays once and can keep: the code dataclasses generate.

``@dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__`` (and, frozen,
``__setattr__``, ``__delattr__``, ``__hash__``) as source text and compiles it with ``exec``
when the class is defined: ~200 functions on a cold `runlocal check`'s path, whose parsing and
compiling were a third of its instructions (callgrind, docs/performance.md). Python's own
bytecode cache does not cover them. Here the text of each is compiled once and the code
objects are kept (marshal, as .pyc files keep a module's code) beside the parse cache, keyed
by the exact text, the Python version and its optimisation level: the same text compiled
by the same interpreter is the same code, so each class gets the functions it would have
got.

How: ``dataclasses`` calls ``exec`` by its global name, so a module-level ``exec`` in it
(set here) is called in place of the builtin; it compiles as exec would (filename
"<string>", no inherited ``__future__`` flags) and runs the code with the same namespaces.
Only the text of runlocal's own classes is kept; any other passes through unchanged.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import sys
from types import CodeType
from typing import Any

# The interpreter the kept code was compiled by: code objects are valid for it only.
_STAMP = (sys.version, sys.flags.optimize, "dataclass-code-1")
_FILE = f"dataclass-code-{sys.implementation.cache_tag}-O{sys.flags.optimize}.marshal"


def cache_dir() -> str | None:
    """Where derived files are kept (RUNLOCAL_CACHE_DIR; "" for nowhere), as a string:
    catalog._cache_dir's folder."""
    override = os.environ.get("RUNLOCAL_CACHE_DIR")
    if override == "":
        return None
    if override:
        return override
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "runlocal")


class _Kept:
    """The code kept so far, by source text, and whether any was compiled in this process."""

    def __init__(self, folder: str | None) -> None:
        self.path = os.path.join(folder, _FILE) if folder is not None else None
        self.codes: dict[str, Any] = {}
        self.added = False
        if self.path is None:
            return
        try:
            with open(self.path, "rb") as f:
                # Read whole, then unmarshalled: marshal.load on a file reads object by
                # object through the file's read method, ~20× slower.
                stamp, codes = marshal.loads(f.read())
        except (OSError, EOFError, ValueError, TypeError):
            return
        if stamp == _STAMP and isinstance(codes, dict):
            self.codes = codes

    def exec(
        self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /
    ) -> None:
        if type(source) is str and _ours(globals):
            code = self.codes.get(source)
            if type(code) is not CodeType:  # not kept (or a damaged file's entry): compiled
                # As exec(str) compiles: "<string>", and no flags from this module's
                # __future__ import (dataclasses has none).
                code = compile(source, "<string>", "exec", dont_inherit=True)
                self.codes[source] = code
                self.added = True
            source = code
        exec(source, globals, locals)

    def save(self) -> None:
        """Write the kept code when this process compiled some (atomically; a read-only
        home is fine: it is compiled again next time)."""
        folder = cache_dir()  # as it is now (a test's private folder, say)
        if not self.added or folder is None:
            return
        self.added = False
        path = os.path.join(folder, _FILE)
        tmp = f"{path}.{os.getpid()}.tmp"
        try:
            os.makedirs(folder, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(marshal.dumps((_STAMP, self.codes)))
            os.replace(tmp, path)
        except OSError:
            pass


def _ours(globals: dict[str, Any] | None) -> bool:
    name = globals.get("__name__") if globals is not None else None
    return isinstance(name, str) and (name == "runlocal" or name.startswith("runlocal."))


_KEPT = _Kept(cache_dir())
setattr(dataclasses, "exec", _KEPT.exec)  # noqa: B010 - shadows the builtin in that module only


def save() -> None:
    """Keep the code compiled so far for the next start (the command line calls this)."""
    _KEPT.save()
