"""Caching never changes an answer: queries answered one by one from cold caches give the same
bytes as the same queries answered in a warm batch (shared layouts, plans, inventories and
quality per model, repeated answers from the memo, lines spread over worker processes)."""

from __future__ import annotations

import io
import json
import random

from runlocal import batch, engine
from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check
from runlocal.errors import RunlocalError


def _queries(n: int) -> list[dict[str, object]]:
    cat = load_catalog()
    rng = random.Random(20261206)
    models = sorted(cat.models)
    devices = [d for d in sorted(cat.hardware) if "apple" not in d]
    out: list[dict[str, object]] = []
    while len(out) < n:
        q: dict[str, object] = {
            "model": rng.choice(models[:40]),  # few models, so the warm batch shares work
            "hardware": [f"{rng.choice([1, 1, 2, 3])}x {rng.choice(devices[:30])}"],
            "context": rng.choice([2048, 8192, 32768, 131072]),
        }
        if rng.random() < 0.4:
            q["quant"] = rng.choice(["Q8_0", "Q4_K_M", "Q3_K_M", "Q2_K", "IQ4_XS"])
        if rng.random() < 0.1:
            q["kv_type"] = "q8_0"
        out.append(q)
        if rng.random() < 0.2:
            out.append(dict(q))  # a repeat: answered from the memo in the warm batch
    return out


def test_a_warm_batch_answers_exactly_as_cold_single_checks():
    cat = load_catalog()
    queries = _queries(400)
    cold = []
    for q in queries:
        engine.clear_caches()
        try:
            answer = check(CheckQuery.from_mapping(q), cat).to_dict()
        except RunlocalError as exc:
            answer = {"error": str(exc)}
        cold.append(json.dumps(answer, separators=(",", ":")))
    engine.clear_caches()
    warm = io.StringIO()
    lines = (json.dumps(q) + "\n" for q in queries)
    batch.run_batch(lines, warm, cat, jobs=2)
    got = warm.getvalue().splitlines()
    assert len(got) == len(queries)
    for i, (a, b) in enumerate(zip(got, cold, strict=True)):
        if b.startswith('{"error"'):
            assert a == b.replace('{"error":"', f'{{"error":"line {i + 1}: ', 1)
        else:
            assert a == b, queries[i]
