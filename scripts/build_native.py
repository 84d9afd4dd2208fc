"""Build the engine's compiled variant with mypyc, beside the source (docs/performance.md,
"Compiled engine"). Opt-in: the package and its default install stay pure Python.

    python scripts/build_native.py [--out build/native] [--jobs N]

Copies ``src/runlocal`` (code, catalog and data) to ``OUT/runlocal`` and compiles the modules
of ``native_sources`` there in place with mypyc (``mypy`` provides it; a C compiler and
Python's headers are needed). ``PYTHONPATH=OUT`` then imports the compiled engine, e.g.

    PYTHONPATH=build/native python -m runlocal.cli check "Llama 3.1 8B" --hardware "RTX 4090"

An installed compiled build: ``RUNLOCAL_COMPILE=1 pip install --no-build-isolation .`` (setup.py
reads the same list). Nothing compiled is written under ``src/``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Left interpreted: input and output, not the engine's work per answer, or what mypyc refuses.
# - cli.py: argparse and the website's launcher (no types for runlocal_web).
# - batch.py: reads its stream lazily; mypyc makes a generator expression a list, so a pipe
#   would be read to its end before the first answer.
# - remote/: transport.py has `continue` inside try/finally ("unimplemented" in mypyc), and
#   remote.objects.RemoteFiles subclasses gguf_header.FileAccess (an interpreted class cannot
#   subclass a compiled one), so gguf_header.py stays interpreted too.
# - errors.py: the remote package subclasses its exceptions, for the same reason.
# - catalog.py: the website's DatabaseCatalog (and a test) subclass Catalog, and compiled code
#   checks a compiled class's exact type; left interpreted, Catalog and Entry are plain
#   objects to the compiled modules. It loads and pickles the catalog, no answer's work.
# - quality.py: QualityModel is pickled (it must stay an ordinary class, see
#   frozen.interpreted) and mypyc fails on it then (an internal error in a method's closure);
#   quality_scores.py holds the frozen records pickled inside it (LinearMap, SizeLine, Score).
# - startup.py: it replaces dataclasses' exec before any class is defined; nothing per answer.
# - detect/, scan.py, capture.py, benchmark.py, benchmark_measure.py: probing and measuring
#   this machine, and its files (a compiled module calls its own functions directly, so
#   tests cannot patch them).
EXCLUDED = (
    "cli.py",
    "batch.py",
    "errors.py",
    "catalog.py",
    "startup.py",
    "quality.py",
    "quality_scores.py",
    "gguf_header.py",
    "scan.py",
    "capture.py",
    "benchmark.py",
    "benchmark_measure.py",
    "remote/",
    "detect/",
)


def native_sources(src: Path) -> list[str]:
    """The modules compiled, as paths under ``src`` (the folder holding ``runlocal/``),
    relative to it and sorted."""
    pkg = src / "runlocal"
    out = []
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg).as_posix()
        if rel.startswith("catalog/") or any(
            rel == e or (e.endswith("/") and rel.startswith(e)) for e in EXCLUDED
        ):
            continue
        out.append(path.relative_to(src).as_posix())
    return out


def mypy_options(config: Path) -> list[str]:
    """The project's mypy settings ([tool.mypy] of pyproject.toml) as a config file for
    mypyc, written to ``config``."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    lines = ["[mypy]", "strict = True", f"python_version = {tool['python_version']}"]
    for override in tool.get("overrides", []):
        for module in override["module"]:
            lines.append(f"[mypy-{module}]")
            lines += [f"{k} = {v}" for k, v in override.items() if k != "module"]
    config.write_text("\n".join(lines) + "\n")
    return ["--config-file", str(config)]


def build(out: Path, jobs: int) -> None:
    from mypyc.build import mypycify
    from setuptools import Distribution

    out = out.resolve()
    target = out / "runlocal"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(
        ROOT / "src" / "runlocal", target, ignore=shutil.ignore_patterns("__pycache__", "*.so")
    )
    sources = native_sources(out)
    cwd = os.getcwd()
    os.chdir(out)
    try:
        opts = mypy_options(out / "mypy.ini")
        exts = mypycify([*opts, *sources], opt_level="3", multi_file=True)
        dist = Distribution({"name": "runlocal-native", "ext_modules": exts})
        dist.script_args = ["build_ext", "--inplace", f"--parallel={jobs}"]
        dist.parse_command_line()
        dist.run_commands()
    finally:
        os.chdir(cwd)
    print(f"compiled {len(sources)} modules into {target}; use PYTHONPATH={out}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "native")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    sys.exit(build(args.out, args.jobs))
