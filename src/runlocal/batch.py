"""`runlocal check --from`: many queries, one JSON answer per line, in input order.

A batch's lines are independent, so past the first few hundred (answered here, which also
warms the engine's caches) they are spread over worker processes forked from this one: the
parsed catalog and the warm caches are shared copy-on-write, and answers come back in order.
Where fork is not available (Windows), one CPU is usable or this process runs other threads,
everything runs here.
"""

from __future__ import annotations

import codecs
import itertools
import json
import os
import re
import sys
import threading
from collections.abc import Iterable
from typing import Any, TextIO

from .catalog import Catalog
from .engine import CheckQuery, check
from .errors import RunlocalError

# Lines answered before any worker starts: small batches never pay for a pool, and the
# caches every worker inherits (names, specs, layouts) are warm.
SERIAL_LINES = 256
# Lines read, answered and written at a time by the workers (answers are put back in order).
BLOCK_LINES = 20_000

_catalog: Catalog | None = None  # the catalog workers answer from (set before forking)

_orjson: Any
try:  # optional: a faster encoder, used only where its output is byte-identical (below)
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None


def dumps(obj: Any) -> str:
    """``json.dumps(obj, separators=(",", ":"))`` exactly, faster where orjson is installed.

    orjson writes UTF-8 and exponents without a sign ("1e16"); the standard encoder escapes
    non-ASCII and DEL (\\uXXXX) and writes "1e+16". Non-ASCII is escaped here; an answer with an
    exponent, a NaN or anything orjson refuses is written by the standard encoder."""
    if _orjson is not None:
        try:
            raw = _orjson.dumps(obj)
        except TypeError:
            raw = None
        if raw is not None and not _has_exponent(raw):
            return _ascii_json(raw)
    return json.dumps(obj, separators=(",", ":"))


# "e" then a digit or sign, after a digit: a float in exponent form (the same letters inside
# a string only cost the slower encoder). orjson writes NaN/inf as null, the standard encoder
# as NaN/Infinity: the engine never answers with either.
_EXPONENT = re.compile(rb"e[-+0-9]")  # a literal first letter: the regex scans fast


def _has_exponent(raw: bytes) -> bool:
    if b"0.0000" in raw:  # orjson's fixed notation below 1e-4, where Python writes 1e-05
        return True
    return any(m.start() and raw[m.start() - 1] in b"0123456789" for m in _EXPONENT.finditer(raw))


def _escape_run(err: UnicodeError) -> tuple[str, int]:
    """codecs error handler for decoding JSON text as ASCII: the run of non-ASCII bytes (UTF-8)
    at the error as \\uXXXX escapes, as the standard encoder writes them (above U+FFFF a
    surrogate pair), kept per run: an answer repeats a few characters ("→", "−")."""
    assert isinstance(err, UnicodeDecodeError)
    raw, start = err.object, err.start
    end, n = start + 1, len(raw)
    while end < n and raw[end] >= 0x80:
        end += 1
    run = raw[start:end]
    escaped = _RUN_ESCAPES.get(run)
    if escaped is None:
        out = []
        for ch in run.decode("utf-8"):
            code = ord(ch)
            if code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:  # a surrogate pair, as the standard encoder writes it
                code -= 0x10000
                out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
        escaped = "".join(out)
        if len(_RUN_ESCAPES) >= 1024:
            _RUN_ESCAPES.clear()
        _RUN_ESCAPES[run] = escaped
    return escaped, end


_RUN_ESCAPES: dict[bytes, str] = {}
codecs.register_error("runlocal-json", _escape_run)


def _ascii_json(raw: bytes) -> str:
    """orjson's UTF-8 JSON as the standard encoder writes it: non-ASCII and DEL as \\uXXXX.
    The bytes are decoded by C's ASCII codec, which hands each run of non-ASCII bytes to
    _escape_run (an answer line has ~5 such characters in ~4 KB: decoding it whole as UTF-8
    and re-encoding every character with backslashreplace cost ~1.8× this)."""
    text = raw.decode("ascii", "runlocal-json")
    return text.replace("\x7f", "\\u007f") if "\x7f" in text else text  # DEL, as json does


