"""Every surface holds under input nobody meant to send: an id in a URL that no name can be, a
box's value in another case, a choice that is no choice, a request without a Content-Type.
Each gets a clear answer with the right status (docs/api.md, "Errors"), never a 500, and a
page shows the value sent where it was typed, so that sending the form again keeps it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import get_resolver

from . import factory
from .factory import tools_catalog
from .test_api_check import assert_error, fields

pytestmark = pytest.mark.django_db

# Path segments no catalog id can be: a NUL, past bounds.MAX_NAME characters, bytes that are no
# UTF-8, a right-to-left mark, a dot-dot, an encoded slash and percent sign.
HOSTILE_SEGMENTS = ("%00", "x" * 3000, "%ff%fe", "%E2%80%AE12", "..", "a%2Fb", "%25", " ")


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    cache.clear()
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def _patterns() -> list[str]:
    """Every URL pattern of the site with a parameter in it (the admin's aside)."""
    out: list[str] = []

    def walk(resolver: Any, prefix: str) -> None:
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                walk(p, prefix + str(p.pattern))
            else:
                out.append(prefix + str(p.pattern))

    walk(get_resolver(), "")
    return [p for p in out if "<" in p and not p.startswith("admin")]


def test_every_url_with_an_id_answers_a_hostile_one_without_a_500(tools: Path) -> None:
    """/api/v1/models/%00 and /api/v1/models/xxx… (3,000 characters) once answered 500: the
    name reader refuses them before any lookup, and the 404 did not expect that."""
    client = Client(raise_request_exception=True)
    patterns = _patterns()
    assert any(p.startswith("api/v1/models/") for p in patterns)
    for pattern in patterns:
        for segment in HOSTILE_SEGMENTS:
            url = "/" + re.sub(r"<[^>]+>", quote(segment, safe="%/"), pattern)
            for method in ("get", "head"):
                response = getattr(client, method)(url)
                assert response.status_code < 500, (method, url[:120], response.status_code)
            if url.startswith("/api/") and response.status_code >= 400:
                body = client.get(url).json()
                assert body["ok"] is False and "\n" not in body["error"], url[:120]


@pytest.mark.parametrize("kind", ["models", "hardware", "glossary", "errors"])
def test_an_api_id_no_name_can_be_is_a_404_naming_it(tools: Path, kind: str) -> None:
    client = Client()
    for typed in ("a\x00b", "x" * 3000):
        body = assert_error(client.get(f"/api/v1/{kind}/{quote(typed)}"), 404)
        assert body["errors"][0]["suggestions"] == [], kind


def test_the_api_names_a_setting_the_device_refuses_by_its_field_not_the_cli_flag(
    tiny: Path,
) -> None:
    """The engine says "--gpu-memory-gb 500 is out of range for …" to the CLI; the page shows it
    under the box, and the API named the CLI's flag where it names its fields."""
    query = {"model": "testllama-8b", "hardware": "M9 Max", "gpu_memory_gb": "500"}
    client = Client()
    body = assert_error(client.get("/api/v1/check", query), 400)
    assert body["error"].startswith("gpu_memory_gb: 500 is out of range for "), body["error"]
    assert fields(body) == {"gpu_memory_gb"} and "--" not in body["error"]
    page = client.get("/will-it-run/", {**query, "format": "json"})
    assert page.status_code == 400
    (shown,) = page.json()["errors"]["gpu_memory_gb"]
    assert body["error"] == f"gpu_memory_gb: {shown}"


def test_every_field_of_a_check_is_one_an_engine_message_can_name() -> None:
    from runlocal_web.api.errors import _FLAG_FIELDS
    from runlocal_web.api.schemas import CheckIn

    assert set(_FLAG_FIELDS) == set(CheckIn.model_fields)


def test_a_body_sent_without_a_content_type_is_a_415_saying_so(tiny: Path) -> None:
    response = Client().generic(
        "POST", "/api/v1/check", b'{"model": "testllama-8b"}', content_type=""
    )
    body = assert_error(response, 415)
    assert body["error"].endswith("none was given"), body["error"]


def _selected(html: str, name: str) -> list[str]:
    box = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert box, name
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', box.group(0))


def test_the_kv_box_shows_the_type_the_answer_used(tiny: Path) -> None:
    """kv_type=Q8_0 was answered at q8_0 with f16 selected in the box: sending the form again
    answered another question."""
    client = Client()
    base = {"model": "testllama-8b", "hardware": "testgpu-24gb"}
    page = client.get("/will-it-run/", {**base, "kv_type": "Q8_0"})
    assert page.status_code == 200
    assert _selected(page.content.decode(), "kv_type") == ["q8_0"]
    page = client.get("/will-it-run/", {**base, "kv_type": "Q9_9"})
    assert page.status_code == 400
    assert _selected(page.content.decode(), "kv_type") == ["q9_9"]


def test_the_build_reads_a_runtime_as_will_it_run_the_api_and_the_cli_do(tools: Path) -> None:
    """ "VLLM" and "lmstudio" are runtimes to Will it run?, /api/v1/check and the CLI; the
    custom build and its API refused them."""
    client = Client()
    base = [("gpu", "testgpu-24gb")]
    for typed, read in (("VLLM", "vllm"), ("lmstudio", "lm-studio")):
        page = client.get("/will-it-run/custom/", [*base, ("runtime", typed)])
        assert page.status_code == 200, (typed, page.content[:300])
        assert _selected(page.content.decode(), "runtime") == [read]
        api = client.get("/api/v1/recommend/models", [*base, ("runtime", typed)])
        want = client.get("/api/v1/recommend/models", [*base, ("runtime", read)])
        assert api.status_code == 200, api.content[:300]
        assert api.json()["runtime"] == want.json()["runtime"]
    body = assert_error(client.get("/api/v1/recommend/models", [*base, ("runtime", "nope")]), 422)
    assert fields(body) == {"runtime"}


@pytest.mark.parametrize(
    ("path", "query", "name", "read"),
    [
        ("/choose-my-gpu/", {"budget_usd": "5000", "platform": "NVIDIA"}, "platform", "nvidia"),
        ("/choose-my-gpu/", {"budget_usd": "5000", "priority": " Speed "}, "priority", "speed"),
        ("/will-it-run/custom/", {"gpu": "testgpu-24gb", "os": "Linux"}, "os", "linux"),
        ("/will-it-run/custom/", {"gpu": "testgpu-24gb", "use": "CODING"}, "use", "coding"),
    ],
)
def test_a_choice_is_read_in_any_case_on_the_page_and_in_its_api(
    tools: Path, path: str, query: dict[str, str], name: str, read: str
) -> None:
    client = Client()
    page = client.get(path, query)
    assert page.status_code == 200, page.content[:300]
    assert _selected(page.content.decode(), name) == [read]
    api_path = {"/choose-my-gpu/": "/api/v1/recommend"}.get(path, "/api/v1/recommend/models")
    api, same = client.get(api_path, query), client.get(api_path, {**query, name: read})
    assert api.status_code == 200, api.content[:300]
    assert api.json() == same.json()


def test_a_refused_choice_stays_in_its_box_beside_its_error(tools: Path) -> None:
    client = Client()
    page = client.get("/choose-my-gpu/", {"budget_usd": "5000", "platform": "risc-v"})
    assert page.status_code == 400
    html = page.content.decode()
    assert _selected(html, "platform") == ["risc-v"]
    assert "&#x27;risc-v&#x27; is not one of any, nvidia" in html
    # Shown, not taken: the same URL is refused again.
    assert (
        client.get("/choose-my-gpu/", {"budget_usd": "5000", "platform": "risc-v"}).status_code
        == 400
    )


@pytest.mark.parametrize("body", ["[]", '"testllama-8b"', "4", "null", "true"])
def test_a_json_body_that_is_no_object_is_a_422_saying_so(tiny: Path, body: str) -> None:
    """pydantic's "Input should be a valid dictionary or object to extract fields from", in
    JSON's words."""
    response = Client().post("/api/v1/check", body, content_type="application/json")
    assert assert_error(response, 422)["error"] == "the request body must be a JSON object"


def test_a_nested_value_that_is_no_object_names_its_field(tiny: Path) -> None:
    body = {"quant": "Q4_K_M", "backend": "cuda", "device": [1]}
    response = Client().post("/api/v1/benchmarks", body, content_type="application/json")
    errors = assert_error(response, 422)["errors"]
    assert {"field": "device", "message": "expected a JSON object"} in errors
