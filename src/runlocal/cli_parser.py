"""`runlocal`'s argument parser: every command's flags and help (docs/cli.md is generated from
it), and how its values are read."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any, NoReturn, TypeAlias

from .errors import InputError
from .units import number_text, parse_tokens

EXIT_BAD_INPUT = 2


# A value that starts with a minus and a digit ("-32k", "-1.5", "-0x10") is a value, never a
# flag: no flag of runlocal's looks like that. argparse's own test takes only plain negative
# numbers ("-5", "-.5") as values, so "--context -32k" got "expected one argument" instead of
# the range the value is refused by on the page and in the API.
_VALUE_WITH_MINUS = re.compile(r"^-\.?\d")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _VALUE_WITH_MINUS

    def error(self, message: str) -> NoReturn:
        # "argument --context: 'abc' is not …" as the engine words its refusals: the flag, then
        # what is wrong with its value.
        message = re.sub(r"^argument (--[\w-]+(?:/-\w)?): ", r"\1: ", message)
        self.exit(EXIT_BAD_INPUT, f"runlocal: error: {message}\n")


def _tokens(text: str) -> int:
    try:
        return parse_tokens(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _number(text: str) -> float:
    # Read as the page and the API read it (runlocal.units.number_text: "１２" is 12).
    try:
        return float(number_text(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None


def _count(text: str) -> int:
    try:
        return int(number_text(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None


_Commands: TypeAlias = "argparse._SubParsersAction[_Parser]"  # what add_subparsers returns


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``command``, one of COMMANDS, only that command's
    parser is added, which is all that parsing its invocation needs (each parser costs a
    cold start ~0.5 ms, most of it gettext looking for translations on disk)."""
    p = _Parser(prog="runlocal", description="Will this model run on this hardware, and how fast?")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, add in COMMANDS.items():
        if command is None or name == command:
            add(sub, name)
    return p


def _add_check(sub: _Commands, name: str) -> None:
    c = sub.add_parser(
        name,
        help="memory, verdict and speed for a model on hardware",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "models the catalog does not know are read remotely, headers only:\n"
            "  owner/name, https://<hub>/owner/name[/blob/<rev>/<file>.gguf],\n"
            "  hf.co/owner/name:Q4_K_M (a GGUF repo's file; else Q4_K_M or the next better),\n"
            "  name:tag (the Ollama registry).\n"
            "environment: HF_ENDPOINT, HF_TOKEN (gated and private repos), HF_HUB_OFFLINE=1\n"
            "  (answer from the cache only), RUNLOCAL_OLLAMA_REGISTRY, RUNLOCAL_HTTP_TIMEOUT\n"
            "  (seconds, default 10); fetched headers are cached under the runlocal cache dir."
        ),
    )
    c.add_argument(
        "model",
        nargs="?",
        help="catalog id or name, a config.json/folder, a .gguf file, a Hub id or URL, "
        "or an Ollama tag",
    )
    c.add_argument(
        "--hardware",
        action="append",
        default=[],
        metavar="HW",
        help="catalog id or name ('RTX 4090', '2x RTX 3090', 'M2 Max 38-core 64GB'); repeatable",
    )
    c.add_argument(
        "--quant",
        help="quantization (Q4_K_M, Q8_0, F16, FP8, AWQ-4bit, EXL2-4.5bpw, MLX-4bit, ...)",
    )
    c.add_argument(
        "--context",
        type=_tokens,
        help="tokens held in the KV cache (prompt plus generated): 8192, 32k, 128k",
    )
    c.add_argument("--batch", type=_count, default=1, help="concurrent sequences (default 1)")
    c.add_argument(
        "--runtime",
        default="llama.cpp",
        help="llama.cpp, ollama, lm-studio, vllm, transformers, mlx, exllamav2, exllamav3; "
        "NAME@VERSION applies that release's memory rules (transformers@4.53) and, for a "
        "llama.cpp build (llama.cpp@b8000), its kernel paths",
    )
    c.add_argument("--kv-type", default="f16", help="KV cache type: f16, bf16, q8_0, q4_0, fp8")
    c.add_argument(
        "--no-measured", action="store_true", help="ignore measured benchmarks; formula only"
    )
    c.add_argument(
        "--vram-gb",
        type=_number,
        help="memory of a device the catalog lacks (the number on the box, GiB)",
    )
    c.add_argument("--bandwidth-gb-s", type=_number, help="its memory bandwidth, GB/s")
    c.add_argument("--tflops", type=_number, help="its dense FP16 tensor TFLOPS (for prefill)")
    c.add_argument("--ram-gb", type=_number, help="system RAM available for offload, GiB")
    c.add_argument(
        "--gpu-memory-gb",
        type=_number,
        help="memory the GPU may use, GiB, where a setting decides it (Apple: "
        "iogpu.wired_limit_mb / 1024; Strix Halo: carve-out + GTT or Windows' variable "
        "graphics memory); default: the machine's documented default",
    )
    c.add_argument(
        "--gpu-memory-utilization",
        type=_number,
        help="vLLM: the share of each GPU it preallocates (default 0.9)",
    )
    c.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="JSON lines of queries ('-' for stdin); one JSON result per line",
    )
    c.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="with --from: worker processes for long batches (default: one per CPU; 1: none)",
    )
    c.add_argument("--json", action="store_true", help="one JSON object on stdout")


