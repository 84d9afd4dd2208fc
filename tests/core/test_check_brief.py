"""check_brief is check's answer, in part: for every query, its keys hold exactly what check's
answer holds under the same keys (of the quality, the loss and its basis), from cold caches
and from warm ones, and it rejects what check rejects with the same message."""

from __future__ import annotations

import random

from runlocal import engine
from runlocal.catalog import load_catalog
from runlocal.engine import (
    BRIEF_KEYS,
    PREFILL_KEYS,
    CheckQuery,
    check,
    check_brief,
    check_commands,
)
from runlocal.errors import RunlocalError
from runlocal.evidence import _bench_index


def _queries(n: int) -> list[CheckQuery]:
    cat = load_catalog()
    rng = random.Random(1406)
    models, devices = sorted(cat.models), sorted(cat.hardware)
    out = []
    for _ in range(n):
        count = rng.choice([1, 1, 1, 2])
        device = rng.choice(devices)
        out.append(
            CheckQuery(
                model=rng.choice(models),
                hardware=(f"{count}x {device}" if count > 1 else device,),
                quant=rng.choice([None, None, "Q4_K_M", "Q8_0", "F16", "Q2_K", "MXFP4", "FP8"]),
                context=rng.choice([None, None, 8192, 131072]),
                runtime=rng.choice(["llama.cpp"] * 6 + ["vllm", "mlx", "ollama"]),
                ram_gb=rng.choice([None, None, 16.0, 128.0]),
                no_measured=rng.random() < 0.1,
            )
        )
    return out


def _answer(fn, q, cat):  # type: ignore[no-untyped-def]
    try:
        return fn(q, cat)
    except RunlocalError as exc:
        return f"{type(exc).__name__}: {exc}"


def _expected(q: CheckQuery, cat) -> object:  # type: ignore[no-untyped-def]
    full = _answer(lambda q, c: check(q, c, allow_files=False).to_dict(), q, cat)
    if isinstance(full, str):
        return full
    out = {k: full[k] for k in BRIEF_KEYS if k in full}  # image and speech models: no quality
    if "quality" in full:
        out["quality"] = {k: full["quality"][k] for k in ("quant_loss", "quant_loss_basis")}
    return out


def test_brief_answers_are_checks_answers_in_part():
    cat = load_catalog()
    queries = _queries(600)
    engine.clear_caches()
    briefs = [_answer(lambda q, c: check_brief(q, c, allow_files=False), q, cat) for q in queries]
    # Most queries are answered (about two in three: the rest ask MLX off Apple silicon, FP8
    # of llama.cpp and the like, and compare as the same one-line error).
    assert sum(isinstance(b, dict) for b in briefs) > len(queries) // 2
    kinds = {b["verdict"] for b in briefs if isinstance(b, dict)}
    assert kinds == {"comfortable", "tradeoffs", "wont-run"}
    engine.clear_caches()
    for q, brief in zip(queries, briefs, strict=True):
        want = _expected(q, cat)
        assert brief == want, q
        assert not isinstance(brief, dict) or list(brief) == [k for k in BRIEF_KEYS if k in brief]
    # Warm: with check's answers remembered (asked twice), the brief is read from them.
    for q in queries[:100]:
        _expected(q, cat)
        assert _answer(lambda q, c: check_brief(q, c, allow_files=False), q, cat) == _expected(
            q, cat
        )


def test_a_table_shares_work_and_answers_as_single_checks():
    """A table's row (one model and setup, several quantizations and the default, asked
    together) shares what precedes the quantization: each cell still equals check's answer
    to that query alone."""
    cat = load_catalog()
    rng = random.Random(14)
    rows = [
        (model, device, runtime)
        for model, device, runtime in zip(
            rng.sample(sorted(cat.models), 40),
            rng.sample(sorted(cat.hardware), 40),
            rng.choices(["llama.cpp"] * 4 + ["vllm", "ollama"], k=40),
            strict=True,
        )
    ]
    quants = (None, "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16", "MXFP4", "q4_k_m")
    engine.clear_caches()
    table = [
        [
            _answer(
                lambda q, c: check_brief(q, c, allow_files=False),
                CheckQuery(model=m, hardware=(h,), runtime=rt, quant=qt),
                cat,
            )
            for qt in quants
        ]
        for m, h, rt in rows
    ]
    assert engine._HEADS  # the rows shared their work
    assert sum(isinstance(c, dict) for cells in table for c in cells) > 150
    for (m, h, rt), cells in zip(rows, table, strict=True):
        for qt, cell in zip(quants, cells, strict=True):
            engine.clear_caches()
            want = _expected(CheckQuery(model=m, hardware=(h,), runtime=rt, quant=qt), cat)
            assert cell == want, (m, h, rt, qt)


