"""One question, one answer: the same setup gets the same verdict, memory and decode speed
on every surface — Will it run?, the API, the CLI, the model and hardware pages' rows,
Compare and the custom build — because all of them ask the engine with the same defaults.

Setups are drawn at random (fixed seed) from the packaged catalog: a few hundred for the
surfaces that take any setup, a smaller sample of the rows the pages show."""

from __future__ import annotations

import io
import json
import random
import re
from contextlib import redirect_stderr, redirect_stdout
from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from runlocal.catalog import CATALOG_DIR, load_catalog
from runlocal.cli import main as cli_main
from runlocal_web.lib.templatetags import g, gib

pytestmark = pytest.mark.django_db

SEED = 20261206
N_SETUPS = 240
QUANTS = (None, "Q4_K_M", "Q8_0", "Q3_K_M", "Q6_K")
CONTEXTS = (None, 2048, 8192, "32k")
RAMS = (None, 16, 64)
# Contexts as people type them, and at the edges: one token, a million (past most models').
ODD_CONTEXTS = (None, 1, 100, "4k", "128K", 131072, 1_000_000)


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


def _kinds_of_setup(rng: random.Random) -> list[dict[str, Any]]:
    """Setups of every kind a visitor asks about: several GPUs, offload to a little RAM, Macs
    with MLX, unified-memory machines with a memory setting, vLLM and transformers, a device
    given by its numbers, and model names as people paste them (Hub ids and URLs, GGUF file
    names, "(Q4)", Ollama tags)."""
    catalog = load_catalog(CATALOG_DIR)
    text = [
        m
        for m in sorted(catalog.models.values(), key=lambda e: e.id)
        if isinstance(m.get("architecture"), dict) and m.get("modality", "text") == "text"
    ]
    hw = catalog.hardware
    gpus = sorted(h for h in hw if hw[h].get("kind") == "gpu")
    cuda_rocm = sorted(h for h in gpus if hw[h].get("vendor") in ("NVIDIA", "AMD"))
    apple = sorted(h for h in hw if hw[h].get("vendor") == "Apple")
    unified = sorted(h for h in hw if hw[h].get("kind") == "unified" and h not in apple)
    out: list[dict[str, Any]] = []

    def add(**setup: Any) -> None:
        out.append({k: v for k, v in setup.items() if v is not None})

    def model() -> str:
        return rng.choice(text).id

    for _ in range(20):
        gpu = rng.choice(gpus)
        hardware = rng.choice([[f"2x {gpu}"], [gpu, rng.choice(gpus)], [f"4x {gpu}"], [gpu, gpu]])
        add(model=model(), hardware=hardware, context=rng.choice(ODD_CONTEXTS))
    for _ in range(15):
        add(
            model=model(),
            hardware=[rng.choice(gpus)],
            ram_gb=rng.choice([8, 32, 256]),
            kv_type=rng.choice([None, "q8_0", "q4_0"]),
            context=rng.choice(ODD_CONTEXTS),
        )
    for _ in range(15):
        add(
            model=model(),
            hardware=[rng.choice(apple)],
            runtime=rng.choice(["mlx", "llama.cpp", "ollama", "lm-studio"]),
            quant=rng.choice([None, "MLX-4bit", "Q4_K_M"]),
            context=rng.choice(ODD_CONTEXTS),
        )
    for _ in range(10):
        device = rng.choice(unified)
        allowed = rng.choice([None, hw[device].get("memory_gib")])
        add(model=model(), hardware=[device], gpu_memory_gb=allowed)
    for _ in range(15):
        add(
            model=model(),
            hardware=[rng.choice(cuda_rocm)],
            runtime=rng.choice(["vllm", "transformers"]),
            quant=rng.choice([None, "AWQ-4bit", "FP8", "BF16"]),
            context=rng.choice(ODD_CONTEXTS),
            batch=rng.choice([None, 4]),
        )
    for _ in range(5):
        add(model=model(), vram_gb=rng.choice([8, 24]), bandwidth_gb_s=rng.choice([272, 1000]))
    for _ in range(25):
        m = rng.choice(text)
        dashed = m.name.replace(" ", "-")
        forms = [f"  {m.name.upper()} ", f"{m.name} (Q4)", f"{dashed}-Q8_0.gguf"]
        repo = m.get("hf_repo")
        if repo:
            forms += [f"https://huggingface.co/{repo}", f"hf.co/{repo}"]
        if m.get("ollama_tag"):
            forms.append(str(m.get("ollama_tag")))
        add(model=rng.choice(forms), hardware=[rng.choice(gpus + apple)])
    # The settings the draws above leave out: vLLM's memory share and its KV types, every KV
    # type the engine reads (in any case), published measurements ignored, a described device
    # with its TFLOPS and offload, CPUs with the quantizations people run on them, a runtime
    # at a release, mixed cards with the other CUDA runtimes.
    cpus = sorted(h for h in hw if hw[h].get("kind") == "cpu")
    for _ in range(8):
        add(
            model=model(),
            hardware=[rng.choice(cuda_rocm)],
            runtime="vllm",
            gpu_memory_utilization=rng.choice([0.5, 0.95, 1]),
            kv_type=rng.choice([None, "fp8", "bf16"]),
        )
    for _ in range(6):
        add(
            model=model(),
            hardware=[rng.choice(gpus)],
            kv_type=rng.choice(["q5_1", "q4_1", "iq4_nl", "q5_0", "F16", "Q8_0"]),
            batch=rng.choice([2, 8]),
        )
    for _ in range(6):
        add(model=model(), hardware=[rng.choice(gpus + apple)], no_measured=True)
    for _ in range(5):
        add(
            model=model(),
            vram_gb=rng.choice([12, 48]),
            bandwidth_gb_s=rng.choice([300, 900]),
            tflops=rng.choice([20, 150]),
            ram_gb=rng.choice([16, 128]),
        )
    for _ in range(6):
        add(
            model=model(),
            hardware=[rng.choice(cpus)],
            ram_gb=rng.choice([32, 96]),
            quant=rng.choice(["q4_k_m", "IQ3_XXS", "Q2_K", "q5_k_s"]),
        )
    for _ in range(5):
        gpu = rng.choice(cuda_rocm)
        add(
            model=model(),
            hardware=[gpu, rng.choice(cuda_rocm), f"2x {gpu}"],
            ram_gb=64,
            runtime=rng.choice(["llama.cpp@b5000", "exllamav2", "Ollama", "LMStudio"]),
        )
    return out


