"""Run check: what the browser can tell about this machine, as a first guess at its GPU.

Progressive enhancement: without JavaScript the page explains how to pick the hardware and how
`runlocal detect` answers exactly; with it, a small inline script reads WebGPU's adapter info,
navigator.deviceMemory and the platform, and links to a custom build with its best guess.
Nothing leaves the browser: no requests, no storage.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from runlocal.catalog import Catalog, normalize
from runlocal_web.catalogdb.store import current
from runlocal_web.lib.pages import Page, respond

from .common import hardware_names

TEMPLATE = "tools/run_check.html"
COMMANDS = (
    ("Install", "pip install runlocal"),
    ("See what this machine has", "runlocal detect"),
    ("Check a model on it", 'runlocal check "Llama 3.1 8B"'),
    ("The same, as JSON", "runlocal check qwen3-8b --context 32768 --json"),
)


def guess_table(catalog: Catalog) -> list[dict[str, Any]]:
    """What the script matches adapter descriptions against: normalized names and aliases
    of the GPUs and unified-memory machines (CPUs are not WebGPU adapters)."""
    out = []
    for e in sorted(catalog.hardware.values(), key=lambda e: e.id):
        if e.get("kind") not in ("gpu", "unified"):
            continue
        keys = sorted(
            {normalize(k) for k in (e.name, *e.aliases) if len(normalize(k)) >= 4},
            key=len,
            reverse=True,
        )
        out.append({"id": e.id, "name": e.name, "vendor": str(e.get("vendor") or ""), "keys": keys})
    return out


def run_check_page(request: HttpRequest) -> HttpResponse:
    _digest, catalog = current()
    path = reverse("tools:run_check")
    build = reverse("tools:custom_build")
    page = Page(
        title="Run check: what can this computer run?",
        description=(
            "A first guess at your GPU from what the browser can tell, and the exact answer from "
            "runlocal detect on your own machine: which local AI models it runs, and how fast."
        ),
        breadcrumbs=[("Home", "/"), ("Run check", path)],
        canonical_path=path,
    )
    data = {
        "custom_build_url": build,
        "hardware_list_url": reverse("catalogdb:hardware_list"),
        "commands": [{"what": w, "command": c} for w, c in COMMANDS],
        "detects": [
            "the GPU adapter WebGPU reports (vendor, architecture, sometimes the model)",
            "navigator.deviceMemory (a rounded, capped RAM figure)",
            "the operating system (navigator.userAgentData or navigator.platform)",
        ],
    }
    context = {"guess_table": guess_table(catalog), "hardware_names": hardware_names(catalog)}
    return respond(request, TEMPLATE, page, data, context=context)
