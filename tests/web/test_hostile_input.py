"""Random and hostile query strings: every answer is a page or a 4xx, never a 500."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

# RUNLOCAL_FUZZ_EXAMPLES=2000 for a longer hunt; the default keeps the suite fast.
FUZZ = hsettings(
    max_examples=int(os.environ.get("RUNLOCAL_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that survives UTF-8 encoding (no lone surrogates), short and long.
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
interesting = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e309",
        "nan",
        "inf",
        "-inf",
        "1.5",
        "9" * 400,
        "0x10",
        "\x00",
        "TL 8B",
        "testllama-8b",
        "testllama-70b",
        "TestLlama 70B",
        "tg 24",
        "2x TG 24",
        "64x testgpu-24gb",
        "0x testgpu-24gb",
        "M9 Max 128GB",
        "M9 Max 12GB",
        "testgpu-24gb x 2",
        "../../etc/passwd",
        "/etc/passwd",
        "model.gguf",
        "config.json",
        ".",
        "~",
        "a" * 5000,
        "<script>alert(1)</script>",
        "Q4_K_M",
        "q8_0",
        "F16",
        "FP8",
        "EXL2-1bpw",
        "MLX-4BIT",
        "llama.cpp",
        "vllm",
        "mlx",
        "exllamav2",
        "json",
        "html",
        "%",
        "%00",
        "%ff",
    ]
)
value = st.one_of(text, interesting)
checker_keys = st.sampled_from(
    [
        "model",
        "hardware",
        "runtime",
        "quant",
        "context",
        "kv_type",
        "batch",
        "ram_gb",
        "format",
        "x",
    ]
)
list_keys = st.sampled_from(
    ["q", "family", "modality", "vendor", "kind", "sort", "page", "format", "x"]
)


def query(keys):
    return st.lists(st.tuples(keys, value), max_size=10).map(
        lambda pairs: urlencode(pairs, quote_via=quote)
    )


_caplog = None


def assert_handled(response) -> None:
    assert response.status_code in (200, 301, 400, 404), response.status_code
    if response["Content-Type"] == "application/json":
        json.loads(response.content)
    # The checker turns an engine crash into a form error and logs it: that is still a bug.
    if _caplog is not None:
        errors = [r.getMessage() for r in _caplog.records if r.levelno >= logging.ERROR]
        _caplog.clear()
        assert not errors, errors


@pytest.fixture
def fuzz_client(client, tiny: Path, caplog):
    global _caplog
    _caplog = caplog
    yield client
    _caplog = None


@FUZZ
@given(qs=query(checker_keys))
def test_it_survives_any_will_it_run_query(fuzz_client, qs: str) -> None:
    assert_handled(fuzz_client.get(f"/will-it-run/?{qs}"))
    assert_handled(fuzz_client.get(f"/will-it-run/?{qs}&format=json"))


@FUZZ
@given(qs=query(list_keys), path=st.sampled_from(["/models/", "/hardware/", "/"]))
def test_it_survives_any_list_query(fuzz_client, qs: str, path: str) -> None:
    assert_handled(fuzz_client.get(f"{path}?{qs}"))
    assert_handled(fuzz_client.get(f"{path}?{qs}&format=json"))


@FUZZ
@given(slug=value, kind=st.sampled_from(["models", "hardware"]))
def test_it_survives_any_detail_slug(fuzz_client, slug: str, kind: str) -> None:
    assert_handled(fuzz_client.get(f"/{kind}/{quote(slug, safe='')}/"))
    assert_handled(fuzz_client.get(f"/{kind}/{quote(slug, safe='')}/?format=json"))


@pytest.mark.parametrize(
    "qs",
    [
        "model=%ff%fe&hardware=%c0%80",  # invalid UTF-8
        "model=testllama-8b&hardware=testgpu-24gb&context=%00",
        "model=testllama-8b" + "&hardware=testgpu-24gb" * 9,  # over the 8-device limit
        "model=testllama-8b&hardware=64x+testgpu-24gb",
        "model=testllama-70b&hardware=testgpu-24gb&context=10000000&ram_gb=65536",
        "model=testllama-8b&hardware=testmac-m9-max&runtime=vllm",
        "model=testllama-8b&hardware=testgpu-24gb&runtime=vllm&kv_type=q4_0",
        "model=testllama-8b&hardware=testgpu-24gb&quant=EXL2-1bpw",
        "model=testllama-8b&hardware=testgpu-24gb&quant=MLX-4BIT",
        "model=testllama-8b&hardware=testgpu-24gb&batch=4096&context=10000000",
        "model=TL+8B&hardware=M9+Max+12GB",
        "model=testllama-8b&hardware=testgpu-24gb&format=json&format=xml",
    ],
)
def test_it_survives_known_hard_cases(fuzz_client, qs: str) -> None:
    assert_handled(fuzz_client.get(f"/will-it-run/?{qs}"))


def test_it_turns_an_engine_crash_into_a_logged_form_error(
    client, tiny: Path, monkeypatch, caplog
) -> None:
    import runlocal_web.lib.engine as web_engine

    def boom(*args, **kwargs):
        raise ZeroDivisionError("engine bug")

    monkeypatch.setattr(web_engine, "check", boom)
    r = client.get("/will-it-run/?model=testllama-8b&hardware=testgpu-24gb&context=1234")
    assert r.status_code == 400
    assert b"an internal error, which has been logged" in r.content
    assert any("engine failed" in rec.getMessage() for rec in caplog.records)


def test_it_escapes_what_it_echoes(client, tiny: Path) -> None:
    r = client.get("/will-it-run/?model=<script>alert(1)</script>&hardware=<b>x</b>")
    assert r.status_code == 400
    assert b"<script>alert(1)" not in r.content
    assert b"&lt;script&gt;" in r.content


# Well-formed but extreme queries: every runtime, quantization and size the form accepts.
_hardware_ids = st.sampled_from(["testgpu-24gb", "testmac-m9-max", "TG 24", "M9 Max 36GB"])
well_formed = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["testllama-8b", "testllama-70b", "TL 8B"]),
        "hardware": st.lists(
            st.one_of(
                _hardware_ids,
                st.builds(lambda n, h: f"{n}x {h}", st.integers(1, 64), _hardware_ids),
            ),
            min_size=1,
            max_size=3,
        ),
        "runtime": st.sampled_from(
            ["", "llama.cpp", "ollama", "lm-studio", "vllm", "transformers", "mlx", "exllamav2"]
        ),
        "quant": st.sampled_from(
            [
                "",
                "Q2_K",
                "Q4_K_M",
                "Q8_0",
                "F16",
                "BF16",
                "FP8",
                "AWQ-4bit",
                "MLX-4BIT",
                "EXL2-4.5bpw",
                "NF4",
                "INT8",
                "MLX-8BIT",
            ]
        ),
        "context": st.one_of(st.just(""), st.integers(1, 10_000_000).map(str)),
        "kv_type": st.sampled_from(["", "f16", "bf16", "q8_0", "q4_0", "fp8"]),
        "batch": st.one_of(st.just(""), st.integers(1, 4096).map(str)),
        "ram_gb": st.one_of(st.just(""), st.floats(0.5, 65536).map(lambda f: f"{f:g}")),
    }
)


@FUZZ
@given(params=well_formed)
def test_it_survives_any_well_formed_query(fuzz_client, params: dict) -> None:
    assert_handled(fuzz_client.get("/will-it-run/", params))
