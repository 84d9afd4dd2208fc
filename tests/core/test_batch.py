"""`runlocal check --from`: answers in input order, the same bytes however they are computed."""

from __future__ import annotations

import io
import json
import math

import pytest

from runlocal import batch, engine
from runlocal.catalog import load_catalog
from runlocal.engine import CheckQuery, check

ODD_VALUES = [
    {"name": "µ – × é 😀", "del": "a\x7fb", "ctl": '\x01\n\t"\\/'},
    [
        0.0,
        -0.0,
        1e-5,
        1.8e-5,
        0.0001,
        123456789.123,
        1e15,
        1e16,
        1e22,
        5e-324,
        1.7976931348623157e308,
    ],
    {"big": 10**20, "neg": -(2**63), "list": [None, True, False, 1, 2.5]},
    "4e5 is not a number here, nor 2e-3",
]


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("with_orjson", [True, False])
def test_written_json_is_what_the_standard_encoder_writes(value, with_orjson, monkeypatch):
    if not with_orjson:
        monkeypatch.setattr(batch, "_orjson", None)
    assert batch.dumps(value) == json.dumps(value, separators=(",", ":"))


def test_answers_round_trip_through_the_fast_encoder():
    cat = load_catalog()
    for model, hw in [("llama-3.1-8b-instruct", "RTX 4090"), ("gpt-oss-20b", "M2 Max 38-core")]:
        answer = check(CheckQuery(model=model, hardware=(hw,)), cat).to_dict()
        assert batch.dumps(answer) == json.dumps(answer, separators=(",", ":"))
        assert json.loads(batch.dumps(answer)) == answer


def _lines(n: int) -> list[str]:
    models = ["llama-3.1-8b-instruct", "qwen2.5-32b-instruct", "gpt-oss-20b", "no-such-model"]
    hardware = ["RTX 4090", "2x RTX 3090", "RTX 3060 12GB", "M3 Max"]
    out = []
    for i in range(n):
        if i % 97 == 5:
            out.append("{not json")
        elif i % 89 == 7:
            out.append("   ")  # blank: skipped, but still counted as a line
        else:
            m, h = models[i % 4], hardware[(i // 4) % 4]
            out.append(json.dumps({"model": m, "hardware": [h], "context": 2048 * (1 + i % 3)}))
    return out


def test_workers_answer_in_input_order_with_the_same_bytes():
    cat = load_catalog()
    lines = _lines(batch.SERIAL_LINES + 250)
    serial, parallel = io.StringIO(), io.StringIO()
    batch.run_batch(iter(line + "\n" for line in lines), serial, cat, jobs=1)
    batch.run_batch(iter(line + "\n" for line in lines), parallel, cat, jobs=2)
    assert parallel.getvalue() == serial.getvalue()
    answers = [json.loads(line) for line in serial.getvalue().splitlines()]
    assert len(answers) == sum(1 for line in lines if line.strip())
    errors = [a["error"] for a in answers if "error" in a]
    assert any(e.startswith("line 6: not valid JSON") for e in errors)
    assert any("no-such-model" in e for e in errors)


def test_a_process_running_other_threads_answers_without_forking(monkeypatch):
    """fork() would copy a lock another thread holds and hang the worker: with a second
    thread alive the batch is answered here, with the same bytes."""
    import multiprocessing
    import threading

    def no_fork(*_a: object, **_k: object) -> None:
        raise AssertionError("forked while another thread was running")

    cat = load_catalog()
    lines = _lines(batch.SERIAL_LINES + 50)
    serial, threaded = io.StringIO(), io.StringIO()
    batch.run_batch(iter(line + "\n" for line in lines), serial, cat, jobs=1)
    monkeypatch.setattr(multiprocessing, "get_context", no_fork)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        batch.run_batch(iter(line + "\n" for line in lines), threaded, cat, jobs=2)
    finally:
        release.set()
        other.join()
    assert threaded.getvalue() == serial.getvalue()


def test_a_repeated_query_is_answered_again_as_a_new_dict():
    cat = load_catalog()
    q = CheckQuery(model="llama-3.1-8b-instruct", hardware=("RTX 4090",), context=12288)
    answers = [check(q, cat).to_dict() for _ in range(3)]  # asked twice: a copy is kept
    assert q in {key[0] for key in engine._ANSWERS}
    for answer in answers:
        answer["notes"].append("changed by a caller")
        answer["speed"]["decode_tok_s"] = math.nan
    again = [check(q, cat).to_dict() for _ in range(2)]  # from the kept copy
    assert again[0] is not again[1]
    for answer in again:
        assert "changed by a caller" not in answer["notes"]
        assert answer["speed"]["decode_tok_s"] > 0


def test_a_query_asked_once_keeps_no_copy():
    cat = load_catalog()
    q = CheckQuery(model="llama-3.1-8b-instruct", hardware=("RTX 3090",), context=12345)
    check(q, cat)
    assert q not in {key[0] for key in engine._ANSWERS}


def test_a_batch_from_the_cli_leaves_the_collector_as_it_found_it(tmp_path, capsys):
    """check --from freezes what the process holds and collects the youngest generation less
    often while it answers (cli.BATCH_GC_THRESHOLDS); an in-process caller of main() gets
    the collector's thresholds back, nothing left frozen, and the same answers."""
    import gc

    from runlocal import cli

    path = tmp_path / "queries.jsonl"
    path.write_text("\n".join(_lines(12)) + "\n", encoding="utf-8")
    before = gc.get_threshold()
    assert cli.main(["check", "--from", str(path), "--jobs", "1"]) == 0
    written = capsys.readouterr().out
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    out = io.StringIO()
    batch.run_batch(iter(line + "\n" for line in _lines(12)), out, load_catalog(), jobs=1)
    assert written == out.getvalue()
