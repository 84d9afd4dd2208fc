"""`runlocal` command line. Thin over the engine; never imports Django unless serving.

The parser and its help are in cli_parser, the text form of an answer in cli_text."""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from .cli_parser import COMMANDS as COMMANDS
from .cli_parser import EXIT_BAD_INPUT as EXIT_BAD_INPUT
from .cli_parser import build_parser as build_parser
from .cli_parser import reference_markdown as reference_markdown
from .cli_text import format_result as format_result
from .errors import RunlocalError


def run() -> None:
    """The `runlocal` command (and `python -m runlocal.cli`): main, then exit. After a check
    (one query, or a batch) has written its answers there is nothing left to do, so the
    process ends at once (os._exit, output flushed) without Python's teardown: freeing every
    module and object and a last collection, a tenth of a cold `runlocal check`'s
    instructions and 7% of a 1,000-line batch's in one process (docs/performance.md). Other
    commands, and a process with other threads, exit as usual."""
    code = main()
    if _DONE_WHEN_WRITTEN and threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # the usual exit reports it, as before
        else:
            os._exit(code)
    sys.exit(code)


# Set by a command once everything it writes is written (check, check --from).
_DONE_WHEN_WRITTEN = False


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        from .startup import save

        save()  # the code dataclasses generated, kept for the next start (runlocal.startup)


def _main(argv: Sequence[str] | None) -> int:
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
            from runlocal_web.launcher import run_command

            argv = ["digest", "--month", args.month] + (["--send"] if args.send else [])
            return int(run_command(argv))
        if args.command in ("backup", "restore"):
            from runlocal_web.launcher import run_command

            return int(run_command([args.command, args.file]))
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
    global _DONE_WHEN_WRITTEN
    _DONE_WHEN_WRITTEN = True
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
        # Bytes that are no UTF-8 are refused line by line (batch.answer_line), not by a
        # decoder error that ends the batch.
        if path == "-":
            stream = sys.stdin
            if isinstance(stream, io.TextIOWrapper):
                stream.reconfigure(errors="surrogateescape")
        else:
            stream = open(path, encoding="utf-8", errors="surrogateescape")  # noqa: SIM115
    except OSError as exc:
        return _fail(f"{path}: {exc.strerror or exc}")
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BATCH_GC_THRESHOLDS)
    try:
        with stream:
            run_batch(stream, sys.stdout, catalog, jobs)
    finally:  # an in-process caller of main() gets its collector back as it was
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    global _DONE_WHEN_WRITTEN
    _DONE_WHEN_WRITTEN = True
    return 0


# A batch's garbage collections (docs/performance.md, "a batch's garbage collections"): what
# the process holds before answering (the catalog, the name indexes, the derived caches) is
# moved out of the collector's generations, so that no full collection walks it again (and a
# forked worker's collections do not write to the pages it shares with this process: the
# collector's own advice for gc.freeze before fork), and the youngest generation is collected
# every 50,000 allocations instead of 700 (the older ones after 20 of the younger). Collections
# only free reference cycles, and when they run changes no answer.
BATCH_GC_THRESHOLDS = (50_000, 20, 20)


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


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-docs"]:
        from pathlib import Path

        Path("docs/cli.md").write_text(reference_markdown(), encoding="utf-8")
        sys.exit(0)
    run()
