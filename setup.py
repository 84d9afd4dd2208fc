"""Packaging is declared in pyproject.toml; this file only adds the opt-in compiled build.

    RUNLOCAL_COMPILE=1 pip install --no-build-isolation .

compiles the engine's modules (scripts/build_native.py's list) with mypyc, which ships with
mypy; it needs mypy and setuptools in the environment (hence --no-build-isolation), a C
compiler and Python's headers. Without RUNLOCAL_COMPILE=1 this is a plain setup() and the
package is pure Python, as always.
"""

import os
import sys
from pathlib import Path

from setuptools import setup

if os.environ.get("RUNLOCAL_COMPILE") == "1":
    from mypyc.build import mypycify

    root = Path(__file__).resolve().parent
    sys.path.insert(0, str(root / "scripts"))
    from build_native import native_sources

    sources = [f"src/{p}" for p in native_sources(root / "src")]
    setup(ext_modules=mypycify(sources, opt_level="3", multi_file=True))
else:
    setup()
