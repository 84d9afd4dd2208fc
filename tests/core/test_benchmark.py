"""`runlocal bench`: the calibration run, the stored profile, llama-bench capture, submission.

numpy runs for real on this machine's CPU (the test skips without it); detection, GPUs,
llama-bench and the submission server are fakes. The only network is a server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from runlocal import benchmark, capture
from runlocal.benchmark import Sizes
from runlocal.capture import (
    parse_llama_bench,
    pick_tests,
    spread,
    submission_payload,
    submit_url,
)
from runlocal.cli import main
from runlocal.detect import probe
from runlocal.errors import InputError
from runlocal.profile import load_profile, profile_path
from runlocal.progress import Progress
from runlocal.units import GIB, MIB

from . import test_detect as fakes

# Detection fakes shared with test_detect.py; `env` is its fixture (a machine with nothing).
env = fakes.env
RTX_4090, fake_nvml, tool = fakes.RTX_4090, fakes.fake_nvml, fakes.tool

# The keys `POST /api/v1/benchmarks` accepts (runlocal_web/api/schemas.py: SubmissionIn,
# extra="forbid"); the core tests never import Django.
SUBMISSION_KEYS = {
    "hardware",
    "device",
    "n_devices",
    "model",
    "quant",
    "runtime",
    "backend",
    "build",
    "prompt_tokens",
    "gen_tokens",
    "context_tokens",
    "tg_tok_s",
    "pp_tok_s",
    "ttft_ms",
    "file_sha256",
    "command",
    "notes",
    "contact",
}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small arrays and short budgets: the same code, in a fraction of a second."""
    monkeypatch.setattr(
        Sizes,
        "for_run",
        classmethod(lambda cls, quick: cls(16 * MIB, 16 * MIB, 256, 16 * MIB, 64, 2, 0.02)),
    )


# --- the calibration run ----------------------------------------------------------------------