def _cli(setup: dict[str, Any]) -> dict[str, Any] | None:
    argv = ["check", setup["model"], "--json"]
    for key, value in setup.items():
        if key == "model":
            continue
        if value is True:  # a switch: --no-measured
            argv.append("--" + key.replace("_", "-"))
            continue
        for one in value if isinstance(value, list) else [value]:
            argv += ["--" + key.replace("_", "-"), str(one)]
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = cli_main(argv)
    return json.loads(out.getvalue()) if code == 0 else None


def test_any_setup_gets_one_answer_on_will_it_run_the_api_and_the_cli(real_catalog) -> None:
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


def test_every_kind_of_setup_gets_the_whole_same_answer_everywhere(real_catalog) -> None:
    """Not only the verdict and two figures: the whole answer (quality estimate, defaults
    taken and said to be assumed, notes, commands) is the same on Will it run?, GET and POST
    /api/v1/check and `runlocal check --json`, or all four refuse it."""
    client = Client()
    agreed = 0
    setups = _kinds_of_setup(random.Random(SEED + 2))
    for i, setup in enumerate(setups):
        page = client.get("/will-it-run/", {**setup, "format": "json"})
        addr = f"10.4.{i // 200}.{i % 200 + 1}"
        api = client.get("/api/v1/check", setup, REMOTE_ADDR=addr)
        post = client.post(
            "/api/v1/check", json.dumps(setup), content_type="application/json", REMOTE_ADDR=addr
        )
        cli = _cli(setup)
        if page.status_code != 200:
            assert page.status_code == 400 and cli is None, setup
            assert api.status_code in (400, 422) and post.status_code in (400, 422), setup
            continue
        answer = page.json()["result"]
        assert api.status_code == post.status_code == 200, (setup, api.content[:200])
        assert answer == api.json() == post.json() == cli, setup
        agreed += 1
    assert agreed > len(setups) * 0.7, (agreed, len(setups))


def test_the_page_shows_the_engines_figures_as_it_gives_them(real_catalog) -> None:
    """Every speed on Will it run? is the engine's number as `g` writes it (to the tenth the
    engine gives), at the top and in the Speed section alike: the prefill range once showed
    "4,749.1" at the top and "4,749" below."""
    client = Client()
    for setup in _kinds_of_setup(random.Random(SEED + 3))[::3]:
        page = client.get("/will-it-run/", setup)
        if page.status_code != 200:
            continue
        r = client.get("/will-it-run/", {**setup, "format": "json"}).json()["result"]
        html = unescape(page.content.decode())
        figures = {g(v) for v in r["speed"].values() if v is not None}
        speed = html[html.index('id="h-speed"') :]
        speed = speed[: speed.index("</section>")]
        shown = re.findall(r"([\d,.]+) tokens/s", speed) + [
            x for pair in re.findall(r"likely ([\d,.]+)–([\d,.]+)", speed) for x in pair
        ]
        assert set(shown) <= figures, (setup, shown, figures)
        assert gib(r["memory"]["total_bytes"]) in html and r["quant"] in html, setup


def test_the_pages_rows_compare_and_the_build_give_will_it_runs_answer(real_catalog) -> None:
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


