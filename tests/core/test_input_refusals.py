"""Bad input refused in one line on the CLI and in a batch: a --from file with bytes that are
no UTF-8, nesting too deep, numbers past a float or past int()'s digit limit, a null model, a
runtime version that is none; an open bound written in words. Nothing past the bad line lost."""

from __future__ import annotations

import io
import json

import pytest

from runlocal import batch, cli
from runlocal.bounds import BOUNDS, between, out_of_range
from runlocal.catalog import load_catalog
from runlocal.errors import InputError
from runlocal.query import CheckQuery
from runlocal.runtimes import get_runtime, version_example

GOOD = '{"model": "llama-3.1-8b-instruct", "hardware": "RTX 3090"}'


def _answers(text: str) -> list[dict]:
    out = io.StringIO()
    batch.run_batch(io.StringIO(text), out, load_catalog(), jobs=1)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("[" * 100_000, "line 1: not valid JSON: nested too deeply"),
        ('{"model": "x", "context": 1' + "0" * 5000 + "}", "line 1: not valid JSON: Exceeds"),
        ('{"model": null}', "line 1: model: missing"),
        ('{"model": "x", "ram_gb": 1' + "0" * 400 + "}", "line 1: ram_gb: a 401-digit number"),
        ('{"model": "x", "runtime": "vllm@nan"}', "line 1: runtime version 'nan'"),
    ],
    ids=["deep", "digits", "null-model", "huge-float", "runtime-version"],
)
def test_a_bad_line_is_one_error_and_the_next_line_is_answered(line: str, error: str) -> None:
    first, second = _answers(line + "\n" + GOOD + "\n")
    assert first["error"].startswith(error), first
    assert "\n" not in first["error"]
    assert second["verdict"], second


def test_bytes_that_are_no_utf8_are_refused_by_line_from_a_file(tmp_path, capsys) -> None:
    """The file was read strictly: one byte 0xff ended the batch with a UnicodeDecodeError."""
    path = tmp_path / "q.jsonl"
    path.write_bytes(b'\xff\xfe{"model": 1}\n{"model": "a\xd0b"}\n' + GOOD.encode() + b"\n")
    assert cli.main(["check", "--from", str(path), "--jobs", "1"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["error"] == "line 1: not UTF-8 text (byte 0xff at character 1)"
    # '{"model": "a' is 12 characters; the byte is the 13th.
    assert lines[1]["error"] == "line 2: not UTF-8 text (byte 0xd0 at character 13)"
    assert lines[2]["verdict"]


def test_an_unexpected_failure_loses_only_its_own_line(monkeypatch) -> None:
    def boom(data):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(CheckQuery, "from_mapping", staticmethod(boom))
    (answer,) = _answers(GOOD + "\n")
    assert answer == {"error": "line 1: not answered: ZeroDivisionError: division by zero"}


def test_a_float_field_past_a_floats_range_is_refused_by_its_bound() -> None:
    with pytest.raises(InputError, match=r"^tflops: a 401-digit number is out of range"):
        CheckQuery.from_mapping({"model": "x", "tflops": 10**400})


def test_an_open_lower_bound_reads_as_words_not_a_range_that_holds_the_value() -> None:
    assert out_of_range("ram_gb", 0) == "0 is out of range (above 0, up to 65536)"
    assert BOUNDS["context"].text == "1–10,000,000"  # closed: a range
    assert between(0, 8, lo_open=True).text == "above 0, up to 8"
    assert between(0, None, lo_open=True).text == "above 0"
    assert between(0, None).text == "at least 0"


def test_a_runtime_version_refusal_shows_that_runtimes_form() -> None:
    # llama.cpp's rules change at build numbers (one number), vLLM's at release numbers.
    assert version_example("llama.cpp")[0] == "build number"
    assert version_example("llama.cpp")[1].startswith("llama.cpp@b")
    assert version_example("vllm")[0] == "release number"
    assert version_example("no-rules") == ("release number", "no-rules@1.2")
    with pytest.raises(
        InputError, match=r"^runtime version 'bXYZ' is not a build number such as llama\.cpp@b\d+$"
    ):
        get_runtime("llama.cpp@bXYZ")
    with pytest.raises(InputError, match=r"'xxxxxxxxxx' is not a release number such as vllm@"):
        get_runtime("vllm@" + "x" * 10)
    with pytest.raises(InputError) as long:
        get_runtime("vllm@" + "x" * 5000)
    assert len(str(long.value)) < 140  # cut short, with the length typed (errors.shown)


def test_a_calibration_csv_that_is_no_utf8_is_refused_in_one_line(tmp_path, capsys) -> None:
    """`runlocal accuracy --data FILE` ended in a UnicodeDecodeError traceback."""
    path = tmp_path / "rows.csv"
    path.write_bytes(
        b"hardware,model,quant,metric,value,runtime,n_devices\nRTX \xd0,x,F16,tg,1,a,1\n"
    )
    assert cli.main(["accuracy", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"runlocal: error: {path}: not a calibration CSV (not UTF-8 text)\n"
