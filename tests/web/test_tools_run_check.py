"""Run check: progressive enhancement, no external requests."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from . import factory
from .factory import tools_catalog

pytestmark = pytest.mark.django_db
URL = "/run-check/"


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


def test_it_works_without_javascript(client, tools: Path) -> None:
    html = unescape(client.get(URL).content.decode())
    # A plain GET form to the custom build, and the exact answer from the command line.
    assert (
        '<form class="check-form quick-check" method="get" action="/will-it-run/custom/">' in html
    )
    assert 'name="gpu"' in html and 'name="ram_gb"' in html
    assert "runlocal detect" in html and 'runlocal check "Llama 3.1 8B"' in html
    assert "without --hardware" in html.replace("<code>", "").replace("</code>", "")


def test_its_script_is_inline_and_asks_nothing_of_other_sites(client, tools: Path) -> None:
    r = client.get(URL)
    html = r.content.decode()
    # Scripts by address are the site's own (htmx, from /static/); none from elsewhere.
    assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', html))
    scripts = re.findall(r'<script nonce="([^"]+)">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    nonce, js = scripts[0]
    # The page's Content-Security-Policy allows this script by its nonce, and no other.
    assert f"'nonce-{nonce}'" in r["Content-Security-Policy"]
    assert "navigator.gpu.requestAdapter" in js and "navigator.deviceMemory" in js
    assert "userAgentData" in js
    for call in (
        "fetch(",
        "XMLHttpRequest",
        "sendBeacon",
        "localStorage",
        "document.cookie",
        "innerHTML",
    ):
        assert call not in js, call
    assert "http" not in js


def test_it_gives_the_script_the_gpus_to_match(client, tools: Path) -> None:
    html = client.get(URL).content.decode()
    data = re.search(r'<script id="hw-guess" type="application/json">(.*?)</script>', html, re.S)
    table = {h["id"]: h for h in json.loads(data.group(1))}
    assert set(table) == {"testgpu-24gb", "testmac-m9-max"}  # no CPU: it is not a WebGPU adapter
    assert "testgpu 24gb" in table["testgpu-24gb"]["keys"]
    assert table["testgpu-24gb"]["keys"] == sorted(
        table["testgpu-24gb"]["keys"], key=len, reverse=True
    )


def test_its_json_twin_lists_the_commands(client, tools: Path) -> None:
    doc = client.get(URL + "?format=json").json()
    assert doc["custom_build_url"] == "/will-it-run/custom/"
    assert [c["command"] for c in doc["commands"]][1] == "runlocal detect"
