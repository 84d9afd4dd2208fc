"""Cached answers are keyed by the engine's code and data: every module counts, the
subpackages' too, so a change to the physics never serves an answer the old code computed."""

from __future__ import annotations

from pathlib import Path

import runlocal.engine
from runlocal_web.lib.engine import engine_files


def test_every_module_of_the_core_and_its_fitted_parameters_key_the_answers() -> None:
    root = Path(runlocal.engine.__file__).parent
    keyed = {str(p.relative_to(root)) for p in engine_files()}
    for module in ("engine.py", "memory/kv.py", "memory/llama.py", "speed/decode.py"):
        assert module in keyed
    assert "data/speed_params.json" in keyed
    assert not any("__pycache__" in name for name in keyed)