def _less_prefill(answer: object) -> object:
    if not isinstance(answer, dict):
        return answer
    out = dict(answer)
    out["speed"] = {k: v for k, v in answer["speed"].items() if k not in PREFILL_KEYS}
    return out


def test_a_brief_without_prefill_is_the_brief_less_its_prefill():
    """check_brief(prefill=False), what the model and hardware pages' tables ask, is the brief
    without its prefill figures, the evidence label included where a prefill measurement sets
    it; and a whole answer asked after it (the plans it left in the caches, their prefill not
    worked out) still has check's prefill."""
    cat = load_catalog()
    queries = _queries(300)
    # Every measured model and quantization on the devices it was measured on: the labels a
    # prefill measurement can set.
    for (model, quant), rows in sorted(_bench_index(cat).items()):
        for device in sorted({r.hardware for r in rows if r.hardware in cat.hardware}):
            queries.append(CheckQuery(model=model, hardware=(device,), quant=quant))
    engine.clear_caches()
    cold = [_answer(lambda q, c: check(q, c, allow_files=False).to_dict(), q, cat) for q in queries]
    engine.clear_caches()
    briefs = [
        _answer(lambda q, c: check_brief(q, c, allow_files=False, prefill=False), q, cat)
        for q in queries
    ]
    labels = {b["evidence"] for b in briefs if isinstance(b, dict)}
    assert {"measured", "measured-near", "extrapolated"} <= labels
    for q, brief in zip(queries, briefs, strict=True):
        assert brief == _less_prefill(_expected(q, cat)), q
        if isinstance(brief, dict):
            assert not set(PREFILL_KEYS) & set(brief["speed"])
    engine.clear_caches()
    for q in queries:  # the plans kept without their prefill, then whole answers
        _answer(lambda q, c: check_brief(q, c, allow_files=False, prefill=False), q, cat)
    after = [
        _answer(lambda q, c: check(q, c, allow_files=False).to_dict(), q, cat) for q in queries
    ]
    assert after == cold
    # Warm: with check's answers remembered, the brief read from them, less its prefill.
    for q in queries[:100]:
        _expected(q, cat)
        got = _answer(lambda q, c: check_brief(q, c, allow_files=False, prefill=False), q, cat)
        assert got == _less_prefill(_expected(q, cat))


def _expected_commands(q: CheckQuery, cat) -> object:  # type: ignore[no-untyped-def]
    full = _answer(lambda q, c: check(q, c, allow_files=False).to_dict(), q, cat)
    if isinstance(full, str):
        return full
    return {k: full[k] for k in ("quant", "context", "commands")}


def _commands_part(answer: object) -> object:
    if not isinstance(answer, dict):
        return answer
    return {k: answer[k] for k in ("quant", "context", "commands")}


def test_check_commands_is_checks_answer_in_part():
    """check_commands gives check's quantization, context and commands (a whole answer for
    image and speech pipelines, and for an answer check kept), from cold caches, after the
    brief answers of the same queries (as the model pages ask them), and warm."""
    cat = load_catalog()
    queries = _queries(300)
    # and every text, image and speech model of the catalog at its defaults on a big GPU
    queries += [CheckQuery(model=m, hardware=("nvidia-rtx-4090",)) for m in sorted(cat.models)]
    engine.clear_caches()
    cold = [_answer(lambda q, c: check_commands(q, c, allow_files=False), q, cat) for q in queries]
    engine.clear_caches()
    for q in queries:
        _answer(lambda q, c: check_brief(q, c, allow_files=False), q, cat)
    after_briefs = [
        _answer(lambda q, c: check_commands(q, c, allow_files=False), q, cat) for q in queries
    ]
    engine.clear_caches()
    wants = [_expected_commands(q, cat) for q in queries]
    assert sum(isinstance(w, dict) and bool(w["commands"]) for w in wants) > len(queries) // 3
    assert sum(isinstance(w, dict) and not w["commands"] for w in wants) > 10  # no fit
    for q, a, b, want in zip(queries, cold, after_briefs, wants, strict=True):
        assert _commands_part(a) == want, q
        assert _commands_part(b) == want, q
        if isinstance(a, dict) and len(a) == 3:
            assert list(a) == ["quant", "context", "commands"]
    # Warm: check's answer remembered (asked twice) is given whole.
    for q in queries[:50]:
        _expected_commands(q, cat)
        got = _answer(lambda q, c: check_commands(q, c, allow_files=False), q, cat)
        assert _commands_part(got) == _expected_commands(q, cat)
