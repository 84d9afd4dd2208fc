"""llama-bench captured by the standard protocol (docs/capture-protocol.md) into a benchmark
record, and the record posted to a runlocal site's `POST /api/v1/benchmarks`
(`runlocal bench --gguf FILE [--submit URL]`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .detect.found import Machine
from .detect.probe import communicate_bounded
from .errors import InputError, RunlocalError
from .progress import Progress
from .units import GIB, MIB

PROTOCOL = "runlocal-capture-1"
PROMPT_TOKENS = 512
GEN_TOKENS = 128
REPETITIONS = 3
MAX_SPREAD = 0.20  # (max - min) / median of the measured runs
LLAMA_BENCH_TIMEOUT_S = 1800.0
SUBMIT_TIMEOUT_S = 10.0
SUBMIT_PATH = "/api/v1/benchmarks"


# --- llama-bench: the capture protocol -----------------------------------------------------


def sha256_file(path: Path, progress: Progress | None = None) -> str:
    h = hashlib.sha256()
    size = path.stat().st_size
    done = 0
    last = time.perf_counter()
    with path.open("rb") as f:
        while chunk := f.read(8 * MIB):
            h.update(chunk)
            done += len(chunk)
            if progress is not None and time.perf_counter() - last > 0.5:
                progress.step(f"SHA-256 of {path.name}: {done * 100 // max(size, 1)}%")
                last = time.perf_counter()
    return h.hexdigest()


def llama_bench_command(gguf: Path) -> list[str]:
    return [
        "llama-bench",
        "-m",
        str(gguf),
        "-p",
        str(PROMPT_TOKENS),
        "-n",
        str(GEN_TOKENS),
        "-r",
        str(REPETITIONS),
        "-o",
        "json",
    ]


def run_llama_bench(cmd: list[str], timeout: float) -> str:
    """llama-bench's stdout; RunlocalError (one line) when it fails or hangs."""
    exe = shutil.which(cmd[0])
    if exe is None:
        raise InputError("llama-bench is not on the PATH (install llama.cpp, or leave out --gguf)")
    try:
        status, out, err = communicate_bounded([exe, *cmd[1:]], timeout)
    except OSError as exc:
        raise RunlocalError(f"llama-bench could not start: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise RunlocalError(f"llama-bench did not finish within {timeout:g} s") from None
    if status != 0:
        lines = [x for x in err.decode("utf-8", errors="replace").splitlines() if x.strip()]
        last = lines[-1].strip()[:200] if lines else "no message"
        raise RunlocalError(f"llama-bench exited with status {status}: {last}")
    return out.decode("utf-8", errors="replace")


def parse_llama_bench(text: str) -> list[dict[str, Any]]:
    """The test objects of `llama-bench -o json` (an array), or of `-o jsonl`."""
    start = text.find("[")
    data: Any = None
    if start >= 0:
        try:
            data = json.loads(text[start:])
        except ValueError:
            data = None
    if data is None:
        rows = []
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    continue
        data = rows
    if not isinstance(data, list) or not data or not all(isinstance(x, dict) for x in data):
        raise RunlocalError(
            "llama-bench printed no JSON results (is it a llama.cpp build from 2024 or later?)"
        )
    return data


def _samples(row: dict[str, Any]) -> list[float]:
    samples = row.get("samples_ts")
    if isinstance(samples, list):
        values = [float(x) for x in samples if isinstance(x, int | float) and x > 0]
        if values:
            return values
    avg = row.get("avg_ts")
    return [float(avg)] if isinstance(avg, int | float) and avg > 0 else []


def spread(samples: list[float]) -> float:
    """(max - min) / median of the measured runs; 0 for fewer than two."""
    if len(samples) < 2:
        return 0.0
    return (max(samples) - min(samples)) / statistics.median(samples)


@dataclass
class Capture:
    pp: dict[str, Any]
    tg: dict[str, Any]
    pp_samples: list[float]
    tg_samples: list[float]

    @property
    def worst_spread(self) -> float:
        return max(spread(self.pp_samples), spread(self.tg_samples))


def pick_tests(rows: list[dict[str, Any]]) -> Capture:
    pp = next((r for r in rows if int(r.get("n_prompt") or 0) > 0 and not r.get("n_gen")), None)
    tg = next((r for r in rows if int(r.get("n_gen") or 0) > 0 and not r.get("n_prompt")), None)
    if pp is None or tg is None:
        raise RunlocalError("llama-bench's results lack the prompt (pp) or generation (tg) test")
    pp_s, tg_s = _samples(pp), _samples(tg)
    if not pp_s or not tg_s:
        raise RunlocalError("llama-bench's results have no tokens-per-second values")
    return Capture(pp, tg, pp_s, tg_s)


_BACKENDS = (
    ("cuda", "cuda"),
    ("hip", "rocm"),
    ("rocm", "rocm"),
    ("metal", "metal"),
    ("vulkan", "vulkan"),
    ("sycl", "sycl"),
)


def _backend(text: str, n_gpu_layers: Any) -> str:
    low = text.lower()
    for key, name in _BACKENDS:
        if key in low:
            return name if n_gpu_layers != 0 else "cpu"
    return "cpu"


_QUANT_TYPES = {
    "Q4_K - Medium": "Q4_K_M",
    "Q4_K - Small": "Q4_K_S",
    "Q5_K - Medium": "Q5_K_M",
    "Q5_K - Small": "Q5_K_S",
    "Q3_K - Medium": "Q3_K_M",
    "Q3_K - Small": "Q3_K_S",
    "Q3_K - Large": "Q3_K_L",
    "Q2_K - Medium": "Q2_K",
}


def _quant_from_type(model_type: str) -> str | None:
    for label, quant in _QUANT_TYPES.items():
        if label in model_type:
            return quant
    m = re.search(r"\b(Q\d_\w+|IQ\d_\w+|F16|BF16|F32|MXFP4)\b", model_type)
    return m.group(1) if m else None


def build_record(
    capture: Capture,
    *,
    gguf: Path,
    sha256: str,
    machine: Machine,
    catalog: Catalog | None,
    command: list[str],
    reruns: int,
) -> dict[str, Any]:
    """A benchmark record: the catalog's result rows plus hardware, driver, build, file hash
    and time to first token."""
    pp = capture.pp
    pp_tok_s = statistics.mean(capture.pp_samples)
    tg_tok_s = statistics.mean(capture.tg_samples)
    build_number, commit = pp.get("build_number"), pp.get("build_commit")
    build = f"b{build_number}" if build_number else ""
    if commit:
        build = f"{build} ({commit})".strip()
    backend = _backend(str(pp.get("backends") or ""), pp.get("n_gpu_layers"))
    # The model: the GGUF header's name and quantization, matched to the catalog.
    model_name, quant = gguf.stem, _quant_from_type(str(pp.get("model_type") or ""))
    try:
        from .gguf import read_gguf

        spec = read_gguf(gguf)
        model_name = spec.name
        if spec.weights is not None and spec.weights.quant != "unknown":
            quant = spec.weights.quant
    except RunlocalError:
        pass
    model_id = _model_id(catalog, model_name, gguf, quant)
    # The hardware: the devices llama-bench ran on, as detected.
    hardware_id: str | None = None
    hardware_name = str(pp.get("gpu_info") or pp.get("cpu_info") or "")
    n_devices = 1
    driver: str | None = None
    device: dict[str, Any] | None = None
    gpus = [g for g in machine.gpus if not g.integrated]
    if backend == "cpu":
        cpu = machine.cpu
        hardware_id = cpu.catalog_id if cpu.catalog_kind == "cpu" else None
        hardware_name = cpu.model
    elif backend == "metal" and machine.apple is not None:
        hardware_id, hardware_name = machine.apple.catalog_id, machine.apple.chip
    elif gpus:
        ids = {g.catalog_id for g in gpus}
        n_devices = len(gpus)
        hardware_name = gpus[0].name
        driver = gpus[0].driver
        hardware_id = ids.pop() if len(ids) == 1 else None
        g = gpus[0]
        if hardware_id is None and g.memory_total_bytes and g.bandwidth_gb_s:
            device = {
                "name": g.name[:100],
                "memory_gib": round(g.memory_total_bytes / GIB, 2),
                "bandwidth_gb_s": g.bandwidth_gb_s,
            }
    prompt_ms = PROMPT_TOKENS / pp_tok_s * 1000
    ttft_ms = round(prompt_ms + 1000 / tg_tok_s, 1)
    cmd_text = " ".join(command)
    rows = [
        {
            "model": model_id,
            "quant": quant,
            "runtime": "llama.cpp",
            "backend": backend,
            "n_devices": n_devices,
            "metric": metric,
            "prompt_tokens": prompt,
            "gen_tokens": gen,
            "context_tokens": 0,
            "value": round(value, 2),
            "build": build,
            "command": cmd_text,
        }
        for metric, prompt, gen, value in (
            ("pp_tok_s", PROMPT_TOKENS, 0, pp_tok_s),
            ("tg_tok_s", 0, GEN_TOKENS, tg_tok_s),
        )
    ]
    return {
        "protocol": PROTOCOL,
        "captured_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "hardware": hardware_id,
        "hardware_name": hardware_name,
        "device": device,
        "n_devices": n_devices,
        "driver": driver,
        "build": build,
        "runtime": "llama.cpp",
        "backend": backend,
        "model": model_id,
        "model_name": model_name,
        "file_name": gguf.name,
        "file_bytes": gguf.stat().st_size,
        "file_sha256": sha256,
        "quant": quant,
        "prompt_tokens": PROMPT_TOKENS,
        "gen_tokens": GEN_TOKENS,
        "context_tokens": 0,
        "pp_tok_s": round(pp_tok_s, 2),
        "tg_tok_s": round(tg_tok_s, 2),
        "ttft_ms": ttft_ms,
        "samples": {
            "pp_tok_s": [round(x, 2) for x in capture.pp_samples],
            "tg_tok_s": [round(x, 2) for x in capture.tg_samples],
        },
        "spread": {
            "pp_tok_s": round(spread(capture.pp_samples), 3),
            "tg_tok_s": round(spread(capture.tg_samples), 3),
        },
        "stable": capture.worst_spread < MAX_SPREAD,
        "reruns": reruns,
        "threads": pp.get("n_threads"),
        "n_gpu_layers": pp.get("n_gpu_layers"),
        "flash_attn": pp.get("flash_attn"),
        "command": cmd_text,
        "results": rows,
    }


def _model_id(catalog: Catalog | None, name: str, gguf: Path, quant: str | None) -> str | None:
    if catalog is None:
        return None
    stem = gguf.stem
    if quant:
        stem = re.sub(rf"[-_.]?{re.escape(quant)}$", "", stem, flags=re.IGNORECASE)
    stem = re.sub(r"-\d{5}-of-\d{5}$", "", stem)
    for candidate in (name, stem, stem.replace("-", " ")):
        try:
            return catalog.find_model(candidate).id
        except RunlocalError:
            continue
    return None


def capture(
    gguf: Path, machine: Machine, catalog: Catalog | None, progress: Progress, notes: list[str]
) -> dict[str, Any]:
    """The standard capture protocol: warm-up (llama-bench's own, discarded), three measured
    runs of pp512 and tg128, rerun once when their spread reaches 20%."""
    progress.step(f"SHA-256 of {gguf.name}")
    digest = sha256_file(gguf, progress)
    cmd = llama_bench_command(gguf)
    reruns = 0
    progress.step(f"llama-bench on {gguf.name} (warm-up + {REPETITIONS} runs)")
    result = pick_tests(parse_llama_bench(run_llama_bench(cmd, LLAMA_BENCH_TIMEOUT_S)))
    if result.worst_spread >= MAX_SPREAD:
        notes.append(
            f"llama-bench runs spread {result.worst_spread:.0%} (limit {MAX_SPREAD:.0%}): ran again"
        )
        reruns = 1
        progress.step(f"llama-bench again (spread {result.worst_spread:.0%})")
        result = pick_tests(parse_llama_bench(run_llama_bench(cmd, LLAMA_BENCH_TIMEOUT_S)))
        if result.worst_spread >= MAX_SPREAD:
            notes.append(
                f"the runs still spread {result.worst_spread:.0%}: the record is marked unstable "
                "and is not submitted (close other programs and run again)"
            )
    return build_record(
        result,
        gguf=gguf,
        sha256=digest,
        machine=machine,
        catalog=catalog,
        command=cmd,
        reruns=reruns,
    )


# --- submission ---------------------------------------------------------------------------


def submission_payload(record: dict[str, Any]) -> dict[str, Any]:
    """The record as `POST /api/v1/benchmarks` takes it (docs/api.md; unknown keys are
    refused there, so the driver and the samples go into notes)."""
    if not record.get("stable"):
        raise InputError("not submitted: the runs spread more than 20% twice")
    if not record.get("model"):
        raise InputError(
            f"not submitted: {record.get('model_name')!r} is not a catalog model the site knows"
        )
    if not record.get("quant"):
        raise InputError("not submitted: the file's quantization is unknown")
    payload: dict[str, Any] = {
        "n_devices": record["n_devices"],
        "model": record["model"],
        "quant": record["quant"],
        "runtime": "llama.cpp",
        "backend": record["backend"],
        "build": record["build"][:100],
        "prompt_tokens": record["prompt_tokens"],
        "gen_tokens": record["gen_tokens"],
        "context_tokens": record["context_tokens"],
        "pp_tok_s": record["pp_tok_s"],
        "tg_tok_s": record["tg_tok_s"],
        "ttft_ms": record["ttft_ms"],
        "file_sha256": record["file_sha256"],
        "command": record["command"][:2000],
    }
    if record.get("hardware"):
        payload["hardware"] = record["hardware"]
    elif record.get("device"):
        payload["device"] = record["device"]
    else:
        raise InputError(
            f"not submitted: {record.get('hardware_name')!r} is not in the catalog and its "
            "memory and bandwidth are unknown"
        )
    notes = [
        f"{PROTOCOL} (runlocal bench)",
        f"driver {record['driver']}" if record.get("driver") else "",
        f"pp samples {record['samples']['pp_tok_s']}, tg samples {record['samples']['tg_tok_s']}",
        f"threads {record.get('threads')}, ngl {record.get('n_gpu_layers')}",
    ]
    payload["notes"] = "; ".join(n for n in notes if n)[:4000]
    return payload


def submit_url(url: str) -> str:
    """The benchmarks endpoint of a site: `https://host` → `https://host/api/v1/benchmarks`."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--submit {url!r}: expected an http(s) URL")
    path = parts.path.rstrip("/")
    if not path.endswith(SUBMIT_PATH):
        path += SUBMIT_PATH
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def submit(record: dict[str, Any], url: str, timeout: float = SUBMIT_TIMEOUT_S) -> dict[str, Any]:
    """POST the record; the site's answer, or RunlocalError with one line saying why not."""
    from . import __version__

    endpoint = submit_url(url)
    body = json.dumps(submission_payload(record)).encode("utf-8")
    request = urllib.request.Request(
        endpoint,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"runlocal/{__version__}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read(1_000_000).decode("utf-8", errors="replace")
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        detail = ""
        try:
            data = json.loads(exc.read(100_000).decode("utf-8", errors="replace"))
            if isinstance(data, dict) and data.get("error"):
                detail = f": {data['error']}"
        except (ValueError, OSError):
            pass
        raise RunlocalError(f"submission refused by {endpoint} ({exc.code}){detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RunlocalError(f"could not reach {endpoint}: {reason}") from None
    try:
        answer = json.loads(text)
    except ValueError:
        answer = {"raw": text[:500]}
    return {"url": endpoint, "status": status, "response": answer}
