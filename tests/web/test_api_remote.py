"""Models outside the catalog on the website and API (RUNLOCAL_REMOTE_MODELS): read from the
configured Hub and Ollama registry only, with SSRF attempts refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.core.hubserver import Handler, HubServer

from .test_api_check import CHECK, assert_error

HW = "testgpu-24gb"


def test_remote_models_are_off_by_default(
    client: Any, tiny: Path, hub: HubServer, settings: Any
) -> None:
    settings.RUNLOCAL_REMOTE_MODELS = False
    for model in ("acme/T", "tiny:1b"):
        assert_error(client.get(CHECK, {"model": model, "hardware": HW}), 400)
    assert hub.requests == 0


@pytest.mark.parametrize("model", ["acme/T", "hf.co/acme/T:Q4_K_M", "tiny:1b"])
def test_the_api_answers_for_a_hub_id_or_ollama_tag(
    client: Any, tiny: Path, hub: HubServer, model: str
) -> None:
    r = client.get(CHECK, {"model": model, "hardware": HW})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["model"]["weights_exact"] is True
    assert body["model"]["source"] == "gguf"
    assert any("not reviewed" in n for n in body["notes"])


def test_a_hub_url_on_the_configured_endpoint_is_read(
    client: Any, tiny: Path, hub: HubServer
) -> None:
    r = client.get(CHECK, {"model": f"{hub.url}/acme/T/blob/main/t-Q4_K_M.gguf", "hardware": HW})
    assert r.status_code == 200, r.content


@pytest.mark.parametrize(
    "model",
    [
        "http://169.254.169.254/latest/meta-data/iam",
        "https://internal.corp/acme/T",
        "http://[::1]:22/acme/T",
        "file:///etc/passwd",
        "../../../etc/passwd",
        "tiny",  # a bare name is a catalog name on a server
    ],
)
def test_ssrf_attempts_are_refused_without_a_request(
    client: Any, tiny: Path, hub: HubServer, model: str
) -> None:
    body = assert_error(client.get(CHECK, {"model": model, "hardware": HW}), 400)
    assert "Traceback" not in body["error"]
    assert hub.requests == 0


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.2:9/x",
        "http://169.254.169.254/latest/meta-data/",
        "https://internal.corp/x",
        "file:///etc/passwd",
    ],
)
def test_redirects_to_internal_addresses_are_not_followed(
    client: Any, tiny: Path, hub: HubServer, location: str
) -> None:
    def redirect(h: Handler) -> bool:
        h.reply(302, b"", {"Location": location})
        return True

    hub.faults["/cdn/"] = redirect
    body = assert_error(client.get(CHECK, {"model": "acme/T", "hardware": HW}), 400)
    assert "not followed" in body["error"] or "not an address" in body["error"]


def test_remote_reads_are_rate_limited_per_client(
    client: Any, tiny: Path, hub: HubServer, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNLOCAL_CACHE_DIR", "")  # every read goes to the server
    settings.RUNLOCAL_CHECK_CACHE_SECONDS = 0
    settings.API_RATE_LIMITS = {"remote": (5, 600)}
    statuses = [
        client.get(CHECK, {"model": "tiny:1b", "hardware": HW}).status_code for _ in range(4)
    ]
    assert statuses[0] == 200 and 429 in statuses
    body = json.loads(client.get(CHECK, {"model": "tiny:1b", "hardware": HW}).content)
    assert body["status"] == 429 and "retry in" in body["error"]
    other = client.get(CHECK, {"model": "tiny:1b", "hardware": HW}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200