def _add_scan(sub: _Commands, name: str) -> None:
    sc = sub.add_parser(
        name, help="the models already on this machine (Ollama, LM Studio, HF cache, ...)"
    )
    sc.add_argument(
        "dirs",
        nargs="*",
        metavar="DIR",
        help="folders (or GGUF files) to look in; default: the usual download locations",
    )
    sc.add_argument(
        "--hardware", action="append", default=[], metavar="HW", help="as for check; repeatable"
    )
    sc.add_argument("--runtime", help="runtime for every model (default: by where it was found)")
    sc.add_argument("--context", type=int, help="tokens held in the KV cache")
    sc.add_argument("--json", action="store_true", help="a JSON array, one object per model")


def _add_list(sub: _Commands, name: str) -> None:
    s = sub.add_parser(name, help=f"list catalog {name}")
    s.add_argument("--json", action="store_true", help="a JSON array")


def _add_catalog(sub: _Commands, name: str) -> None:
    cat = sub.add_parser(name, help="catalog maintenance")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True, parser_class=_Parser)
    cat_sub.add_parser("check", help="validate every catalog file (schema, units, plausibility)")
    cc = cat_sub.add_parser(
        "candidates",
        help="new and popular models not in the catalog (Hub trending, Ollama, llama.cpp)",
    )
    cc.add_argument("--limit", type=int, default=30, help="entries asked of each source")
    cc.add_argument(
        "--source",
        action="append",
        choices=["hub", "ollama", "llama.cpp"],
        help="ask only this source (repeatable; default all three)",
    )
    cc.add_argument(
        "--write-drafts",
        metavar="DIR",
        help="write a draft TOML per Hub candidate (from its config.json) into DIR",
    )
    cc.add_argument("--json", action="store_true", help="one JSON object")


def _add_serve(sub: _Commands, name: str) -> None:
    sv = sub.add_parser(
        name, help="create or migrate the database, sync the catalog, serve the website"
    )
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument(
        "--data-dir", metavar="DIR", help="where the SQLite database lives (default ./data)"
    )
    sv.add_argument("--production", action="store_true", help="gunicorn with several workers")
    sv.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (with --production)"
    )
    sv.add_argument(
        "--threads", type=int, default=None, help="threads per worker (with --production, 8)"
    )
    sv.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="seconds before a stuck worker is replaced (with --production, 30)",
    )
    sv.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the task worker (e-mail) beside the site: run it elsewhere",
    )


def _add_manage(sub: _Commands, name: str) -> None:
    mg = sub.add_parser(name, help="run a Django management command with runlocal's settings")
    mg.add_argument("args", nargs=argparse.REMAINDER, help="the command and its arguments")


