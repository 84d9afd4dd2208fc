"""First views (nothing cached) ask the database a fixed, small number of questions, however
many rows their tables have; and one request reads one catalog version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db.models import Count, Max

from runlocal_web.api.models import Submission
from runlocal_web.catalogdb import store
from runlocal_web.catalogdb.models import SyncState

from . import factory
from .test_api_benchmarks import approve, submitted

pytestmark = pytest.mark.django_db

# (page, queries): the sync state with its community stamp (one query, read once per request
# however many parts of the page ask for it), then what the view itself needs: nothing more,
# the detail pages' rows too come with the catalog version (store.current_row).
FIRST_VIEWS = [
    ("/models/testllama-8b/", 1),
    ("/hardware/testgpu-24gb/", 1),
    ("/will-it-run/?model=testllama-8b&hardware=testgpu-24gb", 1),
    ("/will-it-run/?model=testllama-70b&hardware=2x+testgpu-24gb&context=32768", 1),
    ("/choose-my-gpu/?budget_usd=2000&model=testllama-8b", 1),
    ("/choose-my-gpu/?budget_usd=4000&run=70b&two_cards=on", 1),
    ("/will-it-run/custom/?gpu=testgpu-24gb&ram_gb=64", 1),
    ("/will-it-run/custom/?cpu=testcpu-16c", 1),
    # The lists: their rows and the filters' choices come with the catalog version.
    ("/models/", 1),
    ("/hardware/?sort=memory&vendor=NVIDIA&q=testgpu", 1),
]


@pytest.fixture
def tools(catalog_dir: Path, db) -> Path:
    factory.tools_catalog(catalog_dir)
    factory.sync()
    return catalog_dir


@pytest.mark.parametrize(("url", "queries"), FIRST_VIEWS)
def test_a_first_view_asks_a_fixed_number_of_queries(
    client, tools: Path, django_assert_num_queries, url: str, queries: int
) -> None:
    client.get("/robots.txt")
    client.get("/")  # the catalog and featured entries loaded, as on a running server
    cache.clear()  # nothing cached: no page, no table, no engine answer
    with django_assert_num_queries(queries):
        r = client.get(url)
    assert r.status_code == 200


def test_the_tables_grow_without_more_queries(
    client, tools: Path, django_assert_num_queries
) -> None:
    factory.hardware(tools, "testgpu-48gb", name="TestGPU 48GB", memory_gib=48.0)
    factory.model(tools, "testllama-3b", name="TestLlama 3B", params_total_b=3.0)
    factory.sync()
    client.get("/")
    cache.clear()
    with django_assert_num_queries(1):
        html = client.get("/models/testllama-8b/").content.decode()
    assert "TestGPU 48GB" in html  # a third row in the model page's tables
    with django_assert_num_queries(1):
        html = client.get("/hardware/testgpu-24gb/").content.decode()
    assert "TestLlama 3B" in html


def test_the_digest_names_the_published_community_results(
    client: Any, admin_client: Any, tools: Path
) -> None:
    before = store.current()[0]
    sub = submitted(client)
    assert store.current()[0] == before  # queued: not part of any answer yet
    approve(admin_client, sub)
    after = store.current()[0]
    published = Submission.objects.filter(status__in=Submission.PUBLISHED).aggregate(
        n=Count("id"), latest=Max("reviewed_at")
    )
    digest = SyncState.objects.get(pk=1).digest
    assert after == f"{digest}:{published['n']}-{published['latest'].isoformat()}"
    assert after != before


def test_one_get_reads_one_catalog_version(tools: Path, django_assert_num_queries) -> None:
    store.current()  # loaded once, as on a running server
    with store.one_catalog_per_request(), django_assert_num_queries(1):
        first = store.current()
        assert store.current() is first
        assert store.current_state() is store.current_state()
    with django_assert_num_queries(2):  # outside a request every call reads the database
        store.current()
        store.current()


def _fields(state: SyncState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {k: v for k, v in vars(state).items() if k != "_state"} | {
        "db": state._state.db,
        "adding": state._state.adding,
    }


def test_the_sync_state_reads_as_djangos_queryset_reads_it(
    client: Any, admin_client: Any, tools: Path
) -> None:
    """store reads the sync state from SQL compiled once; it is the object first() builds,
    the community count and latest review (a date on every database) included."""
    assert _fields(store._read_state()) == _fields(store._state_query().first())
    approve(admin_client, submitted(client))
    fast = store._read_state()
    assert _fields(fast) == _fields(store._state_query().first())
    assert fast is not None and fast.community_n == 1
    assert fast.community_latest.tzinfo is not None
    SyncState.objects.all().delete()
    assert store._read_state() is None


def _cell_of_row(quant: str, r: dict[str, Any]) -> dict[str, Any]:
    """A quantization table's cell as it was made from the verdict table's row (check_row)
    before TableCells.cell wrote it from the engine's answer: the reference it is held to."""
    if r.get("error"):
        return {"quant": quant, "error": r["error"], "check_url": r["check_url"]}
    return {
        "quant": quant,
        "verdict": r["verdict"],
        "verdict_label": r["verdict_label"],
        "verdict_class": r["verdict_class"],
        "decode_tok_s": r["decode_tok_s"] if r["verdict"] != "wont-run" else None,
        "max_context": r["max_context"],
        "max_context_where": r.get("max_context_where"),
        "total_bytes": r["total_bytes"],
        "evidence": r["evidence"],
        "check_url": r["check_url"],
        "weights_bytes": r.get("weights_bytes"),
        "quant_loss": r.get("quant_loss"),
    }


