"""`runlocal` command line. Thin over the engine; never imports Django unless serving."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from .errors import RunlocalError
from .units import GIB

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"runlocal: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="runlocal", description="Will this model run on this hardware, and how fast?")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="memory, verdict and speed for a model on hardware")
    c.add_argument(
        "model", nargs="?", help="catalog id or name, a config.json/folder, or a .gguf file"
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
        "--context", type=int, help="tokens held in the KV cache (prompt plus generated)"
    )
    c.add_argument("--batch", type=int, default=1, help="concurrent sequences (default 1)")
    c.add_argument(
        "--runtime",
        default="llama.cpp",
        help="llama.cpp, ollama, lm-studio, vllm, transformers, mlx, exllamav2",
    )
    c.add_argument("--kv-type", default="f16", help="KV cache type: f16, bf16, q8_0, q4_0, fp8")
    c.add_argument(
        "--no-measured", action="store_true", help="ignore measured benchmarks; formula only"
    )
    c.add_argument(
        "--vram-gb",
        type=float,
        help="memory of a device the catalog lacks (the number on the box, GiB)",
    )
    c.add_argument("--bandwidth-gb-s", type=float, help="its memory bandwidth, GB/s")
    c.add_argument("--tflops", type=float, help="its dense FP16 tensor TFLOPS (for prefill)")
    c.add_argument("--ram-gb", type=float, help="system RAM available for offload, GiB")
    c.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="JSON lines of queries ('-' for stdin); one JSON result per line",
    )
    c.add_argument("--json", action="store_true", help="one JSON object on stdout")

    for name, helptext in (
        ("models", "list catalog models"),
        ("hardware", "list catalog hardware"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--json", action="store_true", help="a JSON array")

    cat = sub.add_parser("catalog", help="catalog maintenance")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True, parser_class=_Parser)
    cat_sub.add_parser("check", help="validate every catalog file (schema, units, plausibility)")

    sv = sub.add_parser(
        "serve", help="create or migrate the database, sync the catalog, serve the website"
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

    mg = sub.add_parser("manage", help="run a Django management command with runlocal's settings")
    mg.add_argument("args", nargs=argparse.REMAINDER, help="the command and its arguments")

    dt = sub.add_parser("detect", help="find this machine's GPUs, CPU and memory")
    dt.add_argument("--json", action="store_true", help="one JSON object on stdout")

    bn = sub.add_parser("bench", help="measure this machine's memory bandwidth and compute")
    bn.add_argument("--json", action="store_true", help="one JSON object on stdout")
    bn.add_argument("--gguf", metavar="FILE", help="also run llama-bench on this model file")
    bn.add_argument("--submit", metavar="URL", help="submit the result to a runlocal site's API")
    bn.add_argument("--quick", action="store_true", help="shorter runs (less precise)")

    dg = sub.add_parser("digest", help="compose (and send) the monthly digest from Pulse")
    dg.add_argument("--month", required=True, metavar="YYYY-MM")
    dg.add_argument("--send", action="store_true", help="e-mail it to confirmed subscribers")

    bk = sub.add_parser("backup", help="write the database's contents to a file")
    bk.add_argument("file", help="the backup file to write (JSON, gzip if it ends in .gz)")
    rs = sub.add_parser("restore", help="load a backup file into the database")
    rs.add_argument("file", help="a file written by `runlocal backup`")

    a = sub.add_parser("accuracy", help="run the engine against published measurements")
    a.add_argument("--data", required=True, metavar="FILE", help="the calibration CSV")
    a.add_argument("--json", action="store_true")
    a.add_argument(
        "--markdown", action="store_true", help="the report as Markdown (docs/accuracy.md)"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        return int(exc.code or 0)
    try:
        if args.command == "check":
            return _cmd_check(args)
        if args.command in ("models", "hardware"):
            return _cmd_list(args.command, args.json)
        if args.command == "catalog":
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
            from .detect import run_detect

            return run_detect(as_json=args.json)
        if args.command == "bench":
            from .benchmark import run_bench

            return run_bench(
                as_json=args.json, gguf=args.gguf, submit=args.submit, quick=args.quick
            )
        if args.command == "digest":
            from runlocal_web.launcher import manage

            argv = ["digest", "--month", args.month] + (["--send"] if args.send else [])
            return int(manage(argv))
        if args.command in ("backup", "restore"):
            from runlocal_web.launcher import manage

            return int(manage([args.command, args.file]))
        if args.command == "accuracy":
            from .accuracy import run_accuracy

            return run_accuracy(args.data, as_json=args.json, markdown=args.markdown)
    except RunlocalError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    return EXIT_BAD_INPUT


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
    )


def _cmd_check(args: argparse.Namespace) -> int:
    from .catalog import load_catalog
    from .engine import LocalMachine, check

    if args.from_file:
        return _check_batch(args.from_file)
    if not args.model:
        return _fail("a MODEL is required (or --from FILE)")
    catalog = load_catalog()
    # No hardware named: plan for this machine (detected, budgeting free memory). The
    # `runlocal bench` profile, when there is one, calibrates the devices it measured.
    if args.hardware or args.vram_gb is not None or args.bandwidth_gb_s is not None:
        from .profile import stored_calibration

        local = LocalMachine(calibration=stored_calibration())
    else:
        from .detect import local_machine

        local = local_machine(catalog)
    result = check(_query_from_args(args), catalog, local=local).to_dict()
    if args.json:
        json.dump(result, sys.stdout, separators=(",", ":"))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_result(result))
    return 0


def _check_batch(path: str) -> int:
    from .catalog import load_catalog
    from .engine import CheckQuery, check

    catalog = load_catalog()
    stream: TextIO
    try:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        return _fail(f"{path}: {exc.strerror or exc}")
    out = sys.stdout
    with stream:
        for lineno, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise RunlocalError("expected a JSON object")
                result: dict[str, Any] = check(CheckQuery.from_mapping(data), catalog).to_dict()
            except json.JSONDecodeError as exc:
                result = {"error": f"line {lineno}: not valid JSON: {exc.msg}"}
            except RunlocalError as exc:
                result = {"error": f"line {lineno}: {exc}"}
            out.write(json.dumps(result, separators=(",", ":")))
            out.write("\n")
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
    lines.append(
        f"largest context that fits: {r['max_context']:,}"
        if r["max_context"]
        else "largest context that fits: none"
    )
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