# A cell's key → where the engine's answer keeps the same figure.
CELL_FIGURES = {
    "verdict": ("verdict",),
    "quant": ("quant",),
    "context": ("context",),
    "evidence": ("evidence",),
    "max_context": ("max_context",),
    "best_quant": ("best_quant",),
    "total_bytes": ("memory", "total_bytes"),
    "budget_bytes": ("memory", "budget_bytes"),
    "host_bytes": ("memory", "host_bytes"),
    "decode_tok_s": ("speed", "decode_tok_s"),
    "decode_tok_s_low": ("speed", "decode_tok_s_low"),
    "decode_tok_s_high": ("speed", "decode_tok_s_high"),
}


def _cells(doc: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every answer a page's JSON holds with the Will it run? link that asks for it."""
    if isinstance(doc, dict):
        if "check_url" in doc and doc.get("verdict") and not doc.get("error"):
            out.append(doc)
        for value in doc.values():
            _cells(value, out)
    elif isinstance(doc, list):
        for value in doc:
            _cells(value, out)
    return out


def test_every_cell_of_every_tool_is_the_answer_its_link_gives(real_catalog) -> None:
    """A figure in a table (model and hardware pages, Compare, Cost, Choose my GPU, the
    custom build) is the engine's, under the engine's name: following the cell's link to
    Will it run? gives the same verdict, quantization, context, memory and speeds (the
    rows once gave host_bytes 0 where the answer kept the token embeddings in RAM)."""
    client = Client()
    rng = random.Random(SEED + 4)
    catalog = load_catalog(CATALOG_DIR)
    models = sorted(
        m for m in catalog.models if isinstance(catalog.models[m].get("architecture"), dict)
    )
    hw = sorted(catalog.hardware)
    gpus = [h for h in hw if catalog.hardware[h].get("kind") == "gpu"]
    apple = [h for h in hw if catalog.hardware[h].get("vendor") == "Apple"]
    pages: list[tuple[str, dict[str, Any]]] = [
        *((f"/models/{m}/", {}) for m in rng.sample(models, 3)),
        *((f"/hardware/{h}/", {}) for h in rng.sample(hw, 3)),
        ("/compare/", {"hw": [f"2x {rng.choice(gpus)}", rng.choice(apple)], "ram_gb": 16}),
        ("/cost/", {"model": rng.choice(models), "hardware": f"2x {rng.choice(gpus)}"}),
        ("/choose-my-gpu/", {"budget_usd": 2500, "model": rng.choice(models), "two_cards": "on"}),
        ("/will-it-run/custom/", {"gpu": [rng.choice(gpus)] * 2, "runtime": "vllm"}),
        ("/will-it-run/custom/", {"gpu": rng.choice(apple), "runtime": "mlx", "context": "32k"}),
    ]
    checked = 0
    for path, query in pages:
        doc = client.get(path, {**query, "format": "json"}).json()
        cells = _cells(doc, [])
        for cell in rng.sample(cells, min(12, len(cells))):
            link = urlsplit(cell["check_url"])
            answer = client.get(link.path, [*parse_qsl(link.query), ("format", "json")])
            assert answer.status_code == 200, cell["check_url"]
            r = answer.json()["result"]
            for key, where in CELL_FIGURES.items():
                if key not in cell or (key.startswith("decode") and cell[key] is None):
                    continue  # a table leaves out the speed of what will not run
                want: Any = r
                for part in where:
                    want = want.get(part) if isinstance(want, dict) else None
                assert cell[key] == want, (path, cell["check_url"], key)
            checked += 1
    assert checked > 60, checked


def test_the_page_takes_what_the_api_and_the_cli_take(real_catalog) -> None:
    """Runtime names in any case and at a release, KV types in any case, a little system RAM
    and an empty box: the page answers them as the API and the CLI do (it once refused the
    first four, and the API took `quant=` as a quantization given)."""
    client = Client()
    base = {"model": "Llama 3.1 8B", "hardware": "RTX 4090"}
    for extra in (
        {"runtime": "VLLM", "quant": "AWQ-4bit"},
        {"runtime": "llama.cpp@b8000"},
        {"kv_type": "Q8_0"},
        {"ram_gb": "0.3", "context": "128k"},
        {"quant": ""},
    ):
        setup = {**base, **extra}
        page = client.get("/will-it-run/", {**setup, "format": "json"})
        api = client.get("/api/v1/check", setup)
        assert page.status_code == api.status_code == 200, (extra, page.content[:300])
        cli = _cli({k: v for k, v in setup.items() if v != ""})
        assert page.json()["result"] == api.json() == cli, extra
    html = client.get("/will-it-run/", {**base, "runtime": "llama.cpp@b8000"}).content.decode()
    assert '<option value="llama.cpp@b8000" selected>' in html  # sent again, it stays