def test_a_tables_cells_are_the_cells_asked_alone(tools: Path) -> None:
    # A page's cells share each entry's name and link and the Will it run? link's query less
    # its quantization; each cell is still the one a fresh table would write.
    from runlocal_web.catalogdb.cells import TableCells, check_row
    from runlocal_web.catalogdb.store import current_catalog
    from runlocal_web.lib.pages import path_with_query, url_for

    catalog = current_catalog()
    cells = TableCells()
    verdict = url_for("checker:will_it_run")
    for model_id in [*sorted(catalog.models), "no-such-model"]:
        for hardware_id in [*sorted(catalog.hardware), "no-such-device"]:
            for quant in (None, "Q4_K_M", "Q8_0", "IQ2_XS", "MXFP4"):
                shared = cells(catalog, "", model_id, hardware_id, quant)
                assert shared == check_row(catalog, "", model_id, hardware_id, quant)
                if quant is not None:  # a quantization table's cell, written directly
                    for by in ("model", "hardware"):
                        side, cell = cells.cell(catalog, "", model_id, hardware_id, quant, by)
                        assert side == shared[by]
                        assert json.dumps(cell) == json.dumps(_cell_of_row(quant, shared))
                want = {"model": model_id, "hardware": hardware_id, "quant": quant}
                assert shared["check_url"] == path_with_query(verdict, want)
    # The link as path_with_query writes it, whatever the ids hold (quoting, empty values).
    for model_id, hardware_id in (("a b&c=d", "é/ü"), ("", "x"), ("", ""), ("m", "")):
        for quant in (None, "", "Q4_K_M", "q&a b"):
            want = {"model": model_id, "hardware": hardware_id, "quant": quant}
            assert cells.check_url(model_id, hardware_id, quant) == path_with_query(verdict, want)


def test_a_cell_at_the_quantization_the_default_resolved_to_is_the_cell_asked_alone() -> None:
    # A table's row asks the default quantization first; a later cell naming the quantization
    # that resolved to is given the same answer. Every model of the shipped catalog on a
    # spread of its devices: each cell is the one a fresh table would write.
    from runlocal.catalog import load_catalog
    from runlocal_web.catalogdb.cells import TableCells, check_row
    from runlocal_web.catalogdb.insights import QUANT_LADDER, published_quants

    catalog = load_catalog()
    devices = sorted(catalog.hardware)[::30]
    shared = 0
    for model_id in sorted(catalog.models):
        files = [f for f in catalog.models[model_id].get("files", []) if isinstance(f, dict)]
        cells = TableCells()
        for hardware_id in devices:
            default = None
            for quant in (None, *QUANT_LADDER, *published_quants(files)):
                cell = cells(catalog, "", model_id, hardware_id, quant)
                assert cell == check_row(catalog, "", model_id, hardware_id, quant)
                if quant is not None:
                    _, direct = cells.cell(catalog, "", model_id, hardware_id, quant, "model")
                    assert json.dumps(direct) == json.dumps(_cell_of_row(quant, cell))
                if quant is None:
                    default = cell.get("quant")
                shared += quant is not None and quant == default
    assert shared > len(catalog.models)  # most rows have their default on the ladder


