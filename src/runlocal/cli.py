"""`runlocal` command line. Thin over the engine; never imports Django unless serving."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO, TypeAlias

from .errors import InputError, RunlocalError
from .units import GIB, number_text, parse_tokens

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
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


def main(argv: Sequence[str] | None = None) -> int:
    try:
        words = sys.argv[1:] if argv is None else list(argv)
        command = words[0] if words and words[0] in COMMANDS else None
        args = build_parser(command).parse_args(words)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        return int(exc.code or 0)
    try:
        if args.command == "check":
            return _cmd_check(args)
        if args.command == "scan":
            return _cmd_scan(args)
        if args.command in ("models", "hardware"):
            return _cmd_list(args.command, args.json)
        if args.command == "catalog":
            if args.catalog_command == "candidates":
                return _cmd_catalog_candidates(args)
            return _cmd_catalog_check()
        if args.command == "serve":
            from runlocal_web.launcher import serve

            return int(
                serve(
                    host=args.host,
                    port=args.port,
                    data_dir=args.data_dir,
                    production=args.production,
                    workers=args.workers,
                    threads=args.threads,
                    timeout=args.timeout,
                    worker=not args.no_worker,
                )
            )
        if args.command == "manage":
            from runlocal_web.launcher import manage

            return int(manage(list(args.args)))
        if args.command == "detect":
            from .detect.report import run_detect

            return run_detect(as_json=args.json)
        if args.command == "bench":
            from .benchmark import run_bench

            return run_bench(
                as_json=args.json,
                gguf=args.gguf,
                submit=args.submit,
                quick=args.quick,
                forget=args.forget,
            )
        if args.command == "digest":
            from runlocal_web.launcher import manage

            argv = ["digest", "--month", args.month] + (["--send"] if args.send else [])
            return int(manage(argv))
        if args.command in ("backup", "restore"):
            from runlocal_web.launcher import manage

            return int(manage([args.command, args.file]))
        if args.command == "accuracy":
            from .accuracy_report import run_accuracy

            return run_accuracy(args.data, as_json=args.json, markdown=args.markdown)
    except RunlocalError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    return EXIT_BAD_INPUT


def _closed_pipe() -> int:
    """The reader went away (`runlocal models | head`): stop quietly, as Unix tools do.
    stdout points at /dev/null so the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (a test's StringIO): nothing to flush at exit
    return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by a closed pipe


def _fail(message: str) -> int:
    print(f"runlocal: error: {message.splitlines()[0] if message else 'failed'}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _query_from_args(args: argparse.Namespace) -> Any:
    from .engine import CheckQuery

    return CheckQuery(
        model=args.model,
        hardware=tuple(args.hardware),
        quant=args.quant,
        context=args.context,
        batch=args.batch,
        runtime=args.runtime,
        kv_type=args.kv_type,
        no_measured=args.no_measured,
        vram_gb=args.vram_gb,
        bandwidth_gb_s=args.bandwidth_gb_s,
        tflops=args.tflops,
        ram_gb=args.ram_gb,
        gpu_memory_gb=args.gpu_memory_gb,
        gpu_memory_utilization=args.gpu_memory_utilization,
    )


def _cmd_check(args: argparse.Namespace) -> int:
    from .catalog import load_catalog
    from .engine import LocalMachine, check

    if args.from_file:
        if args.jobs < 0:
            return _fail(f"--jobs {args.jobs}: expected 0 (one per CPU) or more")
        return _check_batch(args.from_file, args.jobs)
    if not (args.model or "").strip():
        from .bounds import MODEL_REQUIRED

        return _fail(f"model: {MODEL_REQUIRED}")
    # Empty --hardware values beside named ones are dropped, as the page's and the API's
    # empty boxes are; only empty ones name no hardware at all.
    named = [h for h in args.hardware if h.strip()]
    if args.hardware and not named and args.vram_gb is None and args.bandwidth_gb_s is None:
        from .bounds import HARDWARE_REQUIRED

        return _fail(f"hardware: {HARDWARE_REQUIRED}")
    args.hardware = named
    catalog = load_catalog()
    # No hardware named: plan for this machine (detected, budgeting free memory). The
    # `runlocal bench` profile, when there is one, calibrates the devices it measured.
    if args.hardware or args.vram_gb is not None or args.bandwidth_gb_s is not None:
        from .profile import stored_calibration

        local = LocalMachine(calibration=stored_calibration())
    else:
        from .detect.devices import local_machine

        local = local_machine(catalog)
    query = _query_from_args(args)
    result = check(query, catalog, local=local).to_dict()
    if args.json:
        json.dump(result, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_result(result))
        if query.hardware and result["model"]["source"] == "catalog":
            from .advice import one_change

            change = one_change(query, result, catalog)
            if change is not None:
                sys.stdout.write(f"one change: {change['text']}\n")
    return 0


def _cmd_scan(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .catalog import load_catalog
    from .engine import CheckQuery, LocalMachine, check
    from .scan import Found, find_models, format_table, runtime_for, scan

    catalog = load_catalog()
    if args.hardware:
        from .profile import stored_calibration

        local = LocalMachine(calibration=stored_calibration())
    else:
        from .detect.devices import local_machine

        local = local_machine(catalog)
    found = find_models([Path(d) for d in args.dirs] if args.dirs else None)

    def answer(item: Found) -> dict[str, Any]:
        q = CheckQuery(
            model=str(item.path),
            hardware=tuple(args.hardware),
            runtime=args.runtime or runtime_for(item),
            context=args.context,
        )
        return check(q, catalog, local=local).to_dict()

    tty = sys.stderr.isatty()

    def progress(i: int, n: int, item: Found | None) -> None:
        if item is None:
            sys.stderr.write("\r\033[K")
        else:
            sys.stderr.write(f"\r\033[Kreading {i + 1}/{n} {item.label[:60]}")
        sys.stderr.flush()

    rows = scan(found, answer, progress if tty and found else None)
    if args.json:
        json.dump(rows, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(rows))
    return 0


def _check_batch(path: str, jobs: int) -> int:
    from .batch import run_batch
    from .catalog import load_catalog

    catalog = load_catalog()
    stream: TextIO
    try:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        return _fail(f"{path}: {exc.strerror or exc}")
    with stream:
        run_batch(stream, sys.stdout, catalog, jobs)
    return 0


def _cmd_list(kind: str, as_json: bool) -> int:
    from .catalog import load_catalog

    entries = load_catalog().entries(kind)
    if as_json:
        json.dump([e.to_dict() for e in entries.values()], sys.stdout, indent=None)
        sys.stdout.write("\n")
        return 0
    for e in entries.values():
        if kind == "models":
            extra = f"{e.get('params_total_b', '?')}B"
        else:
            extra = f"{e.get('memory_gib', '?')} GiB, {e.get('bandwidth_gb_s', '?')} GB/s"
        print(f"{e.id:<40} {e.name}  ({extra})")
    return 0


def _cmd_catalog_candidates(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .candidates import find_candidates, format_report, write_drafts
    from .catalog import load_catalog

    report = find_candidates(
        load_catalog(), limit=args.limit, sources=args.source or ("hub", "ollama", "llama.cpp")
    )
    written = write_drafts(report, Path(args.write_drafts)) if args.write_drafts else []
    if args.json:
        out = report.to_dict()
        out["drafts"] = [str(p) for p in written]
        print(json.dumps(out, indent=2))
    else:
        print(format_report(report))
        for path in written:
            print(f"draft written: {path}")
    return 0


def _cmd_catalog_check() -> int:
    from .catalog import catalog_root, iter_errors

    root = catalog_root()
    errors = list(iter_errors(root))
    for err in errors:
        print(f"runlocal: catalog: {err}", file=sys.stderr)
    if errors:
        return 1
    from .catalog import KINDS

    counts = [(k, len(list((root / k).glob("*.toml")))) for k in KINDS]
    print("catalog ok: " + ", ".join(f"{n} {k}" for k, n in counts if n))
    return 0


def _gib(n: int | float | None) -> str:
    return "unknown" if n is None else f"{n / GIB:.2f} GiB"


def largest_context_line(r: dict[str, Any]) -> str:
    """The largest context that runs, and where: the same placement as the verdict."""
    if not r.get("max_context"):
        return "largest context that runs: none (the model does not run here)"
    where = (
        "with part of the model in system RAM"
        if r.get("max_context_where") == "offload"
        else "every layer on the accelerator"
    )
    return f"largest context that runs: {r['max_context']:,} tokens, {where}"


def assumption_lines(r: dict[str, Any]) -> list[str]:
    """The defaults the answer took, and the flag that changes each."""
    assumed = r.get("assumed") or {}
    out = []
    if assumed.get("ram_gib"):
        out.append(
            f"assuming {assumed['ram_gib']:g} GiB of system RAM beside the GPU for offload "
            "(--ram-gb changes it)"
        )
    if assumed.get("quant"):
        out.append(f"assuming {r['quant']}, the default for this model (--quant changes it)")
    if assumed.get("context") and r.get("context"):
        out.append(f"assuming {r['context']:,} tokens of context (--context changes it)")
    return out


def format_result(r: dict[str, Any]) -> str:
    label = {
        "comfortable": "RUNS COMFORTABLY",
        "tradeoffs": "RUNS WITH TRADEOFFS",
        "wont-run": "WILL NOT RUN",
    }
    m = r["memory"]
    s = r["speed"]
    hw = " + ".join(h["name"] for h in r["hardware"])
    ctx = f"{r['context']:,} tokens" if r["context"] is not None else "no context"
    lines = [
        f"{r['model']['name']} · {r['quant']} · {ctx} · {r['runtime']} on {hw}",
        f"{label[r['verdict']]}: {r['reason']}",
        "",
        f"memory  weights {_gib(m['weights_bytes'])} + KV {_gib(m['kv_cache_bytes'])} + compute "
        f"{_gib(m['compute_bytes'])} + overhead {_gib(m['overhead_bytes'])} = {_gib(m['total_bytes'])}"
        f" of {_gib(m['budget_bytes'])}",
    ]
    if len(r["devices"]) > 1 or r["offload"]["gpu_layers"] < r["offload"]["total_layers"]:
        for d in r["devices"]:
            lines.append(
                f"  {d['name']}: {d['layers']} layers, {_gib(d['total_bytes'])} of {_gib(d['budget_bytes'])}"
            )
        if r["host"]:
            lines.append(f"  system RAM: {_gib(r['host']['total_bytes'])}")
    off = r["offload"]
    if off["total_layers"] is not None:
        lines.append(f"offload {off['gpu_layers']}/{off['total_layers']} layers on the accelerator")
    if s["decode_tok_s"] is not None:
        lines.append(
            f"speed   decode {s['decode_tok_s']} tok/s ({s['decode_tok_s_low']}–{s['decode_tok_s_high']}), "
            f"prefill {s['prefill_tok_s'] if s['prefill_tok_s'] is not None else 'unknown'} tok/s  [{r['evidence']}]"
        )
    lines.append(largest_context_line(r))
    if r.get("best_quant"):
        lines.append(f"best quantization that fits comfortably: {r['best_quant']}")
    quality = r.get("quality")
    if quality:
        lines.append(f"quality {quality['quant_loss_basis']}")
        tasks = quality.get("tasks") or {}
        scored = [
            f"{task} {t['score']:g} ({t['scale']} scale{', estimated' if t['estimated'] else ''})"
            for task, t in tasks.items()
            if t is not None
        ]
        if scored:
            lines.append(f"        {'; '.join(scored)}")
    lines.extend(assumption_lines(r))
    for note in r["notes"]:
        lines.append(f"note: {note}")
    for name, cmd in r["commands"].items():
        lines.append(f"{name}: {cmd}")
    return "\n".join(lines) + "\n"


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
    return "\n".join(parts)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-docs"]:
        from pathlib import Path

        Path("docs/cli.md").write_text(reference_markdown(), encoding="utf-8")
        sys.exit(0)
    sys.exit(main())
