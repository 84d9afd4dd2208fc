"""The page for a model read from the Hub or the Ollama registry (/models/remote/?ref=…):
what was read, labelled as not reviewed, with the files, the commands and a link to Will it
run?; one-line errors with the right status, and nothing fetched when the site reads no
remote models."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from runlocal.remote.hub import endpoint
from tests.core.hubserver import Handler, HubServer
from tests.core.test_gguf import make_gguf
from tests.core.test_remote import files_of, sharded_folder

PAGE = "/models/remote/"


def get(client: Any, ref: str, **kw: Any) -> Any:
    return client.get(PAGE, {"ref": ref, **kw})


def one_line_error(r: Any, status: int) -> str:
    assert r.status_code == status, r.content
    body = get_json(r)
    assert body["ok"] is False and body["status"] == status
    error = body["error"]
    assert isinstance(error, str) and error and "\n" not in error and "Traceback" not in error
    return str(error)


def get_json(r: Any) -> dict[str, Any]:
    """The response's JSON twin: the same request with format=json."""
    if r["Content-Type"].startswith("application/json"):
        return dict(r.json())
    raise AssertionError("ask with format=json")


def test_it_is_off_unless_the_site_reads_remote_models(
    client: Any, tiny: Path, hub: HubServer, settings: Any
) -> None:
    settings.RUNLOCAL_REMOTE_MODELS = False
    r = get(client, "acme/T")
    assert r.status_code == 404
    assert "RUNLOCAL_REMOTE_MODELS is off" in r.content.decode()
    error = one_line_error(get(client, "acme/T", format="json"), 404)
    assert "does not read models outside its catalog" in error
    assert hub.requests == 0


def test_a_gguf_repo_shows_its_files_commands_and_label(
    client: Any, tiny: Path, hub: HubServer, tmp_path: Path
) -> None:
    sizes = {}
    for q, ft in (("Q2_K", 10), ("Q4_K_M", 15), ("Q8_0", 7)):
        path = make_gguf(tmp_path, filename=f"m-{q}.gguf", file_type=ft)
        sizes[q] = path.stat().st_size
        hub.repos["acme/T"].files[path.name] = path.read_bytes()
    del hub.repos["acme/T"].files["t-Q4_K_M.gguf"]

    r = get(client, "acme/T")
    assert r.status_code == 200, r.content
    html = r.content.decode()
    assert "Read from the Hub, not reviewed" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "llama-server -hf acme/T:Q4_K_M" in html
    assert 'href="/will-it-run/?model=acme%2FT"' in html
    assert "Promote to a catalog draft" not in html  # staff only

    body = get_json(get(client, "acme/T", format="json"))
    assert body["ok"] is True and body["source"] == "hub" and body["reviewed"] is False
    assert body["label"] == "Read from the Hub, not reviewed"
    assert {f["quant"]: f["size_bytes"] for f in body["files"]} == sizes
    assert [f["quant"] for f in body["files"] if f["read"]] == ["Q4_K_M"]
    m = body["model"]
    assert m["layers"] == 2 and m["max_context"] > 0 and m["attention_heads"] == 4
    assert m["kv_bytes_per_token_f16"] > 0 and m["weights"]["exact"] is True
    assert body["commands"] == [
        {"runtime": "llama.cpp", "command": "llama-server -hf acme/T:Q4_K_M"}
    ]
    assert body["check_url"] == "/will-it-run/?model=acme%2FT"


def test_the_named_quant_is_the_one_read(client: Any, tiny: Path, hub: HubServer) -> None:
    body = get_json(get(client, "hf.co/acme/T:Q4_K_M", format="json"))
    assert body["ref"] == "acme/T" and body["typed"] == "hf.co/acme/T:Q4_K_M"
    assert body["check_url"] == "/will-it-run/?model=hf.co%2Facme%2FT%3AQ4_K_M"


def test_an_ollama_tag_says_where_it_was_read(client: Any, tiny: Path, hub: HubServer) -> None:
    r = get(client, "tiny:1b")
    assert r.status_code == 200, r.content
    assert "Read from the Ollama registry, not reviewed" in r.content.decode()
    body = get_json(get(client, "tiny:1b", format="json"))
    assert body["source"] == "ollama" and body["ref"] == "tiny:1b"
    assert body["commands"] == [{"runtime": "ollama", "command": "ollama run tiny:1b"}]
    (blob,) = body["files"]
    assert blob["read"] and blob["size_bytes"] > 0


