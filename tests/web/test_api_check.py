"""The JSON API's engine endpoints (/check, /compare) and the rules every endpoint follows:
one error shape, ETag/304, body size limit, rate limits, JSON 404/405."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from runlocal.cli import main as cli_main
from runlocal_web.api.schemas import SubmissionIn

from . import factory

CHECK = "/api/v1/check"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # rate-limit counters and cached answers from other tests


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """The one error shape, with this status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"ok", "status", "error", "errors"}
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and body["error"] and "\n" not in body["error"]
    assert isinstance(body["errors"], list)
    for err in body["errors"]:
        assert set(err) >= {"field", "message"}
    return body


def fields(body: dict[str, Any]) -> set[str | None]:
    return {e["field"] for e in body["errors"]}


def post_json(client: Any, url: str, data: Any, **extra: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


def assert_same_json(a: Any, b: Any, path: str = "$") -> None:
    """Equal key by key (and item by item), naming the first difference."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            assert_same_json(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_json(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def cli_json(monkeypatch: pytest.MonkeyPatch, root: Path, tmp_path: Path, *argv: str) -> Any:
    monkeypatch.setenv("RUNLOCAL_CATALOG_DIR", str(root))
    monkeypatch.setenv("RUNLOCAL_CACHE_DIR", str(tmp_path / "core-cache"))
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["check", *argv, "--json"]) == 0
    return json.loads(out.getvalue())


# --- /check -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "query"),
    [
        (["testllama-8b", "--hardware", "testgpu-24gb"], {"hardware": ["testgpu-24gb"]}),
        (
            ["TL 70B", "--hardware", "TG 24", "--hardware", "TG 24", "--context", "16384"],
            {"hardware": ["TG 24", "TG 24"], "context": 16384},
        ),
        (
            ["testllama-70b", "--hardware", "testgpu-24gb", "--ram-gb", "64", "--quant", "Q3_K_M"],
            {"hardware": ["testgpu-24gb"], "ram_gb": 64, "quant": "Q3_K_M"},
        ),
        (
            ["testllama-8b", "--hardware", "M9 Max", "--kv-type", "q8_0", "--batch", "4"],
            {"hardware": ["M9 Max"], "kv_type": "q8_0", "batch": 4},
        ),
        (
            ["testllama-8b", "--vram-gb", "16", "--bandwidth-gb-s", "448", "--tflops", "50"],
            {"vram_gb": 16, "bandwidth_gb_s": 448, "tflops": 50},
        ),
        (
            ["testllama-8b", "--hardware", "testgpu-24gb", "--no-measured"],
            {"hardware": ["testgpu-24gb"], "no_measured": True},
        ),
        (
            ["testllama-70b", "--hardware", "M9 Max 64GB", "--gpu-memory-gb", "56"],
            {"hardware": ["M9 Max 64GB"], "gpu_memory_gb": 56},
        ),
        (
            [
                *("testllama-8b", "--hardware", "testgpu-24gb", "--runtime", "vllm"),
                *("--gpu-memory-utilization", "0.6"),
            ],
            {"hardware": ["testgpu-24gb"], "runtime": "vllm", "gpu_memory_utilization": 0.6},
        ),
    ],
)
def test_it_answers_exactly_as_the_cli(
    client: Any,
    tiny: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    query: dict[str, Any],
) -> None:
    factory.benchmark(
        tiny,
        "tiny-bench",
        hardware="testgpu-24gb",
        results=[
            {
                "model": "testllama-8b",
                "quant": "Q4_K_M",
                "backend": "cuda",
                "n_devices": 1,
                "metric": "tg_tok_s",
                "gen_tokens": 128,
                "value": 127.5,
            }
        ],
    )
    factory.sync()
    model = argv[0]
    expected = cli_json(monkeypatch, tiny, tmp_path, *argv)

    got = client.get(CHECK, {"model": model, **query})
    assert got.status_code == 200, got.content
    assert_same_json(expected, got.json())

    posted = post_json(client, CHECK, {"model": model, **query})
    assert posted.status_code == 200, posted.content
    assert_same_json(expected, posted.json())


def test_it_uses_the_measurement_like_the_cli(
    client: Any, tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory.benchmark(
        tiny,
        "tiny-bench",
        hardware="testgpu-24gb",
        results=[
            {
                "model": "testllama-8b",
                "quant": "Q4_K_M",
                "backend": "cuda",
                "n_devices": 1,
                "metric": "tg_tok_s",
                "gen_tokens": 128,
                "value": 127.5,
            }
        ],
    )
    factory.sync()
    body = client.get(
        CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb", "context": 512}
    ).json()
    assert body["evidence"] == "measured"
    assert body == cli_json(
        monkeypatch,
        tiny,
        tmp_path,
        "testllama-8b",
        "--hardware",
        "testgpu-24gb",
        "--context",
        "512",
    )


def test_it_needs_no_csrf_token(tiny: Path) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    r = post_json(strict, CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb"})
    assert r.status_code == 200
    r = post_json(strict, "/api/v1/benchmarks", {})
    assert r.status_code == 422


def test_it_accepts_a_single_hardware_string_in_json(client: Any, tiny: Path) -> None:
    one = post_json(client, CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb"})
    many = post_json(client, CHECK, {"model": "testllama-8b", "hardware": ["testgpu-24gb"]})
    assert one.status_code == many.status_code == 200
    assert one.json() == many.json()


def test_it_never_reads_local_files(client: Any, tiny: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(factory.LLAMA_8B_ARCH))
    for model in (str(config), str(tmp_path), "./model.gguf"):
        r = client.get(CHECK, {"model": model, "hardware": "testgpu-24gb"})
        body = assert_error(r, 400)
        assert fields(body) == {"model"}


def test_it_rejects_malformed_json(client: Any, tiny: Path) -> None:
    r = client.post(CHECK, data="{model: ", content_type="application/json")
    body = assert_error(r, 400)
    assert "JSON" in body["error"]


def test_it_rejects_a_body_that_is_not_an_object(client: Any, tiny: Path) -> None:
    assert_error(post_json(client, CHECK, ["testllama-8b"]), 422)
    assert_error(post_json(client, CHECK, "testllama-8b"), 422)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"model": "testllama-8b", "hardware": "testgpu-24gb", "context": "lots"}, "context"),
        ({"model": "testllama-8b", "hardware": "testgpu-24gb", "context": 4096.5}, "context"),
        ({"model": "testllama-8b", "hardware": "testgpu-24gb", "batch": True}, "batch"),
        (
            {"model": "testllama-8b", "hardware": "testgpu-24gb", "no_measured": "yes"},
            "no_measured",
        ),
        ({"model": "testllama-8b", "hardware": "testgpu-24gb", "ram_gb": "64"}, "ram_gb"),
        ({"model": 8, "hardware": "testgpu-24gb"}, "model"),
        ({"model": "testllama-8b", "hardware": ["testgpu-24gb", 3]}, "hardware.1"),
        ({"model": "testllama-8b", "hardware": "testgpu-24gb", "context": 0}, "context"),
        ({"model": "testllama-8b", "hardware": "testgpu-24gb", "context": 10**9}, "context"),
        ({"model": "testllama-8b", "hardware": "M9 Max", "gpu_memory_gb": 0}, "gpu_memory_gb"),
        (
            {"model": "testllama-8b", "hardware": "testgpu-24gb", "gpu_memory_utilization": 1.5},
            "gpu_memory_utilization",
        ),
    ],
)
def test_it_rejects_wrong_types_naming_the_field(
    client: Any, tiny: Path, data: dict[str, Any], field: str
) -> None:
    body = assert_error(post_json(client, CHECK, data), 422)
    assert field in fields(body)
    assert body["error"].startswith(field)


def test_it_rejects_unknown_keys(client: Any, tiny: Path) -> None:
    data = {"model": "testllama-8b", "hardware": "testgpu-24gb", "gpu": "x", "ctx": 1}
    body = assert_error(post_json(client, CHECK, data), 422)
    assert fields(body) == {"gpu", "ctx"}
    assert all(e["message"] == "unknown key" for e in body["errors"])

    r = client.get(CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb", "ctx": "1"})
    body = assert_error(r, 422)
    assert fields(body) == {"ctx"}


def test_it_requires_a_model(client: Any, tiny: Path) -> None:
    body = assert_error(post_json(client, CHECK, {"hardware": "testgpu-24gb"}), 422)
    assert body["errors"] == [{"field": "model", "message": "missing"}]
    body = assert_error(client.get(CHECK, {"hardware": "testgpu-24gb"}), 422)
    assert fields(body) == {"model"}


def test_it_names_unknown_models_with_suggestions(client: Any, tiny: Path) -> None:
    r = client.get(CHECK, {"model": "testllama 9", "hardware": "testgpu-24gb"})
    body = assert_error(r, 400)
    (err,) = body["errors"]
    assert err["field"] == "model" and "TestLlama 8B" in err["suggestions"]

    r = client.get(CHECK, {"model": "testllama-8b", "hardware": "RTX 9999"})
    assert fields(assert_error(r, 400)) == {"hardware"}


def test_it_passes_engine_refusals_through(client: Any, tiny: Path) -> None:
    # No hardware at all is an incomplete query, as no model is (422, the page's words).
    body = assert_error(client.get(CHECK, {"model": "testllama-8b"}), 422)
    assert body["error"].startswith("hardware: Name at least one GPU, Mac or CPU")
    r = client.get(CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb", "quant": "Q9_X"})
    assert fields(assert_error(r, 400)) == {"quant"}
    r = client.get(CHECK, {"model": "testllama-8b", "vram_gb": "16"})
    assert_error(r, 400)


def test_an_unknown_quant_names_the_closest_few_as_the_cli_does(client: Any, tiny: Path) -> None:
    """quant=Q5_K_MM: the closest names and where every name is, in the CLI's words; the ~150
    known names are not dumped into the error."""
    from runlocal.weights import QUANT_NAMES_AT, unknown_quant_message

    r = client.get(CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb", "quant": "Q5_K_MM"})
    body = assert_error(r, 400)
    assert body["error"] == unknown_quant_message("Q5_K_MM")
    assert body["error"].startswith("unknown quantization 'Q5_K_MM'; closest: Q5_K_M")
    assert body["error"].endswith(QUANT_NAMES_AT) and "IQ1_S" not in body["error"]
    assert [e["field"] for e in body["errors"]] == ["quant"]


# --- rules every endpoint follows ---------------------------------------------------------


def test_it_sends_an_etag_and_answers_304(client: Any, tiny: Path) -> None:
    params = {"model": "testllama-8b", "hardware": "testgpu-24gb"}
    first = client.get(CHECK, params)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    assert "max-age" in first["Cache-Control"]

    again = client.get(CHECK, params, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag

    weak = client.get(CHECK, params, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    assert weak.status_code == 304
    stale = client.get(CHECK, params, HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200 and stale["ETag"] == etag

    other = client.get(CHECK, {**params, "context": "4096"})
    assert other["ETag"] != etag


def test_it_does_not_cache_errors_or_posts(client: Any, tiny: Path) -> None:
    r = client.get(CHECK, {"model": "nope", "hardware": "testgpu-24gb"})
    assert r["Cache-Control"] == "no-store" and not r.has_header("ETag")
    r = post_json(client, CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb"})
    assert r["Cache-Control"] == "no-store"


def test_it_answers_head_without_a_body(client: Any, tiny: Path) -> None:
    r = client.head(CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb"})
    assert r.status_code == 200 and r.content == b"" and r.has_header("ETag")


def test_it_refuses_large_bodies(client: Any, tiny: Path) -> None:
    data = {"model": "testllama-8b", "hardware": "testgpu-24gb", "pad": "x" * 70_000}
    body = assert_error(post_json(client, CHECK, data), 413)
    assert "65,536" in body["error"]


def test_it_limits_the_body_size_by_setting(client: Any, tiny: Path, settings: Any) -> None:
    settings.API_MAX_BODY_BYTES = 100
    data = {"model": "testllama-8b", "hardware": "testgpu-24gb", "notes": "x" * 100}
    assert_error(post_json(client, CHECK, data), 413)


def test_it_rate_limits_checks(client: Any, tiny: Path, settings: Any) -> None:
    # A day's window: a window boundary inside a slow test would reset the count.
    settings.API_RATE_LIMITS = {"check": (3, 86400)}
    data = {"model": "testllama-8b", "hardware": "testgpu-24gb"}
    for _ in range(2):
        assert post_json(client, CHECK, data).status_code == 200
    assert client.get(CHECK, data).status_code == 200
    r = post_json(client, CHECK, data)
    body = assert_error(r, 429)
    assert 1 <= int(r["Retry-After"]) <= 86400
    assert "try again" in body["error"]
    # Another client is counted apart.
    assert post_json(client, CHECK, data, REMOTE_ADDR="10.9.8.7").status_code == 200


def test_it_counts_clients_behind_trusted_proxies(client: Any, tiny: Path, settings: Any) -> None:
    settings.API_RATE_LIMITS = {"check": (1, 86400)}
    settings.API_TRUSTED_PROXIES = 1
    data = {"model": "testllama-8b", "hardware": "testgpu-24gb"}
    for ip in ("203.0.113.1", "203.0.113.2"):
        r = post_json(client, CHECK, data, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ip}")
        assert r.status_code == 200
    r = post_json(client, CHECK, data, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.1")
    assert_error(r, 429)


def test_it_answers_wrong_methods_with_405(client: Any, tiny: Path) -> None:
    r = client.delete(CHECK)
    body = assert_error(r, 405)
    assert "GET" in r["Allow"] and "POST" in r["Allow"]
    assert "DELETE" in body["error"]
    assert_error(client.put("/api/v1/models"), 405)
    assert_error(post_json(client, "/api/v1/models", {}), 405)


def test_it_answers_unknown_urls_with_404(client: Any, tiny: Path) -> None:
    body = assert_error(client.get("/api/v1/nothing-here"), 404)
    assert "/api/v1/docs" in body["error"]
    body = assert_error(client.get("/api/v1/models/"), 404)
    assert "/api/v1/models" in body["error"]
    assert_error(client.post("/api/v1/nothing-here"), 404)


def test_it_answers_internal_errors_in_the_shape(
    client: Any, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("engine bug\nwith a traceback")

    monkeypatch.setattr("runlocal_web.lib.engine.check", boom)
    r = client.get(CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb"})
    body = assert_error(r, 500)
    assert "engine bug" not in body["error"]


def test_it_serves_openapi_and_docs(client: Any, tiny: Path) -> None:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    paths = spec["paths"]
    for p in (
        "/api/v1/check",
        "/api/v1/compare",
        "/api/v1/models",
        "/api/v1/models/{model_id}",
        "/api/v1/hardware",
        "/api/v1/hardware/{hardware_id}",
        "/api/v1/glossary",
        "/api/v1/glossary/{term_id}",
        "/api/v1/errors",
        "/api/v1/errors/{error_id}",
        "/api/v1/benchmarks",
        "/api/v1/benchmarks/regressions",
    ):
        assert p in paths, p
    assert set(paths["/api/v1/check"]) == {"get", "post"}
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content
    index = client.get("/api/v1/")
    assert index.status_code == 200 and "check" in index.json()["endpoints"]


# --- /compare -----------------------------------------------------------------------------


def test_it_compares_hardware_side_by_side(client: Any, tiny: Path) -> None:
    r = client.get("/api/v1/compare", {"hw": ["testgpu-24gb", "M9 Max"], "model": "testllama-8b"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [h["id"] for h in body["hardware"]] == ["testgpu-24gb", "testmac-m9-max"]
    assert body["hardware"][0]["memory_gib"] == 24.0
    assert body["hardware"][1]["bandwidth_gb_s"] == 546.0
    assert body["quant"] == "Q4_K_M" and body["model"]["id"] == "testllama-8b"
    for check in body["checks"]:
        assert check["error"] is None
        # The same defaults as /check: one question, one answer.
        expected = client.get(
            CHECK, {"model": "testllama-8b", "hardware": check["hardware"]}
        ).json()
        assert check["result"] == expected


def test_it_compares_specs_without_a_model(client: Any, tiny: Path) -> None:
    body = client.get("/api/v1/compare", {"hw": "testgpu-24gb"}).json()
    assert body["checks"] == [] and body["model"] is None
    assert "bandwidth_gb_s" in body["fields"]


def test_it_refuses_bad_comparisons(client: Any, tiny: Path) -> None:
    assert fields(assert_error(client.get("/api/v1/compare"), 422)) == {"hw"}
    r = client.get("/api/v1/compare", {"hw": ["testgpu-24gb"] * 7})
    assert_error(r, 422)
    r = client.get("/api/v1/compare", {"hw": ["testgpu-24gb", "RTX 9999"]})
    assert fields(assert_error(r, 400)) == {"hw"}
    r = client.get("/api/v1/compare", {"hw": "testgpu-24gb", "model": "nope"})
    assert fields(assert_error(r, 400)) == {"model"}


def test_it_documents_every_endpoint_and_parameter(client: Any, tiny: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        documented = path.replace("{model_id}", "{id}").replace("{hardware_id}", "{id}")
        documented = documented.replace("{term_id}", "{id}").replace("{error_id}", "{id}")
        for method, operation in operations.items():
            assert f"{method.upper()} {documented}" in docs or (
                f"`GET {documented}` and `POST {documented}`" in docs
            ), f"{method.upper()} {path} is not in docs/api.md"
            for param in operation.get("parameters", []):
                if param["in"] == "query":
                    assert f"`{param['name']}`" in docs, f"{path}: {param['name']}"
    for key in SubmissionIn.model_fields:
        assert f"`{key}`" in docs, key
    for status in (400, 404, 405, 409, 413, 422, 429, 500):
        assert f"| {status} |" in docs


@pytest.mark.parametrize(("typed", "tokens"), [("32k", 32768), ("128k", 131072), ("8,192", 8192)])
def test_a_context_reads_as_people_write_it(client, tiny: Path, typed: str, tokens: int) -> None:
    """The engine's one parser: the API takes what the CLI and the forms take."""
    query = {"model": "testllama-8b", "hardware": "testgpu-24gb", "context": typed}
    got = client.get(CHECK, query)
    assert got.status_code == 200 and got.json()["context"] == tokens
    posted = client.post(CHECK, json.dumps(query), content_type="application/json")
    assert posted.status_code == 200 and posted.json()["context"] == tokens


def test_compare_reads_names_as_check_does(client: Any, tiny: Path) -> None:
    """The memory typed after a Mac and the quant a model name states reach the engine."""
    doc = client.get(
        "/api/v1/compare", {"hw": ["M9 Max 128GB", "2x TG 24"], "model": "testllama 8b Q8_0"}
    ).json()
    mac, pair = (c["result"] for c in doc["checks"])
    assert mac["hardware"][0]["memory_bytes"] == 128 * 2**30
    assert len(pair["hardware"]) == 2
    assert mac["quant"] == pair["quant"] == "Q8_0"


def test_compare_refuses_a_count_out_of_range_in_one_line(client: Any, tiny: Path) -> None:
    r = client.get("/api/v1/compare", {"hw": ["100x TG 24"]})
    assert r.status_code == 400
    assert "device count 100" in r.json()["errors"][0]["message"]


def test_settings_the_machine_does_not_allow_are_one_clear_line(client: Any, tiny: Path) -> None:
    """More GPU memory than the machine has, or a vLLM share on llama.cpp: 400, never a 500."""
    r = client.get(CHECK, {"model": "testllama-8b", "hardware": "M9 Max", "gpu_memory_gb": 500})
    assert "out of range" in assert_error(r, 400)["error"]
    r = client.get(
        CHECK, {"model": "testllama-8b", "hardware": "testgpu-24gb", "gpu_memory_utilization": 0.5}
    )
    assert "vLLM" in assert_error(r, 400)["error"]