def test_table_cells_queries_are_check_queries():
    """The detail pages' cells build their queries without CheckQuery's __init__
    (runlocal.frozen.builder): the same query, hash, repr and field order, frozen."""
    import dataclasses

    import pytest

    from runlocal.engine import CheckQuery
    from runlocal_web.catalogdb.cells import cell_query

    for kwargs in (
        {"model": "qwen3-8b", "hardware": ("nvidia-rtx-4090",)},
        {"model": "gpt-oss-20b", "hardware": ("apple-m4-max-40c",), "quant": "Q8_0"},
        {"model": "x", "hardware": ("a", "b"), "quant": None},
    ):
        fast, slow = cell_query(**kwargs), CheckQuery(**kwargs)
        assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
        assert list(vars(fast)) == list(vars(slow))
        with pytest.raises(dataclasses.FrozenInstanceError):
            fast.quant = "F16"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cell_query(hardware=("nvidia-rtx-4090",))  # the model is required, as for CheckQuery


def test_table_brief_is_run_brief_uncached(tools: Path) -> None:
    # The detail pages' cells ask table_brief: run_brief's answer less its prefill figures,
    # with no digest, and its refusals, the catalog-only test made once per model a page.
    from runlocal.engine import CheckQuery, without_prefill
    from runlocal.errors import RunlocalError
    from runlocal_web.catalogdb.store import current_catalog
    from runlocal_web.lib.engine import run_brief, table_brief

    def outcome(ask: Any, q: CheckQuery) -> tuple[str, Any]:
        try:
            return "answer", json.dumps(ask(q), sort_keys=True)
        except RunlocalError as exc:
            return type(exc).__name__, str(exc)

    catalog = current_catalog()
    checked: set[str] = set()
    models = [*sorted(catalog.models), "no-such-model", "../x.gguf", "/etc/passwd", "a.json"]
    for _ in range(2):  # the second time, every catalog model is in `checked` already
        for model_id in models:
            for hardware_id in [*sorted(catalog.hardware), "no-such-device"]:
                for quant in (None, "Q4_K_M", "IQ2_XS"):
                    q = CheckQuery(model=model_id, hardware=(hardware_id,), quant=quant)
                    assert outcome(lambda q: table_brief(q, catalog, "", checked), q) == outcome(
                        lambda q: without_prefill(run_brief(q, catalog)), q
                    )
    assert set(catalog.models) <= checked
    assert not {"../x.gguf", "/etc/passwd", "a.json"} & checked  # refused, so asked again


def test_a_rankings_brief_gives_the_fit_run_brief_gives(tools: Path) -> None:
    # Choose my GPU and the custom build rank briefs without their prefill figures
    # (ranking_brief): each Fit a ranking reads is the one of run_brief's whole brief, on every
    # model and device of the test catalog, one and two cards, the runtimes, contexts, system
    # RAM and quantizations the two pages ask, and the refusals are the same.
    from runlocal.engine import CheckQuery
    from runlocal.errors import RunlocalError
    from runlocal.recommend import Fit
    from runlocal_web.catalogdb.store import current_catalog
    from runlocal_web.lib.engine import ranking_brief, run_brief

    def outcome(ask: Any, q: CheckQuery) -> tuple[str, Any]:
        try:
            return "fit", Fit.from_result(ask(q, catalog))
        except RunlocalError as exc:
            return type(exc).__name__, str(exc)

    catalog = current_catalog()
    brief = ranking_brief(set())
    asked = 0
    for model_id in [*sorted(catalog.models), "no-such-model", "../x.gguf"]:
        for hardware_id in sorted(catalog.hardware):
            for cards in (1, 2):
                for options in (
                    {},
                    {"quant": "Q4_K_M", "context": 8192},
                    {"quant": "Q8_0", "ram_gb": 64.0},
                    {"runtime": "vllm", "context": 32768},
                    {"quant": "IQ2_XS", "context": 131072, "ram_gb": 16.0},
                ):
                    q = CheckQuery(model=model_id, hardware=(hardware_id,) * cards, **options)
                    assert outcome(brief, q) == outcome(run_brief, q), q
                    asked += 1
    assert asked > 100