def _add_detect(sub: _Commands, name: str) -> None:
    dt = sub.add_parser(name, help="find this machine's GPUs, CPU and memory")
    dt.add_argument("--json", action="store_true", help="one JSON object on stdout")


def _add_bench(sub: _Commands, name: str) -> None:
    bn = sub.add_parser(
        name,
        help="measure this machine's memory bandwidth and compute; saves a profile that later "
        "checks use (undo: --forget)",
    )
    bn.add_argument("--json", action="store_true", help="one JSON object on stdout")
    bn.add_argument("--gguf", metavar="FILE", help="also run llama-bench on this model file")
    bn.add_argument("--submit", metavar="URL", help="submit the result to a runlocal site's API")
    bn.add_argument("--quick", action="store_true", help="shorter runs (less precise)")
    bn.add_argument(
        "--forget",
        action="store_true",
        help="delete the stored profile (later checks use the catalog's figures again)",
    )


def _add_digest(sub: _Commands, name: str) -> None:
    dg = sub.add_parser(name, help="compose (and send) the monthly digest from Pulse")
    dg.add_argument("--month", required=True, metavar="YYYY-MM")
    dg.add_argument("--send", action="store_true", help="e-mail it to confirmed subscribers")


def _add_backup(sub: _Commands, name: str) -> None:
    bk = sub.add_parser(name, help="write the database's contents to a file")
    bk.add_argument("file", help="the backup file to write (JSON, gzip if it ends in .gz)")


def _add_restore(sub: _Commands, name: str) -> None:
    rs = sub.add_parser(name, help="load a backup file into the database")
    rs.add_argument("file", help="a file written by `runlocal backup`")


def _add_accuracy(sub: _Commands, name: str) -> None:
    a = sub.add_parser(name, help="run the engine against published measurements")
    a.add_argument(
        "--data",
        required=True,
        metavar="FILE",
        action="append",
        help="a calibration CSV (repeat it: the shared file, then bench/data/measured-extra.csv)",
    )
    a.add_argument("--json", action="store_true")
    a.add_argument(
        "--markdown", action="store_true", help="the report as Markdown (docs/accuracy.md)"
    )


# In the order `runlocal --help` lists them.
COMMANDS: dict[str, Callable[[_Commands, str], None]] = {
    "check": _add_check,
    "scan": _add_scan,
    "models": _add_list,
    "hardware": _add_list,
    "catalog": _add_catalog,
    "serve": _add_serve,
    "manage": _add_manage,
    "detect": _add_detect,
    "bench": _add_bench,
    "digest": _add_digest,
    "backup": _add_backup,
    "restore": _add_restore,
    "accuracy": _add_accuracy,
}


def reference_markdown() -> str:
    """docs/cli.md: every command's --help, so the reference cannot drift (tests compare)."""
    import os

    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    parts = [
        "# CLI reference",
        "",
        "Generated from `--help` by `python -m runlocal.cli --write-docs`; "
        "`tests/core/test_docs.py` fails when it is out of date.",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
        "",
    ]
    sub_action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in sub_action.choices.items():
        parts += [f"## runlocal {name}", "", "```text", sub.format_help().rstrip(), "```", ""]
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        for action in nested:
            for sub_name, sub_sub in action.choices.items():
                parts += [
                    f"### runlocal {name} {sub_name}",
                    "",
                    "```text",
                    sub_sub.format_help().rstrip(),
                    "```",
                    "",
                ]
    from .weights import quant_names  # the list an unknown --quant's refusal points to

    parts += [
        "## Quantization names",
        "",
        "Every name `--quant` (the API's `quant`, the pages' Quantization field) accepts, in "
        "any case, with `-` or `_` between parts (`EXL2-<bpw>`: `EXL2-4.5bpw`); an unknown one "
        "is refused with the closest few names and a pointer here.",
        "",
        ", ".join(f"`{name}`" for name in quant_names()),
        "",
    ]
    return "\n".join(parts)
