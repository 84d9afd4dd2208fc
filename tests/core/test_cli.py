from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from runlocal.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_prints_json_with_the_contract_shape(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "check", "Llama 3.1 8B", "--hardware", "TG24", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["verdict"] == "comfortable"
    assert data["hardware"][0]["id"] == "gpu-24"
    assert data["offload"] == {"gpu_layers": 33, "total_layers": 33, "experts_on_host_layers": 0}


def test_it_prints_a_readable_answer(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "llama-3.1-8b", "--hardware", "Test GPU 24")
    assert code == 0
    assert "RUNS COMFORTABLY" in out and "tok/s" in out and "llama-server" in out


def test_it_exits_0_for_will_not_run(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "mixtral-8x7b", "--hardware", "Test GPU 8", "--ram-gb", "4", "--json"]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and json.loads(out)["verdict"] == "wont-run"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "no such model", "--hardware", "TG24"], "unknown model"),
        (["check", "llama-3.1-8b", "--hardware", "RTX 9999"], "unknown hardware"),
        (["check", "llama-3.1-8b", "--hardware", "TG24", "--context", "-5"], "out of range"),
        (["check", "llama-3.1-8b", "--hardware", "TG24", "--batch", "0"], "--batch"),
        (["check", "llama-3.1-8b", "--hardware", "TG24", "--context", "lots"], "write 8192, 32k"),
        (["check", "llama-3.1-8b"], "no hardware"),
        (["check", "./missing.gguf", "--hardware", "TG24"], "no such file"),
        (["check", "llama-3.1-8b", "--vram-gb", "-1", "--bandwidth-gb-s", "100"], "--vram-gb"),
    ],
)
def test_it_exits_2_with_one_line(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(("typed", "tokens"), [("32k", 32768), ("128K", 131072), ("8,192", 8192)])
def test_it_reads_a_context_as_people_write_it(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str], typed: str, tokens: int
) -> None:
    argv = ["check", "llama-3.1-8b", "--hardware", "TG24", "--json", "--context", typed]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and json.loads(out)["context"] == tokens


def test_a_batch_line_reads_32k_too(
    catalog_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "q.jsonl"
    query = {"model": "llama-3.1-8b", "hardware": ["TG24"], "context": "32k"}
    queries.write_text(json.dumps(query) + "\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", "--from", str(queries))
    assert code == 0 and json.loads(out)["context"] == 32768


class _ClosedPipe(io.StringIO):
    """stdout after `| head` has exited: every write fails as a closed pipe does."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`runlocal models | head -1`: no BrokenPipeError traceback, a shell's SIGPIPE status."""
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = main(["models"])
    assert code == 141
    assert "Traceback" not in capsys.readouterr().err


def test_it_answers_a_batch_line_by_line(
    catalog_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(
            [
                json.dumps({"model": "llama-3.1-8b", "hardware": ["TG24"], "context": 4096}),
                "{broken",
                json.dumps({"model": "nope", "hardware": ["TG24"]}),
                json.dumps([1, 2]),
                json.dumps({"model": "gemma-2-9b", "hardware": ["Test GPU 8"], "kv_type": "q8_0"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, _err = run_cli(capsys, "check", "--from", str(queries))
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and len(lines) == 5
    assert lines[0]["verdict"] == "comfortable"
    assert "not valid JSON" in lines[1]["error"] and "line 2" in lines[1]["error"]
    assert "unknown model" in lines[2]["error"]
    assert "error" in lines[3]
    assert lines[4]["kv_type"] == "q8_0"


def test_it_lists_the_catalog_as_json(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "models", "--json")
    models = json.loads(out)
    assert code == 0 and {m["id"] for m in models} >= {"llama-3.1-8b", "mixtral-8x7b"}
    assert all({"id", "name", "sources"} <= set(m) for m in models)
    code, out, _ = run_cli(capsys, "hardware", "--json")
    assert {h["id"] for h in json.loads(out)} >= {"gpu-24", "apple-test-max"}


def test_it_validates_the_catalog(catalog_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "catalog", "check")
    assert code == 0 and "catalog ok" in out
    bad = catalog_dir / "hardware" / "gpu-24.toml"
    bad.write_text(bad.read_text().replace("bandwidth_gb_s = 1000", "bandwidth_gb_s = -3"))
    code, _, err = run_cli(capsys, "catalog", "check")
    assert code == 1 and "hardware/gpu-24.toml: bandwidth_gb_s" in err


def test_it_flags_parameter_counts_that_disagree_with_the_architecture(
    catalog_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = catalog_dir / "models" / "llama-3.1-8b.toml"
    path.write_text(path.read_text().replace("params_total_b = 8.03", "params_total_b = 9.5"))
    code, _, err = run_cli(capsys, "catalog", "check")
    assert code == 1 and "models/llama-3.1-8b.toml: params_total_b" in err


def test_the_cli_path_never_imports_django(catalog_dir: Path) -> None:
    code = (
        "import sys, runlocal.cli as c; c.main(['check','llama-3.1-8b','--hardware','TG24','--json']);"
        "print('django' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("False")


def test_a_command_parsed_alone_reads_as_in_the_whole_parser() -> None:
    """main() builds only the invoked command's parser: its help and readings must be those
    of the parser with every command."""
    import argparse

    from runlocal.cli import COMMANDS, build_parser

    def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return dict(action.choices)

    whole = commands(build_parser())
    assert list(whole) == list(COMMANDS)
    for name in COMMANDS:
        alone = commands(build_parser(name))
        assert list(alone) == [name]
        assert alone[name].format_help() == whole[name].format_help()
    argv = ["check", "m", "--hardware", "a", "--hardware", "b", "--context", "32k", "--json"]
    assert build_parser("check").parse_args(argv) == build_parser().parse_args(argv)