def test_bench_quick_measures_the_cpu_and_the_profile_calibrates_check(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("numpy")
    t0 = time.perf_counter()
    code, out, err = run_cli(capsys, "bench", "--quick", "--json")
    assert code == 0, err
    assert time.perf_counter() - t0 < 30
    data = json.loads(out)
    cpu = data["cpu"]
    assert cpu["name"] == "AMD Ryzen 9 7950X 16-Core Processor"
    assert cpu["catalog_id"] == "amd-ryzen-9-7950x"
    assert cpu["bandwidth_gb_s"] > 0 and cpu["fp32_gflops"] > 0
    assert cpu["bandwidth_gb_s"] == max(cpu["copy_gb_s"], cpu["scale_gb_s"], cpu["add_gb_s"])
    assert data["quick"] is True and data["gpus"] == []
    assert "GPU: skipped: no GPU detected" in data["notes"]
    assert "runlocal bench [" in err  # the progress line
    # The profile.
    assert data["profile_path"] == str(profile_path())
    profile = load_profile()
    assert profile is not None
    (measured,) = profile.devices
    assert measured.key == "amd-ryzen-9-7950x" and measured.kind == "cpu"
    assert measured.bandwidth_gb_s == cpu["bandwidth_gb_s"]
    assert measured.catalog_bandwidth_gb_s == 83.2
    # A check on the detected machine now uses it.
    code, out, err = run_cli(capsys, "check", "llama-3.1-8b-instruct", "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["hardware"][0]["source"] == "detected"
    assert answer["hardware"][0]["bandwidth_bytes_per_s"] == cpu["bandwidth_gb_s"] * 1e9
    (cal,) = answer["basis"]["calibration"]
    assert cal["device"] == "amd-ryzen-9-7950x"
    assert cal["listed_bandwidth_bytes_per_s"] == 83.2e9
    assert answer["evidence"] in ("calibrated", "measured", "measured-near", "extrapolated")
    # --no-measured: the catalog's specs and the formula alone.
    code, out, _ = run_cli(capsys, "check", "llama-3.1-8b-instruct", "--no-measured", "--json")
    plain = json.loads(out)
    assert plain["evidence"] == "estimated" and "calibration" not in plain["basis"]
    assert plain["hardware"][0]["bandwidth_bytes_per_s"] == 83.2e9


def test_the_human_output(
    env: dict[str, Path], tiny: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("numpy")
    code, out, _ = run_cli(capsys, "bench")
    assert code == 0
    assert "memory bandwidth" in out and "GB/s" in out and "FP32 matmul" in out
    assert "the catalog lists 83.2 GB/s" in out and "profile saved to" in out


def test_bench_says_what_it_writes_and_how_to_undo_it(
    env: dict[str, Path], tiny: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("numpy")
    code, out, err = run_cli(capsys, "bench", "--quick")
    assert code == 0
    path = str(profile_path())
    assert f"saved to {path}" in err  # said before measuring
    assert f"profile saved to {path}" in out
    assert "`runlocal check` uses these measured bandwidths" in out  # what it changes
    assert "runlocal bench --forget" in out  # how to take it back
    assert load_profile() is not None
    code, out, _ = run_cli(capsys, "bench", "--forget")
    assert code == 0 and f"deleted {path}" in out
    assert load_profile() is None
    code, out, _ = run_cli(capsys, "bench", "--forget")
    assert code == 0 and "no profile" in out


def test_bench_says_clearly_when_numpy_is_missing(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(benchmark, "_numpy", lambda: None)
    code, _, err = run_cli(capsys, "bench", "--quick")
    assert code == 1
    assert "numpy is not installed" in err and "pip install numpy" in err
    assert load_profile() is None


def test_a_gpu_without_torch_or_cupy_is_skipped_with_a_note(
    env: dict[str, Path],
    tiny: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("numpy")
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([RTX_4090]))
    monkeypatch.setattr(benchmark, "_gpu_package", lambda: None)
    code, out, _ = run_cli(capsys, "bench", "--json")
    assert code == 0
    notes = json.loads(out)["notes"]
    assert any("skipped: no CUDA/ROCm Python package" in n for n in notes)


class _FakeTensor:
    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes

    def copy_(self, other: _FakeTensor) -> None:
        # At most an 800 GB/s card (a copy moves 2 x nbytes): a sleep is never shorter than
        # asked, only longer, so what the bench measures is at most 800 GB/s on any machine.
        time.sleep(2 * self.nbytes / 800e9)


def fake_torch() -> types.ModuleType:
    torch = types.ModuleType("torch")
    torch.__version__ = "0.0-test"  # type: ignore[attr-defined]
    torch.float16 = "float16"  # type: ignore[attr-defined]
    torch.version = types.SimpleNamespace(hip=None)  # type: ignore[attr-defined]
    torch.cuda = types.SimpleNamespace(  # type: ignore[attr-defined]
        is_available=lambda: True,
        device_count=lambda: 1,
        get_device_name=lambda i: "NVIDIA GeForce RTX 4090",
        mem_get_info=lambda i: (20 * GIB, 24 * GIB),
        synchronize=lambda i: None,
    )

    def ones(shape: Any, dtype: Any = None, device: Any = None) -> _FakeTensor:
        n = shape if isinstance(shape, int) else shape[0] * shape[1]
        return _FakeTensor(n * 2)

    torch.ones = ones  # type: ignore[attr-defined]
    torch.empty_like = lambda t: _FakeTensor(t.nbytes)  # type: ignore[attr-defined]
    torch.matmul = lambda a, b: time.sleep(0.002)  # type: ignore[attr-defined]
    return torch


def test_gpu_results_through_pytorch_go_to_the_profile(
    env: dict[str, Path],
    tiny: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("numpy")
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([RTX_4090]))
    monkeypatch.setattr(benchmark, "_gpu_package", lambda: ("torch", fake_torch()))
    code, out, err = run_cli(capsys, "bench", "--json")
    assert code == 0, err
    (gpu,) = json.loads(out)["gpus"]
    assert gpu["catalog_id"] == "nvidia-rtx-4090" and gpu["backend"] == "cuda"
    assert 0 < gpu["bandwidth_gb_s"] <= 800 and gpu["fp16_tflops"] > 0
    profile = load_profile()
    assert profile is not None
    keys = {d.key: d for d in profile.devices}
    assert keys["nvidia-rtx-4090"].fp16_tflops == gpu["fp16_tflops"]
    code, out, _ = run_cli(capsys, "check", "llama-3.1-8b-instruct", "--json")
    answer = json.loads(out)
    assert answer["basis"]["calibration"][0]["device"] == "nvidia-rtx-4090"
    assert answer["hardware"][0]["usable_memory_bytes"] == 20 * GIB


def test_a_new_run_keeps_earlier_measurements_of_other_devices(
    env: dict[str, Path], tiny: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("numpy")
    path = profile_path()
    path.parent.mkdir(parents=True)
    old = {
        "schema": 1,
        "created": "2026-01-01T00:00:00+00:00",
        "devices": [{"key": "nvidia-rtx-4090", "name": "x", "bandwidth_gb_s": 950.0}],
    }
    path.write_text(json.dumps(old))
    assert run_cli(capsys, "bench")[0] == 0
    profile = load_profile()
    assert profile is not None
    assert {d.key for d in profile.devices} == {"amd-ryzen-9-7950x", "nvidia-rtx-4090"}


@pytest.mark.parametrize("text", ["{not json", "[]", '{"schema": 99}', ""])
def test_a_damaged_profile_is_ignored(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = profile_path()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    assert load_profile() is None
    code, out, _ = run_cli(capsys, "check", "llama-3.1-8b-instruct", "--json")
    assert code == 0 and "calibration" not in json.loads(out)["basis"]


# --- llama-bench ------------------------------------------------------------------------------


def bench_rows(pp: list[float], tg: list[float]) -> list[dict[str, Any]]:
    common = {
        "build_commit": "8cf427ff",
        "build_number": 5163,
        "cpu_info": "AMD Ryzen 9 7950X 16-Core Processor",
        "gpu_info": "NVIDIA GeForce RTX 4090",
        "backends": "CUDA",
        "model_filename": "x.gguf",
        "model_type": "llama 8B Q4_K - Medium",
        "n_threads": 16,
        "n_gpu_layers": 99,
        "flash_attn": -1,
        "n_depth": 0,
    }
    return [
        {**common, "n_prompt": 512, "n_gen": 0, "avg_ts": sum(pp) / 3, "samples_ts": pp},
        {**common, "n_prompt": 0, "n_gen": 128, "avg_ts": sum(tg) / 3, "samples_ts": tg},
    ]


STABLE = bench_rows([10000.0, 10100.0, 9950.0], [130.0, 131.0, 129.5])
UNSTABLE = bench_rows([10000.0, 6000.0, 9950.0], [130.0, 131.0, 129.5])


def fake_llama_bench(bin_dir: Path, *outputs: Any, sleep: float = 0.0) -> Path:
    """A llama-bench that logs its arguments and prints outputs[i] on its i-th run."""
    log = bin_dir / "llama-bench.log"
    texts = [o if isinstance(o, str) else json.dumps(o, indent=2) for o in outputs]
    tool(
        bin_dir,
        "llama-bench",
        f"log = {str(log)!r}\n"
        f"texts = {texts!r}\n"
        "n = len(open(log).readlines()) if os.path.exists(log) else 0\n"
        "open(log, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"time.sleep({sleep})\n"
        "sys.stderr.write('llama_model_load: loading...\\n')\n"
        "print(texts[min(n, len(texts) - 1)])\n",
    )
    return log


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
    path.write_bytes(b"not really a gguf file" * 1000)
    return path


@pytest.fixture
def rtx(env: dict[str, Path], tiny: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    pytest.importorskip("numpy")
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml([RTX_4090]))
    monkeypatch.setattr(benchmark, "_gpu_package", lambda: None)
    return env


def test_the_capture_protocol_builds_a_benchmark_record(
    rtx: dict[str, Path], gguf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = fake_llama_bench(rtx["bin"], STABLE)
    code, out, err = run_cli(capsys, "bench", "--gguf", str(gguf), "--json")
    assert code == 0, err
    assert [json.loads(line) for line in log.read_text().splitlines()] == [
        ["-m", str(gguf), "-p", "512", "-n", "128", "-r", "3", "-o", "json"]
    ]
    rec = json.loads(out)["record"]
    assert rec["hardware"] == "nvidia-rtx-4090" and rec["n_devices"] == 1
    assert rec["driver"] == "550.54.14 (CUDA 12.4)"
    assert rec["build"] == "b5163 (8cf427ff)"
    assert rec["file_sha256"] == hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert rec["model"] == "llama-3.1-8b-instruct" and rec["quant"] == "Q4_K_M"
    assert rec["backend"] == "cuda" and rec["runtime"] == "llama.cpp"
    assert rec["pp_tok_s"] == pytest.approx(10016.67, abs=0.01)
    assert rec["tg_tok_s"] == pytest.approx(130.17, abs=0.01)
    assert rec["ttft_ms"] == pytest.approx(512 / 10016.667 * 1000 + 1000 / 130.1667, abs=0.1)
    assert rec["stable"] is True and rec["reruns"] == 0
    assert rec["spread"]["pp_tok_s"] == pytest.approx(150 / 10000, abs=1e-3)
    assert rec["samples"]["tg_tok_s"] == [130.0, 131.0, 129.5]
    pp_row, tg_row = rec["results"]
    # The rows of a catalog benchmark file (docs/catalog-format.md).
    assert set(pp_row) == {
        "model",
        "quant",
        "runtime",
        "backend",
        "n_devices",
        "metric",
        "prompt_tokens",
        "gen_tokens",
        "context_tokens",
        "value",
        "build",
        "command",
    }
    assert (pp_row["metric"], pp_row["prompt_tokens"], pp_row["gen_tokens"]) == ("pp_tok_s", 512, 0)
    assert (tg_row["metric"], tg_row["prompt_tokens"], tg_row["gen_tokens"]) == ("tg_tok_s", 0, 128)
    code, out, _ = run_cli(capsys, "bench", "--gguf", str(gguf))
    assert "llama-bench  " in out and "time to first token" in out


def test_a_wide_spread_is_run_again_once(
    rtx: dict[str, Path], gguf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = fake_llama_bench(rtx["bin"], UNSTABLE, STABLE)
    code, out, _ = run_cli(capsys, "bench", "--gguf", str(gguf), "--json")
    assert code == 0
    data = json.loads(out)
    assert len(log.read_text().splitlines()) == 2
    assert data["record"]["reruns"] == 1 and data["record"]["stable"] is True
    assert any("ran again" in n for n in data["notes"])


def test_a_spread_that_stays_wide_is_never_submitted(
    rtx: dict[str, Path], gguf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = fake_llama_bench(rtx["bin"], UNSTABLE)
    code, out, err = run_cli(
        capsys, "bench", "--gguf", str(gguf), "--submit", "http://127.0.0.1:9", "--json"
    )
    assert len(log.read_text().splitlines()) == 2  # the first run and one rerun, no more
    assert code == 1 and "not submitted: the runs spread more than 20% twice" in err
    assert err.count("runlocal: error") == 1
    assert json.loads(out)["record"]["stable"] is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("time.sleep(60)", "did not finish within 1 s"),
        ("print('garbage, not json')", "printed no JSON results"),
        ("sys.stderr.write('error: failed to load model\\n'); sys.exit(1)", "failed to load model"),
        ('print(\'[{"n_prompt": 512, "n_gen": 0, "avg_ts": 5}]\')', "lack the prompt"),
    ],
)
def test_llama_bench_failures_are_one_line(
    rtx: dict[str, Path],
    gguf: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    body: str,
    message: str,
) -> None:
    monkeypatch.setattr(capture, "LLAMA_BENCH_TIMEOUT_S", 1.0)
    tool(rtx["bin"], "llama-bench", body)
    t0 = time.perf_counter()
    code, out, err = run_cli(capsys, "bench", "--gguf", str(gguf))
    assert time.perf_counter() - t0 < 15
    assert code == 1 and message in err and "Traceback" not in err
    assert "memory bandwidth" in out  # the calibration itself stands


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--gguf", "missing.gguf"], "no such file"),
        (["--submit", "http://127.0.0.1:9"], "--submit needs --gguf"),
        (["--gguf", "GGUF", "--submit", "file:///etc/passwd"], "expected an http(s) URL"),
        (["--gguf", "GGUF"], "llama-bench is not on the PATH"),
    ],
)
def test_bad_bench_input_exits_2_before_measuring(
    env: dict[str, Path],
    gguf: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    def forbidden(*_: Any) -> Any:
        raise AssertionError("measured")

    monkeypatch.setattr(benchmark, "calibrate", forbidden)
    if "--submit" in argv and "GGUF" in argv:
        fake_llama_bench(env["bin"], STABLE)
    argv = [str(gguf) if a == "GGUF" else a for a in argv]
    code, out, err = run_cli(capsys, "bench", *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_parse_llama_bench_reads_json_and_jsonl() -> None:
    rows = parse_llama_bench("build: 5163\n" + json.dumps(STABLE))
    assert len(rows) == 2
    rows = parse_llama_bench("\n".join(json.dumps(r) for r in STABLE))
    assert pick_tests(rows).tg_samples == [130.0, 131.0, 129.5]
    assert spread([100.0, 80.0, 120.0]) == pytest.approx(0.4)
    assert spread([5.0]) == 0.0


# --- submission -------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    answers: ClassVar[list[tuple[int, dict[str, Any]]]] = []
    received: ClassVar[list[tuple[str, dict[str, Any], dict[str, str]]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path, body, dict(self.headers)))
        status, answer = self.answers.pop(0)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"answers": [], "received": []})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_submit_posts_the_record_in_the_api_shape(
    rtx: dict[str, Path],
    gguf: Path,
    site: tuple[str, type[_Handler]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, handler = site
    handler.answers.append((201, {"id": 7, "trust": "queued", "fingerprint": "abc"}))
    fake_llama_bench(rtx["bin"], STABLE)
    code, out, err = run_cli(capsys, "bench", "--gguf", str(gguf), "--submit", url)
    assert code == 0, err
    assert f"submitted to {url}/api/v1/benchmarks: id 7, trust queued" in out
    ((path, body, headers),) = handler.received
    assert path == "/api/v1/benchmarks"
    assert headers["Content-Type"] == "application/json"
    assert set(body) <= SUBMISSION_KEYS
    assert body["hardware"] == "nvidia-rtx-4090" and body["model"] == "llama-3.1-8b-instruct"
    assert body["quant"] == "Q4_K_M" and body["backend"] == "cuda"
    assert body["prompt_tokens"] == 512 and body["gen_tokens"] == 128
    assert body["file_sha256"] == hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert body["build"] == "b5163 (8cf427ff)" and "driver 550.54.14" in body["notes"]
    assert body["pp_tok_s"] > 0 and body["tg_tok_s"] > 0 and body["ttft_ms"] > 0


def test_a_refused_submission_is_one_line(
    rtx: dict[str, Path],
    gguf: Path,
    site: tuple[str, type[_Handler]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, handler = site
    handler.answers.append(
        (422, {"ok": False, "status": 422, "error": "implausible: tg_tok_s above roofline"})
    )
    fake_llama_bench(rtx["bin"], STABLE)
    code, _, err = run_cli(capsys, "bench", "--gguf", str(gguf), "--submit", url + "/")
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        f"runlocal: error: submission refused by {url}/api/v1/benchmarks (422): "
        "implausible: tg_tok_s above roofline"
    )


def test_an_unreachable_site_is_one_line(
    rtx: dict[str, Path], gguf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_llama_bench(rtx["bin"], STABLE)
    code, _, err = run_cli(capsys, "bench", "--gguf", str(gguf), "--submit", "http://127.0.0.1:9")
    assert code == 1 and "could not reach http://127.0.0.1:9/api/v1/benchmarks" in err


def test_submit_url_and_payload_rules() -> None:
    assert submit_url("https://runlocal.example") == "https://runlocal.example/api/v1/benchmarks"
    assert (
        submit_url("https://x.example/api/v1/benchmarks/") == "https://x.example/api/v1/benchmarks"
    )
    with pytest.raises(InputError):
        submit_url("ftp://x.example")
    record = {"stable": True, "model": None, "model_name": "Mystery 7B", "quant": "Q4_K_M"}
    with pytest.raises(InputError, match="not a catalog model"):
        submission_payload(record)


def test_the_progress_line_rewrites_itself_on_a_terminal() -> None:
    class Tty:
        def __init__(self) -> None:
            self.text = ""

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return True

    tty = Tty()
    progress = Progress(tty)  # type: ignore[arg-type]
    progress.step("one")
    progress.step("two")
    progress.done()
    assert "\n" not in tty.text and tty.text.count("\r") == 4


def test_detect_module_is_not_imported_by_accuracy() -> None:
    """`runlocal accuracy` stays formula-only on catalog specs: no profile, no detection."""
    source = Path(benchmark.__file__).with_name("accuracy.py").read_text()
    assert "profile" not in source and "detect" not in source
    assert probe.PROBE_TIMEOUT_S > 0
