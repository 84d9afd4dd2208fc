"""One question, one refusal: bad input gets the same sentence on Will it run?, /api/v1/check
and `runlocal check`, with each surface's status (docs/api.md, "Errors"): the page 400 with the
sentence under the box, the API 422 for input wrong on its own (missing, not a number, out of
bounds, too long) or 400 for what the engine refuses (an unknown name), the CLI exit 2."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from django.test import Client

from runlocal.bounds import (
    BANDWIDTH_TOO,
    HARDWARE_REQUIRED,
    MAX_NAME,
    MEMORY_TOO,
    MODEL_REQUIRED,
    TFLOPS_ALONE,
)
from runlocal.cli import main as cli_main

pytestmark = pytest.mark.django_db

BASE = {"model": "Llama 3.1 8B", "hardware": "RTX 4090"}
HUGE = "1" + "0" * 400


def _cli(query: dict[str, Any]) -> tuple[int, str]:
    argv = ["check", query.get("model", "")]
    for key, value in query.items():
        if key != "model":
            argv += ["--" + key.replace("_", "-"), str(value)]
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = cli_main(argv)
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("change", "field", "said", "api_status"),
    [
        ({"model": ""}, "model", MODEL_REQUIRED, 422),
        ({"model": "  "}, "model", MODEL_REQUIRED, 422),
        ({"hardware": ""}, "hardware", HARDWARE_REQUIRED, 422),
        ({"context": "-5"}, "context", "-5 is out of range (1–10,000,000)", 422),
        ({"context": HUGE}, "context", "a 401-digit number is out of range (1–10,000,000)", 422),
        (
            {"context": "1e309"},
            "context",
            "'1e309' is not a number of tokens (write 8192, 32k or 128k)",
            422,
        ),
        # "-32k" read as a flag by argparse: "argument --context: expected one argument".
        ({"context": "-32k"}, "context", "-32768 is out of range (1–10,000,000)", 422),
        ({"ram_gb": "-1"}, "ram_gb", "-1 is out of range (above 0, up to 65536)", 422),
        ({"ram_gb": "0"}, "ram_gb", "0 is out of range (above 0, up to 65536)", 422),
        ({"ram_gb": "nan"}, "ram_gb", "nan is out of range (above 0, up to 65536)", 422),
        ({"ram_gb": "1e309"}, "ram_gb", "inf is out of range (above 0, up to 65536)", 422),
        ({"ram_gb": "lots"}, "ram_gb", "'lots' is not a number", 422),
        ({"batch": "0"}, "batch", "0 is out of range (1–4096)", 422),
        ({"batch": "1.5"}, "batch", "'1.5' is not a whole number", 422),
        # The page's count box took "4096.0" (Django's IntegerField drops a ".0").
        ({"batch": "4096.0"}, "batch", "'4096.0' is not a whole number", 422),
        ({"batch": HUGE}, "batch", "a 401-digit number is out of range (1–4096)", 422),
        (
            {"gpu_memory_utilization": "2", "runtime": "vllm"},
            "gpu_memory_utilization",
            "2 is out of range (0.05–1)",
            422,
        ),
        ({"model": "x" * 301}, "model", "model name is too long (300 characters at most)", 422),
        ({"model": "no-such-model-zz"}, "model", "unknown model 'no-such-model-zz'", 400),
        ({"hardware": "no-such-gpu-zz"}, "hardware", "unknown hardware 'no-such-gpu-zz'", 400),
        ({"kv_type": "q9"}, "kv_type", "unknown KV cache type 'q9'", 400),
        # The CLI echoed these whole, the page and the API refused them in Django's and
        # pydantic's words (and the page answered a 60-character runtime the API refused).
        (
            {"quant": "Q4_K_MXYZ" * 40},
            "quant",
            "quantization is too long (40 characters at most)",
            422,
        ),
        (
            {"runtime": "llama.cpp@b" + "9" * 40},
            "runtime",
            "runtime is too long (40 characters at most)",
            422,
        ),
        (
            {"kv_type": "q" * 21},
            "kv_type",
            "KV cache type is too long (20 characters at most)",
            422,
        ),
        # A runtime version that is none: the API named no field, and llama.cpp was shown
        # transformers' form (4.53) for its builds.
        (
            {"runtime": "llama.cpp@bXYZ"},
            "runtime",
            "runtime version 'bXYZ' is not a build number such as llama.cpp@b",
            400,
        ),
        ({"runtime": "vllm@x"}, "runtime", "runtime version 'x' is not a release number", 400),
        # A described device half given: the CLI said "--vram-gb and --bandwidth-gb-s go
        # together" where the page named the missing box.
        ({"vram_gb": "24"}, "bandwidth_gb_s", BANDWIDTH_TOO, 400),
        ({"bandwidth_gb_s": "400"}, "vram_gb", MEMORY_TOO, 400),
        ({"tflops": "10"}, "tflops", TFLOPS_ALONE, 400),
    ],
)
def test_bad_input_is_refused_in_the_same_words_on_the_page_the_api_and_the_cli(
    real_catalog, change: dict[str, str], field: str, said: str, api_status: int
) -> None:
    query = {**BASE, **change}
    client = Client()
    page = client.get("/will-it-run/", {**query, "format": "json"})
    api = client.get("/api/v1/check", query)
    code, stderr = _cli(query)
    assert page.status_code == 400, page.content[:300]
    (shown,) = page.json()["errors"][field]
    assert shown.startswith(said), shown
    assert api.status_code == api_status, api.content[:300]
    error = api.json()["error"]
    assert error == f"{field}: {said}" or error.startswith(said), error
    assert api.json()["errors"][0]["field"] == field, api.json()
    assert code == 2 and stderr.count("\n") == 1 and said in stderr, stderr
    assert "Traceback" not in stderr


def test_a_described_device_out_of_bounds_is_refused_alike(real_catalog) -> None:
    query = {"model": BASE["model"], "vram_gb": "-1", "bandwidth_gb_s": "100"}
    client = Client()
    page = client.get("/will-it-run/", {**query, "format": "json"})
    api = client.get("/api/v1/check", query)
    code, stderr = _cli(query)
    said = "-1 is out of range (0.001–4096)"
    assert page.status_code == 400 and page.json()["errors"]["vram_gb"] == [said]
    assert api.status_code == 422 and api.json()["error"] == f"vram_gb: {said}"
    assert code == 2 and stderr == f"runlocal: error: --vram-gb {said}\n"


def test_a_nul_in_a_name_is_refused_on_the_page_and_in_the_api(real_catalog) -> None:
    """It once answered in the API and the CLI (the name read as if the NUL were not there)
    where the page refused it."""
    query = {**BASE, "hardware": "RTX 4090\x00"}
    client = Client()
    page = client.get("/will-it-run/", {**query, "format": "json"})
    api = client.get("/api/v1/check", query)
    said = "hardware name contains a NUL character"
    assert page.status_code == 400 and page.json()["errors"]["hardware"] == [said]
    assert api.status_code == 422 and said in api.json()["error"]
    code, stderr = _cli(query)
    assert code == 2 and said in stderr


def test_blank_hardware_beside_a_named_one_is_dropped_by_the_cli_too(real_catalog) -> None:
    argv = ["check", BASE["model"], "--hardware", BASE["hardware"], "--hardware", " ", "--json"]
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = cli_main(argv)
    api = Client().get("/api/v1/check", [*BASE.items(), ("hardware", " ")])
    assert code == 0 and api.status_code == 200
    assert json.loads(out.getvalue()) == api.json()


def test_a_path_too_long_for_the_file_system_is_one_line_from_the_cli() -> None:
    for model in ("x" * 5000, "./" + "x" * 5000):
        code, stderr = _cli({"model": model, "hardware": "RTX 4090"})
        assert code == 2 and stderr.count("\n") == 1 and "Traceback" not in stderr, stderr[:300]


def test_the_page_takes_every_kv_cache_type_the_engine_knows(real_catalog) -> None:
    """The box lists five; the API and the CLI take q5_1 too, and the page once refused it."""
    client = Client()
    query = {**BASE, "kv_type": "Q5_1"}
    page = client.get("/will-it-run/", {**query, "format": "json"})
    api = client.get("/api/v1/check", query)
    assert page.status_code == api.status_code == 200, page.content[:300]
    assert page.json()["result"] == api.json()


def test_compare_takes_the_ram_the_api_takes(real_catalog) -> None:
    """The Compare page once refused 0.3 GiB of RAM (at least 0.5) that /api/v1/compare took."""
    client = Client()
    hw = [("hw", "RTX 4090"), ("hw", "RTX 3090")]
    page = client.get("/compare/", [*hw, ("ram_gb", "0.3"), ("format", "json")])
    api = client.get("/api/v1/compare", [*hw, ("ram_gb", "0.3")])
    assert page.status_code == api.status_code == 200, page.content[:300]
    page = client.get("/compare/", [*hw, ("ram_gb", "-1"), ("format", "json")])
    api = client.get("/api/v1/compare", [*hw, ("ram_gb", "-1")])
    assert page.status_code == 400 and api.status_code == 422
    assert page.json()["errors"]["ram_gb"] == ["-1 is out of range (above 0, up to 65536)"]
    assert api.json()["error"] == "ram_gb: -1 is out of range (above 0, up to 65536)"


@pytest.mark.parametrize(
    ("page", "api", "query", "field", "said", "api_status"),
    [
        (
            "/cost/",
            "/api/v1/cost",
            {**BASE, "hours_per_day": "25"},
            "hours_per_day",
            "25 is out of range (0.1–24)",
            422,
        ),
        (
            "/cost/",
            "/api/v1/cost",
            {**BASE, "tokens_per_day": "1.5"},
            "tokens_per_day",
            "'1.5' is not a whole number",
            422,
        ),
        (
            "/choose-my-gpu/",
            "/api/v1/recommend",
            {"budget_usd": "1e309"},
            "budget_usd",
            "inf is out of range (50–1000000)",
            422,
        ),
        (
            "/choose-my-gpu/",
            "/api/v1/recommend",
            {"run": "zzz"},
            "run",
            "'zzz' is not one of 8b-chat, 14b, 32b-coding, 70b, 120b-moe",
            422,
        ),
        # An unknown model is a 400 even when no catalog name is close (it was a 422 here).
        (
            "/choose-my-gpu/",
            "/api/v1/recommend",
            {"model": "qqqqqqqq"},
            "model",
            "unknown model 'qqqqqqqq'",
            400,
        ),
        (
            "/will-it-run/custom/",
            "/api/v1/recommend/models",
            {"gpu": "RTX 4090", "context": "100"},
            "context",
            "100 is out of range (256–1048576)",
            422,
        ),
        (
            "/will-it-run/custom/",
            "/api/v1/recommend/models",
            {"gpu": "RTX 4090", "use": "poetry"},
            "use",
            "'poetry' is not one of chat, coding, reasoning",
            422,
        ),
        (
            "/compare/",
            "/api/v1/compare",
            {"hw": ["RTX 4090", "RTX 3090"], "ram_gb": "nan"},
            "ram_gb",
            "nan is out of range (above 0, up to 65536)",
            422,
        ),
    ],
)
def test_the_tools_and_their_api_refuse_in_the_same_words(
    real_catalog,
    page: str,
    api: str,
    query: dict[str, Any],
    field: str,
    said: str,
    api_status: int,
) -> None:
    client = Client()
    shown = client.get(page, {**query, "format": "json"})
    answer = client.get(api, query)
    assert shown.status_code == 400 and shown.json()["errors"][field] == [said], shown.content
    assert answer.status_code == api_status, answer.content[:300]
    assert answer.json()["error"] == f"{field}: {said}"


def test_the_name_boxes_take_as_many_characters_as_every_surface_reads(tiny) -> None:
    """The boxes once cut a pasted name at 100 (hardware) or 200 (model) characters where the
    server, the API and the CLI read 300."""
    import re

    client = Client()
    found = []
    for url in ("/will-it-run/", "/compare/", "/will-it-run/custom/", "/run-check/", "/hardware/"):
        html = client.get(url).content.decode()
        found += re.findall(r'name="(?:model|hardware|hw|gpu|cpu)"[^>]*?maxlength="(\d+)"', html)
    assert found and set(found) == {str(MAX_NAME)}, found


def test_a_runtime_release_past_the_newest_known_is_answered_alike_with_a_note(
    real_catalog,
) -> None:
    """A llama.cpp build far beyond any known one was answered as if none had been given, on
    every surface, without a word: now each says whose rules it got."""
    query = {**BASE, "runtime": "llama.cpp@b999999"}
    client = Client()
    page = client.get("/will-it-run/", {**query, "format": "json"})
    api = client.get("/api/v1/check", query)
    assert page.status_code == api.status_code == 200, api.content[:300]
    said = "llama.cpp build b999999 is newer than the newest runlocal knows (build b10600)"
    assert any(n.startswith(said) for n in api.json()["notes"]), api.json()["notes"]
    assert page.json()["result"]["notes"] == api.json()["notes"]
    argv = ["check", BASE["model"], "--hardware", BASE["hardware"], "--runtime", query["runtime"]]
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert cli_main(argv) == 0
    assert f"note: {said}" in out.getvalue()