def test_a_safetensors_repo_lists_its_shards(
    client: Any, tiny: Path, hub: HubServer, tmp_path: Path
) -> None:
    folder = sharded_folder(tmp_path / "Tiny-Llama")
    hub.add_repo("acme/Tiny-Llama", files_of(folder))
    body = get_json(get(client, "acme/Tiny-Llama", format="json"))
    assert body["file_kind"] == "config.json"
    assert [f["name"] for f in body["files"]] == sorted(
        p.name for p in folder.glob("*.safetensors")
    )
    assert body["commands"] == [{"runtime": "vllm", "command": "vllm serve acme/Tiny-Llama"}]
    assert body["model"]["layers"] == 4


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "tiny",  # a bare name is a catalog name on a server
        "http://169.254.169.254/latest/meta-data/iam",
        "file:///etc/passwd",
        "../../../etc/passwd",
        "x" * 400,
    ],
)
def test_a_bad_reference_is_one_line_without_a_request(
    client: Any, tiny: Path, hub: HubServer, ref: str
) -> None:
    one_line_error(get(client, ref, format="json"), 400)
    assert hub.requests == 0
    assert get(client, ref).status_code == 400


def test_another_host_is_refused(client: Any, tiny: Path, hub: HubServer) -> None:
    error = one_line_error(get(client, "https://internal.corp/acme/T", format="json"), 400)
    assert endpoint() in error and hub.requests == 0


def _answer(status: int, headers: dict[str, str] | None = None) -> Any:
    def fault(h: Handler) -> bool:
        h.reply(status, b"{}", headers or {})
        return True

    return fault


@pytest.mark.parametrize(
    ("ref", "prefix", "fault", "status"),
    [
        ("acme/Missing", None, None, 404),
        ("tiny:9b", None, None, 404),
        ("acme/T", "/api/models/", _answer(502), 503),
        ("acme/T", "/api/models/", _answer(429, {"Retry-After": "30"}), 429),
        ("acme/T", "/cdn/", _answer(200), 400),  # not a GGUF header
    ],
)
def test_fetch_failures_are_one_line_with_their_status(
    client: Any, tiny: Path, hub: HubServer, ref: str, prefix: str | None, fault: Any, status: int
) -> None:
    if prefix:
        hub.faults[prefix] = fault
    r = get(client, ref, format="json")
    one_line_error(r, status)
    if status == 429:
        assert r["Retry-After"] == "30"
    html = get(client, ref)
    assert html.status_code == status and b'content="noindex"' in html.content


def test_staff_see_the_promote_button(
    client: Any, tiny: Path, hub: HubServer, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("ed", "ed@example.org", "pw", is_staff=True)
    client.force_login(user)
    html = get(client, "acme/T").content.decode()
    assert "Promote to a catalog draft" in html
    assert f'action="{reverse("drafts:promote")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize(
    ("model", "label"),
    [
        ("acme/T", "Read from the Hub, not reviewed"),
        ("hf.co/acme/T:Q4_K_M", "Read from the Hub, not reviewed"),
        ("tiny:1b", "Read from the Ollama registry, not reviewed"),
    ],
)
def test_will_it_run_answers_for_a_remote_model_and_links_its_page(
    client: Any, tiny: Path, hub: HubServer, model: str, label: str
) -> None:
    query = {"model": model, "hardware": "testgpu-24gb"}
    r = client.get("/will-it-run/", {**query, "format": "json"})
    assert r.status_code == 200, r.content
    body = r.json()
    page = "/models/remote/?" + urlencode({"ref": model})
    assert body["remote_model"] == {"ref": model, "label": label, "url": page}
    # The same answer as the API's for the same question.
    api = client.get("/api/v1/check", query).json()
    assert body["result"]["verdict"] == api["verdict"]
    assert body["result"]["memory"] == api["memory"]
    html = client.get("/will-it-run/", query).content.decode()
    assert f'href="{escape(page)}"' in html and label in html


def test_will_it_run_reads_nothing_remote_when_the_site_does_not(
    client: Any, tiny: Path, hub: HubServer, settings: Any
) -> None:
    settings.RUNLOCAL_REMOTE_MODELS = False
    r = client.get("/will-it-run/", {"model": "acme/T", "hardware": "testgpu-24gb"})
    assert r.status_code == 400 and hub.requests == 0


def test_a_catalog_answer_has_no_remote_link(client: Any, tiny: Path, hub: HubServer) -> None:
    r = client.get(
        "/will-it-run/", {"model": "testllama-8b", "hardware": "testgpu-24gb", "format": "json"}
    )
    assert r.status_code == 200 and r.json()["remote_model"] is None and hub.requests == 0


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ref=st.one_of(
        st.text(max_size=80),
        st.from_regex(r"(https?://|hf\.co/)?[\w.:/@%-]{1,60}", fullmatch=True),
    )
)
def test_any_reference_answers_without_a_500(
    client: Any, tiny: Path, hub: HubServer, ref: str
) -> None:
    r = get(client, ref, format="json")
    assert r.status_code in (200, 400, 404, 429, 503), (ref, r.content)
    if r.status_code != 200:
        one_line_error(r, r.status_code)
