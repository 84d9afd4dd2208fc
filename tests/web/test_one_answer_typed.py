"""The same typed input gets the same answer on Will it run?, GET and POST /api/v1/check and
`runlocal check`: numbers in full-width or other scripts' digits, and boxes left empty."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from django.test import Client

from runlocal.cli import main as cli_main

pytestmark = pytest.mark.django_db

BASE = {"model": "Llama 3.1 8B", "hardware": "RTX 4090"}


def _page(client: Client, query: dict[str, Any]) -> Any:
    return client.get("/will-it-run/", {**query, "format": "json"})


def _cli(query: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    argv = ["check", query["model"], "--json"]
    for key, value in query.items():
        if key != "model":
            argv += ["--" + key.replace("_", "-"), str(value)]
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = cli_main(argv)
    return code, json.loads(out.getvalue()) if code == 0 else None


@pytest.mark.parametrize(
    ("typed", "ascii_"),
    [
        ({"ram_gb": "１６"}, {"ram_gb": "16"}),
        ({"batch": "４"}, {"batch": "4"}),
        ({"context": "３２ｋ"}, {"context": "32k"}),
        ({"ram_gb": "１２．５", "context": "８１９２"}, {"ram_gb": "12.5", "context": "8192"}),
        (
            {"gpu_memory_utilization": "０.８", "runtime": "vllm"},
            {"gpu_memory_utilization": "0.8", "runtime": "vllm"},
        ),
        ({"ram_gb": "٦٤"}, {"ram_gb": "64"}),  # Arabic-Indic digits
    ],
)
def test_full_width_digits_are_the_same_number_on_the_page_the_api_and_the_cli(
    real_catalog, typed: dict[str, str], ascii_: dict[str, str]
) -> None:
    client = Client()
    want = _page(client, {**BASE, **ascii_})
    assert want.status_code == 200, want.content[:300]
    answer = want.json()["result"]
    page = _page(client, {**BASE, **typed})
    api = client.get("/api/v1/check", {**BASE, **typed})
    code, cli = _cli({**BASE, **typed})
    assert page.status_code == api.status_code == 200, (page.content[:300], api.content[:300])
    assert page.json()["result"] == api.json() == cli == answer
    assert code == 0


def test_a_full_width_number_in_a_json_body_is_still_a_wrong_type(real_catalog) -> None:
    """POST bodies are strict: a number in quotes is refused, full-width or not; a context
    may be text ("32k"), and full-width text reads as the same context."""
    client = Client()
    post = client.post(
        "/api/v1/check", json.dumps({**BASE, "ram_gb": "１６"}), content_type="application/json"
    )
    assert post.status_code == 422 and "ram_gb" in post.json()["error"]
    typed = client.post(
        "/api/v1/check", json.dumps({**BASE, "context": "３２ｋ"}), content_type="application/json"
    )
    plain = client.get("/api/v1/check", {**BASE, "context": 32768})
    assert typed.status_code == 200 and typed.json() == plain.json()


@pytest.mark.parametrize("empty", ["context", "ram_gb", "batch", "kv_type", "runtime", "quant"])
def test_an_empty_optional_box_is_not_given_on_the_page_and_in_the_api(
    real_catalog, empty: str
) -> None:
    client = Client()
    default = _page(client, BASE).json()["result"]
    page = _page(client, {**BASE, empty: ""})
    get = client.get("/api/v1/check", {**BASE, empty: ""})
    post = client.post(
        "/api/v1/check", json.dumps({**BASE, empty: ""}), content_type="application/json"
    )
    assert page.status_code == get.status_code == post.status_code == 200, get.content[:300]
    assert page.json()["result"] == get.json() == post.json() == default


def test_an_empty_hardware_box_beside_a_named_one_is_dropped(real_catalog) -> None:
    client = Client()
    query = [("model", BASE["model"]), ("hardware", BASE["hardware"]), ("hardware", "")]
    page = client.get("/will-it-run/", [*query, ("format", "json")])
    api = client.get("/api/v1/check", query)
    assert page.status_code == api.status_code == 200, api.content[:300]
    assert page.json()["result"] == api.json()


@pytest.mark.parametrize("missing", ["model", "hardware"])
def test_an_empty_required_box_gets_one_line_naming_it_on_both(real_catalog, missing: str) -> None:
    client = Client()
    query = {**BASE, missing: ""}
    page = _page(client, query)
    api = client.get("/api/v1/check", query)
    assert page.status_code == 400 and api.status_code in (400, 422), api.content[:300]
    (said,) = page.json()["errors"][missing]
    error = api.json()["error"]
    assert "\n" not in said + error and missing in error, error
    assert [e["field"] for e in api.json()["errors"]] == [missing]
    if missing == "model":
        assert error == f"model: {said}"


def test_compare_takes_empty_boxes_and_full_width_numbers_as_check_does(real_catalog) -> None:
    client = Client()
    want = client.get(
        "/api/v1/compare", {"hw": "RTX 4090", "model": BASE["model"], "ram_gb": "16"}
    ).json()
    got = client.get(
        "/api/v1/compare",
        {"hw": "RTX 4090", "model": BASE["model"], "ram_gb": "１６", "context": "", "quant": ""},
    )
    assert got.status_code == 200, got.content[:300]
    assert got.json() == want