def answer_line(lineno: int, line: str, catalog: Catalog) -> str:
    """One input line's answer (or its one-line error), as a JSON line without the newline."""
    result: dict[str, Any]
    try:
        if not line.isascii():
            _refuse_undecoded(line)
        data = json.loads(line)
        if not isinstance(data, dict):
            raise RunlocalError("expected a JSON object")
        result = check(CheckQuery.from_mapping(data), catalog).to_dict()
    except json.JSONDecodeError as exc:
        result = {"error": f"line {lineno}: not valid JSON: {exc.msg}"}
    except RecursionError:  # json's C decoder recurses once per [ or {
        result = {"error": f"line {lineno}: not valid JSON: nested too deeply"}
    except RunlocalError as exc:
        result = {"error": f"line {lineno}: {exc}"}
    except ValueError as exc:  # (after RunlocalError: InputError is one) a number past int()'s 4,300 digits (sys.int_info)
        result = {"error": f"line {lineno}: not valid JSON: {str(exc).split(';')[0]}"}
    except Exception as exc:
        what = " ".join(str(exc).split())[:200]
        result = {"error": f"line {lineno}: not answered: {type(exc).__name__}: {what}"}
    return dumps(result)


def _refuse_undecoded(line: str) -> None:
    """Bytes that are no UTF-8 (read with errors="surrogateescape": byte b is U+DC00 + b) are
    refused by line, as the first such byte, not by a decoder error that ends the batch."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as exc:
        byte = ord(line[exc.start]) - 0xDC00
        shown = f"byte 0x{byte:02x}" if 0x80 <= byte <= 0xFF else "a lone surrogate"
        raise RunlocalError(f"not UTF-8 text ({shown} at character {exc.start + 1})") from None


def _answer_share(share: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A worker's lines answered, each with its newline: added here, in parallel, rather than
    by the parent, which then joins the answers in input order without copying each again."""
    assert _catalog is not None
    return [(lineno, answer_line(lineno, line, _catalog) + "\n") for lineno, line in share]


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _shares(block: list[tuple[int, str]], jobs: int) -> list[list[tuple[int, str]]]:
    """The block's lines split between ``jobs`` workers by model, each model's lines to one
    worker: a model is sized once (its spec, weights per quantization, quality), not once
    per worker. Models go to the least loaded worker, largest first."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for lineno, line in block:
        try:
            data = json.loads(line)
            model = str(data.get("model")) if isinstance(data, dict) else ""
        except json.JSONDecodeError:
            model = ""
        groups.setdefault(model, []).append((lineno, line))
    shares: list[list[tuple[int, str]]] = [[] for _ in range(jobs)]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [share for share in shares if share]


def run_batch(stream: Iterable[str], out: TextIO, catalog: Catalog, jobs: int = 0) -> None:
    """Answer every non-blank line of ``stream`` on ``out``, in order. ``jobs``: worker
    processes (0: one per usable CPU; 1: none)."""
    global _catalog
    lines = ((n, line) for n, line in enumerate(stream, 1) if line.strip())
    for lineno, line in itertools.islice(lines, SERIAL_LINES):
        out.write(answer_line(lineno, line, catalog) + "\n")
    jobs = jobs or usable_cpus()
    first = next(lines, None)
    if first is None:
        return
    rest = itertools.chain([first], lines)
    # fork() copies only this thread: a lock another thread holds at that moment (logging's,
    # an I/O buffer's, a server thread's) stays held in the worker for ever, and the worker
    # hangs. A process with other threads (a web server, a test session's live server)
    # therefore answers here.
    if jobs <= 1 or sys.platform == "win32" or threading.active_count() > 1:
        for lineno, line in rest:
            out.write(answer_line(lineno, line, catalog) + "\n")
        return
    import multiprocessing

    _catalog = catalog
    out.flush()  # nothing buffered may be written twice by a forked worker
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        while block := list(itertools.islice(rest, BLOCK_LINES)):
            answers: dict[int, str] = {}
            for share in pool.map(_answer_share, _shares(block, jobs)):
                answers.update(share)
            out.write("".join([answers[lineno] for lineno, _ in block]))
