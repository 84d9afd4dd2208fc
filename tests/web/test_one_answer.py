"""One question, one answer: the same setup gets the same verdict, memory and decode speed
on every surface — Will it run?, the API, the CLI, the model and hardware pages' rows,
Compare and the custom build — because all of them ask the engine with the same defaults.

Setups are drawn at random (fixed seed) from the packaged catalog: a few hundred for the
surfaces that take any setup, a smaller sample of the rows the pages show."""

from __future__ import annotations

import io
import json
import random
from contextlib import redirect_stdout
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from runlocal.catalog import CATALOG_DIR, load_catalog
from runlocal.cli import main as cli_main

from . import factory

pytestmark = pytest.mark.django_db

SEED = 20261206
N_SETUPS = 240
QUANTS = (None, "Q4_K_M", "Q8_0", "Q3_K_M", "Q6_K")
CONTEXTS = (None, 2048, 8192, "32k")
RAMS = (None, 16, 64)


@pytest.fixture
def real(settings, monkeypatch, db) -> None:
    monkeypatch.delenv("RUNLOCAL_CATALOG_DIR", raising=False)
    settings.RUNLOCAL_CATALOG_DIR = CATALOG_DIR
    settings.RUNLOCAL_PAGE_CACHE_SECONDS = 0
    cache.clear()
    factory.sync()


def _key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["verdict"], r["memory"]["total_bytes"], r["speed"]["decode_tok_s"])


def _setups(rng: random.Random) -> list[dict[str, Any]]:
    catalog = load_catalog(CATALOG_DIR)
    models = sorted(
        m.id
        for m in catalog.models.values()
        if isinstance(m.get("architecture"), dict) and m.get("modality", "text") == "text"
    )
    hardware = sorted(catalog.hardware)
    out = []
    for _ in range(N_SETUPS):
        setup = {"model": rng.choice(models), "hardware": rng.choice(hardware)}
        for key, choices in (("quant", QUANTS), ("context", CONTEXTS), ("ram_gb", RAMS)):
            value = rng.choice(choices)
            if value is not None:
                setup[key] = value
        out.append(setup)
    return out


def _cli(setup: dict[str, Any]) -> dict[str, Any] | None:
    argv = ["check", setup["model"], "--hardware", setup["hardware"], "--json"]
    for key, flag in (("quant", "--quant"), ("context", "--context"), ("ram_gb", "--ram-gb")):
        if key in setup:
            argv += [flag, str(setup[key])]
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli_main(argv)
    return json.loads(out.getvalue()) if code == 0 else None


def test_any_setup_gets_one_answer_on_will_it_run_the_api_and_the_cli(real) -> None:
    client = Client()
    agreed = refused = 0
    for i, setup in enumerate(_setups(random.Random(SEED))):
        page = client.get("/will-it-run/", {**setup, "format": "json"})
        # Each query from its own address: the API's rate limit counts per client.
        api = client.get("/api/v1/check", setup, REMOTE_ADDR=f"10.1.{i // 200}.{i % 200 + 1}")
        cli = _cli(setup)
        if page.status_code != 200:  # refused (a runtime that cannot load the quant...)
            assert api.status_code >= 400 and cli is None, setup
            refused += 1
            continue
        answer = page.json()["result"]
        assert api.status_code == 200, (setup, api.content[:200])
        assert cli is not None, setup
        assert _key(answer) == _key(api.json()) == _key(cli), setup
        agreed += 1
    assert agreed > N_SETUPS * 0.8, (agreed, refused)


def test_the_pages_rows_compare_and_the_build_give_will_it_runs_answer(real) -> None:
    client = Client()
    rng = random.Random(SEED + 1)
    compared = []

    def will_it_run(**q: Any) -> dict[str, Any]:
        doc = client.get("/will-it-run/", {**q, "format": "json"}).json()
        compared.append(q)
        return doc["result"]

    catalog = load_catalog(CATALOG_DIR)
    models = [
        m for m in sorted(catalog.models) if isinstance(catalog.models[m].get("architecture"), dict)
    ]
    hardware = sorted(catalog.hardware)
    for model in rng.sample(models, 4):
        for row in client.get(f"/models/{model}/", {"format": "json"}).json()["on_hardware"]:
            if row.get("error"):
                continue
            r = will_it_run(model=model, hardware=row["hardware"]["id"])
            got = (row["verdict"], row["total_bytes"], row["decode_tok_s"])
            assert got == _key(r), (model, row["hardware"]["id"])
    for hw in rng.sample(hardware, 4):
        for row in client.get(f"/hardware/{hw}/", {"format": "json"}).json()["runs"]:
            if row.get("error"):
                continue
            r = will_it_run(model=row["model"]["id"], hardware=hw)
            assert (row["verdict"], row["total_bytes"], row["decode_tok_s"]) == _key(r), (
                row["model"]["id"],
                hw,
            )
    gpus = [h for h in hardware if catalog.hardware[h].get("kind") == "gpu"]
    for _ in range(3):
        pair = rng.sample(gpus, 2)
        ram = rng.choice(RAMS)
        query: dict[str, Any] = {"hw": pair, "format": "json"}
        if ram is not None:
            query["ram_gb"] = ram
        doc = client.get("/compare/", query).json()
        for row in doc["models"]:
            for cell in row["results"]:
                if cell["verdict"] is None:
                    continue
                extra = {"ram_gb": ram} if ram is not None else {}
                r = will_it_run(model=row["model"]["id"], hardware=cell["hardware"], **extra)
                assert (cell["verdict"], cell["total_bytes"], cell["decode_tok_s"]) == _key(r)
    for _ in range(2):
        gpu = rng.choice(gpus)
        ram = rng.choice((16, 64))
        doc = client.get(
            "/will-it-run/custom/",
            {
                "gpu": gpu,
                "runtime": "llama.cpp",
                "ram_gb": ram,
                "context": "8192",
                "format": "json",
            },
        ).json()
        rows = [m for group in doc["result"]["groups"].values() for m in group]
        for m in rng.sample(rows, min(12, len(rows))):
            if m.get("error"):
                continue
            r = will_it_run(model=m["id"], hardware=gpu, quant=m["quant"], context=8192, ram_gb=ram)
            assert (m["verdict"], m["total_bytes"], m["decode_tok_s"]) == _key(r), m["id"]
    assert len(compared) > 60, len(compared)
